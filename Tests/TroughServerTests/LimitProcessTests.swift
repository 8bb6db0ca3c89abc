import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOCore
import Testing
import TroughCore
import TroughTestSupport

/// Limits (and a job's billing) across real `trough serve` processes sharing one PostgreSQL (set up through an in-process app on the
/// same database).
extension ServerSuites {
    @Suite("Limits across instances")
    struct LimitProcessTests {
        static var postgres: [TestDriver] { PostgresTestServer.drivers.filter { $0 == .postgres } }

        /// Starts `trough serve` on the app's database with its own data folder.
        static func serve(_ app: TestApp, directory: URL) async throws -> ServerProcess {
            var environment = app.environment
            let data = directory.appendingPathComponent(UUID().uuidString)
            try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
            environment["TROUGH_DATA_DIR"] = data.path
            environment["TROUGH_LIMIT_SYNC_SECONDS"] = "1"
            let server = try ServerProcess(environment: environment, directory: directory)
            try await server.waitUntilListening()
            return server
        }

        static func send(_ server: ServerProcess, token: String) async throws -> Int {
            var request = HTTPClientRequest(url: server.baseURL + SMSSetup.path)
            request.method = .POST
            request.headers.add(name: "X-Project-Token", value: token)
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: "To=%2B15550100&Body=Hi"))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            _ = try await response.body.collect(upTo: 1 << 20)
            return Int(response.status.code)
        }

        @Test("two trough serve processes on one PostgreSQL: 200 concurrent requests against a budget for 50 never pass 50", arguments: postgres)
        func twoInstancesShareABudget(driver: TestDriver) async throws {
            let upstream = try await MockUpstream.start()
            let directory = try ServeProcessTests.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            try await TestApp.with(driver) { app in
                let sms = try await SMSSetup.make(app, upstream: upstream)
                #expect(try await sms.setup.owner.send(.patch, "/api/projects/\(sms.setup.projectID)", ["monthly_budget_usd": "0.50", "budget_hard_cap": true]).status == 200)
                let first = try await Self.serve(app, directory: directory)
                defer { first.stop() }
                let second = try await Self.serve(app, directory: directory)
                defer { second.stop() }

                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for index in 0..<200 {
                        group.addTask { try await Self.send(index % 2 == 0 ? first : second, token: sms.setup.token) }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                let passed = statuses.filter { $0 == 201 }.count
                let reached = upstream.count(path: LimitTests.upstreamPath)
                #expect(statuses.allSatisfy { $0 == 201 || $0 == 402 })
                #expect(passed == reached)
                #expect(reached <= 50, "the budget covers 50 requests")
                #expect(reached >= 40, "instances share the end of the budget: \(reached) passed")
            }
            await upstream.stop()
        }

        @Test("a restart never resets a limit: the quota used before SIGTERM still counts afterwards", arguments: postgres)
        func restartKeepsCounters(driver: TestDriver) async throws {
            let upstream = try await MockUpstream.start()
            let directory = try ServeProcessTests.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            try await TestApp.with(driver) { app in
                _ = try await app.store.updatePlanLimits(id: "free", change: PlanLimitsChange(monthlyRequestLimit: .some(5)), at: .now(), logger: TestDatabase.logger)
                let sms = try await SMSSetup.make(app, upstream: upstream, plan: "free")
                let before = try await Self.serve(app, directory: directory)
                for _ in 0..<3 { #expect(try await Self.send(before, token: sms.setup.token) == 201) }
                before.signal(SIGTERM)
                #expect(try await before.waitForExit() == 0)

                let after = try await Self.serve(app, directory: directory)
                defer { after.stop() }
                #expect(try await Self.send(after, token: sms.setup.token) == 201)
                #expect(try await Self.send(after, token: sms.setup.token) == 201)
                #expect(try await Self.send(after, token: sms.setup.token) == 402)
                #expect(upstream.count(path: LimitTests.upstreamPath) == 5)
            }
            await upstream.stop()
        }

        @Test("a finished batch polled through two instances, and again after a restart, is billed once", arguments: postgres)
        func jobBilledOnceAcrossInstances(driver: TestDriver) async throws {
            let directory = try ServeProcessTests.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            try await ProxySetup.with(driver) { app, setup, upstream in
                let batch = "/v1/batches/batch_67e3c1b2a4d08190a5f3c2d1e0b9a8f7"
                func poll(_ baseURL: String) async throws -> Int {
                    var request = HTTPClientRequest(url: baseURL + batch)
                    request.headers.add(name: "X-Project-Token", value: setup.token)
                    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                    _ = try await response.body.collect(upTo: 1 << 20)
                    return Int(response.status.code)
                }
                // This app bills it (GPT-4o at the Batch API's $1.25 / $5 per M: 50,000 in + 20,000 out = $0.1625).
                #expect(try await ProxyTests.call(app, .get, batch, token: setup.token).headers[HTTPField.Name("X-Trough-Cost-Usd")!] == "0.1625")
                _ = try await app.events(projectID: setup.projectID, tenantID: setup.owner.tenantID, count: 1)
                // A second instance has not seen it: its writer finds the job billed and stores its poll unbilled.
                let other = try await Self.serve(app, directory: directory)
                #expect(try await poll(other.baseURL) == 200)
                other.signal(SIGTERM)
                #expect(try await other.waitForExit() == 0)
                // And after a restart.
                let restarted = try await Self.serve(app, directory: directory)
                defer { restarted.stop() }
                #expect(try await poll(restarted.baseURL) == 200)

                let events = try await app.events(projectID: setup.projectID, tenantID: setup.owner.tenantID, count: 3)
                #expect(events.count == 3)
                #expect(events.map(\.cost.nanos) == [162_500_000, 0, 0])
                #expect(events.map(\.costSource) == [.usage, .none, .none])
                #expect(events.map(\.inputTokens) == [50_000, 0, 0])
                #expect(events.allSatisfy { $0.status == 200 && $0.route == "/batches/{id}" })
            }
        }
    }
}
