/// A single-use invitation into a tenant; the raw token is only in the link.
public struct Invite: Codable, Hashable, Sendable {
    public var id: String
    public var tenantID: String
    public var tokenHash: String
    public var role: Role
    public var email: String?
    public var createdBy: String?
    public var createdAt: Timestamp
    public var expiresAt: Timestamp
    public var acceptedAt: Timestamp?
    public var acceptedBy: String?

    enum CodingKeys: String, CodingKey {
        case id
        case tenantID = "tenant_id"
        case tokenHash = "token_hash"
        case role
        case email
        case createdBy = "created_by"
        case createdAt = "created_at"
        case expiresAt = "expires_at"
        case acceptedAt = "accepted_at"
        case acceptedBy = "accepted_by"
    }

    /// Invites expire after 7 days.
    public static let lifetimeSeconds: Int64 = 7 * 24 * 3600

    public init(id: String = Identifier.make("inv"), tenantID: String, tokenHash: String, role: Role, email: String?, createdBy: String?, createdAt: Timestamp) {
        self.id = id
        self.tenantID = tenantID
        self.tokenHash = tokenHash
        self.role = role
        self.email = email
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.expiresAt = createdAt.adding(seconds: Self.lifetimeSeconds)
    }
}
