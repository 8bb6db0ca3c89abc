/// A person who signs in. Belongs to tenants through memberships.
public struct User: Codable, Hashable, Sendable {
    public var id: String
    public var email: String
    /// Lower-cased, trimmed email: the unique key.
    public var emailNormalized: String
    /// argon2id encoded hash (`$argon2id$v=19$m=…`), never the password.
    public var passwordHash: String
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    enum CodingKeys: String, CodingKey {
        case id
        case email
        case emailNormalized = "email_normalized"
        case passwordHash = "password_hash"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public init(id: String = Identifier.make("usr"), email: String, passwordHash: String, createdAt: Timestamp) {
        self.id = id
        self.email = email
        self.emailNormalized = User.normalize(email: email)
        self.passwordHash = passwordHash
        self.createdAt = createdAt
        self.updatedAt = createdAt
    }

    /// The form in which emails are compared and stored uniquely.
    public static func normalize(email: String) -> String {
        email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }
}

import Foundation
