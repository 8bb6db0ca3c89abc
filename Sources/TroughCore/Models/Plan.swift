/// A billing tier, read from the `plans` table: an operator adds or changes tiers without code changes.
/// A nil limit means unlimited.
public struct Plan: Codable, Hashable, Sendable {
    public var id: String
    public var name: String
    /// Per month.
    public var price: Money
    /// Proxied requests per UTC calendar month.
    public var monthlyRequestLimit: Int64?
    /// The operator's ceiling for "unlimited" plans.
    public var fairUseRequestLimit: Int64?
    /// Active services per tenant.
    public var serviceLimit: Int?
    /// How long raw events are kept.
    public var historyDays: Int
    public var alerts: Bool
    public var anomalyDetection: Bool
    public var hourlyTrends: Bool

    enum CodingKeys: String, CodingKey {
        case id
        case name
        case price = "price_nanos"
        case monthlyRequestLimit = "monthly_request_limit"
        case fairUseRequestLimit = "fair_use_request_limit"
        case serviceLimit = "service_limit"
        case historyDays = "history_days"
        case alerts
        case anomalyDetection = "anomaly_detection"
        case hourlyTrends = "hourly_trends"
    }

    /// The monthly request ceiling that applies: the plan's limit, else its fair-use ceiling.
    public var effectiveRequestLimit: Int64? { monthlyRequestLimit ?? fairUseRequestLimit }
}

/// A change to a plan's limits (`trough admin plans set`); nil fields stay as they are.
public struct PlanLimitsChange: Sendable {
    public var monthlyRequestLimit: Int64??
    public var serviceLimit: Int??
    public var historyDays: Int?

    public init(monthlyRequestLimit: Int64?? = nil, serviceLimit: Int?? = nil, historyDays: Int? = nil) {
        self.monthlyRequestLimit = monthlyRequestLimit
        self.serviceLimit = serviceLimit
        self.historyDays = historyDays
    }
}
