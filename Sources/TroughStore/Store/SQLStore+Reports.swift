import Logging
import SQLKit
import TroughCore

extension SQLStore {
    public func usageTotals(scope: UsageScope, granularity: UsageRollup.Granularity, from: Timestamp, to: Timestamp, logger: Logger) async throws -> UsageTotals {
        try await usageTotals(table: Self.rollupTable(granularity), filter: Self.filter(scope), from: from, to: to)
    }

    public func usageSeries(scope: UsageScope, granularity: UsageRollup.Granularity, from: Timestamp, to: Timestamp, logger: Logger) async throws -> [UsageBucket] {
        let query: SQLQueryString = """
            SELECT bucket_at, \(unsafeRaw: Self.totalsColumns) FROM \(ident: Self.rollupTable(granularity))
            WHERE \(Self.filter(scope) as any SQLExpression) AND bucket_at >= \(bind: from.milliseconds) AND bucket_at < \(bind: to.milliseconds)
            GROUP BY bucket_at ORDER BY bucket_at
            """
        return try await sql.raw(query).all().map { row in
            UsageBucket(start: Timestamp(milliseconds: try row.decode(column: "bucket_at", as: Int64.self)), totals: try Self.totals(row))
        }
    }

    public func usageBreakdown(scope: UsageScope, by dimension: UsageDimension, from: Timestamp, to: Timestamp, limit: Int, logger: Logger) async throws -> [UsageGroup] {
        let query: SQLQueryString = """
            SELECT \(ident: dimension.column) AS group_key, \(unsafeRaw: Self.totalsColumns) FROM usage_daily
            WHERE \(Self.filter(scope) as any SQLExpression) AND bucket_at >= \(bind: from.milliseconds) AND bucket_at < \(bind: to.milliseconds)
            GROUP BY \(ident: dimension.column) ORDER BY cost_nanos DESC, requests DESC, group_key LIMIT \(bind: limit)
            """
        return try await sql.raw(query).all().map { row in
            UsageGroup(key: try row.decode(column: "group_key", as: String.self), totals: try Self.totals(row))
        }
    }

    public func usageByProject(tenantID: String, from: Timestamp, to: Timestamp, logger: Logger) async throws -> [String: UsageTotals] {
        let query: SQLQueryString = """
            SELECT project_id AS group_key, \(unsafeRaw: Self.totalsColumns) FROM usage_daily
            WHERE tenant_id = \(bind: tenantID) AND bucket_at >= \(bind: from.milliseconds) AND bucket_at < \(bind: to.milliseconds)
            GROUP BY project_id
            """
        var byProject: [String: UsageTotals] = [:]
        for row in try await sql.raw(query).all() {
            byProject[try row.decode(column: "group_key", as: String.self)] = try Self.totals(row)
        }
        return byProject
    }

    public func eventBreakdown(projectID: String, tenantID: String, from: Timestamp, to: Timestamp, logger: Logger,
                               key: @escaping @Sendable (RequestEvent) -> String) async throws -> [UsageGroup] {
        var groups: [String: UsageTotals] = [:]
        var cursor: EventCursor?
        while true {
            let page = try await eventPage(projectID: projectID, tenantID: tenantID, from: from, to: to, after: cursor, limit: 5000, logger: logger)
            for stored in page {
                groups[key(stored.event), default: UsageTotals()].add(UsageTotals(event: stored.event))
            }
            guard page.count == 5000, let last = page.last else { break }
            cursor = last.cursor
        }
        return groups.map { UsageGroup(key: $0.key, totals: $0.value) }
            .sorted { ($0.totals.cost.nanos, $0.totals.requests, $1.key) > ($1.totals.cost.nanos, $1.totals.requests, $0.key) }
    }

    public func eventPage(projectID: String, tenantID: String, from: Timestamp, to: Timestamp, after cursor: EventCursor?, limit: Int, logger: Logger) async throws -> [StoredEvent] {
        var query = sql.select().column("id").columns(RequestEvent.columns).from("request_events")
            .where("project_id", .equal, projectID)
            .where("tenant_id", .equal, tenantID)
            .where("occurred_at", .greaterThanOrEqual, from.milliseconds)
            .where("occurred_at", .lessThan, to.milliseconds)
        if let cursor {
            // The redundant `occurred_at >= X` bound lets PostgreSQL keep to the index range: with the OR alone
            // it read every remaining event of the range for each page.
            query = query.where("occurred_at", .greaterThanOrEqual, cursor.occurredAt.milliseconds).where { group in
                group.where("occurred_at", .greaterThan, cursor.occurredAt.milliseconds).orWhere("id", .greaterThan, cursor.id)
            }
        }
        return try await query.orderBy("occurred_at").orderBy("id").limit(limit).all().map { row in
            let event = try row.decode(model: RequestEvent.self)
            return StoredEvent(event: event, cursor: EventCursor(occurredAt: event.occurredAt, id: try row.decode(column: "id", as: Int64.self)))
        }
    }

    // MARK: Shared pieces

    static func rollupTable(_ granularity: UsageRollup.Granularity) -> String {
        granularity == .hour ? "usage_hourly" : "usage_daily"
    }

    static func filter(_ scope: UsageScope) -> SQLQueryString {
        if let projectID = scope.projectID {
            return "project_id = \(bind: projectID) AND tenant_id = \(bind: scope.tenantID)"
        }
        return "tenant_id = \(bind: scope.tenantID)"
    }

    /// The summed rollup columns. SUM over BIGINT is NUMERIC in PostgreSQL: cast back so both dialects decode Int64.
    static let totalsColumns = [
        "requests", "errors", "unpriced", "cost_nanos", "input_tokens", "output_tokens", "cached_input_tokens", "reasoning_tokens", "total_latency_us",
    ].map { "CAST(COALESCE(SUM(\($0)), 0) AS BIGINT) AS \($0)" }.joined(separator: ", ")

    static func totals(_ row: any SQLRow) throws -> UsageTotals {
        var totals = UsageTotals(
            requests: try row.decode(column: "requests", as: Int64.self),
            errors: try row.decode(column: "errors", as: Int64.self),
            unpriced: try row.decode(column: "unpriced", as: Int64.self),
            cost: Money(nanos: try row.decode(column: "cost_nanos", as: Int64.self))
        )
        totals.inputTokens = try row.decode(column: "input_tokens", as: Int64.self)
        totals.outputTokens = try row.decode(column: "output_tokens", as: Int64.self)
        totals.cachedInputTokens = try row.decode(column: "cached_input_tokens", as: Int64.self)
        totals.reasoningTokens = try row.decode(column: "reasoning_tokens", as: Int64.self)
        totals.latencyMicros = try row.decode(column: "total_latency_us", as: Int64.self)
        return totals
    }

    /// Sums of one rollup table's rows matching `filter` for buckets in `[from, to)`.
    func usageTotals(table: String, filter: SQLQueryString, from: Timestamp, to: Timestamp) async throws -> UsageTotals {
        let query: SQLQueryString = """
            SELECT \(unsafeRaw: Self.totalsColumns) FROM \(ident: table)
            WHERE \(filter as any SQLExpression) AND bucket_at >= \(bind: from.milliseconds) AND bucket_at < \(bind: to.milliseconds)
            """
        guard let row = try await sql.raw(query).first() else { return UsageTotals() }
        return try Self.totals(row)
    }
}
