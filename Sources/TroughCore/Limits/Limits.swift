import Foundation

/// What a limit counts: money (a budget, in nano-dollars) or proxied requests (a plan's monthly quota).
public enum LimitUnit: String, Sendable, Hashable {
    case nanos
    case requests
}

/// Whose limit it is. Request quotas belong to tenants; budgets to projects, services and tokens.
public enum LimitScope: String, Sendable, Hashable, CaseIterable {
    case tenant
    case project
    case service
    case token
}

/// One counter: a scope, its id, a UTC calendar month and a unit.
public struct LimitKey: Hashable, Sendable, CustomStringConvertible {
    public var tenantID: String
    public var scope: LimitScope
    public var scopeID: String
    public var period: LimitPeriod
    public var unit: LimitUnit

    public init(tenantID: String, scope: LimitScope, scopeID: String, period: LimitPeriod, unit: LimitUnit) {
        self.tenantID = tenantID
        self.scope = scope
        self.scopeID = scopeID
        self.period = period
        self.unit = unit
    }

    public var description: String { "\(scope.rawValue):\(scopeID):\(period.id):\(unit.rawValue)" }
}

/// A UTC calendar month: limits reset at 00:00 UTC on the 1st.
public struct LimitPeriod: Hashable, Sendable {
    /// `YYYY-MM`.
    public let id: String
    /// First millisecond of the month.
    public let start: Timestamp
    /// First millisecond of the next month.
    public let end: Timestamp

    public init(containing time: Timestamp) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = calendar.dateComponents([.year, .month], from: time.date)
        let start = calendar.date(from: components)!
        let end = calendar.date(byAdding: .month, value: 1, to: start)!
        self.id = String(format: "%04d-%02d", components.year!, components.month!)
        self.start = Timestamp(start)
        self.end = Timestamp(end)
    }
}

/// One call to the limit ledger by a server instance: report what its lease consumed, then top it up
/// (or give it back). Applied atomically; the ledger never lets `spent + leased` pass `limit` by topping up.
public struct LeaseChange: Sendable {
    public var key: LimitKey
    /// The limit as this instance currently reads it (plans and budgets can change).
    public var limit: Int64
    public var instanceID: String
    /// The lease this instance holds on the counter, if any.
    public var leaseID: String?
    /// Spent under the lease since the last report; moves from leased to spent.
    public var consumed: Int64
    /// The least the lease must hold afterwards; if the counter cannot give that much, nothing is added.
    public var need: Int64
    /// What the lease would like to hold afterwards.
    public var want: Int64
    /// Give the whole lease back (shutdown, idle, month over).
    public var release: Bool
    public var now: Timestamp
    /// A lease not renewed by then is swept: charged in full, since its holder may have spent it.
    public var expiresAt: Timestamp

    public init(key: LimitKey, limit: Int64, instanceID: String, leaseID: String?, consumed: Int64, need: Int64, want: Int64, release: Bool, now: Timestamp, expiresAt: Timestamp) {
        self.key = key
        self.limit = limit
        self.instanceID = instanceID
        self.leaseID = leaseID
        self.consumed = consumed
        self.need = need
        self.want = want
        self.release = release
        self.now = now
        self.expiresAt = expiresAt
    }
}

/// The ledger's answer: what the lease holds now and the counter as a whole.
public struct LeaseState: Sendable, Equatable {
    /// Nil after a release.
    public var leaseID: String?
    public var held: Int64
    /// Spent by every instance (reported).
    public var spent: Int64
    /// Leased out to every instance, this one's `held` included.
    public var leased: Int64

    public init(leaseID: String?, held: Int64, spent: Int64, leased: Int64) {
        self.leaseID = leaseID
        self.held = held
        self.spent = spent
        self.leased = leased
    }
}

/// A counter as stored, for the plan page.
public struct LimitCounter: Sendable, Equatable {
    public var scope: LimitScope
    public var scopeID: String
    public var period: String
    public var spentNanos: Int64
    public var requests: Int64
    public var leasedNanos: Int64
    public var leasedRequests: Int64

    public init(scope: LimitScope, scopeID: String, period: String, spentNanos: Int64, requests: Int64, leasedNanos: Int64, leasedRequests: Int64) {
        self.scope = scope
        self.scopeID = scopeID
        self.period = period
        self.spentNanos = spentNanos
        self.requests = requests
        self.leasedNanos = leasedNanos
        self.leasedRequests = leasedRequests
    }
}

/// Requests a limit refused for one project on one UTC day, by the refusal's error type.
public struct RefusalCount: Sendable, Hashable {
    public var tenantID: String
    public var projectID: String
    /// Start of the UTC day.
    public var day: Timestamp
    /// `budget_exceeded`, `plan_limit_exceeded` or `service_suspended`.
    public var reason: String
    public var requests: Int64

    public init(tenantID: String, projectID: String, day: Timestamp, reason: String, requests: Int64) {
        self.tenantID = tenantID
        self.projectID = projectID
        self.day = day
        self.reason = reason
        self.requests = requests
    }
}
