import Foundation
import Logging
import TroughCore
import TroughStore

/// What `trough admin …` does, behind the thin command-line parsing in the executable.
public enum AdminCommands {
    /// Imports a LiteLLM model price file into the shared price table; running servers pick it up within a minute.
    /// Returns how many prices were stored.
    public static func importLiteLLMPrices(file: String, effectiveAt: Timestamp, configuration: TroughConfiguration, logger: Logger) async throws -> Int {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw StartupError(description: "cannot read \(file)")
        }
        let prices = try LiteLLMImporter.prices(from: data, effectiveAt: effectiveAt)
        try await withStore(configuration: configuration, logger: logger) { store in
            try await store.savePrices(prices, logger: logger)
        }
        return prices.count
    }

    /// Every plan with its limits, one line each.
    public static func listPlans(configuration: TroughConfiguration, logger: Logger) async throws -> [Plan] {
        try await withStore(configuration: configuration, logger: logger) { store in
            try await store.plans(logger: logger)
        }
    }

    /// Changes a plan's limits; running servers read plans on each check, so the change applies at once.
    public static func setPlan(id: String, change: PlanLimitsChange, configuration: TroughConfiguration, logger: Logger) async throws -> Plan {
        try await withStore(configuration: configuration, logger: logger) { store in
            guard try await store.updatePlanLimits(id: id, change: change, at: .now(), logger: logger),
                  let plan = try await store.plan(id: id, logger: logger)
            else { throw StartupError(description: "no plan '\(id)'") }
            return plan
        }
    }

    /// Opens the configured database, checks its schema is current, runs `body`, and closes it.
    static func withStore<T: Sendable>(configuration: TroughConfiguration, logger: Logger, _ body: @Sendable (SQLStore) async throws -> T) async throws -> T {
        let database = try Database.open(configuration.database, connectionsPerEventLoop: 1, logger: logger)
        return try await database.closing {
            let migrations = try Migration.load(from: Migration.locateDirectory(dialect: configuration.database.dialect, override: configuration.migrationsDirectory))
            let store = SQLStore(database: database, location: configuration.database, migrations: migrations)
            try await store.checkReady(logger: logger)
            return try await body(store)
        }
    }
}
