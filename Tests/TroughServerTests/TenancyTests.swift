import Foundation
import HTTPTypes
import SQLKit
import Testing
import TroughCore
@testable import TroughServer
import TroughTestSupport


extension ServerSuites {
    @Suite("Tenants, members, invites, projects and tokens")
    struct TenancyTests {
        @Test("an invite link is single use and makes the invitee a member with its role", arguments: PostgresTestServer.drivers)
        func invites(driver: TestDriver) async throws {
            try await TestApp.with(driver) { app in
                let owner = try await APIUser.signUp(app, email: "owner@example.com")
                let invite = try await owner.send(.post, "/api/tenants/\(owner.tenantID)/invites", ["role": "viewer"])
                #expect(invite.status == 201)
                let token = try #require(invite.string("token"))
                #expect(invite.string("invite_url")?.hasSuffix("/invite.html#token=" + token) == true)
                #expect(try await owner.send(.get, "/api/tenants/\(owner.tenantID)/invites").list("invites").count == 1)

                // A stranger signs up through the link: joins this tenant, gets no tenant of their own.
                let invitee = APIUser(app: app)
                let signUp = try await invitee.send(.post, "/api/auth/signup", ["email": "new@example.com", "password": "a long enough secret", "invite_token": token])
                #expect(signUp.status == 201)
                #expect(signUp.list("tenants").map { $0["id"] as? String } == [owner.tenantID])
                #expect(signUp.list("tenants").first?["role"] as? String == "viewer")

                // Used once: a second use fails and creates no account.
                let reuse = try await APIUser(app: app).send(.post, "/api/auth/signup", ["email": "late@example.com", "password": "a long enough secret", "invite_token": token])
                #expect(reuse.status == 404)
                #expect(try await app.store.user(email: "late@example.com", logger: TestDatabase.logger) == nil)

                // An existing user with their own tenant accepts another invite and now belongs to two.
                let other = try await APIUser.signUp(app, email: "other@example.com")
                let adminInvite = try await owner.send(.post, "/api/tenants/\(owner.tenantID)/invites", ["role": "admin"])
                let accepted = try await other.send(.post, "/api/invites/accept", ["token": try #require(adminInvite.string("token"))])
                #expect(accepted.status == 200)
                #expect(accepted.string("role") == "admin")
                #expect(try await other.send(.get, "/api/me").list("tenants").count == 2)

                // Expired invites are refused.
                let expiring = try await owner.send(.post, "/api/tenants/\(owner.tenantID)/invites", [:])
                try await app.database.sql.update("invites").set("expires_at", to: Timestamp.now().adding(seconds: -1).milliseconds)
                    .where("id", .equal, expiring.string("id") ?? "").run()
                #expect(try await other.send(.post, "/api/invites/accept", ["token": expiring.string("token") ?? ""]).status == 404)

                // An admin cannot invite an owner.
                let adminUser = other
                #expect(try await adminUser.send(.post, "/api/tenants/\(owner.tenantID)/invites", ["role": "owner"]).status == 403)
            }
        }

        @Test("the last owner can neither leave nor be demoted", arguments: PostgresTestServer.drivers)
        func lastOwner(driver: TestDriver) async throws {
            try await TestApp.with(driver) { app in
                let owner = try await APIUser.signUp(app)
                let tenant = owner.tenantID
                let demote = try await owner.send(.patch, "/api/tenants/\(tenant)/members/\(owner.userID)", ["role": "admin"])
                #expect(demote.status == 409)
                #expect(demote.errorType == "conflict")
                #expect(try await owner.send(.delete, "/api/tenants/\(tenant)/members/\(owner.userID)").status == 409)

                let invite = try await owner.send(.post, "/api/tenants/\(tenant)/invites", ["role": "owner"])
                let second = try await APIUser.signUp(app)
                #expect(try await second.send(.post, "/api/invites/accept", ["token": invite.string("token") ?? ""]).status == 200)
                #expect(try await owner.send(.patch, "/api/tenants/\(tenant)/members/\(owner.userID)", ["role": "viewer"]).status == 200)
                #expect(try await owner.send(.get, "/api/tenants/\(tenant)/members").list("members").map { $0["role"] as? String }.sorted { ($0 ?? "") < ($1 ?? "") } == ["owner", "viewer"])
                // The viewer leaves by themselves.
                #expect(try await owner.send(.delete, "/api/tenants/\(tenant)/members/\(owner.userID)").status == 204)
                #expect(try await owner.send(.get, "/api/tenants/\(tenant)").status == 404)
            }
        }

        @Test("projects: create, list, read, update with a budget in dollars, delete", arguments: PostgresTestServer.drivers)
        func projects(driver: TestDriver) async throws {
            try await TestApp.with(driver) { app in
                let owner = try await APIUser.signUp(app)
                let created = try await owner.send(.post, "/api/tenants/\(owner.tenantID)/projects", ["name": "Chat Bot", "monthly_budget_usd": "500.00", "budget_hard_cap": true])
                #expect(created.status == 201)
                #expect(created.string("slug") == "chat-bot")
                #expect(created.string("monthly_budget_usd") == "500.00")
                #expect(created.json["budget_hard_cap"] as? Bool == true)
                let id = try #require(created.string("id"))
                let stored = try #require(try await app.store.project(id: id, tenantID: owner.tenantID, logger: TestDatabase.logger))
                #expect(stored.monthlyBudget?.nanos == 500_000_000_000)

                #expect(try await owner.send(.post, "/api/tenants/\(owner.tenantID)/projects", ["name": "Again", "slug": "chat-bot"]).status == 409)
                #expect(try await owner.send(.post, "/api/tenants/\(owner.tenantID)/projects", ["name": "Bad", "monthly_budget_usd": "1e3"]).errorType == "validation_failed")
                #expect(try await owner.send(.post, "/api/tenants/\(owner.tenantID)/projects", ["name": "Bad", "slug": "Not A Slug"]).status == 400)

                let updated = try await owner.send(.patch, "/api/projects/\(id)", ["monthly_budget_usd": "0.0079", "name": "Chat"])
                #expect(updated.status == 200)
                #expect(updated.string("monthly_budget_usd") == "0.0079")
                #expect(updated.string("name") == "Chat")
                let cleared = try await owner.send(.patch, "/api/projects/\(id)", ["monthly_budget_usd": NSNull()])
                #expect(cleared.json["monthly_budget_usd"] is NSNull || cleared.json["monthly_budget_usd"] == nil)
                #expect(try await owner.send(.get, "/api/projects/\(id)").string("name") == "Chat")
                #expect(try await owner.send(.get, "/api/tenants/\(owner.tenantID)/projects").list("projects").count == 1)
                #expect(try await owner.send(.delete, "/api/projects/\(id)").status == 204)
                #expect(try await owner.send(.get, "/api/projects/\(id)").status == 404)
            }
        }

        @Test("project tokens are shown once, stored hashed, and a revoked one is refused by the proxy's lookup at once", arguments: PostgresTestServer.drivers)
        func projectTokens(driver: TestDriver) async throws {
            try await TestApp.with(driver) { app in
                let owner = try await APIUser.signUp(app)
                let project = try await owner.send(.post, "/api/tenants/\(owner.tenantID)/projects", ["name": "Proxy me"])
                let projectID = try #require(project.string("id"))
                let created = try await owner.send(.post, "/api/projects/\(projectID)/tokens", ["name": "production"])
                #expect(created.status == 201)
                let raw = try #require(created.string("token"))
                #expect(raw.hasPrefix("trough_pt_") && raw.count >= "trough_pt_".count + 52)
                #expect(created.string("prefix") == String(raw.prefix(14)))

                let listed = try await owner.send(.get, "/api/projects/\(projectID)/tokens").list("tokens")
                #expect(listed.count == 1)
                #expect(listed.first?["token"] == nil)
                #expect(listed.first?["name"] as? String == "production")
                let rows = try await app.database.sql.raw("SELECT token_hash FROM project_tokens").all()
                #expect(try rows.map { try $0.decode(column: "token_hash", as: String.self) } == [Identifier.sha256Hex(raw)])

                let lookup = ProjectTokenLookup(store: app.store)
                let found = try await lookup.resolve(raw, logger: TestDatabase.logger)
                #expect(found?.projectID == projectID)
                #expect(found?.tenantID == owner.tenantID)
                #expect(try await lookup.resolve(raw + "x", logger: TestDatabase.logger) == nil)
                #expect(try await lookup.resolve("trough_ak_" + raw.dropFirst(10), logger: TestDatabase.logger) == nil)

                #expect(try await owner.send(.delete, "/api/projects/\(projectID)/tokens/\(created.string("id") ?? "")").status == 204)
                #expect(try await lookup.resolve(raw, logger: TestDatabase.logger) == nil)
                #expect(try await owner.send(.get, "/api/projects/\(projectID)/tokens").list("tokens").isEmpty)
                #expect(try await owner.send(.delete, "/api/projects/\(projectID)/tokens/\(created.string("id") ?? "")").status == 404)
            }
        }

        @Test("API keys carry their user's role in their one tenant, and stop working when revoked", arguments: PostgresTestServer.drivers)
        func apiKeys(driver: TestDriver) async throws {
            try await TestApp.with(driver) { app in
                let owner = try await APIUser.signUp(app)
                let secondTenant = try await owner.send(.post, "/api/tenants", ["name": "Second"])
                #expect(secondTenant.status == 201)
                let created = try await owner.send(.post, "/api/tenants/\(owner.tenantID)/api-keys", ["name": "deploy"])
                let script = APIUser(app: app)
                script.bearer = try #require(created.string("key"))
                #expect(try await script.send(.get, "/api/tenants/\(owner.tenantID)/projects").status == 200)
                // Scoped to one tenant: the user's other tenant is not reachable with this key.
                #expect(try await script.send(.get, "/api/tenants/\(secondTenant.string("id") ?? "")/projects").status == 404)
                #expect(try await script.send(.get, "/api/me").list("tenants").count == 1)
                let keys = try await owner.send(.get, "/api/tenants/\(owner.tenantID)/api-keys").list("api_keys")
                #expect(keys.count == 1 && keys.first?["key"] == nil)

                #expect(try await owner.send(.delete, "/api/tenants/\(owner.tenantID)/api-keys/\(created.string("id") ?? "")").status == 204)
                let refused = try await script.send(.get, "/api/tenants/\(owner.tenantID)/projects")
                #expect(refused.status == 401)
                #expect(refused.errorType == "unauthorized")
            }
        }

        @Test("the audit log records sign-ins, failures, invites, role changes, tokens and keys; owners and admins read it", arguments: PostgresTestServer.drivers)
        func auditLog(driver: TestDriver) async throws {
            try await TestApp.with(driver) { app in
                let owner = try await APIUser.signUp(app, email: "audit@example.com")
                let tenant = owner.tenantID
                _ = try await APIUser(app: app).send(.post, "/api/auth/login", ["email": "audit@example.com", "password": "wrong wrong wrong"])
                _ = try await APIUser(app: app).send(.post, "/api/auth/login", ["email": "audit@example.com", "password": "a long enough secret"])
                let invite = try await owner.send(.post, "/api/tenants/\(tenant)/invites", ["role": "admin"])
                let member = try await APIUser.signUp(app)
                _ = try await member.send(.post, "/api/invites/accept", ["token": invite.string("token") ?? ""])
                _ = try await owner.send(.patch, "/api/tenants/\(tenant)/members/\(member.userID)", ["role": "viewer"])
                let project = try await owner.send(.post, "/api/tenants/\(tenant)/projects", ["name": "Audited"])
                let token = try await owner.send(.post, "/api/projects/\(project.string("id") ?? "")/tokens", ["name": "t"])
                _ = try await owner.send(.delete, "/api/projects/\(project.string("id") ?? "")/tokens/\(token.string("id") ?? "")")
                let key = try await owner.send(.post, "/api/tenants/\(tenant)/api-keys", ["name": "k"])
                _ = try await owner.send(.delete, "/api/tenants/\(tenant)/api-keys/\(key.string("id") ?? "")")

                let audit = try await owner.send(.get, "/api/tenants/\(tenant)/audit")
                #expect(audit.status == 200)
                let entries = audit.list("entries")
                let actions = Set(entries.compactMap { $0["action"] as? String })
                for action in ["auth.signup", "auth.login", "auth.login_failed", "invite.create", "member.join", "member.role_change", "token.create", "token.revoke", "api_key.create", "api_key.revoke", "project.create"] {
                    #expect(actions.contains(action), "missing \(action)")
                }
                #expect(entries.allSatisfy { $0["client_address"] as? String == "127.0.0.1" })
                #expect(!audit.body.contains(token.string("token") ?? "never") && !audit.body.contains(key.string("key") ?? "never"))
                #expect(try await member.send(.get, "/api/tenants/\(tenant)/audit").status == 403)
            }
        }

        @Test("the operator key reaches operator endpoints; nobody else does", arguments: PostgresTestServer.drivers)
        func operatorKey(driver: TestDriver) async throws {
            try await TestApp.with(driver) { app in
                let user = try await APIUser.signUp(app)
                #expect(try await user.send(.get, "/api/admin/tenants").status == 404)
                let wrong = APIUser(app: app)
                wrong.bearer = "not-the-operator-key"
                #expect(try await wrong.send(.get, "/api/admin/tenants").status == 401)
                let operatorUser = APIUser(app: app)
                operatorUser.bearer = TestApp.adminKey
                let tenants = try await operatorUser.send(.get, "/api/admin/tenants")
                #expect(tenants.status == 200)
                #expect(tenants.list("tenants").map { $0["id"] as? String } == [user.tenantID])
            }
        }
    }
}
