import Foundation
import SQLKit
import Testing
import TroughCore
import TroughStore
import TroughTestSupport

@Suite("Migration runner")
struct MigrationRunnerTests {
    let logger = TestDatabase.logger

    @Test("applies every migration once, in order, and records name and checksum", arguments: PostgresTestServer.drivers)
    func appliesAndIsIdempotent(driver: TestDriver) async throws {
        try await TestDatabase.with(driver, migrate: false) { (db) async throws in
            let runner = MigrationRunner(database: db.database, migrations: db.migrations)
            let before = try await runner.status(logger: logger)
            #expect(before.applied.isEmpty)
            #expect(before.pending.map(\.name) == db.migrations.map(\.name))

            let applied = try await runner.migrate(logger: logger)
            #expect(applied.map(\.name) == db.migrations.map(\.name))
            let after = try await runner.status(logger: logger)
            #expect(after.pending.isEmpty)
            #expect(after.applied.map(\.checksum) == db.migrations.map(\.checksum))

            // A second run applies nothing and changes nothing.
            #expect(try await runner.migrate(logger: logger).isEmpty)
            let plans = try await db.database.sql.select().column("id").from("plans").orderBy("id").all()
            #expect(try plans.map { try $0.decode(column: "id", as: String.self) } == ["free", "pro"])
        }
    }

    @Test("a migration file changed after it was applied is refused", arguments: PostgresTestServer.drivers)
    func changedFileIsRefused(driver: TestDriver) async throws {
        try await TestDatabase.with(driver) { (db) async throws in
            var changed = db.migrations
            changed[0] = Migration(name: changed[0].name, sql: changed[0].sql + "\n-- edited\n")
            let runner = MigrationRunner(database: db.database, migrations: changed)
            let error = await #expect(throws: MigrationError.self) {
                try await runner.migrate(logger: logger)
            }
            #expect(error?.description.contains("changed after it was applied") == true)
            await #expect(throws: MigrationError.self) {
                try await runner.status(logger: logger)
            }
        }
    }

    @Test("a failing migration is rolled back whole and stays pending", arguments: PostgresTestServer.drivers)
    func failingMigrationRollsBack(driver: TestDriver) async throws {
        try await TestDatabase.with(driver) { (db) async throws in
            let broken = Migration(name: "9999_broken", sql: "CREATE TABLE half_done (id TEXT);\nINSERT INTO no_such_table VALUES (1);")
            let runner = MigrationRunner(database: db.database, migrations: db.migrations + [broken])
            await #expect(throws: MigrationError.self) {
                try await runner.migrate(logger: logger)
            }
            let status = try await runner.status(logger: logger)
            #expect(status.pending.map(\.name) == ["9999_broken"])
            // Nothing half-written: the table from the first statement does not exist.
            await #expect(throws: (any Error).self) {
                try await db.database.sql.raw("SELECT id FROM half_done").all()
            }
        }
    }

    @Test("the repository's migration files load in order with matching names for both dialects")
    func repositoryMigrationsMatch() throws {
        let sqlite = try TestDatabase.migrations(for: .sqlite).map(\.name)
        let postgres = try TestDatabase.migrations(for: .postgres).map(\.name)
        #expect(!sqlite.isEmpty)
        #expect(sqlite == postgres)
        #expect(sqlite == sqlite.sorted())
    }
}
