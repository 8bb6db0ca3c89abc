/// A customer organisation: owns projects, members and a plan. Every tenant-owned row carries its id.
public struct Tenant: Codable, Hashable, Sendable {
    public var id: String
    public var name: String
    public var planID: String
    public var status: Status
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    /// Whether a tenant may use the service.
    public enum Status: String, Codable, Sendable {
        case active
        case suspended
    }

    enum CodingKeys: String, CodingKey {
        case id
        case name
        case planID = "plan_id"
        case status
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public init(id: String = Identifier.make("ten"), name: String, planID: String = "free", status: Status = .active, createdAt: Timestamp, updatedAt: Timestamp? = nil) {
        self.id = id
        self.name = name
        self.planID = planID
        self.status = status
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
    }
}
