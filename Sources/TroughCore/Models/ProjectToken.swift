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
    /// Monthly budget for what this token spends; `budgetHardCap` refuses its requests once it is spent.
    public var monthlyBudget: Money?
    public var budgetHardCap: Bool = false

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
        case monthlyBudget = "monthly_budget_nanos"
        case budgetHardCap = "budget_hard_cap"
    }

    public init(id: String = Identifier.make("tok"), tenantID: String, projectID: String, name: String, tokenHash: String, prefix: String, createdBy: String?, createdAt: Timestamp, monthlyBudget: Money? = nil, budgetHardCap: Bool = false) {
        self.id = id
        self.tenantID = tenantID
        self.projectID = projectID
        self.name = name
        self.tokenHash = tokenHash
        self.prefix = prefix
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.monthlyBudget = monthlyBudget
        self.budgetHardCap = budgetHardCap
    }
}
