import Logging
import SQLKit
import TroughCore

extension SQLStore {
    public func changeLease(_ change: LeaseChange, logger: Logger) async throws -> LeaseState {
        try await database.transaction { sql in
            try await LeaseLedger(sql: sql, change: change).apply()
        }
    }

    public func limitCounters(tenantID: String, period: String, logger: Logger) async throws -> [LimitCounter] {
        try await sql.raw("""
            SELECT scope, scope_id, period, spent_nanos, requests, leased_nanos, leased_requests FROM limit_counters
            WHERE tenant_id = \(bind: tenantID) AND period = \(bind: period)
            """).all().map { row in
            LimitCounter(
                scope: LimitScope(rawValue: try row.decode(column: "scope", as: String.self)) ?? .tenant,
                scopeID: try row.decode(column: "scope_id", as: String.self),
                period: try row.decode(column: "period", as: String.self),
                spentNanos: try row.decode(column: "spent_nanos", as: Int64.self),
                requests: try row.decode(column: "requests", as: Int64.self),
                leasedNanos: try row.decode(column: "leased_nanos", as: Int64.self),
                leasedRequests: try row.decode(column: "leased_requests", as: Int64.self)
            )
        }
    }
}

extension SQLStore {
    public func addRefusals(_ counts: [RefusalCount], logger: Logger) async throws {
        guard !counts.isEmpty else { return }
        try await database.transaction { sql in
            for count in counts {
                try await sql.raw("""
                    INSERT INTO refusals_daily (tenant_id, project_id, bucket_at, reason, requests)
                    VALUES (\(bind: count.tenantID), \(bind: count.projectID), \(bind: count.day.milliseconds), \(bind: count.reason), \(bind: count.requests))
                    ON CONFLICT (project_id, bucket_at, reason) DO UPDATE SET requests = refusals_daily.requests + excluded.requests
                    """).run()
            }
        }
    }

    public func refusals(projectID: String, tenantID: String, from: Timestamp, to: Timestamp, logger: Logger) async throws -> [RefusalCount] {
        try await sql.raw("""
            SELECT bucket_at, reason, requests FROM refusals_daily
            WHERE tenant_id = \(bind: tenantID) AND project_id = \(bind: projectID)
              AND bucket_at >= \(bind: from.milliseconds) AND bucket_at < \(bind: to.milliseconds)
            ORDER BY bucket_at, reason
            """).all().map { row in
            RefusalCount(
                tenantID: tenantID, projectID: projectID,
                day: Timestamp(milliseconds: try row.decode(column: "bucket_at", as: Int64.self)),
                reason: try row.decode(column: "reason", as: String.self),
                requests: try row.decode(column: "requests", as: Int64.self)
            )
        }
    }
}

/// One lease change inside one transaction. The counter row is locked first (an UPDATE takes PostgreSQL's
/// row lock; SQLite runs one writer at a time), so concurrent instances see each other's grants.
private struct LeaseLedger {
    let sql: any SQLDatabase
    let change: LeaseChange

    var key: LimitKey { change.key }
    /// The counter's columns for this unit.
    var spentColumn: String { key.unit == .nanos ? "spent_nanos" : "requests" }
    var leasedColumn: String { key.unit == .nanos ? "leased_nanos" : "leased_requests" }
    /// The lease's column for this unit.
    var amountColumn: String { key.unit == .nanos ? "nanos" : "requests" }
    var counterWhere: SQLQueryString {
        "scope = \(bind: key.scope.rawValue) AND scope_id = \(bind: key.scopeID) AND period = \(bind: key.period.id)"
    }

    func apply() async throws -> LeaseState {
        try await seedCounter()
        try await sql.raw("UPDATE limit_counters SET updated_at = \(bind: change.now.milliseconds) WHERE \(counterWhere)").run()
        let swept = try await sweepExpiredLeases()

        // Report: what the lease consumed becomes spent. A lease already swept was charged in full then.
        var held: Int64 = 0
        var spentDelta = change.consumed
        var leaseExists = false
        if let leaseID = change.leaseID {
            if let row = try await sql.raw("SELECT \(ident: amountColumn) AS amount FROM limit_leases WHERE id = \(bind: leaseID)").first() {
                held = try row.decode(column: "amount", as: Int64.self)
                leaseExists = true
            } else {
                spentDelta = 0
            }
        }
        let covered = min(max(change.consumed, 0), held)
        held -= covered

        guard let row = try await sql.raw("SELECT \(ident: spentColumn) AS spent, \(ident: leasedColumn) AS leased FROM limit_counters WHERE \(counterWhere)").first() else {
            throw StoreError.unavailable("the limit counter \(key) vanished")
        }
        let spent = try row.decode(column: "spent", as: Int64.self) + spentDelta + swept
        var leased = try row.decode(column: "leased", as: Int64.self) - covered - swept

        // Top up: at least `need` or nothing; at most `want`, and no more than a quarter of what is left
        // (so several instances share the end of a limit) unless `need` requires it.
        if change.release {
            leased -= held
            held = 0
        } else {
            // A lowered limit (a plan or budget changed) shrinks a lease that no longer fits under it.
            let allowed = max(0, change.limit - spent - (leased - held))
            if held > allowed {
                leased -= held - allowed
                held = allowed
            }
            let available = max(0, change.limit - spent - leased)
            let needMore = max(0, change.need - held)
            let wantMore = max(needMore, change.want - held)
            let grant = min(wantMore, max(needMore, available / 4), available)
            if grant >= needMore {
                held += grant
                leased += grant
            }
        }
        leased = max(0, leased)

        try await sql.raw("""
            UPDATE limit_counters SET \(ident: spentColumn) = \(bind: spent), \(ident: leasedColumn) = \(bind: leased), updated_at = \(bind: change.now.milliseconds)
            WHERE \(counterWhere)
            """).run()
        let leaseID = try await saveLease(held: held, exists: leaseExists)
        return LeaseState(leaseID: leaseID, held: held, spent: spent, leased: leased)
    }

    /// Creates the month's counter on first use, starting from what the rollups already hold.
    func seedCounter() async throws {
        let scopeColumn = key.scope == .tenant ? "tenant_id" : key.scope.rawValue + "_id"
        try await sql.raw("""
            INSERT INTO limit_counters (tenant_id, scope, scope_id, period, spent_nanos, requests, leased_nanos, leased_requests, updated_at)
            SELECT \(bind: key.tenantID), \(bind: key.scope.rawValue), \(bind: key.scopeID), \(bind: key.period.id),
                   CAST(COALESCE(SUM(cost_nanos), 0) AS BIGINT), CAST(COALESCE(SUM(requests), 0) AS BIGINT), 0, 0, \(bind: change.now.milliseconds)
            FROM usage_daily
            WHERE tenant_id = \(bind: key.tenantID) AND \(ident: scopeColumn) = \(bind: key.scopeID)
              AND bucket_at >= \(bind: key.period.start.milliseconds) AND bucket_at < \(bind: key.period.end.milliseconds)
            ON CONFLICT (scope, scope_id, period) DO NOTHING
            """).run()
    }

    /// Charges other instances' expired leases in full and deletes them; returns the amount charged.
    func sweepExpiredLeases() async throws -> Int64 {
        let expired: SQLQueryString = """
            scope = \(bind: key.scope.rawValue) AND scope_id = \(bind: key.scopeID) AND period = \(bind: key.period.id)
            AND expires_at < \(bind: change.now.milliseconds) AND id <> \(bind: change.leaseID ?? "")
            """
        let total = try await sql.raw("SELECT CAST(COALESCE(SUM(\(ident: amountColumn)), 0) AS BIGINT) AS amount, COUNT(*) AS n FROM limit_leases WHERE \(expired)").first()
        let amount = try total?.decode(column: "amount", as: Int64.self) ?? 0
        if try total?.decode(column: "n", as: Int.self) ?? 0 > 0 {
            try await sql.raw("DELETE FROM limit_leases WHERE \(expired)").run()
        }
        return amount
    }

    /// Writes the lease row (or deletes it when nothing is held and the instance is letting go); returns its id.
    func saveLease(held: Int64, exists: Bool) async throws -> String? {
        if change.release {
            if let leaseID = change.leaseID {
                try await sql.raw("DELETE FROM limit_leases WHERE id = \(bind: leaseID)").run()
            }
            return nil
        }
        if exists, let leaseID = change.leaseID {
            try await sql.raw("""
                UPDATE limit_leases SET \(ident: amountColumn) = \(bind: held), expires_at = \(bind: change.expiresAt.milliseconds) WHERE id = \(bind: leaseID)
                """).run()
            return leaseID
        }
        let leaseID = Identifier.make("lse")
        try await sql.raw("""
            INSERT INTO limit_leases (id, tenant_id, scope, scope_id, period, instance_id, nanos, requests, expires_at, created_at)
            VALUES (\(bind: leaseID), \(bind: key.tenantID), \(bind: key.scope.rawValue), \(bind: key.scopeID), \(bind: key.period.id), \(bind: change.instanceID),
                    \(bind: key.unit == .nanos ? held : 0), \(bind: key.unit == .requests ? held : 0), \(bind: change.expiresAt.milliseconds), \(bind: change.now.milliseconds))
            """).run()
        return leaseID
    }
}
