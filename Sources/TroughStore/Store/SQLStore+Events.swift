import Logging
import SQLKit
import TroughCore

extension SQLStore {
    public func recordEvents(_ events: [RequestEvent], logger: Logger) async throws {
        guard !events.isEmpty else { return }
        // On the database's own low-priority thread, with the rows bound through the driver itself: SQLKit's
        // serializer and `Encodable` bind encoding were most of the writer's CPU at full load. The batch is not
        // copied (a copy retains every string of every event) unless a row must change or drop out.
        try await database.driverTransaction { connection, sql in
            let unbilled = try await Self.claimJobs(events, on: sql)
            let rows = unbilled.isEmpty ? events : events.enumerated().map { index, event in
                var event = event
                if unbilled.contains(index) { event.dropBilledUsage() }
                return event
            }
            // Rows stored before (a replay of a batch that did commit) and later copies of a row in this batch (a
            // batch replayed with its own copy) are skipped by the insert itself; only the rows it stores now count
            // in the rollups (usually all of them: no copy then).
            var skipped: Set<Int> = []
            for start in stride(from: 0, to: rows.count, by: EventRows.perInsert) {
                let chunk = rows[start..<min(start + EventRows.perInsert, rows.count)]
                if let stored = try await EventRows.insert(chunk, on: connection), stored.count != chunk.count {
                    skipped.formUnion(Self.notStored(chunk, stored: stored))
                }
            }
            let inserted = skipped.isEmpty ? rows : rows.enumerated().filter { !skipped.contains($0.offset) }.map(\.element)
            guard !inserted.isEmpty else { return }
            let hourly = UsageRollup.aggregate(inserted, by: .hour)
            try await Self.addRollups(hourly, into: "usage_hourly", on: sql)
            try await Self.addRollups(UsageRollup.rollUp(hourly, by: .day), into: "usage_daily", on: sql)
        }
    }

    /// The indexes (in the whole batch) of a chunk's rows the insert did not store: each id it stored counts for its
    /// first row only.
    static func notStored(_ chunk: ArraySlice<RequestEvent>, stored: [String]) -> [Int] {
        var unclaimed = Set(stored)
        return chunk.indices.filter { unclaimed.remove(chunk[$0].eventID) == nil }
    }

    /// Bills each job once per tenant (`RequestEvent.jobID`): returns the indexes of the events whose job another
    /// event claimed first (in an earlier batch, on another instance, before a restart, or earlier in this batch),
    /// which lose their usage and cost. A replayed event keeps its own claim. Two statements per job event (rare:
    /// a background response's or a batch's answer), none for the others.
    static func claimJobs(_ events: [RequestEvent], on sql: any SQLDatabase) async throws -> Set<Int> {
        var unbilled: Set<Int> = []
        for index in events.indices {
            guard let jobID = events[index].jobID else { continue }
            let event = events[index]
            try await sql.insert(into: "billed_jobs")
                .columns("tenant_id", "job_id", "event_id", "billed_at")
                .values(SQLBind(event.tenantID), SQLBind(jobID), SQLBind(event.eventID), SQLBind(event.occurredAt.milliseconds))
                .ignoringConflicts(with: ["tenant_id", "job_id"])
                .run()
            let claim = try await sql.select().column("event_id").from("billed_jobs")
                .where("tenant_id", .equal, event.tenantID).where("job_id", .equal, jobID)
                .first(decodingColumn: "event_id", as: String.self)
            if claim != event.eventID { unbilled.insert(index) }
        }
        return unbilled
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

    public func jobBilled(tenantID: String, jobID: String, logger: Logger) async throws -> Bool {
        try await sql.select().column("event_id").from("billed_jobs")
            .where("tenant_id", .equal, tenantID).where("job_id", .equal, jobID)
            .first() != nil
    }

    public func forgetBilledJobs(before: Timestamp, logger: Logger) async throws -> Int {
        try await sql.delete(from: "billed_jobs")
            .where("billed_at", .lessThan, before.milliseconds)
            .returning("job_id").all().count
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
