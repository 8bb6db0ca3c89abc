/// A price for requests to a non-LLM API (the Twilio case: $0.0079 per SMS): per request, or per unit
/// read from a numeric field of the JSON response.
public struct CostRule: Codable, Hashable, Sendable {
    public var id: String
    public var tenantID: String
    public var projectID: String
    public var serviceID: String
    /// Nil matches any method.
    public var method: String?
    /// `/2010-04-01/Accounts/*/Messages.json`: `*` matches one path segment, `**` the rest.
    public var pathPattern: String
    /// Per request, or per unit when `unitField` is set.
    public var cost: Money
    /// A numeric field of the JSON response (dotted for nested: `usage.units`), e.g. `num_segments`.
    public var unitField: String?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    enum CodingKeys: String, CodingKey {
        case id
        case tenantID = "tenant_id"
        case projectID = "project_id"
        case serviceID = "service_id"
        case method
        case pathPattern = "path_pattern"
        case cost = "cost_nanos"
        case unitField = "unit_field"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public init(id: String = Identifier.make("rule"), tenantID: String, projectID: String, serviceID: String, method: String?, pathPattern: String, cost: Money, unitField: String?, createdAt: Timestamp) {
        self.id = id
        self.tenantID = tenantID
        self.projectID = projectID
        self.serviceID = serviceID
        self.method = method
        self.pathPattern = pathPattern
        self.cost = cost
        self.unitField = unitField
        self.createdAt = createdAt
        self.updatedAt = createdAt
    }
}
