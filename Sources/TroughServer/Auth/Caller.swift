import TroughCore

/// Who is making a management API request.
public struct Caller: Sendable {
    /// How the caller proved who they are.
    public enum Credential: Sendable {
        /// A browser session cookie; state-changing requests also need `X-CSRF-Token`.
        case session(Session)
        /// A personal API key, limited to its tenant.
        case apiKey(APIKey)
    }

    public let user: User
    public let credential: Credential

    /// The only tenant an API key may reach; nil for sessions (any tenant the user belongs to).
    public var tenantScope: String? {
        if case .apiKey(let key) = credential { return key.tenantID }
        return nil
    }

    public var sessionID: String? {
        if case .session(let session) = credential { return session.id }
        return nil
    }

    /// The audit log's actor kind for this caller.
    public var actorKind: AuditEntry.ActorKind {
        if case .apiKey = credential { return .apiKey }
        return .user
    }
}
