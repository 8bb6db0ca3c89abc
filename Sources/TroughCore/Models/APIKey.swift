/// A personal API key (`trough_ak_…`): one user, one tenant, the user's role there at the time of use.
public struct APIKey: Codable, Hashable, Sendable {
    public var id: String
    public var tenantID: String
    public var userID: String
    public var name: String
    public var tokenHash: String
    /// The first characters of the key, shown in lists.
    public var prefix: String
    public var createdAt: Timestamp
    public var lastUsedAt: Timestamp?
    public var revokedAt: Timestamp?

    enum CodingKeys: String, CodingKey {
        case id
        case tenantID = "tenant_id"
        case userID = "user_id"
        case name
        case tokenHash = "token_hash"
        case prefix
        case createdAt = "created_at"
        case lastUsedAt = "last_used_at"
        case revokedAt = "revoked_at"
    }

    public init(id: String = Identifier.make("key"), tenantID: String, userID: String, name: String, tokenHash: String, prefix: String, createdAt: Timestamp) {
        self.id = id
        self.tenantID = tenantID
        self.userID = userID
        self.name = name
        self.tokenHash = tokenHash
        self.prefix = prefix
        self.createdAt = createdAt
    }
}
