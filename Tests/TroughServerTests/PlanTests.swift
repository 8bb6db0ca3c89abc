import Foundation
import HTTPTypes
import Testing
import TroughCore
@testable import TroughServer
import TroughTestSupport

extension ServerSuites {
    @Suite("Plans")
    struct PlanTests {
        @Test("Free allows one active service: the second gets 402 plan_limit_exceeded; Pro lifts it", arguments: PostgresTestServer.drivers)
        func serviceLimit(driver: TestDriver) async throws {
            try await TestApp.with(driver) { app in
                let owner = try await APIUser.signUp(app)
                let project = try await owner.send(.post, "/api/tenants/\(owner.tenantID)/projects", ["name": "P"]).string("id") ?? ""
                let first = try await owner.send(.post, "/api/projects/\(project)/services", ["name": "openai", "kind": "openai", "base_url": "https://api.openai.com/v1"])
                #expect(first.status == 201)
                let second = try await owner.send(.post, "/api/projects/\(project)/services", ["name": "claude", "kind": "anthropic", "base_url": "https://api.anthropic.com"])
                #expect(second.status == 402)
                #expect(second.errorType == "plan_limit_exceeded")
                #expect(second.json["error"].flatMap { ($0 as? [String: Any])?["message"] as? String }?.contains("allows 1 active service") == true)

                let plan = try await owner.send(.get, "/api/tenants/\(owner.tenantID)/plan")
                #expect(plan.status == 200)
                #expect((plan.json["plan"] as? [String: Any])?["id"] as? String == "free")
                #expect(plan.json["request_limit"] as? Int == 10_000)
                #expect(plan.json["services_used"] as? Int == 1 && plan.json["services_allowed"] as? Int == 1)
                #expect(plan.json["history_days"] as? Int == 7)

                try await TestApp.setPlan("pro", tenantID: owner.tenantID, app: app)
                #expect(try await owner.send(.post, "/api/projects/\(project)/services", ["name": "claude", "kind": "anthropic", "base_url": "https://api.anthropic.com"]).status == 201)
                let pro = try await owner.send(.get, "/api/tenants/\(owner.tenantID)/plan")
                #expect((pro.json["plan"] as? [String: Any])?["price_usd"] as? String == "2.99")
                #expect(pro.json["services_allowed"] is NSNull || pro.json["services_allowed"] == nil)
                #expect(pro.json["history_days"] as? Int == 90)
            }
        }

        @Test("a project's budget shows spent, remaining and percent used from the month's events", arguments: PostgresTestServer.drivers)
        func budgets(driver: TestDriver) async throws {
            try await ProxySetup.with(driver) { app, setup, upstream in
                #expect(try await setup.owner.send(.patch, "/api/projects/\(setup.projectID)", ["monthly_budget_usd": "0.01"]).status == 200)
                for _ in 0..<2 {
                    #expect(try await ProxyTests.call(app, .post, "/v1/chat/completions", token: setup.token, body: #"{"model":"gpt-4o"}"#).status == 200)
                }
                _ = try await app.events(projectID: setup.projectID, tenantID: setup.owner.tenantID, count: 2)
                let plan = try await setup.owner.send(.get, "/api/tenants/\(setup.owner.tenantID)/plan")
                let project = try #require(plan.list("projects").first)
                // Two requests of $0.00472 against $0.01.
                #expect(project["spent_usd"] as? String == "0.00944")
                #expect(project["remaining_usd"] as? String == "0.00056")
                #expect(project["percent_used"] as? String == "94.40")
                #expect(plan.json["requests_this_month"] as? Int == 2)
            }
        }
    }
}
