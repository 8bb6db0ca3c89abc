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
        guard let plan = try await plan(id: planID, logger: logger) else { return false }
        return try await database.transaction { sql in
            guard try await !sql.update("tenants").set("plan_id", to: planID).set("updated_at", to: now.milliseconds)
                .where("id", .equal, tenantID).returning("id").all().isEmpty
            else { return false }
            try await Self.fitServices(to: plan, tenantID: tenantID, at: now, sql: sql)
            return true
        }
    }

    /// Starts the reason a downgrade writes on the services it suspends; services with it come back on upgrade.
    static let planSuspensionPrefix = "plan limit: "

    static func planSuspensionReason(_ plan: Plan, limit: Int) -> String {
        planSuspensionPrefix + "the \(plan.name) plan allows \(limit) active service\(limit == 1 ? "" : "s"); upgrade the plan to use this one again"
    }

    /// Suspends active services beyond the plan's limit (the oldest stay active) or restores services an
    /// earlier downgrade suspended, oldest first, as far as the limit allows.
    static func fitServices(to plan: Plan, tenantID: String, at now: Timestamp, sql: any SQLDatabase) async throws {
        let rows = try await sql.raw("""
            SELECT id, status, suspended_reason FROM services WHERE tenant_id = \(bind: tenantID) ORDER BY created_at, id
            """).all()
        var active = 0
        var suspend: [String] = []
        var restore: [String] = []
        for row in rows {
            let id = try row.decode(column: "id", as: String.self)
            let status = try row.decode(column: "status", as: String.self)
            let reason = try row.decode(column: "suspended_reason", as: String?.self)
            let fits = plan.serviceLimit.map { active < $0 } ?? true
            if status == Service.Status.active.rawValue {
                if fits { active += 1 } else { suspend.append(id) }
            } else if reason?.hasPrefix(planSuspensionPrefix) == true, fits {
                restore.append(id)
                active += 1
            }
        }
        if !suspend.isEmpty, let limit = plan.serviceLimit {
            try await sql.update("services").set("status", to: Service.Status.suspended.rawValue)
                .set("suspended_reason", to: planSuspensionReason(plan, limit: limit)).set("updated_at", to: now.milliseconds)
                .where("tenant_id", .equal, tenantID).where("id", .in, suspend).run()
        }
        if !restore.isEmpty {
            try await sql.update("services").set("status", to: Service.Status.active.rawValue)
                .set("suspended_reason", to: String?.none).set("updated_at", to: now.milliseconds)
                .where("tenant_id", .equal, tenantID).where("id", .in, restore).run()
        }
    }

    public func activeServiceCount(tenantID: String, logger: Logger) async throws -> Int {
        try await sql.raw("SELECT COUNT(*) AS n FROM services WHERE tenant_id = \(bind: tenantID) AND status = 'active'")
            .first()?.decode(column: "n", as: Int.self) ?? 0
    }
}
