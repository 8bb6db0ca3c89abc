import Logging
import PostgresNIO
import SQLiteNIO
import Synchronization
import TroughCore

/// The event writer's multi-row insert, bound through each driver directly: `INSERT … ON CONFLICT (event_id)
/// DO NOTHING RETURNING event_id`, so a replayed event is skipped and only the ids stored now come back. On SQLite a
/// plain `INSERT` goes first: a duplicate id fails that statement alone (SQLite backs out the statement, not the
/// transaction) and the checked one runs instead, so the usual batch of new events pays for no returned rows.
enum EventRows {
    /// Rows per statement: 26 binds each, well under SQLite's (32,766) and PostgreSQL's (65,535) bind limits.
    static let perInsert = 200

    /// The full-size statements, built once.
    private static let sqlitePlaceholder: @Sendable (Int) -> String = { _ in "?" }
    private static let postgresPlaceholder: @Sendable (Int) -> String = { "$\($0)" }
    private static let sqliteStatement = statement(rows: perInsert, placeholder: sqlitePlaceholder)
    private static let sqlitePlainStatement = statement(rows: perInsert, placeholder: sqlitePlaceholder, skippingStored: false)
    private static let postgresStatement = statement(rows: perInsert, placeholder: postgresPlaceholder)

    /// Inserts the rows not stored yet; returns the ids it stored, or nil when it stored every row.
    static func insert(_ events: ArraySlice<RequestEvent>, on connection: DriverConnection) async throws -> [String]? {
        let stored = StoredIDs()
        switch connection {
        case .sqlite(let sqlite):
            var binds: [SQLiteData] = []
            binds.reserveCapacity(events.count * RequestEvent.columnNames.count)
            for event in events { appendSQLite(event, to: &binds) }
            do {
                try await sqlite.query(sqliteStatement(rows: events.count, skippingStored: false), binds) { _ in }
                return nil
            } catch let error as SQLiteError where Self.isUniqueViolation(error) {
                // An id stored before (a replay) or twice in the chunk: nothing of this statement was kept.
            }
            try await sqlite.query(sqliteStatement(rows: events.count, skippingStored: true), binds) { row in
                if let id = row.column("event_id")?.string { stored.ids.withLock { $0.append(id) } }
            }
        case .postgres(let postgres, let logger):
            var binds = PostgresBindings(capacity: events.count * RequestEvent.columnNames.count)
            for event in events { appendPostgres(event, to: &binds) }
            let sql = events.count == perInsert ? postgresStatement : statement(rows: events.count, placeholder: postgresPlaceholder)
            for try await id in try await postgres.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger).decode(String.self) {
                stored.ids.withLock { $0.append(id) }
            }
        }
        return stored.ids.withLock { $0 }
    }

    /// SQLite's statement for `rows` rows (the full-size ones built once).
    private static func sqliteStatement(rows: Int, skippingStored: Bool) -> String {
        switch (rows == perInsert, skippingStored) {
        case (true, true): sqliteStatement
        case (true, false): sqlitePlainStatement
        case (false, _): statement(rows: rows, placeholder: sqlitePlaceholder, skippingStored: skippingStored)
        }
    }

    /// Whether a plain insert failed on a stored or repeated id (SQLite reports the extended code or the basic one).
    private static func isUniqueViolation(_ error: SQLiteError) -> Bool {
        [.constraint, .constraintUniqueFailed, .constraintPrimaryKeyFailed].contains(error.reason)
    }

    /// The statement for `rows` rows; placeholders numbered from 1 across all rows. `skippingStored` adds
    /// `ON CONFLICT (event_id) DO NOTHING RETURNING event_id`.
    static func statement(rows: Int, placeholder: (Int) -> String, skippingStored: Bool = true) -> String {
        let columns = RequestEvent.columnNames
        var sql = "INSERT INTO request_events (" + columns.joined(separator: ", ") + ") VALUES "
        var number = 0
        for row in 0..<rows {
            sql += row == 0 ? "(" : ", ("
            for column in columns.indices {
                number += 1
                sql += (column == 0 ? "" : ", ") + placeholder(number)
            }
            sql += ")"
        }
        return skippingStored ? sql + " ON CONFLICT (event_id) DO NOTHING RETURNING event_id" : sql
    }

    /// The ids a statement returned (rows arrive on the driver's thread).
    private final class StoredIDs: Sendable {
        let ids = Mutex<[String]>([])
    }

    private static func appendSQLite(_ event: RequestEvent, to binds: inout [SQLiteData]) {
        func text(_ value: String?) -> SQLiteData { value.map { .text($0) } ?? .null }
        func integer(_ value: Int64) -> SQLiteData { .integer(Int(value)) }
        binds.append(contentsOf: [
            .text(event.eventID), .text(event.tenantID), .text(event.projectID), text(event.serviceID), text(event.tokenID),
            integer(event.occurredAt.milliseconds), .text(event.method), .text(event.route), .integer(event.status), text(event.errorType),
            integer(event.totalLatencyMicros), integer(event.upstreamLatencyMicros), integer(event.bytesIn), integer(event.bytesOut),
            text(event.provider), text(event.model), integer(event.inputTokens), integer(event.outputTokens), integer(event.cachedInputTokens),
            integer(event.cacheWriteTokens), integer(event.reasoningTokens), integer(event.units), integer(event.cost.nanos),
            .text(event.costSource.rawValue), .integer(event.streamed ? 1 : 0), text(event.tags), text(event.serviceTier),
        ])
    }

    private static func appendPostgres(_ event: RequestEvent, to binds: inout PostgresBindings) {
        func text(_ value: String?) {
            if let value { binds.append(value) } else { binds.appendNull() }
        }
        binds.append(event.eventID); binds.append(event.tenantID); binds.append(event.projectID)
        text(event.serviceID); text(event.tokenID)
        binds.append(event.occurredAt.milliseconds); binds.append(event.method); binds.append(event.route)
        binds.append(Int64(event.status)); text(event.errorType)
        binds.append(event.totalLatencyMicros); binds.append(event.upstreamLatencyMicros)
        binds.append(event.bytesIn); binds.append(event.bytesOut)
        text(event.provider); text(event.model)
        binds.append(event.inputTokens); binds.append(event.outputTokens); binds.append(event.cachedInputTokens)
        binds.append(event.cacheWriteTokens); binds.append(event.reasoningTokens); binds.append(event.units)
        binds.append(event.cost.nanos); binds.append(event.costSource.rawValue); binds.append(event.streamed); text(event.tags)
        text(event.serviceTier)
    }
}
