import Logging
import SQLKit
import TroughCore

/// Applies plain-SQL migrations in order, each in its own transaction, and records name and checksum.
public struct MigrationRunner: Sendable {
    /// A migration recorded as applied.
    public struct Applied: Sendable, Hashable {
        public let version: String
        public let name: String
        public let checksum: String
        public let appliedAt: Timestamp
    }

    /// What is applied and what is not.
    public struct Status: Sendable {
        public let applied: [Applied]
        public let pending: [Migration]
        /// Applied migrations that have no file here (written by a newer version of Trough).
        public let unknown: [Applied]

        public var isCurrent: Bool { pending.isEmpty }
    }

    let database: Database
    let migrations: [Migration]

    public init(database: Database, migrations: [Migration]) {
        self.database = database
        self.migrations = migrations
    }

    /// Compares the recorded migrations with the files; throws when an applied file has changed.
    public func status(logger: Logger) async throws -> Status {
        try await ensureTable()
        let applied = try await appliedMigrations(on: database.sql)
        let byVersion = Dictionary(applied.map { ($0.version, $0) }, uniquingKeysWith: { first, _ in first })
        for migration in migrations {
            if let record = byVersion[migration.version], record.checksum != migration.checksum {
                throw MigrationError.changed(migration.name, applied: record.checksum, file: migration.checksum)
            }
        }
        let known = Set(migrations.map(\.version))
        return Status(
            applied: applied.filter { known.contains($0.version) },
            pending: migrations.filter { byVersion[$0.version] == nil },
            unknown: applied.filter { !known.contains($0.version) }
        )
    }

    /// Applies every pending migration in order; returns the ones applied now.
    @discardableResult
    public func migrate(logger: Logger) async throws -> [Migration] {
        let pending = try await status(logger: logger).pending
        var appliedNow: [Migration] = []
        for migration in pending {
            let didApply = try await apply(migration, logger: logger)
            if didApply { appliedNow.append(migration) }
        }
        return appliedNow
    }

    /// Applies one migration in a transaction, unless another process applied it meanwhile.
    private func apply(_ migration: Migration, logger: Logger) async throws -> Bool {
        let dialect = database.dialect
        do {
            return try await database.transaction { sql in
                if dialect == .postgres {
                    // Serialises migrating instances; released at commit or rollback.
                    try await sql.raw("SELECT pg_advisory_xact_lock(7305125117)").run()
                }
                let existing = try await sql.select().column("checksum").from("schema_migrations")
                    .where("version", .equal, migration.version).first()
                if let existing {
                    let checksum = try existing.decode(column: "checksum", as: String.self)
                    guard checksum == migration.checksum else {
                        throw MigrationError.changed(migration.name, applied: checksum, file: migration.checksum)
                    }
                    return false
                }
                for statement in SQLScript.statements(in: migration.sql) {
                    try await sql.raw(SQLQueryString(statement)).run()
                }
                try await sql.insert(into: "schema_migrations")
                    .columns("version", "name", "checksum", "applied_at")
                    .values(SQLBind(migration.version), SQLBind(migration.name), SQLBind(migration.checksum), SQLBind(Timestamp.now().milliseconds))
                    .run()
                logger.info("Applied migration", metadata: ["trough.migration": .string(migration.name)])
                return true
            }
        } catch let error as MigrationError {
            throw error
        } catch {
            throw MigrationError.failed(migration.name, error)
        }
    }

    private func ensureTable() async throws {
        try await database.sql.raw("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version     TEXT PRIMARY KEY,
                name        TEXT NOT NULL,
                checksum    TEXT NOT NULL,
                applied_at  BIGINT NOT NULL
            )
            """).run()
    }

    private func appliedMigrations(on sql: any SQLDatabase) async throws -> [Applied] {
        try await sql.select().columns("version", "name", "checksum", "applied_at").from("schema_migrations")
            .orderBy("version").all().map { row in
                Applied(
                    version: try row.decode(column: "version", as: String.self),
                    name: try row.decode(column: "name", as: String.self),
                    checksum: try row.decode(column: "checksum", as: String.self),
                    appliedAt: Timestamp(milliseconds: try row.decode(column: "applied_at", as: Int64.self))
                )
            }
    }
}
