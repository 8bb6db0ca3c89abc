import ArgumentParser
import Foundation
import TroughCore
import TroughServer

/// `trough admin …`: operator commands.
struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Operator commands.", subcommands: [Prices.self, Plans.self])

    struct Plans: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Plans and their limits.", subcommands: [ListPlans.self, SetPlan.self])
    }

    /// `trough admin plans list`
    struct ListPlans: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List plans and their limits.")

        @OptionGroup var common: CommonOptions

        func run() async throws {
            let (configuration, logger) = try common.load()
            try await reportingStartupErrors {
                let plans = try await AdminCommands.listPlans(configuration: configuration, logger: logger)
                print("plan      price/month  requests/month                services   history")
                for plan in plans {
                    let requests = plan.monthlyRequestLimit.map(String.init) ?? "unlimited" + (plan.fairUseRequestLimit.map { " (fair use \($0))" } ?? "")
                    print("\(plan.id.padding(toLength: 9, withPad: " ", startingAt: 0)) $\(plan.price.usdString.padding(toLength: 11, withPad: " ", startingAt: 0)) \(requests.padding(toLength: 29, withPad: " ", startingAt: 0)) \((plan.serviceLimit.map(String.init) ?? "unlimited").padding(toLength: 10, withPad: " ", startingAt: 0)) \(plan.historyDays) days")
                }
            }
        }
    }

    /// `trough admin plans set free --monthly-requests N --services N --history-days N`
    struct SetPlan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set", abstract: "Change a plan's limits (0 or 'unlimited' removes a limit).")

        @OptionGroup var common: CommonOptions

        @Argument(help: "The plan, e.g. free or pro.")
        var plan: String

        @Option(help: "Proxied requests per UTC calendar month, or 'unlimited'.")
        var monthlyRequests: String?

        @Option(help: "Active services per tenant, or 'unlimited'.")
        var services: String?

        @Option(help: "Days of raw event history.")
        var historyDays: Int?

        func run() async throws {
            let (configuration, logger) = try common.load()
            func limit(_ text: String?, _ flag: String) throws -> Int64?? {
                guard let text else { return nil }
                if text == "unlimited" || text == "0" { return .some(nil) }
                guard let value = Int64(text), value > 0 else { throw ValidationError("\(flag): expected a positive number or 'unlimited'") }
                return .some(value)
            }
            let requests = try limit(monthlyRequests, "--monthly-requests")
            let serviceLimit = try limit(services, "--services").map { $0.map { Int($0) } }
            if let historyDays, historyDays < 1 { throw ValidationError("--history-days: expected at least 1") }
            try await reportingStartupErrors {
                let updated = try await AdminCommands.setPlan(id: plan, change: PlanLimitsChange(monthlyRequestLimit: requests, serviceLimit: serviceLimit, historyDays: historyDays), configuration: configuration, logger: logger)
                print("\(updated.id): \(updated.monthlyRequestLimit.map(String.init) ?? "unlimited") requests/month, \(updated.serviceLimit.map(String.init) ?? "unlimited") services, \(updated.historyDays) days of history")
            }
        }
    }

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
