import Logging
import SQLKit
import TroughCore

extension SQLStore {
    public func createTenant(_ tenant: Tenant, ownerUserID: String, logger: Logger) async throws {
        try await database.transaction { sql in
            try await sql.insert(into: "tenants").model(tenant).run()
            let membership = Membership(tenantID: tenant.id, userID: ownerUserID, role: .owner, createdAt: tenant.createdAt)
            try await sql.insert(into: "memberships").model(membership).run()
        }
    }

    public func renameTenant(id: String, name: String, at now: Timestamp, logger: Logger) async throws -> Bool {
        try await !sql.update("tenants")
            .set("name", to: name)
            .set("updated_at", to: now.milliseconds)
            .where("id", .equal, id)
            .returning("id").all().isEmpty
    }

    public func deleteTenant(id: String, logger: Logger) async throws -> Bool {
        try await database.transaction { sql in
            // Rows without foreign keys (events, rollups) go explicitly; the rest cascade.
            for table in ["request_events", "usage_hourly", "usage_daily", "refusals_daily", "billed_jobs", "audit_log"] {
                try await sql.delete(from: table).where("tenant_id", .equal, id).run()
            }
            return try await !sql.delete(from: "tenants").where("id", .equal, id).returning("id").all().isEmpty
        }
    }

    public func allTenants(limit: Int, logger: Logger) async throws -> [Tenant] {
        try await sql.select().columns(Tenant.columns).from("tenants")
            .orderBy("created_at", .descending)
            .limit(limit)
            .all(decoding: Tenant.self)
    }

    public func members(tenantID: String, logger: Logger) async throws -> [(membership: Membership, user: User)] {
        let memberships = try await sql.select().columns(Membership.columns).from("memberships")
            .where("tenant_id", .equal, tenantID)
            .orderBy("created_at").orderBy("user_id")
            .all(decoding: Membership.self)
        guard !memberships.isEmpty else { return [] }
        let users = try await sql.select().columns(User.columns).from("users")
            .where("id", .in, memberships.map(\.userID))
            .all(decoding: User.self)
        let byID = Dictionary(users.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return memberships.compactMap { membership in byID[membership.userID].map { (membership, $0) } }
    }

    public func changeRole(tenantID: String, userID: String, to role: Role, at now: Timestamp, logger: Logger) async throws -> Bool {
        try await database.transaction { sql in
            guard let current = try await Self.lockedMemberships(on: sql, tenantID: tenantID).first(where: { $0.userID == userID }) else {
                return false
            }
            if current.role == .owner, role != .owner {
                try await Self.requireAnotherOwner(on: sql, tenantID: tenantID, besides: userID)
            }
            try await sql.update("memberships")
                .set("role", to: role.rawValue)
                .set("updated_at", to: now.milliseconds)
                .where("tenant_id", .equal, tenantID)
                .where("user_id", .equal, userID)
                .run()
            return true
        }
    }

    public func removeMember(tenantID: String, userID: String, logger: Logger) async throws -> Bool {
        try await database.transaction { sql in
            guard let current = try await Self.lockedMemberships(on: sql, tenantID: tenantID).first(where: { $0.userID == userID }) else {
                return false
            }
            if current.role == .owner {
                try await Self.requireAnotherOwner(on: sql, tenantID: tenantID, besides: userID)
            }
            try await sql.delete(from: "memberships")
                .where("tenant_id", .equal, tenantID)
                .where("user_id", .equal, userID)
                .run()
            // Keys scoped to a tenant the user left stop working.
            try await sql.delete(from: "api_keys")
                .where("tenant_id", .equal, tenantID)
                .where("user_id", .equal, userID)
                .run()
            return true
        }
    }

    /// The tenant's memberships, locked until the transaction ends so that two concurrent
    /// demotions cannot both pass the last-owner check (SQLite's write lock already serialises them).
    static func lockedMemberships(on sql: any SQLDatabase, tenantID: String) async throws -> [Membership] {
        try await sql.select().columns(Membership.columns).from("memberships")
            .where("tenant_id", .equal, tenantID)
            .for(.update)
            .all(decoding: Membership.self)
    }

    static func requireAnotherOwner(on sql: any SQLDatabase, tenantID: String, besides userID: String) async throws {
        let owners = try await sql.select().column("user_id").from("memberships")
            .where("tenant_id", .equal, tenantID)
            .where("role", .equal, Role.owner.rawValue)
            .where("user_id", .notEqual, userID)
            .all()
        guard !owners.isEmpty else {
            throw StoreError.conflict("a tenant needs at least one owner: make someone else owner first")
        }
    }

    // MARK: Invites

    public func createInvite(_ invite: Invite, logger: Logger) async throws {
        try await sql.insert(into: "invites").model(invite).run()
    }

    public func pendingInvites(tenantID: String, at now: Timestamp, logger: Logger) async throws -> [Invite] {
        try await sql.select().columns(Invite.columns).from("invites")
            .where("tenant_id", .equal, tenantID)
            .where("accepted_at", .is, SQLLiteral.null)
            .where("expires_at", .greaterThan, now.milliseconds)
            .orderBy("created_at", .descending)
            .all(decoding: Invite.self)
    }

    public func deleteInvite(id: String, tenantID: String, logger: Logger) async throws -> Bool {
        try await !sql.delete(from: "invites")
            .where("id", .equal, id)
            .where("tenant_id", .equal, tenantID)
            .where("accepted_at", .is, SQLLiteral.null)
            .returning("id").all().isEmpty
    }

    public func acceptInvite(tokenHash: String, userID: String, at now: Timestamp, logger: Logger) async throws -> Membership? {
        try await database.transaction { sql in
            try await Self.acceptInvite(on: sql, tokenHash: tokenHash, userID: userID, at: now)
        }
    }

    /// Claims the invite (single use: the update only matches an unused, unexpired one) and adds the membership.
    static func acceptInvite(on sql: any SQLDatabase, tokenHash: String, userID: String, at now: Timestamp) async throws -> Membership? {
        guard let claimed = try await sql.update("invites")
            .set("accepted_at", to: now.milliseconds)
            .set("accepted_by", to: userID)
            .where("token_hash", .equal, tokenHash)
            .where("accepted_at", .is, SQLLiteral.null)
            .where("expires_at", .greaterThan, now.milliseconds)
            .returning(SQLColumn("tenant_id"), SQLColumn("role"))
            .first()
        else { return nil }
        let tenantID = try claimed.decode(column: "tenant_id", as: String.self)
        let role = try claimed.decode(column: "role", as: Role.self)
        if let existing = try await sql.select().columns(Membership.columns).from("memberships")
            .where("tenant_id", .equal, tenantID).where("user_id", .equal, userID)
            .first(decoding: Membership.self) {
            guard role > existing.role else { return existing }
            try await sql.update("memberships").set("role", to: role.rawValue).set("updated_at", to: now.milliseconds)
                .where("tenant_id", .equal, tenantID).where("user_id", .equal, userID).run()
            var upgraded = existing
            upgraded.role = role
            upgraded.updatedAt = now
            return upgraded
        }
        let membership = Membership(tenantID: tenantID, userID: userID, role: role, createdAt: now)
        try await sql.insert(into: "memberships").model(membership).run()
        return membership
    }
}
