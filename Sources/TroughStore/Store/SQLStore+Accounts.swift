import Logging
import SQLKit
import TroughCore

extension SQLStore {
    public func createUserWithTenant(_ user: User, tenant: Tenant, logger: Logger) async throws {
        try await mapConflict("an account with this email already exists") {
            try await database.transaction { sql in
                try await sql.insert(into: "users").model(user).run()
                try await sql.insert(into: "tenants").model(tenant).run()
                let membership = Membership(tenantID: tenant.id, userID: user.id, role: .owner, createdAt: tenant.createdAt)
                try await sql.insert(into: "memberships").model(membership).run()
            }
        }
    }

    public func user(email: String, logger: Logger) async throws -> User? {
        try await sql.select().columns(User.columns).from("users")
            .where("email_normalized", .equal, User.normalize(email: email))
            .first(decoding: User.self)
    }

    public func user(id: String, logger: Logger) async throws -> User? {
        try await sql.select().columns(User.columns).from("users")
            .where("id", .equal, id)
            .first(decoding: User.self)
    }

    public func tenant(id: String, logger: Logger) async throws -> Tenant? {
        try await sql.select().columns(Tenant.columns).from("tenants")
            .where("id", .equal, id)
            .first(decoding: Tenant.self)
    }

    public func memberships(userID: String, logger: Logger) async throws -> [(tenant: Tenant, membership: Membership)] {
        let memberships = try await sql.select().columns(Membership.columns).from("memberships")
            .where("user_id", .equal, userID)
            .orderBy("created_at")
            .all(decoding: Membership.self)
        guard !memberships.isEmpty else { return [] }
        let tenants = try await sql.select().columns(Tenant.columns).from("tenants")
            .where("id", .in, memberships.map(\.tenantID))
            .all(decoding: Tenant.self)
        let byID = Dictionary(tenants.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return memberships.compactMap { membership in
            byID[membership.tenantID].map { (tenant: $0, membership: membership) }
        }
    }

    public func membership(tenantID: String, userID: String, logger: Logger) async throws -> Membership? {
        try await sql.select().columns(Membership.columns).from("memberships")
            .where("tenant_id", .equal, tenantID)
            .where("user_id", .equal, userID)
            .first(decoding: Membership.self)
    }
}
