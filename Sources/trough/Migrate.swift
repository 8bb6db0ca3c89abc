import ArgumentParser
import Foundation
import TroughServer
import TroughStore

/// `trough migrate`: applies pending migrations in order, or lists them with `--status`.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations (or list them with --status).")

    @OptionGroup var common: CommonOptions

    @Flag(help: "List applied and pending migrations without applying any.")
    var status = false

    func run() async throws {
        let (configuration, logger) = try common.load()
        try await reportingStartupErrors {
            let database = try Database.open(configuration.database, connectionsPerEventLoop: 1, logger: logger)
            try await database.closing {
                let directory = Migration.locateDirectory(dialect: configuration.database.dialect, override: configuration.migrationsDirectory)
                let runner = MigrationRunner(database: database, migrations: try Migration.load(from: directory))
                if status {
                    let report = try await runner.status(logger: logger)
                    for applied in report.applied {
                        print("applied  \(applied.name)  \(applied.appliedAt.iso8601)")
                    }
                    for unknown in report.unknown {
                        print("unknown  \(unknown.name)  (applied by a newer Trough; no file here)")
                    }
                    for pending in report.pending {
                        print("pending  \(pending.name)")
                    }
                    print("\(report.applied.count) applied, \(report.pending.count) pending (\(configuration.database))")
                } else {
                    let applied = try await runner.migrate(logger: logger)
                    for migration in applied { print("applied  \(migration.name)") }
                    print(applied.isEmpty ? "schema is current (\(configuration.database))" : "\(applied.count) migration(s) applied (\(configuration.database))")
                }
            }
        }
    }
}
