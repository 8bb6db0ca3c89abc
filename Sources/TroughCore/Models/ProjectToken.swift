/// A project token (`trough_pt_…`) that the proxy accepts in `X-Project-Token`. Stored as SHA-256 and a display prefix.
public struct ProjectToken: Codable, Hashable, Sendable {
    public var id: String
    public var tenantID: String
    public var projectID: String
    public var name: String
    public var tokenHash: String
    public var prefix: String
    public var createdBy: String?
    public var createdAt: Timestamp
    public var lastUsedAt: Timestamp?
    public var revokedAt: Timestamp?

    enum CodingKeys: String, CodingKey {
        case id
        case tenantID = "tenant_id"
        case projectID = "project_id"
        case name
        case tokenHash = "token_hash"
        case prefix
        case createdBy = "created_by"
        case createdAt = "created_at"
        case lastUsedAt = "last_used_at"
        case revokedAt = "revoked_at"
    }

    public init(id: String = Identifier.make("tok"), tenantID: String, projectID: String, name: String, tokenHash: String, prefix: String, createdBy: String?, createdAt: Timestamp) {
        self.id = id
        self.tenantID = tenantID
        self.projectID = projectID
        self.name = name
        self.tokenHash = tokenHash
        self.prefix = prefix
        self.createdBy = createdBy
        self.createdAt = createdAt
    }
}
