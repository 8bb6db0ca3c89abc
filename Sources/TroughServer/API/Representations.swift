import Hummingbird
import TroughCore

// JSON shapes of the management API. Property names are camelCase here and snake_case on the wire.

struct UserJSON: ResponseEncodable {
    let id: String
    let email: String
    let createdAt: String

    init(_ user: User) {
        id = user.id
        email = user.email
        createdAt = user.createdAt.iso8601
    }
}

struct TenantJSON: ResponseEncodable {
    let id: String
    let name: String
    let plan: String
    let status: String
    let role: String?
    let createdAt: String

    init(_ tenant: Tenant, role: Role?) {
        id = tenant.id
        name = tenant.name
        plan = tenant.planID
        status = tenant.status.rawValue
        self.role = role?.rawValue
        createdAt = tenant.createdAt.iso8601
    }
}

/// What sign-up, login and `GET /api/me` answer: the user, their tenants, and the CSRF token for this session.
struct MeJSON: ResponseEncodable {
    let user: UserJSON
    let tenants: [TenantJSON]
    let csrfToken: String?
}

struct SessionJSON: ResponseEncodable {
    let id: String
    let createdAt: String
    let lastSeenAt: String
    let expiresAt: String
    let userAgent: String?
    let current: Bool

    init(_ session: Session, currentID: String?) {
        id = session.id
        createdAt = session.createdAt.iso8601
        lastSeenAt = session.lastSeenAt.iso8601
        expiresAt = min(session.expiresAt, session.idleExpiresAt).iso8601
        userAgent = session.userAgent
        current = session.id == currentID
    }
}

struct ProjectJSON: ResponseEncodable {
    let id: String
    let tenantId: String
    let name: String
    let slug: String
    let monthlyBudgetUsd: String?
    let budgetHardCap: Bool
    let createdAt: String
    let updatedAt: String

    init(_ project: Project) {
        id = project.id
        tenantId = project.tenantID
        name = project.name
        slug = project.slug
        monthlyBudgetUsd = project.monthlyBudget?.usdString
        budgetHardCap = project.budgetHardCap
        createdAt = project.createdAt.iso8601
        updatedAt = project.updatedAt.iso8601
    }
}

struct ProjectTokenJSON: ResponseEncodable {
    let id: String
    let projectId: String
    let name: String
    let prefix: String
    let createdAt: String
    let lastUsedAt: String?
    let monthlyBudgetUsd: String?
    let budgetHardCap: Bool
    /// The raw token: only in the answer that creates it.
    let token: String?

    init(_ token: ProjectToken, raw: String? = nil) {
        id = token.id
        projectId = token.projectID
        name = token.name
        prefix = token.prefix
        createdAt = token.createdAt.iso8601
        lastUsedAt = token.lastUsedAt?.iso8601
        monthlyBudgetUsd = token.monthlyBudget?.usdString
        budgetHardCap = token.budgetHardCap
        self.token = raw
    }
}

struct APIKeyJSON: ResponseEncodable {
    let id: String
    let tenantId: String
    let name: String
    let prefix: String
    let createdAt: String
    let lastUsedAt: String?
    /// The raw key: only in the answer that creates it.
    let key: String?

    init(_ apiKey: APIKey, raw: String? = nil) {
        id = apiKey.id
        tenantId = apiKey.tenantID
        name = apiKey.name
        prefix = apiKey.prefix
        createdAt = apiKey.createdAt.iso8601
        lastUsedAt = apiKey.lastUsedAt?.iso8601
        key = raw
    }
}

struct MemberJSON: ResponseEncodable {
    let userId: String
    let email: String
    let role: String
    let joinedAt: String
}

struct InviteJSON: ResponseEncodable {
    let id: String
    let role: String
    let email: String?
    let createdAt: String
    let expiresAt: String
    /// The link to share: only in the answer that creates it.
    let inviteUrl: String?
    let token: String?

    init(_ invite: Invite, url: String? = nil, token: String? = nil) {
        id = invite.id
        role = invite.role.rawValue
        email = invite.email
        createdAt = invite.createdAt.iso8601
        expiresAt = invite.expiresAt.iso8601
        inviteUrl = url
        self.token = token
    }
}

struct AuditEntryJSON: ResponseEncodable {
    let id: Int64?
    let action: String
    let actorKind: String
    let actorId: String?
    let targetType: String?
    let targetId: String?
    let clientAddress: String?
    let metadata: String?
    let createdAt: String

    init(_ entry: AuditEntry) {
        id = entry.id
        action = entry.action
        actorKind = entry.actorKind.rawValue
        actorId = entry.actorID
        targetType = entry.targetType
        targetId = entry.targetID
        clientAddress = entry.clientAddress
        metadata = entry.metadata
        createdAt = entry.createdAt.iso8601
    }
}

/// A list under a named key, e.g. `{"projects":[…]}`.
struct ListJSON<Item: Encodable & Sendable>: ResponseEncodable {
    let items: [Item]
    let key: String

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicKey.self)
        try container.encode(items, forKey: DynamicKey(stringValue: key))
    }

    struct DynamicKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
