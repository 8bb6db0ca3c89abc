import Foundation
import Logging
import SQLKit
import TroughCore

/// The one `Store` implementation: SQLKit queries that run unchanged on SQLite and PostgreSQL.
/// Where the dialects differ, the difference lives here or in `Database`, not in each query.
public final class SQLStore: Store {
    let database: Database
    let location: DatabaseLocation
    /// Versions the schema must have for this build to run.
    let expectedVersions: Set<String>

    public init(database: Database, location: DatabaseLocation, migrations: [Migration]) {
        self.database = database
        self.location = location
        self.expectedVersions = Set(migrations.map(\.version))
    }

    var sql: any SQLDatabase { database.sql }

    public func checkReady(logger: Logger) async throws {
        if case .sqlite(let path) = location, !FileManager.default.fileExists(atPath: path) {
            throw StoreError.unavailable("the SQLite file \(path) is gone")
        }
        let rows: [any SQLRow]
        do {
            rows = try await sql.select().column("version").from("schema_migrations").all()
        } catch {
            throw StoreError.unavailable("the database does not answer: \(error)")
        }
        let applied = Set(try rows.map { try $0.decode(column: "version", as: String.self) })
        let missing = expectedVersions.subtracting(applied)
        guard missing.isEmpty else {
            throw StoreError.schemaBehind("\(missing.count) migration(s) not applied; run `trough migrate`")
        }
    }

    /// Maps a unique-constraint violation from either driver to `StoreError.conflict`.
    func mapConflict<T>(_ message: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            if Self.isUniqueViolation(error) { throw StoreError.conflict(message) }
            throw error
        }
    }

    static func isUniqueViolation(_ error: any Error) -> Bool {
        let text = String(reflecting: error)
        // PostgreSQL: SQLSTATE 23505; SQLite: "UNIQUE constraint failed" / SQLITE_CONSTRAINT_UNIQUE.
        return text.contains("23505") || text.contains("UNIQUE constraint failed")
            || text.contains("unique_violation") || text.contains("constraint_unique")
    }
}
