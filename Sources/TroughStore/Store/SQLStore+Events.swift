import Logging
import SQLKit
import TroughCore

extension SQLStore {
    public func recordEvents(_ events: [RequestEvent], logger: Logger) async throws {
        guard !events.isEmpty else { return }
        // Duplicates within the batch (a batch replayed with its own copy) are dropped here; rows stored
        // before (a replay of a batch that did commit) are skipped by the insert itself, and only the rows it
        // returns count in the rollups.
        var seen = Set<String>()
        let unique = events.filter { seen.insert($0.eventID).inserted }
        try await database.transaction { [executor = database.taskExecutor] sql in
            // Rows are encoded on the database's own low-priority thread, not on the pool the proxy's lookups share.
            try await withTaskExecutorPreference(executor) { try await Self.insertEvents(unique, on: sql) }
        }
    }

    /// Inserts the events not stored yet and adds those to the rollups.
    private static func insertEvents(_ unique: [RequestEvent], on sql: any SQLDatabase) async throws {
        var inserted: [RequestEvent] = []
        inserted.reserveCapacity(unique.count)
        for start in stride(from: 0, to: unique.count, by: eventRowsPerInsert) {
            let chunk = unique[start..<min(start + eventRowsPerInsert, unique.count)]
            let stored = try await sql.insert(into: "request_events").columns(RequestEvent.columnNames)
                .rows(chunk.map(\.insertValues))
                .ignoringConflicts(with: "event_id")
                .returning("event_id").all()
            if stored.count == chunk.count {
                inserted.append(contentsOf: chunk)
            } else {
                let storedIDs = Set(try stored.map { try $0.decode(column: "event_id", as: String.self) })
                inserted.append(contentsOf: chunk.filter { storedIDs.contains($0.eventID) })
            }
        }
        guard !inserted.isEmpty else { return }
        try await addRollups(UsageRollup.aggregate(inserted, by: .hour), into: "usage_hourly", on: sql)
        try await addRollups(UsageRollup.aggregate(inserted, by: .day), into: "usage_daily", on: sql)
    }

    /// Rows per insert statement: 27 binds each, well under SQLite's and PostgreSQL's bind limits.
    static let eventRowsPerInsert = 200

    static let rollupSums = [
        "requests", "errors", "unpriced", "input_tokens", "output_tokens", "cached_input_tokens", "cache_write_tokens",
        "reasoning_tokens", "cost_nanos", "total_latency_us", "bytes_in", "bytes_out",
    ]

    /// Upserts rollups, adding to the sums of rows that exist (one statement per row, same on both dialects).
    static func addRollups(_ rollups: [UsageRollup], into table: String, on sql: any SQLDatabase) async throws {
        for rollup in rollups {
            let key = rollup.key
            let values: [any Encodable & Sendable] = [
                key.tenantID, key.projectID, key.bucketAt.milliseconds, key.serviceID, key.tokenID, key.route, key.provider, key.model,
                rollup.requests, rollup.errors, rollup.unpriced, rollup.inputTokens, rollup.outputTokens, rollup.cachedInputTokens,
                rollup.cacheWriteTokens, rollup.reasoningTokens, rollup.costNanos, rollup.totalLatencyMicros, rollup.bytesIn, rollup.bytesOut,
            ]
            try await sql.insert(into: table)
                .columns(["tenant_id", "project_id", "bucket_at", "service_id", "token_id", "route", "provider", "model"] + rollupSums)
                .values(values.map { SQLBind($0) })
                .onConflict(with: ["project_id", "bucket_at", "service_id", "token_id", "route", "provider", "model"]) { update in
                    var update = update
                    for column in rollupSums {
                        update = update.set(SQLColumn(column), to: SQLRaw("\(table).\(column) + excluded.\(column)"))
                    }
                    return update
                }
                .run()
        }
    }

    public func events(projectID: String, tenantID: String, from: Timestamp, to: Timestamp, limit: Int, logger: Logger) async throws -> [RequestEvent] {
        try await sql.select().columns(RequestEvent.columns).from("request_events")
            .where("project_id", .equal, projectID)
            .where("tenant_id", .equal, tenantID)
            .where("occurred_at", .greaterThanOrEqual, from.milliseconds)
            .where("occurred_at", .lessThan, to.milliseconds)
            .orderBy("occurred_at").orderBy("id")
            .limit(limit)
            .all(decoding: RequestEvent.self)
    }
}

extension RequestEvent {
    /// The event's row in `columnNames` order, as binds (absent values as `NULL` literals): what `Encodable` row encoding would make,
    /// without its per-row cost on the writer's hot path.
    var insertValues: [any SQLExpression] {
        func optional(_ value: String?) -> any SQLExpression { value.map { SQLBind($0) } ?? SQLLiteral.null }
        return [
            SQLBind(eventID), SQLBind(tenantID), SQLBind(projectID), optional(serviceID), optional(tokenID), SQLBind(occurredAt.milliseconds),
            SQLBind(method), SQLBind(route), SQLBind(status), optional(errorType), SQLBind(totalLatencyMicros), SQLBind(upstreamLatencyMicros),
            SQLBind(bytesIn), SQLBind(bytesOut), optional(provider), optional(model), SQLBind(inputTokens), SQLBind(outputTokens),
            SQLBind(cachedInputTokens), SQLBind(cacheWriteTokens), SQLBind(reasoningTokens), SQLBind(units), SQLBind(cost.nanos),
            SQLBind(costSource.rawValue), SQLBind(streamed), optional(tags),
        ]
    }
}
