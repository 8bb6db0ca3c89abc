/// A service's provider API key, encrypted at rest (AES-256-GCM, bound to tenant, project and service).
public struct ProviderKey: Codable, Hashable, Sendable {
    public var id: String
    public var tenantID: String
    public var projectID: String
    public var serviceID: String
    /// Which master key sealed it.
    public var keyVersion: Int
    /// base64 of nonce | ciphertext | tag.
    public var ciphertext: String
    /// The last four characters of the key: all the API ever shows.
    public var last4: String
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    enum CodingKeys: String, CodingKey {
        case id
        case tenantID = "tenant_id"
        case projectID = "project_id"
        case serviceID = "service_id"
        case keyVersion = "key_version"
        case ciphertext
        case last4
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public init(id: String = Identifier.make("pk"), tenantID: String, projectID: String, serviceID: String, sealed: SealedSecret, last4: String, createdAt: Timestamp) {
        self.id = id
        self.tenantID = tenantID
        self.projectID = projectID
        self.serviceID = serviceID
        self.keyVersion = sealed.keyVersion
        self.ciphertext = sealed.ciphertext
        self.last4 = last4
        self.createdAt = createdAt
        self.updatedAt = createdAt
    }

    public var sealed: SealedSecret { SealedSecret(keyVersion: keyVersion, ciphertext: ciphertext) }

    /// What the associated data binds this key to: a copy in another row fails to decrypt.
    public var binding: SecretBinding { SecretBinding(tenantID: tenantID, projectID: projectID, serviceID: serviceID) }
}
