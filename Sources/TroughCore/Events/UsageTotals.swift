/// Sums over a period, read from the rollups.
public struct UsageTotals: Hashable, Sendable {
    public var requests: Int64 = 0
    public var errors: Int64 = 0
    /// Requests whose model had no price: never counted as $0 silently.
    public var unpriced: Int64 = 0
    public var cost: Money = .zero

    public init(requests: Int64 = 0, errors: Int64 = 0, unpriced: Int64 = 0, cost: Money = .zero) {
        self.requests = requests
        self.errors = errors
        self.unpriced = unpriced
        self.cost = cost
    }
}

extension Timestamp {
    /// The first millisecond of this time's UTC calendar month.
    public var startOfUTCMonth: Timestamp {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = calendar.dateComponents([.year, .month], from: date)
        return Timestamp(calendar.date(from: components)!)
    }
}

import Foundation
