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
        let database = try Database.open(configuration.database, connectionsPerEventLoop: 1, logger: logger)
        do {
            let migrations = try Migration.load(from: Migration.locateDirectory(dialect: configuration.database.dialect, override: configuration.migrationsDirectory))
            let store = SQLStore(database: database, location: configuration.database, migrations: migrations)
            try await store.checkReady(logger: logger)
            try await store.savePrices(prices, logger: logger)
            await database.close()
            return prices.count
        } catch {
            await database.close()
            throw error
        }
    }
}
