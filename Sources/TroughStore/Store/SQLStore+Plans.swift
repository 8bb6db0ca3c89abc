import Logging
import SQLKit
import TroughCore

extension SQLStore {
    public func plans(logger: Logger) async throws -> [Plan] {
        try await sql.select().columns(Plan.columns).from("plans").orderBy("price_nanos").orderBy("id").all(decoding: Plan.self)
    }

    public func plan(id: String, logger: Logger) async throws -> Plan? {
        try await sql.select().columns(Plan.columns).from("plans").where("id", .equal, id).first(decoding: Plan.self)
    }

    public func updatePlanLimits(id: String, change: PlanLimitsChange, at now: Timestamp, logger: Logger) async throws -> Bool {
        var update = sql.update("plans").set("updated_at", to: now.milliseconds)
        if let limit = change.monthlyRequestLimit { update = update.set("monthly_request_limit", to: limit) }
        if let limit = change.serviceLimit { update = update.set("service_limit", to: limit) }
        if let days = change.historyDays { update = update.set("history_days", to: days) }
        return try await !update.where("id", .equal, id).returning("id").all().isEmpty
    }

    public func setTenantPlan(tenantID: String, planID: String, at now: Timestamp, logger: Logger) async throws -> Bool {
        try await !sql.update("tenants").set("plan_id", to: planID).set("updated_at", to: now.milliseconds)
            .where("id", .equal, tenantID).returning("id").all().isEmpty
    }

    public func activeServiceCount(tenantID: String, logger: Logger) async throws -> Int {
        try await sql.raw("SELECT COUNT(*) AS n FROM services WHERE tenant_id = \(bind: tenantID) AND status = 'active'")
            .first()?.decode(column: "n", as: Int.self) ?? 0
    }

    public func tenantUsageTotals(tenantID: String, from: Timestamp, to: Timestamp, logger: Logger) async throws -> UsageTotals {
        let filter: SQLQueryString = "tenant_id = \(bind: tenantID)"
        return try await usageTotals(filter: filter, from: from, to: to)
    }

    public func usageTotals(projectID: String, tenantID: String, from: Timestamp, to: Timestamp, logger: Logger) async throws -> UsageTotals {
        let filter: SQLQueryString = "project_id = \(bind: projectID) AND tenant_id = \(bind: tenantID)"
        return try await usageTotals(filter: filter, from: from, to: to)
    }

    /// Sums of the daily rollups matching `filter` for days in `[from, to)`.
    /// SUM over BIGINT is NUMERIC in PostgreSQL: cast back so both dialects decode Int64.
    func usageTotals(filter: SQLQueryString, from: Timestamp, to: Timestamp) async throws -> UsageTotals {
        let query: SQLQueryString = """
            SELECT CAST(COALESCE(SUM(requests), 0) AS BIGINT) AS requests, CAST(COALESCE(SUM(errors), 0) AS BIGINT) AS errors,
                   CAST(COALESCE(SUM(unpriced), 0) AS BIGINT) AS unpriced, CAST(COALESCE(SUM(cost_nanos), 0) AS BIGINT) AS cost_nanos
            FROM usage_daily
            WHERE \(filter as any SQLExpression) AND bucket_at >= \(bind: from.milliseconds) AND bucket_at < \(bind: to.milliseconds)
            """
        guard let row = try await sql.raw(query).first() else { return UsageTotals() }
        return UsageTotals(
            requests: try row.decode(column: "requests", as: Int64.self),
            errors: try row.decode(column: "errors", as: Int64.self),
            unpriced: try row.decode(column: "unpriced", as: Int64.self),
            cost: Money(nanos: try row.decode(column: "cost_nanos", as: Int64.self))
        )
    }
}
