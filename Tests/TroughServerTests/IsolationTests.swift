import Foundation
import HTTPTypes
import SQLKit
import Testing
import TroughCore
@testable import TroughServer
import TroughTestSupport

/// Walks every management endpoint as a member of another tenant (404, nothing changes) and as a viewer
/// (writes 403, nothing changes). Add each new management route to `endpoints`.

extension ServerSuites {
    @Suite("Tenant isolation")
    struct IsolationTests {
        struct Endpoint: CustomStringConvertible {
            let method: HTTPRequest.Method
            let path: String
            let body: [String: Any]?
            /// What a viewer of the tenant gets.
            let viewerStatus: Int

            var description: String { "\(method) \(path)" }
        }

        /// Everything that is the victim tenant's, read straight from the tables.
        struct Snapshot: Equatable {
            let tenants: [Tenant]
            let memberships: [Membership]
            let invites: [Invite]
            let projects: [Project]
            let tokens: [ProjectToken]
            let keys: [APIKey]
            let services: [Service]
            let providerKeys: [ProviderKey]
            let rules: [CostRule]
            let prices: Int

            static func take(_ app: TestApp, tenantID: String) async throws -> Snapshot {
                let sql = app.database.sql
                func rows<T: Decodable>(_ table: String, _ type: T.Type, key: String = "tenant_id") async throws -> [T] {
                    try await sql.select().column("*").from(table).where(SQLIdentifier(key), .equal, SQLBind(tenantID)).orderBy(SQLLiteral.numeric("1")).all(decoding: T.self)
                }
                return Snapshot(
                    tenants: try await rows("tenants", Tenant.self, key: "id"),
                    memberships: try await rows("memberships", Membership.self),
                    invites: try await rows("invites", Invite.self),
                    projects: try await rows("projects", Project.self),
                    tokens: try await rows("project_tokens", ProjectToken.self),
                    keys: try await rows("api_keys", APIKey.self),
                    services: try await rows("services", Service.self),
                    providerKeys: try await rows("provider_keys", ProviderKey.self),
                    rules: try await rows("cost_rules", CostRule.self),
                    prices: try await app.store.tenantPrices(tenantID: tenantID, logger: TestDatabase.logger).count
                )
            }
        }

        @Test("another tenant's member gets 404 everywhere and a viewer cannot write", arguments: PostgresTestServer.drivers)
        func isolationMatrix(driver: TestDriver) async throws {
            try await TestApp.with(driver) { app in
                let owner = try await APIUser.signUp(app, email: "owner@victim.example")
                let tenant = owner.tenantID
                let project = try await owner.send(.post, "/api/tenants/\(tenant)/projects", ["name": "Secret project"]).string("id") ?? ""
                let token = try await owner.send(.post, "/api/projects/\(project)/tokens", ["name": "prod"]).string("id") ?? ""
                let apiKey = try await owner.send(.post, "/api/tenants/\(tenant)/api-keys", ["name": "owner key"]).string("id") ?? ""
                let viewerInvite = try await owner.send(.post, "/api/tenants/\(tenant)/invites", ["role": "viewer"]).string("token") ?? ""
                let viewer = APIUser(app: app)
                #expect(try await viewer.send(.post, "/api/auth/signup", ["email": "viewer@victim.example", "password": "a long enough secret", "invite_token": viewerInvite]).status == 201)
                let pendingInvite = try await owner.send(.post, "/api/tenants/\(tenant)/invites", ["role": "admin"]).string("id") ?? ""
            let service = try await owner.send(.post, "/api/projects/\(project)/services", ["name": "openai", "kind": "openai", "base_url": "https://api.openai.com/v1", "api_key": "sk-victim-secret-key"]).string("id") ?? ""
            let rule = try await owner.send(.post, "/api/services/\(service)/rules", ["path_pattern": "/**", "cost_usd": "0.01"]).string("id") ?? ""
            let price = try await owner.send(.post, "/api/tenants/\(tenant)/prices", ["provider": "openai", "model": "custom", "input_usd_per_mtok": "1.00"]).string("id") ?? ""

                let outsider = try await APIUser.signUp(app, email: "mallory@attacker.example", tenant: "Attacker Inc")
                let outsiderKey = APIUser(app: app)
                outsiderKey.bearer = try await outsider.send(.post, "/api/tenants/\(outsider.tenantID)/api-keys", ["name": "script"]).string("key")

                let endpoints: [Endpoint] = [
                    .init(method: .get, path: "/api/tenants/\(tenant)", body: nil, viewerStatus: 200),
                    .init(method: .patch, path: "/api/tenants/\(tenant)", body: ["name": "Owned"], viewerStatus: 403),
                    .init(method: .delete, path: "/api/tenants/\(tenant)", body: nil, viewerStatus: 403),
                    .init(method: .get, path: "/api/tenants/\(tenant)/members", body: nil, viewerStatus: 200),
                    .init(method: .patch, path: "/api/tenants/\(tenant)/members/\(owner.userID)", body: ["role": "viewer"], viewerStatus: 403),
                    .init(method: .delete, path: "/api/tenants/\(tenant)/members/\(owner.userID)", body: nil, viewerStatus: 403),
                    .init(method: .post, path: "/api/tenants/\(tenant)/invites", body: ["role": "owner"], viewerStatus: 403),
                    .init(method: .get, path: "/api/tenants/\(tenant)/invites", body: nil, viewerStatus: 403),
                    .init(method: .delete, path: "/api/tenants/\(tenant)/invites/\(pendingInvite)", body: nil, viewerStatus: 403),
                    .init(method: .get, path: "/api/tenants/\(tenant)/audit", body: nil, viewerStatus: 403),
                    .init(method: .post, path: "/api/tenants/\(tenant)/projects", body: ["name": "Planted"], viewerStatus: 403),
                    .init(method: .get, path: "/api/tenants/\(tenant)/projects", body: nil, viewerStatus: 200),
                    .init(method: .get, path: "/api/projects/\(project)", body: nil, viewerStatus: 200),
                    .init(method: .patch, path: "/api/projects/\(project)", body: ["monthly_budget_usd": "0.01"], viewerStatus: 403),
                    .init(method: .delete, path: "/api/projects/\(project)", body: nil, viewerStatus: 403),
                    .init(method: .post, path: "/api/projects/\(project)/tokens", body: ["name": "stolen"], viewerStatus: 403),
                    .init(method: .get, path: "/api/projects/\(project)/tokens", body: nil, viewerStatus: 200),
                    .init(method: .delete, path: "/api/projects/\(project)/tokens/\(token)", body: nil, viewerStatus: 403),
                    .init(method: .get, path: "/api/tenants/\(tenant)/api-keys", body: nil, viewerStatus: 200),
                    // Another user's key is not found even inside the same tenant.
                    .init(method: .delete, path: "/api/tenants/\(tenant)/api-keys/\(apiKey)", body: nil, viewerStatus: 404),
                    .init(method: .get, path: "/api/tenants/\(tenant)/plan", body: nil, viewerStatus: 200),
                    .init(method: .get, path: "/api/tenants/\(tenant)/usage/summary", body: nil, viewerStatus: 200),
                    .init(method: .get, path: "/api/projects/\(project)/usage/summary", body: nil, viewerStatus: 200),
                    .init(method: .get, path: "/api/projects/\(project)/usage/daily", body: nil, viewerStatus: 200),
                    .init(method: .get, path: "/api/projects/\(project)/usage/hourly", body: nil, viewerStatus: 402),
                    .init(method: .get, path: "/api/projects/\(project)/usage/breakdown?by=model", body: nil, viewerStatus: 200),
                    .init(method: .get, path: "/api/projects/\(project)/usage/export.csv?by=day", body: nil, viewerStatus: 200),
                    .init(method: .get, path: "/api/projects/\(project)/events.csv", body: nil, viewerStatus: 200),
                ]

                let before = try await Snapshot.take(app, tenantID: tenant)
                for endpoint in endpoints {
                    for attacker in [outsider, outsiderKey] {
                        let response = try await attacker.send(endpoint.method, endpoint.path, endpoint.body)
                        #expect(response.status == 404, "outsider: \(endpoint) → \(response.status) \(response.body)")
                        #expect(response.errorType == "not_found", "outsider: \(endpoint)")
                    }
                    let response = try await viewer.send(endpoint.method, endpoint.path, endpoint.body)
                    #expect(response.status == endpoint.viewerStatus, "viewer: \(endpoint) → \(response.status) \(response.body)")
                    if endpoint.viewerStatus == 403 {
                        #expect(response.errorType == "forbidden", "viewer: \(endpoint)")
                    }
                }
                let after = try await Snapshot.take(app, tenantID: tenant)
                #expect(after == before)
                #expect(before.projects.count == 1 && before.tokens.count == 1 && before.invites.count == 2)
            #expect(before.services.count == 1 && before.providerKeys.count == 1 && before.rules.count == 1 && before.prices == 1)

                // Ids of the other tenant's things answer exactly like ids that do not exist.
                let missing = try await outsider.send(.get, "/api/projects/prj_doesnotexist00000000")
                let foreign = try await outsider.send(.get, "/api/projects/\(project)")
                #expect(missing.status == foreign.status && missing.body == foreign.body)
            }
        }
    }
}
