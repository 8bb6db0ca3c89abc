import Logging
import SQLKit
import TroughCore

extension SQLStore {
    public func recordEvents(_ events: [RequestEvent], logger: Logger) async throws {
        guard !events.isEmpty else { return }
        try await database.transaction { sql in
            // Keep only events not stored yet, so a replay does not count twice.
            let ids = events.map(\.eventID)
            let existing = try await sql.select().column("event_id").from("request_events")
                .where("event_id", .in, ids).all()
                .map { try $0.decode(column: "event_id", as: String.self) }
            let known = Set(existing)
            var seen = Set<String>()
            let fresh = events.filter { !known.contains($0.eventID) && seen.insert($0.eventID).inserted }
            guard !fresh.isEmpty else { return }

            for chunk in stride(from: 0, to: fresh.count, by: 200).map({ Array(fresh[$0..<min($0 + 200, fresh.count)]) }) {
                try await sql.insert(into: "request_events").models(chunk, nilEncodingStrategy: .asNil).run()
            }
            try await Self.addRollups(UsageRollup.aggregate(fresh, by: .hour), into: "usage_hourly", on: sql)
            try await Self.addRollups(UsageRollup.aggregate(fresh, by: .day), into: "usage_daily", on: sql)
        }
    }

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
