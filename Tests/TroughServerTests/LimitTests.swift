import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOCore
import Testing
import TroughCore
@testable import TroughServer
import TroughTestSupport

/// A project whose one service is an SMS API priced by a cost rule at $0.01 per message.
struct SMSSetup {
    let setup: ProxySetup
    static let path = "/proxy/sms/2010-04-01/Accounts/AC1/Messages.json"

    static func make(_ app: TestApp, upstream: MockUpstream, plan: String = "pro") async throws -> SMSSetup {
        let setup = try await ProxySetup.make(app, upstream: upstream, kind: "generic", name: "sms", apiKey: nil)
        if plan != "pro" { try await TestApp.setPlan(plan, tenantID: setup.owner.tenantID, app: app) }
        let rule = try await setup.owner.send(.post, "/api/services/\(setup.serviceID)/rules", ["method": "POST", "path_pattern": "/2010-04-01/Accounts/*/Messages.json", "cost_usd": "0.01"])
        #expect(rule.status == 201, "\(rule.body)")
        return SMSSetup(setup: setup)
    }

    /// One SMS through the proxy, on its own pooled connection: concurrent sends reach the server concurrently.
    func send(_ app: TestApp, token: String? = nil) async throws -> (status: Int, headers: HTTPFields, body: String) {
        try await app.send(.post, Self.path, headers: ["X-Project-Token": token ?? setup.token, "Content-Type": "application/x-www-form-urlencoded"], body: "To=%2B15550100&Body=Hi")
    }
}

extension MockUpstream {
    /// How many requests reached `path`.
    func count(path: String) -> Int { received.withLock { $0.filter { $0.path == path }.count } }
}

extension APIResponse {
    var errorMessage: String { ((json["error"] as? [String: Any])?["message"] as? String) ?? "" }
}

extension ServerSuites {
    @Suite("Plan limits and budgets")
    struct LimitTests {
        static let upstreamPath = "/2010-04-01/Accounts/AC1/Messages.json"

        @Test("200 concurrent requests against a hard-capped budget that covers 50: exactly 50 reach the upstream", arguments: PostgresTestServer.drivers)
        func budgetUnderConcurrency(driver: TestDriver) async throws {
            let upstream = try await MockUpstream.start()
            try await TestApp.with(driver, environment: ["TROUGH_LIMIT_SYNC_SECONDS": "1"]) { app in
                let sms = try await SMSSetup.make(app, upstream: upstream)
                let projectID = sms.setup.projectID
                #expect(try await sms.setup.owner.send(.patch, "/api/projects/\(projectID)", ["monthly_budget_usd": "0.50", "budget_hard_cap": true]).status == 200)

                let results = try await withThrowingTaskGroup(of: (Int, String?, String).self) { group in
                    for _ in 0..<200 {
                        group.addTask {
                            let response = try await sms.send(app)
                            return (response.status, response.headers[HTTPField.Name("X-Trough-Budget-Remaining-Usd")!], response.body)
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                let passed = results.filter { $0.0 == 201 }
                let refused = results.filter { $0.0 == 402 }
                #expect(passed.count == 50)
                #expect(refused.count == 150)
                #expect(upstream.count(path: Self.upstreamPath) == 50)
                #expect(passed.allSatisfy { $0.1 != nil }, "a budgeted answer says what is left")
                let refusal = try #require(refused.first)
                #expect(refusal.2.contains(#""type":"budget_exceeded""#))
                #expect(refusal.2.contains("monthly budget of $0.5"))

                // Settled to the real cost: the events add up to the budget exactly.
                let events = try await app.events(projectID: projectID, tenantID: sms.setup.owner.tenantID, count: 50)
                #expect(events.count == 50)
                #expect(events.reduce(0) { $0 + $1.cost.nanos } == 500_000_000)
                let plan = try await sms.setup.owner.send(.get, "/api/tenants/\(sms.setup.owner.tenantID)/plan")
                #expect(plan.list("projects").first?["spent_usd"] as? String == "0.50")

                // The 150 refusals are counted (not stored one by one) and reach the project's summary at the next sync.
                var counted: [String: Any] = [:]
                for _ in 0..<50 {
                    let summary = try await sms.setup.owner.send(.get, "/api/projects/\(projectID)/usage/summary")
                    counted = summary.json["refused"] as? [String: Any] ?? [:]
                    if counted["month_to_date"] as? Int == 150 { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(counted["today"] as? Int == 150)
                #expect(counted["month_to_date"] as? Int == 150)
                #expect((counted["by_reason"] as? [String: Any])?["budget_exceeded"] as? Int == 150)
            }
            await upstream.stop()
        }

        @Test("a token's and a service's own hard-capped budgets refuse once spent; raising the budget lets requests through again")
        func tokenAndServiceBudgets() async throws {
            let upstream = try await MockUpstream.start()
            try await TestApp.with(.sqlite) { app in
                let sms = try await SMSSetup.make(app, upstream: upstream)
                let owner = sms.setup.owner
                let token = try #require(try await owner.send(.post, "/api/projects/\(sms.setup.projectID)/tokens", ["name": "capped", "monthly_budget_usd": "0.02", "budget_hard_cap": true]).string("token"))
                #expect(try await sms.send(app, token: token).status == 201)
                let second = try await sms.send(app, token: token)
                #expect(second.status == 201)
                #expect(second.headers[HTTPField.Name("X-Trough-Budget-Remaining-Usd")!] == "0.00")
                let third = try await sms.send(app, token: token)
                #expect(third.status == 402)
                #expect(third.body.contains("the project token 'capped' has spent $0.02 of its monthly budget of $0.02"))
                // The other token is not limited by it.
                #expect(try await sms.send(app).status == 201)

                // The service's counter starts from the rollups: let the three requests so far be written first.
                _ = try await app.events(projectID: sms.setup.projectID, tenantID: owner.tenantID, count: 3)
                #expect(try await owner.send(.patch, "/api/services/\(sms.setup.serviceID)", ["monthly_budget_usd": "0.04", "budget_hard_cap": true]).status == 200)
                #expect(try await sms.send(app).status == 201)
                let over = try await sms.send(app)
                #expect(over.status == 402)
                #expect(over.body.contains("the service 'sms' has spent $0.04"))
                #expect(try await owner.send(.patch, "/api/services/\(sms.setup.serviceID)", ["monthly_budget_usd": "1"]).status == 200)
                #expect(try await sms.send(app).status == 201)
            }
            await upstream.stop()
        }

        @Test("the Free plan's monthly request limit (lowered to 20 for the test, same code path) answers the 21st with 402 plan_limit_exceeded", arguments: PostgresTestServer.drivers)
        func freeRequestLimit(driver: TestDriver) async throws {
            let upstream = try await MockUpstream.start()
            try await TestApp.with(driver) { app in
                _ = try await app.store.updatePlanLimits(id: "free", change: PlanLimitsChange(monthlyRequestLimit: .some(20)), at: .now(), logger: TestDatabase.logger)
                let sms = try await SMSSetup.make(app, upstream: upstream, plan: "free")
                var statuses: [Int] = []
                var last = (status: 0, headers: HTTPFields(), body: "")
                for _ in 0..<23 {
                    last = try await sms.send(app)
                    statuses.append(last.status)
                }
                #expect(statuses.prefix(20).allSatisfy { $0 == 201 })
                #expect(statuses.suffix(3).allSatisfy { $0 == 402 })
                #expect(upstream.count(path: Self.upstreamPath) == 20)
                let error = APIResponse(status: last.status, headers: last.headers, body: last.body)
                #expect(error.errorType == "plan_limit_exceeded")
                #expect(error.errorMessage.contains("used 20 of the 20 proxied requests the Free plan allows per month"))
                #expect(error.errorMessage.contains("Upgrade to Pro"))
            }
            await upstream.stop()
        }

        @Test("an operator's change to a plan reaches a running server within its plan cache time (1 s here, 30 s by default)")
        func planChangeReachesTheProxy() async throws {
            let upstream = try await MockUpstream.start()
            try await TestApp.with(.sqlite, environment: ["TROUGH_PLAN_CACHE_SECONDS": "1"]) { app in
                let sms = try await SMSSetup.make(app, upstream: upstream, plan: "free")
                for _ in 0..<3 { #expect(try await sms.send(app).status == 201) }
                _ = try await app.store.updatePlanLimits(id: "free", change: PlanLimitsChange(monthlyRequestLimit: .some(3)), at: .now(), logger: TestDatabase.logger)
                try await Task.sleep(for: .milliseconds(1_200))
                let refused = try await sms.send(app)
                #expect(refused.status == 402)
                #expect(refused.body.contains("used 3 of the 3 proxied requests"))
            }
            await upstream.stop()
        }

        @Test("months roll over at 00:00 UTC on the 1st: a spent quota is whole again")
        func monthRollover() async throws {
            let upstream = try await MockUpstream.start()
            try await TestApp.with(.sqlite) { app in
                app.clock.set(to: Timestamp(milliseconds: 1_796_083_140_000)) // 2026-11-30T23:59:00Z
                _ = try await app.store.updatePlanLimits(id: "free", change: PlanLimitsChange(monthlyRequestLimit: .some(3)), at: .now(), logger: TestDatabase.logger)
                let sms = try await SMSSetup.make(app, upstream: upstream, plan: "free")
                for _ in 0..<3 { #expect(try await sms.send(app).status == 201) }
                let refused = try await sms.send(app)
                #expect(refused.status == 402)
                #expect(refused.body.contains("it starts again on 2026-12-01 at 00:00 UTC"))
                // The November events are written (and rolled up) before December's counter is first seeded from the
                // rollups: stamped with the limits' clock, they count in November (on the system clock they counted
                // in the month the test runs in, and a December test refused the new month's first request).
                let november = try await app.events(projectID: sms.setup.projectID, tenantID: sms.setup.owner.tenantID, count: 3)
                #expect(november.count == 3 && november.allSatisfy { $0.occurredAt.milliseconds < 1_796_083_200_000 })
                app.clock.set(to: Timestamp(milliseconds: 1_796_083_201_000)) // 2026-12-01T00:00:01Z
                let december = try await sms.send(app)
                #expect(december.status == 201, "\(december.body)")
            }
            await upstream.stop()
        }

        @Test("a Pro → Free downgrade suspends services beyond the first (402 naming why), deletes nothing; upgrading restores them", arguments: PostgresTestServer.drivers)
        func downgradeAndUpgrade(driver: TestDriver) async throws {
            let upstream = try await MockUpstream.start()
            try await TestApp.with(driver) { app in
                let sms = try await SMSSetup.make(app, upstream: upstream)
                try await sms.setup.addService(app, name: "echo", kind: "generic", baseURL: upstream.baseURL)
                #expect(try await ProxyTests.call(app, .get, "/proxy/echo/echo/a", token: sms.setup.token).status == 200)

                try await TestApp.setPlan("free", tenantID: sms.setup.owner.tenantID, app: app)
                #expect(try await sms.send(app).status == 201, "the oldest service stays active")
                let suspended = try await ProxyTests.call(app, .get, "/proxy/echo/echo/a", token: sms.setup.token)
                #expect(suspended.status == 402)
                #expect(suspended.body.contains(#""type":"service_suspended""#))
                #expect(suspended.body.contains("the Free plan allows 1 active service"))
                let services = try await sms.setup.owner.send(.get, "/api/projects/\(sms.setup.projectID)/services").list("services")
                #expect(services.count == 2)
                #expect(services.map { $0["status"] as? String } == ["active", "suspended"])

                try await TestApp.setPlan("pro", tenantID: sms.setup.owner.tenantID, app: app)
                #expect(try await ProxyTests.call(app, .get, "/proxy/echo/echo/a", token: sms.setup.token).status == 200)
            }
            await upstream.stop()
        }
    }
}
