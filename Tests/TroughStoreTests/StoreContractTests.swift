import Foundation
import Testing
import TroughCore
import TroughStore
import TroughTestSupport

/// The contract every `Store` implementation keeps, run against SQLite and PostgreSQL alike.
@Suite("Store contract")
struct StoreContractTests {
    let logger = TestDatabase.logger

    @Test("a signed-up user owns a new tenant on the free plan", arguments: PostgresTestServer.drivers)
    func signUpCreatesOwnerAndTenant(driver: TestDriver) async throws {
        try await TestDatabase.with(driver) { (db) async throws in
            let now = Timestamp.now()
            let user = User(email: "Ada@Example.com ", passwordHash: "$argon2id$test", createdAt: now)
            let tenant = Tenant(name: "Analytical Engines", createdAt: now)
            try await db.store.createUserWithTenant(user, tenant: tenant, logger: logger)

            let found = try #require(try await db.store.user(email: "ada@example.COM", logger: logger))
            #expect(found == user)
            #expect(found.emailNormalized == "ada@example.com")
            #expect(try await db.store.user(id: user.id, logger: logger) == user)

            let memberships = try await db.store.memberships(userID: user.id, logger: logger)
            #expect(memberships.count == 1)
            #expect(memberships.first?.tenant == tenant)
            #expect(memberships.first?.membership.role == .owner)
            #expect(try await db.store.tenant(id: tenant.id, logger: logger)?.planID == "free")
        }
    }

    @Test("a taken email is a conflict and writes nothing", arguments: PostgresTestServer.drivers)
    func duplicateEmailIsConflict(driver: TestDriver) async throws {
        try await TestDatabase.with(driver) { (db) async throws in
            let now = Timestamp.now()
            try await db.store.createUserWithTenant(User(email: "a@b.co", passwordHash: "h", createdAt: now), tenant: Tenant(name: "One", createdAt: now), logger: logger)
            let second = Tenant(name: "Two", createdAt: now)
            await #expect(throws: StoreError.conflict("")) {
                try await db.store.createUserWithTenant(User(email: "A@B.co", passwordHash: "h", createdAt: now), tenant: second, logger: logger)
            }
            // The transaction rolled back: the second tenant was not half-written.
            #expect(try await db.store.tenant(id: second.id, logger: logger) == nil)
        }
    }

    @Test("unknown ids are nil, not errors", arguments: PostgresTestServer.drivers)
    func unknownIsNil(driver: TestDriver) async throws {
        try await TestDatabase.with(driver) { (db) async throws in
            #expect(try await db.store.user(id: "usr_missing", logger: logger) == nil)
            #expect(try await db.store.user(email: "nobody@example.com", logger: logger) == nil)
            #expect(try await db.store.tenant(id: "ten_missing", logger: logger) == nil)
            #expect(try await db.store.membership(tenantID: "ten_missing", userID: "usr_missing", logger: logger) == nil)
            #expect(try await db.store.memberships(userID: "usr_missing", logger: logger).isEmpty)
        }
    }

    @Test("projects round-trip with budgets in nano-dollars", arguments: PostgresTestServer.drivers)
    func projectsRoundTrip(driver: TestDriver) async throws {
        try await TestDatabase.with(driver) { (db) async throws in
            let (tenant, _) = try await makeTenant(db)
            var project = Project(tenantID: tenant.id, name: "Chatbot", slug: "chatbot", monthlyBudget: Money(usd: "500.000000001"), budgetHardCap: true, createdAt: .now())
            try await db.store.createProject(project, logger: logger)
            #expect(try await db.store.project(id: project.id, tenantID: tenant.id, logger: logger) == project)
            #expect(project.monthlyBudget?.nanos == 500_000_000_001)

            project.name = "Chat bot"
            project.monthlyBudget = nil
            project.budgetHardCap = false
            #expect(try await db.store.updateProject(project, logger: logger))
            #expect(try await db.store.project(id: project.id, tenantID: tenant.id, logger: logger) == project)

            let second = Project(tenantID: tenant.id, name: "Search", slug: "search", createdAt: .now())
            try await db.store.createProject(second, logger: logger)
            #expect(try await db.store.projects(tenantID: tenant.id, logger: logger).map(\.id) == [project.id, second.id])

            await #expect(throws: StoreError.conflict("")) {
                try await db.store.createProject(Project(tenantID: tenant.id, name: "Again", slug: "search", createdAt: .now()), logger: logger)
            }
            #expect(try await db.store.deleteProject(id: second.id, tenantID: tenant.id, logger: logger))
            #expect(try await db.store.deleteProject(id: second.id, tenantID: tenant.id, logger: logger) == false)
            #expect(try await db.store.projects(tenantID: tenant.id, logger: logger).map(\.id) == [project.id])
        }
    }

    @Test("another tenant's project cannot be read, changed or deleted", arguments: PostgresTestServer.drivers)
    func projectsAreTenantIsolated(driver: TestDriver) async throws {
        try await TestDatabase.with(driver) { (db) async throws in
            let (owner, _) = try await makeTenant(db, email: "owner@a.co")
            let (other, _) = try await makeTenant(db, email: "other@b.co")
            var project = Project(tenantID: owner.id, name: "Mine", slug: "mine", createdAt: .now())
            try await db.store.createProject(project, logger: logger)

            #expect(try await db.store.project(id: project.id, tenantID: other.id, logger: logger) == nil)
            #expect(try await db.store.projects(tenantID: other.id, logger: logger).isEmpty)
            var hijacked = project
            hijacked.tenantID = other.id
            hijacked.name = "Stolen"
            #expect(try await db.store.updateProject(hijacked, logger: logger) == false)
            #expect(try await db.store.deleteProject(id: project.id, tenantID: other.id, logger: logger) == false)
            project.updatedAt = project.createdAt
            #expect(try await db.store.project(id: project.id, tenantID: owner.id, logger: logger)?.name == "Mine")
            // The same slug is free in another tenant.
            try await db.store.createProject(Project(tenantID: other.id, name: "Mine too", slug: "mine", createdAt: .now()), logger: logger)
        }
    }

    @Test("ready when migrated; schema-behind when not", arguments: PostgresTestServer.drivers)
    func readiness(driver: TestDriver) async throws {
        try await TestDatabase.with(driver) { (db) async throws in
            try await db.store.checkReady(logger: logger)
        }
        try await TestDatabase.with(driver, migrate: false) { (db) async throws in
            await #expect(throws: StoreError.self) {
                try await db.store.checkReady(logger: logger)
            }
        }
    }

    private func makeTenant(_ db: TestDatabase, email: String = "owner@example.com") async throws -> (Tenant, User) {
        let now = Timestamp.now()
        let user = User(email: email, passwordHash: "h", createdAt: now)
        let tenant = Tenant(name: "Tenant of \(email)", createdAt: now)
        try await db.store.createUserWithTenant(user, tenant: tenant, logger: logger)
        return (tenant, user)
    }
}

@Suite("Sessions in the store")
struct SessionStoreTests {
    @Test("expired sessions are deleted, live ones kept", arguments: PostgresTestServer.drivers)
    func expiry(driver: TestDriver) async throws {
        try await TestDatabase.with(driver) { (db) async throws in
            let logger = TestDatabase.logger
            let now = Timestamp.now()
            let user = User(email: "s@x.co", passwordHash: "h", createdAt: now)
            try await db.store.createUserWithTenant(user, tenant: Tenant(name: "S", createdAt: now), logger: logger)
            func session(_ hash: String, idle: Int64, absolute: Int64) -> Session {
                Session(tokenHash: hash, csrfTokenHash: "c", userID: user.id, userAgent: nil, clientAddress: nil, createdAt: now,
                        idleExpiresAt: now.adding(seconds: idle), expiresAt: now.adding(seconds: absolute))
            }
            try await db.store.createSession(session("live", idle: 60, absolute: 600), logger: logger)
            try await db.store.createSession(session("idle", idle: -1, absolute: 600), logger: logger)
            try await db.store.createSession(session("old", idle: 60, absolute: -1), logger: logger)
            #expect(try await db.store.deleteExpiredSessions(before: now, logger: logger) == 2)
            #expect(try await db.store.session(tokenHash: "live", logger: logger) != nil)
            #expect(try await db.store.session(tokenHash: "idle", logger: logger) == nil)
            #expect(try await db.store.sessions(userID: user.id, activeAt: now, logger: logger).map(\.tokenHash) == ["live"])
        }
    }
}
