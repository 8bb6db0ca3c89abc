/// A signed-in browser session. The cookie holds the raw token; only its SHA-256 is stored.
public struct Session: Codable, Hashable, Sendable {
    public var id: String
    public var tokenHash: String
    public var csrfTokenHash: String
    public var userID: String
    public var userAgent: String?
    public var clientAddress: String?
    public var createdAt: Timestamp
    public var lastSeenAt: Timestamp
    /// Ends after this much inactivity; moved forward as the session is used.
    public var idleExpiresAt: Timestamp
    /// Ends at this time whatever the activity.
    public var expiresAt: Timestamp

    enum CodingKeys: String, CodingKey {
        case id
        case tokenHash = "token_hash"
        case csrfTokenHash = "csrf_token_hash"
        case userID = "user_id"
        case userAgent = "user_agent"
        case clientAddress = "client_address"
        case createdAt = "created_at"
        case lastSeenAt = "last_seen_at"
        case idleExpiresAt = "idle_expires_at"
        case expiresAt = "expires_at"
    }

    public init(
        id: String = Identifier.make("ses"), tokenHash: String, csrfTokenHash: String, userID: String,
        userAgent: String?, clientAddress: String?, createdAt: Timestamp, idleExpiresAt: Timestamp, expiresAt: Timestamp
    ) {
        self.id = id
        self.tokenHash = tokenHash
        self.csrfTokenHash = csrfTokenHash
        self.userID = userID
        self.userAgent = userAgent
        self.clientAddress = clientAddress
        self.createdAt = createdAt
        self.lastSeenAt = createdAt
        self.idleExpiresAt = idleExpiresAt
        self.expiresAt = expiresAt
    }

    /// Whether the session is still valid at `now`.
    public func isActive(at now: Timestamp) -> Bool {
        now < idleExpiresAt && now < expiresAt
    }
}
