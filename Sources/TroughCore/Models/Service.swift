/// An upstream API a project sends requests to through the proxy: `/proxy/{name}/…`.
public struct Service: Codable, Hashable, Sendable {
    public var id: String
    public var tenantID: String
    public var projectID: String
    /// Unique in the project; used in proxy URLs.
    public var name: String
    public var kind: ProviderKind
    /// Where requests go: `base_url` + path + query.
    public var baseURL: String
    public var monthlyBudget: Money?
    public var budgetHardCap: Bool
    public var status: Status
    /// Why a suspended service does not forward (e.g. a plan downgrade).
    public var suspendedReason: String?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    /// Whether the proxy forwards to this service.
    public enum Status: String, Codable, Sendable {
        case active
        case suspended
    }

    enum CodingKeys: String, CodingKey {
        case id
        case tenantID = "tenant_id"
        case projectID = "project_id"
        case name
        case kind
        case baseURL = "base_url"
        case monthlyBudget = "monthly_budget_nanos"
        case budgetHardCap = "budget_hard_cap"
        case status
        case suspendedReason = "suspended_reason"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public init(
        id: String = Identifier.make("svc"), tenantID: String, projectID: String, name: String, kind: ProviderKind,
        baseURL: String, monthlyBudget: Money? = nil, budgetHardCap: Bool = false, createdAt: Timestamp
    ) {
        self.id = id
        self.tenantID = tenantID
        self.projectID = projectID
        self.name = name
        self.kind = kind
        self.baseURL = baseURL
        self.monthlyBudget = monthlyBudget
        self.budgetHardCap = budgetHardCap
        self.status = .active
        self.suspendedReason = nil
        self.createdAt = createdAt
        self.updatedAt = createdAt
    }
}
