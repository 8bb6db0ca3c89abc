/// What a member may do in a tenant.
public enum Role: String, Codable, Sendable, CaseIterable, Comparable {
    /// Everything, including billing and deleting the tenant.
    case owner
    /// Projects, services, keys, tokens, alerts and members.
    case admin
    /// Reads dashboards and usage.
    case viewer

    private var rank: Int {
        switch self {
        case .owner: 3
        case .admin: 2
        case .viewer: 1
        }
    }

    /// Whether this role includes everything `other` may do.
    public func includes(_ other: Role) -> Bool { rank >= other.rank }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }
}

/// A user's role in one tenant.
public struct Membership: Codable, Hashable, Sendable {
    public var tenantID: String
    public var userID: String
    public var role: Role
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    enum CodingKeys: String, CodingKey {
        case tenantID = "tenant_id"
        case userID = "user_id"
        case role
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public init(tenantID: String, userID: String, role: Role, createdAt: Timestamp) {
        self.tenantID = tenantID
        self.userID = userID
        self.role = role
        self.createdAt = createdAt
        self.updatedAt = createdAt
    }
}
