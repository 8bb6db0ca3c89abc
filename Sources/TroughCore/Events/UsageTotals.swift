/// Sums over a period, read from the rollups.
public struct UsageTotals: Hashable, Sendable {
    public var requests: Int64 = 0
    public var errors: Int64 = 0
    /// Requests whose model had no price: never counted as $0 silently.
    public var unpriced: Int64 = 0
    public var cost: Money = .zero
    public var inputTokens: Int64 = 0
    public var outputTokens: Int64 = 0
    public var cachedInputTokens: Int64 = 0
    public var reasoningTokens: Int64 = 0
    /// Sum of total latencies, for the average.
    public var latencyMicros: Int64 = 0

    public init(requests: Int64 = 0, errors: Int64 = 0, unpriced: Int64 = 0, cost: Money = .zero) {
        self.requests = requests
        self.errors = errors
        self.unpriced = unpriced
        self.cost = cost
    }

    public static func + (lhs: UsageTotals, rhs: UsageTotals) -> UsageTotals {
        var sum = lhs
        sum.add(rhs)
        return sum
    }

    public static func - (lhs: UsageTotals, rhs: UsageTotals) -> UsageTotals {
        var difference = lhs
        difference.add(rhs, sign: -1)
        return difference
    }

    public mutating func add(_ other: UsageTotals, sign: Int64 = 1) {
        requests += sign * other.requests
        errors += sign * other.errors
        unpriced += sign * other.unpriced
        cost = Money(nanos: cost.nanos + sign * other.cost.nanos)
        inputTokens += sign * other.inputTokens
        outputTokens += sign * other.outputTokens
        cachedInputTokens += sign * other.cachedInputTokens
        reasoningTokens += sign * other.reasoningTokens
        latencyMicros += sign * other.latencyMicros
    }

    /// One event's contribution (as the rollups count it).
    public init(event: RequestEvent) {
        requests = 1
        errors = event.isError ? 1 : 0
        unpriced = event.costSource == .unpriced ? 1 : 0
        cost = event.cost
        inputTokens = event.inputTokens
        outputTokens = event.outputTokens
        cachedInputTokens = event.cachedInputTokens
        reasoningTokens = event.reasoningTokens
        latencyMicros = event.totalLatencyMicros
    }
}

/// Totals of one time bucket (an hour or a UTC day).
public struct UsageBucket: Hashable, Sendable {
    public var start: Timestamp
    public var totals: UsageTotals

    public init(start: Timestamp, totals: UsageTotals) {
        self.start = start
        self.totals = totals
    }
}

/// Totals of one value of a dimension (a service id, a route, a model…).
public struct UsageGroup: Hashable, Sendable {
    public var key: String
    public var totals: UsageTotals

    public init(key: String, totals: UsageTotals) {
        self.key = key
        self.totals = totals
    }
}

/// What the rollups are kept by, and can be broken down by.
public enum UsageDimension: String, Sendable, CaseIterable {
    case service
    case endpoint
    case model
    case provider
    case token

    /// The rollup column.
    public var column: String {
        switch self {
        case .service: "service_id"
        case .endpoint: "route"
        case .model: "model"
        case .provider: "provider"
        case .token: "token_id"
        }
    }
}

/// Whose usage: one project, or a whole tenant.
public struct UsageScope: Sendable {
    public var tenantID: String
    public var projectID: String?

    public init(tenantID: String, projectID: String? = nil) {
        self.tenantID = tenantID
        self.projectID = projectID
    }
}

extension Timestamp {
    /// The first millisecond of this time's UTC calendar month.
    public var startOfUTCMonth: Timestamp { LimitPeriod(containing: self).start }
}

import Foundation
