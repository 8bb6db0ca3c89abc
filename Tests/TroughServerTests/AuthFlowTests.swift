import Foundation
import HTTPTypes
import SQLKit
import Testing
import TroughCore
@testable import TroughServer
import TroughTestSupport


extension ServerSuites {
    @Suite("Sign-up, login, sessions and CSRF")
    struct AuthFlowTests {
        @Test("sign-up creates a user owning a Free tenant and starts a session with a safe cookie", arguments: PostgresTestServer.drivers)
        func signUp(driver: TestDriver) async throws {
            try await TestApp.with(driver) { app in
                let user = APIUser(app: app)
                let response = try await user.send(.post, "/api/auth/signup", ["email": "Ada@Example.com", "password": "a long enough secret", "tenant_name": "Engines"])
                #expect(response.status == 201)
                #expect(response.string("csrf_token")?.isEmpty == false)
                let tenants = response.list("tenants")
                #expect(tenants.count == 1)
                #expect(tenants.first?["role"] as? String == "owner")
                #expect(tenants.first?["plan"] as? String == "free")
                let cookie = try #require(response.headers[values: .setCookie].first { $0.hasPrefix("trough_session=") })
                #expect(cookie.contains("HttpOnly"))
                #expect(cookie.contains("SameSite=Lax"))
                #expect(!cookie.contains("Secure"))

                // Only the SHA-256 of the session token is stored.
                let raw = String(cookie.split(separator: ";")[0].dropFirst("trough_session=".count))
                #expect(try await app.store.session(tokenHash: Identifier.sha256Hex(raw), logger: TestDatabase.logger) != nil)
                let stored = try await app.database.sql.raw("SELECT token_hash FROM sessions").all()
                #expect(try stored.map { try $0.decode(column: "token_hash", as: String.self) } == [Identifier.sha256Hex(raw)])

                let me = try await user.send(.get, "/api/me")
                #expect(me.status == 200)
                #expect((me.json["user"] as? [String: Any])?["email"] as? String == "Ada@Example.com")

                // The password is stored as an argon2id hash.
                let hash = try #require(try await app.store.user(email: "ada@example.com", logger: TestDatabase.logger)).passwordHash
                #expect(hash.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$"))
            }
        }

        @Test("bad sign-ups are refused with stable error types and write nothing", arguments: PostgresTestServer.drivers)
        func badSignUps(driver: TestDriver) async throws {
            try await TestApp.with(driver) { app in
                _ = try await APIUser.signUp(app, email: "taken@example.com")
                let user = APIUser(app: app)
                let cases: [([String: Any], Int, String)] = [
                    (["email": "TAKEN@example.com", "password": "a long enough secret", "tenant_name": "X"], 409, "conflict"),
                    (["email": "new@example.com", "password": "short", "tenant_name": "X"], 400, "validation_failed"),
                    (["email": "new@example.com", "password": "password123", "tenant_name": "X"], 400, "validation_failed"),
                    (["email": "not-an-email", "password": "a long enough secret", "tenant_name": "X"], 400, "validation_failed"),
                    (["email": "new@example.com", "password": "a long enough secret", "tenant_name": "  "], 400, "validation_failed"),
                    (["email": "new@example.com", "password": "a long enough secret"], 400, "validation_failed"),
                    (["password": "a long enough secret", "tenant_name": "X"], 400, "validation_failed"),
                ]
                for (body, status, type) in cases {
                    let response = try await user.send(.post, "/api/auth/signup", body)
                    #expect(response.status == status, "\(body): \(response.body)")
                    #expect(response.errorType == type, "\(body): \(response.body)")
                    #expect(response.headers[values: .setCookie].isEmpty)
                }
                let malformed = try await app.client.execute(uri: "/api/auth/signup", method: .post, headers: [.contentType: "application/json"], body: .init(string: "{\"email\":"))
                #expect(malformed.status == .badRequest)
                #expect(String(buffer: malformed.body).contains("validation_failed"))
                let users = try await app.database.sql.raw("SELECT COUNT(*) AS n FROM users").first()
                #expect(try users?.decode(column: "n", as: Int.self) == 1)
                let tenants = try await app.database.sql.raw("SELECT COUNT(*) AS n FROM tenants").first()
                #expect(try tenants?.decode(column: "n", as: Int.self) == 1)
            }
        }

        @Test("login starts a new session, logout ends it, and the old cookie is dead", arguments: PostgresTestServer.drivers)
        func loginAndLogout(driver: TestDriver) async throws {
            try await TestApp.with(driver) { app in
                let first = try await APIUser.signUp(app, email: "grace@example.com")
                let oldCookie = try #require(first.cookie)

                let second = APIUser(app: app)
                second.cookie = oldCookie  // a planted cookie must not survive login (no fixation)
                let login = try await second.send(.post, "/api/auth/login", ["email": "GRACE@example.com", "password": "a long enough secret"])
                #expect(login.status == 200)
                #expect(login.string("csrf_token") != nil)
                #expect(second.cookie != nil && second.cookie != oldCookie)

                let sessions = try await second.send(.get, "/api/me/sessions")
                #expect(sessions.list("sessions").count == 2)
                #expect(sessions.list("sessions").filter { $0["current"] as? Bool == true }.count == 1)

                // Ending the other sessions logs the first browser out.
                let ended = try await second.send(.post, "/api/me/sessions/revoke-others")
                #expect(ended.json["ended"] as? Int == 1)
                #expect(try await first.send(.get, "/api/me").status == 401)

                let logout = try await second.send(.post, "/api/auth/logout")
                #expect(logout.status == 204)
                #expect(logout.headers[values: .setCookie].contains { $0.hasPrefix("trough_session=;") && $0.contains("Max-Age=0") })
                let replay = APIUser(app: app)
                replay.cookie = "trough_session=" + (second.cookie ?? "x")
                #expect(try await second.send(.get, "/api/me").status == 401)
                #expect(try await app.database.sql.raw("SELECT id FROM sessions").all().isEmpty)
            }
        }

        @Test("a session ends after its idle or absolute expiry", arguments: PostgresTestServer.drivers)
        func sessionExpiry(driver: TestDriver) async throws {
            try await TestApp.with(driver) { app in
                let user = try await APIUser.signUp(app)
                #expect(try await user.send(.get, "/api/me").status == 200)
                let past = Timestamp.now().adding(seconds: -1).milliseconds
                try await app.database.sql.update("sessions").set("idle_expires_at", to: past).run()
                #expect(try await user.send(.get, "/api/me").status == 401)

                let again = try await APIUser.signUp(app)
                try await app.database.sql.update("sessions").set("expires_at", to: past).where("user_id", .equal, again.userID).run()
                let response = try await again.send(.get, "/api/me")
                #expect(response.status == 401)
                #expect(response.errorType == "unauthorized")
            }
        }

        @Test("state-changing cookie requests need the session's X-CSRF-Token; API keys do not", arguments: PostgresTestServer.drivers)
        func csrf(driver: TestDriver) async throws {
            try await TestApp.with(driver) { app in
                let user = try await APIUser.signUp(app)
                let path = "/api/tenants/\(user.tenantID)/projects"
                let missing = try await user.send(.post, path, ["name": "No header"], csrf: false)
                #expect(missing.status == 403)
                #expect(missing.errorType == "forbidden")
                let wrong = try await user.send(.post, path, ["name": "Wrong header"], csrf: false, headers: [HTTPField.Name("X-CSRF-Token")!: ((user.csrf ?? "").hasPrefix("0") ? "1" : "0") + (user.csrf ?? "").dropFirst()])
                #expect(wrong.status == 403)
                // Another user's valid token does not fit this session.
                let other = try await APIUser.signUp(app)
                let foreign = try await user.send(.post, path, ["name": "Foreign"], csrf: false, headers: [HTTPField.Name("X-CSRF-Token")!: other.csrf ?? ""])
                #expect(foreign.status == 403)
                #expect(try await app.store.projects(tenantID: user.tenantID, logger: TestDatabase.logger).isEmpty)

                #expect(try await user.send(.post, path, ["name": "With header"]).status == 201)
                // GET /api/me hands the page its CSRF token again after a reload.
                let me = try await user.send(.get, "/api/me")
                #expect(me.string("csrf_token") == user.csrf)

                let key = try await user.send(.post, "/api/tenants/\(user.tenantID)/api-keys", ["name": "ci"])
                let script = APIUser(app: app)
                script.bearer = try #require(key.string("key"))
                #expect(script.bearer?.hasPrefix("trough_ak_") == true)
                #expect(try await script.send(.post, path, ["name": "From CI"]).status == 201)
                #expect(try await app.store.projects(tenantID: user.tenantID, logger: TestDatabase.logger).count == 2)
            }
        }

        @Test("failed logins are slowed per account and per address, the same for unknown emails", arguments: PostgresTestServer.drivers)
        func bruteForce(driver: TestDriver) async throws {
            try await TestApp.with(driver) { app in
                _ = try await APIUser.signUp(app, email: "victim@example.com")
                let attacker = APIUser(app: app)
                for email in ["victim@example.com", "nobody@example.com"] {
                    var statuses: [Int] = []
                    for _ in 0..<7 {
                        statuses.append(try await attacker.send(.post, "/api/auth/login", ["email": email, "password": "guess guess guess"]).status)
                    }
                    // Five free failures, the sixth sets a lock, the seventh is refused: identical for both emails.
                    #expect(statuses == [401, 401, 401, 401, 401, 401, 429], "\(email)")
                }
                let limited = try await attacker.send(.post, "/api/auth/login", ["email": "victim@example.com", "password": "a long enough secret"])
                #expect(limited.status == 429)
                #expect(limited.errorType == "rate_limited")
                #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 >= 1)

                // Once the lock has passed, the right password works and clears the account's count.
                try await app.database.sql.update("login_throttle").set("locked_until_at", to: 0).run()
                #expect(try await attacker.send(.post, "/api/auth/login", ["email": "victim@example.com", "password": "a long enough secret"]).status == 200)

                // Per address: after 20 failures from one address, even a fresh email is slowed.
                try await app.database.sql.delete(from: "login_throttle").run()
                for index in 0..<21 {
                    _ = try await attacker.send(.post, "/api/auth/login", ["email": "spray\(index)@example.com", "password": "guess guess guess"])
                }
                #expect(try await attacker.send(.post, "/api/auth/login", ["email": "fresh@example.com", "password": "guess guess guess"]).status == 429)
            }
        }

        @Test("a login re-hashes a password made with older parameters", arguments: PostgresTestServer.drivers)
        func rehash(driver: TestDriver) async throws {
            try await TestApp.with(driver) { app in
                let user = try await APIUser.signUp(app, email: "old@example.com")
                let weak = try PasswordHasher(memoryKiB: 8, iterations: 1, parallelism: 1).hash("a long enough secret")
                try await app.store.updatePasswordHash(userID: user.userID, passwordHash: weak, at: .now(), logger: TestDatabase.logger)
                #expect(try await APIUser(app: app).send(.post, "/api/auth/login", ["email": "old@example.com", "password": "a long enough secret"]).status == 200)
                let stored = try #require(try await app.store.user(id: user.userID, logger: TestDatabase.logger)).passwordHash
                #expect(stored != weak)
                #expect(!PasswordHasher().needsRehash(stored))
            }
        }
    }
}
