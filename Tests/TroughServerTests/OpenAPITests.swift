import Foundation
import HTTPTypes
import Hummingbird
import Testing
import TroughCore
@testable import TroughServer
import TroughTestSupport

extension ServerSuites {
    /// `web/openapi.json` stays true: every route the router registers is documented (and nothing else),
    /// and real answers of the running app validate against the documented schemas
    /// (`Tests/OpenAPICheck/check_openapi.py`, JSON Schema 2020-12 with `jsonschema`).
    @Suite("OpenAPI document")
    struct OpenAPITests {
        /// Captures answers as `{method, path_template, status, content_type, body}`.
        final class Examples: @unchecked Sendable {
            var items: [[String: Any]] = []
            let user: APIUser

            init(user: APIUser) { self.user = user }

            @discardableResult
            func send(_ method: HTTPRequest.Method, _ template: String, _ path: String, _ body: [String: Any]? = nil) async throws -> APIResponse {
                let response = try await user.send(method, path, body)
                let json = response.headers[.contentType]?.hasPrefix("application/json") == true ? try? JSONSerialization.jsonObject(with: Data(response.body.utf8)) : nil
                items.append(["method": method.rawValue, "path_template": template, "status": response.status,
                              "content_type": response.headers[.contentType] ?? "", "body": json ?? NSNull()])
                return response
            }
        }

        @Test("every registered route is documented and live answers validate against the document", .enabled(if: PythonCheck.enabled))
        func documentMatchesServer() async throws {
            let upstream = try await MockUpstream.start()
            try await TestApp.with(.sqlite) { app in
                let configuration = try TroughConfiguration.fromEnvironment(app.environment)
                let components = try AppComponents(configuration: configuration, store: app.store,
                                               secrets: SecretBox(keys: [try MasterKeyFile.load(configuration: configuration, logger: TestDatabase.logger)]),
                                               prices: PriceCatalog(builtIn: try PriceTable.builtIn()), logger: TestDatabase.logger)
                let routes = try await buildRouter(components).routes.map { "\($0.method.rawValue) \($0.path)" }
                try await components.httpClient.shutdown()

                let setup = try await ServerSuites.ReportTests.traffic(app, upstream: upstream)
                let examples = Examples(user: setup.owner)
                let (tenant, project) = (setup.owner.tenantID, setup.projectID)
                let public_ = Examples(user: APIUser(app: app))
                try await public_.send(.get, "/healthz", "/healthz")
                try await public_.send(.get, "/readyz", "/readyz")
                try await public_.send(.get, "/api/me", "/api/me")
                try await public_.send(.post, "/api/auth/login", "/api/auth/login", ["email": "nobody@example.com", "password": "wrong password here"])
                try await public_.send(.post, "/api/auth/signup", "/api/auth/signup", ["email": "x", "password": "short"])

                try await examples.send(.get, "/api/me", "/api/me")
                try await examples.send(.get, "/api/me/sessions", "/api/me/sessions")
                try await examples.send(.get, "/api/tenants/{tenant_id}", "/api/tenants/\(tenant)")
                try await examples.send(.get, "/api/tenants/{tenant_id}/members", "/api/tenants/\(tenant)/members")
                try await examples.send(.post, "/api/tenants/{tenant_id}/invites", "/api/tenants/\(tenant)/invites", ["role": "viewer"])
                try await examples.send(.get, "/api/tenants/{tenant_id}/invites", "/api/tenants/\(tenant)/invites")
                try await examples.send(.get, "/api/tenants/{tenant_id}/audit", "/api/tenants/\(tenant)/audit")
                try await examples.send(.post, "/api/tenants/{tenant_id}/api-keys", "/api/tenants/\(tenant)/api-keys", ["name": "script"])
                try await examples.send(.get, "/api/tenants/{tenant_id}/api-keys", "/api/tenants/\(tenant)/api-keys")
                try await examples.send(.post, "/api/tenants/{tenant_id}/projects", "/api/tenants/\(tenant)/projects", ["name": "Second", "monthly_budget_usd": "10"])
                try await examples.send(.post, "/api/tenants/{tenant_id}/projects", "/api/tenants/\(tenant)/projects", ["name": ""])
                try await examples.send(.get, "/api/tenants/{tenant_id}/projects", "/api/tenants/\(tenant)/projects")
                try await examples.send(.get, "/api/projects/{project_id}", "/api/projects/\(project)")
                try await examples.send(.get, "/api/projects/{project_id}", "/api/projects/prj_missing")
                try await examples.send(.patch, "/api/projects/{project_id}", "/api/projects/\(project)", ["monthly_budget_usd": "1.00", "budget_hard_cap": false])
                try await examples.send(.post, "/api/projects/{project_id}/tokens", "/api/projects/\(project)/tokens", ["name": "ci", "monthly_budget_usd": "5"])
                try await examples.send(.get, "/api/projects/{project_id}/tokens", "/api/projects/\(project)/tokens")
                try await examples.send(.get, "/api/projects/{project_id}/services", "/api/projects/\(project)/services")
                try await examples.send(.get, "/api/services/{service_id}", "/api/services/\(setup.serviceID)")
                try await examples.send(.patch, "/api/services/{service_id}", "/api/services/\(setup.serviceID)", ["monthly_budget_usd": "3"])
                try await examples.send(.post, "/api/services/{service_id}/rules", "/api/services/\(setup.serviceID)/rules", ["path_pattern": "/images/**", "cost_usd": "0.04"])
                try await examples.send(.get, "/api/services/{service_id}/rules", "/api/services/\(setup.serviceID)/rules")
                try await examples.send(.post, "/api/tenants/{tenant_id}/prices", "/api/tenants/\(tenant)/prices", ["provider": "openai", "model": "ft:custom", "input_usd_per_mtok": "1.00", "output_usd_per_mtok": "2.00",
                                                                                                                  "long_context": ["above_tokens": 200_000, "input_usd_per_mtok": "2.00"]])
                try await examples.send(.get, "/api/tenants/{tenant_id}/prices", "/api/tenants/\(tenant)/prices")
                try await examples.send(.get, "/api/tenants/{tenant_id}/plan", "/api/tenants/\(tenant)/plan")
                try await examples.send(.get, "/api/tenants/{tenant_id}/usage/summary", "/api/tenants/\(tenant)/usage/summary")
                let usage = "/api/projects/{project_id}/usage"
                try await examples.send(.get, usage + "/summary", "/api/projects/\(project)/usage/summary")
                try await examples.send(.get, usage + "/daily", "/api/projects/\(project)/usage/daily")
                try await examples.send(.get, usage + "/hourly", "/api/projects/\(project)/usage/hourly")
                for by in ["endpoint", "model", "service", "token", "provider", "tag:feature"] {
                    try await examples.send(.get, usage + "/breakdown", "/api/projects/\(project)/usage/breakdown?by=\(by)&limit=1")
                }
                try await examples.send(.get, usage + "/breakdown", "/api/projects/\(project)/usage/breakdown?by=nope")
                try await examples.send(.get, usage + "/export.csv", "/api/projects/\(project)/usage/export.csv?by=model")
                try await examples.send(.get, "/api/projects/{project_id}/events.csv", "/api/projects/\(project)/events.csv")
                try await examples.send(.post, "/api/tenants", "/api/tenants", ["name": "Another org"])
                try await examples.send(.post, "/api/auth/logout", "/api/auth/logout")

                let directory = FileManager.default.temporaryDirectory.appendingPathComponent("openapi-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: directory) }
                let routesFile = directory.appendingPathComponent("routes.txt")
                try routes.joined(separator: "\n").write(to: routesFile, atomically: true, encoding: .utf8)
                let examplesFile = directory.appendingPathComponent("examples.json")
                try JSONSerialization.data(withJSONObject: public_.items + examples.items).write(to: examplesFile)
                let document = TestDatabase.repositoryRoot.appendingPathComponent("web/openapi.json").path
                let (status, output) = try await PythonCheck.run("OpenAPICheck/check_openapi.py", arguments: [document, routesFile.path, examplesFile.path])
                #expect(status == 0, "\(output)")
                #expect(output.contains("openapi check passed"), "\(output)")

                // And the server serves it, without a session.
                let served = try await APIUser(app: app).send(.get, "/api/openapi.json")
                #expect(served.status == 200 && served.string("openapi") == "3.1.0")
            }
            await upstream.stop()
        }
    }
}
