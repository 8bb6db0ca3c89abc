/// A tenant's project: groups services, tokens and spend, and may carry a monthly budget.
public struct Project: Codable, Hashable, Sendable {
    public var id: String
    public var tenantID: String
    public var name: String
    public var slug: String
    /// Monthly budget, if any; `budgetHardCap` makes the proxy refuse requests once it is spent.
    public var monthlyBudget: Money?
    public var budgetHardCap: Bool
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    enum CodingKeys: String, CodingKey {
        case id
        case tenantID = "tenant_id"
        case name
        case slug
        case monthlyBudget = "monthly_budget_nanos"
        case budgetHardCap = "budget_hard_cap"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public init(
        id: String = Identifier.make("prj"), tenantID: String, name: String, slug: String,
        monthlyBudget: Money? = nil, budgetHardCap: Bool = false, createdAt: Timestamp
    ) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.slug = slug
        self.monthlyBudget = monthlyBudget
        self.budgetHardCap = budgetHardCap
        self.createdAt = createdAt
        self.updatedAt = createdAt
    }
}
