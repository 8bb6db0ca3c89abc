import ArgumentParser
import Foundation
import TroughCore
import TroughServer

/// `trough admin …`: operator commands.
struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Operator commands.", subcommands: [Prices.self])

    struct Prices: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The shared model price table.", subcommands: [Import.self])
    }

    /// `trough admin prices import FILE`
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Import a LiteLLM model price JSON file (USD per token) into the shared price table.")

        @OptionGroup var common: CommonOptions

        @Argument(help: "LiteLLM's model_prices_and_context_window.json")
        var file: String

        @Option(help: "When the prices take effect (ISO-8601, UTC); default now.")
        var effectiveAt: String?

        func run() async throws {
            let (configuration, logger) = try common.load()
            try await reportingStartupErrors {
                var effective = Timestamp.now()
                if let effectiveAt {
                    guard let date = try? Date(effectiveAt, strategy: .iso8601) else { throw ValidationError("--effective-at: expected an ISO-8601 time such as 2026-12-01T00:00:00Z") }
                    effective = Timestamp(date)
                }
                let count = try await AdminCommands.importLiteLLMPrices(file: file, effectiveAt: effective, configuration: configuration, logger: logger)
                print("imported \(count) prices, effective \(effective.iso8601) (running servers pick them up within a minute)")
            }
        }
    }
}
