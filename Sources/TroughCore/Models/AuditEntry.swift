/// One line of the audit log: who did what to which thing, from where, when. Never a secret.
public struct AuditEntry: Codable, Hashable, Sendable {
    /// Who acted.
    public enum ActorKind: String, Codable, Sendable {
        case user
        case apiKey = "api_key"
        case operator_ = "operator"
        case system
        case anonymous
    }

    public var id: Int64?
    public var tenantID: String?
    public var actorKind: ActorKind
    public var actorID: String?
    /// What happened, e.g. `auth.login`, `auth.login_failed`, `token.create`, `member.role_change`.
    public var action: String
    public var targetType: String?
    public var targetID: String?
    public var clientAddress: String?
    /// A JSON object with details; never a secret.
    public var metadata: String?
    public var createdAt: Timestamp

    enum CodingKeys: String, CodingKey {
        case id
        case tenantID = "tenant_id"
        case actorKind = "actor_kind"
        case actorID = "actor_id"
        case action
        case targetType = "target_type"
        case targetID = "target_id"
        case clientAddress = "client_address"
        case metadata
        case createdAt = "created_at"
    }

    public init(
        tenantID: String?, actorKind: ActorKind, actorID: String?, action: String,
        targetType: String? = nil, targetID: String? = nil, clientAddress: String?, metadata: String? = nil, createdAt: Timestamp
    ) {
        self.tenantID = tenantID
        self.actorKind = actorKind
        self.actorID = actorID
        self.action = action
        self.targetType = targetType
        self.targetID = targetID
        self.clientAddress = clientAddress
        self.metadata = metadata
        self.createdAt = createdAt
    }
}
