import Foundation
import TroughCore

/// Usage totals as the reporting API shows them, with the key of what they total (a day, an hour, a service…).
struct TotalsJSON: Encodable, Sendable {
    var date: String?
    var month: String?
    var hour: String?
    var key: String?
    var label: String?
    var sharePercent: String?
    let requests: Int64
    let errors: Int64
    let errorRate: Double
    let unpriced: Int64
    let costUsd: String
    let inputTokens: Int64
    let outputTokens: Int64
    let cachedInputTokens: Int64
    let reasoningTokens: Int64
    let avgLatencyMs: Double

    init(_ totals: UsageTotals) {
        requests = totals.requests
        errors = totals.errors
        errorRate = totals.requests == 0 ? 0 : (Double(totals.errors) / Double(totals.requests) * 10_000).rounded() / 10_000
        unpriced = totals.unpriced
        costUsd = totals.cost.usdString
        inputTokens = totals.inputTokens
        outputTokens = totals.outputTokens
        cachedInputTokens = totals.cachedInputTokens
        reasoningTokens = totals.reasoningTokens
        avgLatencyMs = totals.requests == 0 ? 0 : (Double(totals.latencyMicros) / Double(totals.requests) / 100).rounded() / 10
    }
}

/// A monthly budget against the month's spend, with the month-end projection.
struct BudgetJSON: Encodable, Sendable {
    let monthlyBudgetUsd: String
    let budgetHardCap: Bool
    let spentUsd: String
    let percentUsed: String
    let remainingUsd: String
    /// Month-to-date spend per elapsed day (today counted whole) times the days of the month.
    let projectedUsd: String

    init?(budget: Money?, hardCap: Bool, spent: Money, now: Timestamp) {
        guard let budget else { return nil }
        monthlyBudgetUsd = budget.usdString
        budgetHardCap = hardCap
        spentUsd = spent.usdString
        percentUsed = Percent.string(spent.nanos, of: budget.nanos)
        remainingUsd = Money(nanos: max(0, budget.nanos - spent.nanos)).usdString
        let month = LimitPeriod(containing: now)
        let daysInMonth = (month.end.milliseconds - month.start.milliseconds) / ReportTime.day
        let elapsedDays = (ReportTime.startOfDay(now).milliseconds - month.start.milliseconds) / ReportTime.day + 1
        projectedUsd = Money(nanos: Int64(clamping: Int128(spent.nanos) * Int128(daysInMonth) / Int128(elapsedDays))).usdString
    }
}

/// Shares as percent strings with two decimals, truncated (`"12.34"`).
enum Percent {
    static func string(_ part: Int64, of whole: Int64) -> String {
        guard whole > 0 else { return "0.00" }
        let basisPoints = (Int128(part) * 10_000) / Int128(whole)
        return "\(basisPoints / 100).\(String(format: "%02d", Int(basisPoints % 100)))"
    }
}

/// An optional that is sent as `null` when absent (Swift's synthesized encoding would leave the key out).
@propertyWrapper
struct NullWhenAbsent<Value: Encodable & Sendable>: Encodable, Sendable {
    var wrappedValue: Value?

    init(wrappedValue: Value?) {
        self.wrappedValue = wrappedValue
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}
