import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOCore
import SQLKit
import Synchronization
import Testing
import TroughCore
@testable import TroughServer
import TroughTestSupport

/// A signed-up owner with a project, a project token and a service pointing at the mock upstream.
struct ProxySetup {
    let owner: APIUser
    let projectID: String
    let token: String
    let serviceID: String

    /// Starts a provider stand-in and an app with an `openai` service pointing at it (`make`'s defaults), runs
    /// `body`, then stops both (the stand-in also when `body` throws).
    static func with(_ driver: TestDriver, environment: [String: String] = [:],
                     _ body: @escaping @Sendable (TestApp, ProxySetup, MockUpstream) async throws -> Void) async throws {
        let upstream = try await MockUpstream.start()
        do {
            try await TestApp.with(driver, environment: environment) { app in
                try await body(app, try await ProxySetup.make(app, upstream: upstream), upstream)
            }
        } catch {
            await upstream.stop()
            throw error
        }
        await upstream.stop()
    }

    static func make(_ app: TestApp, upstream: MockUpstream, kind: String = "openai", name: String = "openai", apiKey: String? = "sk-test-stored-key-1234") async throws -> ProxySetup {
        let owner = try await APIUser.signUp(app)
        // Pro: these tests use several services (Free allows one).
        try await TestApp.setPlan("pro", tenantID: owner.tenantID, app: app)
        let project = try await owner.send(.post, "/api/tenants/\(owner.tenantID)/projects", ["name": "Proxied"])
        let projectID = try #require(project.string("id"))
        let token = try #require(try await owner.send(.post, "/api/projects/\(projectID)/tokens", ["name": "app"]).string("token"))
        var body: [String: Any] = ["name": name, "kind": kind, "base_url": upstream.baseURL + (kind == "openai" ? "/v1" : "")]
        if let apiKey { body["api_key"] = apiKey }
        let service = try await owner.send(.post, "/api/projects/\(projectID)/services", body)
        #expect(service.status == 201, "\(service.body)")
        return ProxySetup(owner: owner, projectID: projectID, token: token, serviceID: service.string("id") ?? "")
    }

    func addService(_ app: TestApp, name: String, kind: String, baseURL: String, apiKey: String? = nil) async throws {
        var body: [String: Any] = ["name": name, "kind": kind, "base_url": baseURL]
        if let apiKey { body["api_key"] = apiKey }
        let response = try await owner.send(.post, "/api/projects/\(projectID)/services", body)
        #expect(response.status == 201, "\(response.body)")
    }
}


extension ServerSuites {
    @Suite("The proxy")
    struct ProxyTests {
        static func call(_ app: TestApp, _ method: HTTPRequest.Method, _ path: String, token: String?, body: String? = nil, headers extra: HTTPFields = [:]) async throws -> (status: Int, headers: HTTPFields, body: String) {
            var headers = extra
            if let token { headers[HTTPField.Name("X-Project-Token")!] = token }
            if body != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
            let response = try await app.client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
            return (Int(response.status.code), response.headers, String(buffer: response.body))
        }

        @Test("OpenAI through /v1: the answer comes back unchanged with its cost, the stored key is injected, Trough's headers are not sent", arguments: PostgresTestServer.drivers)
        func openAINonStreamed(driver: TestDriver) async throws {
            try await ProxySetup.with(driver) { app, setup, upstream in
                let response = try await Self.call(app, .post, "/v1/chat/completions", token: setup.token,
                                                   body: #"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}"#,
                                                   headers: [HTTPField.Name("X-Trough-Tags")!: "feature=chat,user=42", HTTPField.Name("OpenAI-Organization")!: "org-1"])
                #expect(response.status == 200)
                #expect(response.body.contains(#""id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG""#))
                // 176 uncached × $2.50/M + 1,024 cached × $1.25/M + 300 out × $10/M = $0.00472
                #expect(response.headers[HTTPField.Name("X-Trough-Cost-Usd")!] == "0.00472")
                #expect(response.headers[HTTPField.Name("X-Trough-Overhead-Ms")!] != nil)
                #expect(response.headers[HTTPField.Name("X-Request-Id")!] != nil)

                let received = try #require(upstream.last)
                #expect(received.path == "/v1/chat/completions")
                #expect(received.headers[.authorization] == "Bearer sk-test-stored-key-1234")
                #expect(received.headers[HTTPField.Name("X-Project-Token")!] == nil)
                #expect(received.headers[HTTPField.Name("X-Trough-Tags")!] == nil)
                #expect(received.headers[HTTPField.Name("OpenAI-Organization")!] == "org-1")
                #expect(received.body == #"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}"#)

                let event = try #require(try await app.events(projectID: setup.projectID, tenantID: setup.owner.tenantID, count: 1).first)
                #expect(event.cost.nanos == 4_720_000)
                #expect(event.costSource == .usage)
                #expect(event.inputTokens == 176 && event.cachedInputTokens == 1024 && event.outputTokens == 300)
                #expect(event.model == "gpt-4o-2024-08-06")
                #expect(event.provider == "openai")
                #expect(event.route == "/chat/completions")
                #expect(event.status == 200 && !event.streamed)
                #expect(event.tags == #"{"feature":"chat","user":"42"}"#)
                #expect(event.bytesOut == Int64(response.body.utf8.count))
            }
        }

        @Test("proxied requests are served on the client connection's event loop (the router's path with TROUGH_PROXY_EVENT_LOOP=false), with the same answers")
        func servedOnTheEventLoop() async throws {
            let onRouterPath = ProcessInfo.processInfo.environment["TROUGH_TEST_PROXY_PATH"] == "router"
            try await ProxySetup.with(.sqlite) { app, setup, upstream in
                let before = EventLoopProxy.exchangesStarted.load(ordering: .relaxed)
                for _ in 0..<3 {
                    let response = try await Self.call(app, .post, "/v1/chat/completions", token: setup.token, body: #"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}"#)
                    #expect(response.status == 200)
                    #expect(response.headers[HTTPField.Name("X-Trough-Cost-Usd")!] == "0.00472")
                }
                let taken = EventLoopProxy.exchangesStarted.load(ordering: .relaxed) - before
                if onRouterPath {
                    #expect(taken == 0, "every app of this pass runs with TROUGH_PROXY_EVENT_LOOP=false")
                } else {
                    #expect(taken >= 3)
                }
                let events = try await app.events(projectID: setup.projectID, tenantID: setup.owner.tenantID, count: 3)
                #expect(events.count == 3 && events.allSatisfy { $0.cost.nanos == 4_720_000 })
            }
        }

        @Test("a busy route is read again before its cache entries run out: past their first expiry it is still answered while the database cannot read the token table",
              .enabled(if: PostgresTestServer.isEnabled))
        func routeRefreshedAhead() async throws {
            try await ProxySetup.with(.postgres, environment: ["TROUGH_PROXY_CACHE_SECONDS": "2"]) { app, setup, upstream in
                let body = #"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}"#
                // The first request reads the route from the database: its entries last 2 s.
                #expect(try await Self.call(app, .post, "/v1/chat/completions", token: setup.token, body: body).status == 200)
                // Past half their life, a request is served from them and starts a refresh in the background.
                try await Task.sleep(for: .milliseconds(1_300))
                #expect(try await Self.call(app, .post, "/v1/chat/completions", token: setup.token, body: body).status == 200)
                // Past the first entries' expiry, no request of this route may need the database: with the token
                // table locked, one that did would wait for the lock (and this test would fail on its deadline).
                try await Task.sleep(for: .milliseconds(1_000))
                let lock = TableLock()
                let holder = Task { [database = app.database] in
                    try await database.driverTransaction { _, sql in
                        try await sql.raw("LOCK TABLE project_tokens IN ACCESS EXCLUSIVE MODE").run()
                        lock.state.withLock { $0.held = true }
                        // Held until the answer came or 5 s passed (then released, so a waiting request can end).
                        for _ in 0..<50 where lock.state.withLock({ $0.status }) == nil {
                            try await Task.sleep(for: .milliseconds(100))
                        }
                        lock.state.withLock { $0.answeredWhileHeld = $0.status != nil }
                    }
                }
                while !lock.state.withLock({ $0.held }) { try await Task.sleep(for: .milliseconds(10)) }
                let status = try await Self.call(app, .post, "/v1/chat/completions", token: setup.token, body: body).status
                lock.state.withLock { $0.status = status }
                try await holder.value
                #expect(status == 200)
                #expect(lock.state.withLock { $0.answeredWhileHeld }, "answered from the refreshed cache while the token table was locked")

                // Refreshing never keeps a route longer than its entries' life: a token revoked by another instance
                // (straight in the database: this one's caches are not told) is refused within it.
                let tokenID = try #require(try await setup.owner.send(.get, "/api/projects/\(setup.projectID)/tokens").list("tokens").first?["id"] as? String)
                #expect(try await app.store.revokeProjectToken(id: tokenID, projectID: setup.projectID, tenantID: setup.owner.tenantID, at: .now(), logger: TestDatabase.logger))
                var statuses: [Int] = []
                for _ in 0..<40 where statuses.last != 401 {
                    statuses.append(try await Self.call(app, .post, "/v1/chat/completions", token: setup.token, body: body).status)
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(statuses.last == 401, "\(statuses)")
                #expect(statuses.count <= 30, "refused within the 2 s entries' life and (on the event-loop path) a connection's 1 s memo: \(statuses)")
            }
        }

        @Test("an upstream connection left idle for TROUGH_UPSTREAM_IDLE_SECONDS is closed; the next request opens another", .enabled(if: ProcessInfo.processInfo.environment["TROUGH_TEST_PROXY_PATH"] != "router"))
        func idleUpstreamConnectionsClose() async throws {
            try await ProxySetup.with(.sqlite, environment: ["TROUGH_UPSTREAM_IDLE_SECONDS": "1"]) { app, setup, upstream in
                let body = #"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}"#
                #expect(try await Self.call(app, .post, "/v1/chat/completions", token: setup.token, body: body).status == 200)
                let before = UpstreamPool.idleClosed.load(ordering: .relaxed)
                try await Task.sleep(for: .milliseconds(2_500))
                #expect(UpstreamPool.idleClosed.load(ordering: .relaxed) > before)
                #expect(try await Self.call(app, .post, "/v1/chat/completions", token: setup.token, body: body).status == 200)
            }
        }

        @Test("a GET with a body goes upstream without it (both paths), and the pooled connection stays usable")
        func getWithBody() async throws {
            try await ProxySetup.with(.sqlite) { app, setup, upstream in
                try await setup.addService(app, name: "files", kind: "generic", baseURL: upstream.baseURL)
                for _ in 0..<2 {
                    let response = try await Self.call(app, .get, "/proxy/files/echo/x", token: setup.token, body: "dropped", headers: [.contentType: "text/plain"])
                    #expect(response.status == 200 && response.body == "ok")
                    #expect(upstream.last?.method == "GET" && upstream.last?.body == "")
                }
                let put = try await Self.call(app, .put, "/proxy/files/echo/y", token: setup.token, body: "kept", headers: [.contentType: "application/octet-stream"])
                #expect(put.status == 201 && put.body == "kept")
            }
        }

        @Test("requests pipelined on one connection are answered in order, proxied and not, whichever path serves them")
        func pipelined() async throws {
            try await ProxySetup.with(.sqlite) { app, setup, upstream in
                // The live test client writes every request down one connection without waiting: 30 at once.
                let answers = try await withThrowingTaskGroup(of: (Int, Int, String?).self) { group in
                    for index in 0..<30 {
                        group.addTask {
                            if index % 3 == 2 {
                                let health = try await Self.call(app, .get, "/healthz", token: nil)
                                return (index, health.status, health.body.contains("ok") ? "health" : health.body)
                            }
                            let response = try await Self.call(app, .post, "/v1/chat/completions", token: setup.token,
                                                               body: #"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}"#)
                            return (index, response.status, response.headers[HTTPField.Name("X-Trough-Cost-Usd")!])
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(answers.count == 30)
                for (index, status, detail) in answers {
                    #expect(status == 200, "request \(index)")
                    #expect(detail == (index % 3 == 2 ? "health" : "0.00472"), "request \(index): \(detail ?? "nil")")
                }
                let events = try await app.events(projectID: setup.projectID, tenantID: setup.owner.tenantID, count: 20)
                #expect(events.count == 20)
            }
        }

        @Test("an HTTP/1.0 client gets its answer, and its connection is closed after it unless it asked for keep-alive (proxied or not)",
              .enabled(if: ProcessInfo.processInfo.environment["TROUGH_TEST_PROXY_PATH"] != "router"))
        func http10() async throws {
            try await ProxySetup.with(.sqlite) { app, setup, upstream in
                let port = try #require(app.client.port)
                let body = #"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}"#
                func request(_ extra: String) -> String {
                    "POST /v1/chat/completions HTTP/1.0\r\nHost: 127.0.0.1\r\nX-Project-Token: \(setup.token)\r\n\(extra)"
                        + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
                }
                let closing = try await RawHTTP.exchange(port: port, request(""), wait: .seconds(10))
                #expect(closing.response.hasPrefix("HTTP/1.") && closing.response.contains(" 200 "), "\(closing.response.prefix(80))")
                #expect(closing.response.lowercased().contains("x-trough-cost-usd: 0.00472"))
                #expect(closing.serverClosed, "HTTP/1.0 without keep-alive: closed after the answer")

                let kept = try await RawHTTP.exchange(port: port, request("Connection: keep-alive\r\n"), wait: .seconds(1))
                #expect(kept.response.contains(" 200 "))
                #expect(!kept.serverClosed, "asked for keep-alive: left open")

                // Hummingbird's own routes (the router's path keeps its behaviour when the event-loop path is off).
                let health = try await RawHTTP.exchange(port: port, "GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", wait: .seconds(10))
                #expect(health.response.contains(" 200 ") && health.serverClosed)
                let pipelined = try await RawHTTP.exchange(
                    port: port, "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\nGET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", wait: .seconds(10))
                #expect(pipelined.response.components(separatedBy: " 200 ").count == 3 && pipelined.serverClosed, "both answered, then closed")
            }
        }

        @Test("a stream that did not ask for usage is asked for it, priced, and the extra chunk removed", arguments: PostgresTestServer.drivers)
        func openAIStreamInjection(driver: TestDriver) async throws {
            try await ProxySetup.with(driver) { app, setup, upstream in
                let response = try await Self.call(app, .post, "/v1/chat/completions", token: setup.token,
                                                   body: #"{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"Hi"}]}"#)
                #expect(response.status == 200)
                #expect(response.headers[.contentType]?.hasPrefix("text/event-stream") == true)
                #expect(response.body.contains("Hello"))
                #expect(response.body.hasSuffix("data: [DONE]\n\n"))
                #expect(!response.body.contains("\"choices\":[]"), "the usage chunk the client did not ask for is removed")
                #expect(upstream.last?.body.contains(#""stream_options":{"include_usage":true}"#) == true)

                // A client that asked for usage gets the chunk.
                let asked = try await Self.call(app, .post, "/v1/chat/completions", token: setup.token,
                                                body: #"{"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true},"messages":[]}"#)
                #expect(asked.body.contains("\"choices\":[],\"usage\":{\"prompt_tokens\":2000"))

                let events = try await app.events(projectID: setup.projectID, tenantID: setup.owner.tenantID, count: 2)
                #expect(events.count == 2)
                for event in events {
                    // 2,000 in × $2.50/M + 500 out × $10/M = $0.01
                    #expect(event.cost.nanos == 10_000_000)
                    #expect(event.streamed)
                    #expect(event.costSource == .usage)
                }
            }
        }

        @Test("Anthropic streamed through /proxy/{service}: cache reads and writes priced apart, the client's own key passes", arguments: PostgresTestServer.drivers)
        func anthropicStream(driver: TestDriver) async throws {
            let upstream = try await MockUpstream.start()
            try await TestApp.with(driver) { app in
                let setup = try await ProxySetup.make(app, upstream: upstream, kind: "anthropic", name: "claude", apiKey: nil)
                let response = try await Self.call(app, .post, "/proxy/claude/v1/messages", token: setup.token,
                                                   body: #"{"model":"claude-sonnet-4-5","max_tokens":1024,"stream":true,"messages":[{"role":"user","content":"Hi"}]}"#,
                                                   headers: [HTTPField.Name("x-api-key")!: "sk-ant-client-own", HTTPField.Name("anthropic-version")!: "2023-06-01"])
                #expect(response.status == 200)
                #expect(response.body.contains("event: message_stop"))
                #expect(upstream.last?.headers[HTTPField.Name("x-api-key")!] == "sk-ant-client-own")
                #expect(upstream.last?.body.contains("stream_options") == false)

                let event = try #require(try await app.events(projectID: setup.projectID, tenantID: setup.owner.tenantID, count: 1).first)
                // 25 in × $3/M + 2,000 cache writes × $3.75/M + 10,000 cache reads × $0.30/M + 15 out × $15/M = $0.0108
                #expect(event.cost.nanos == 10_800_000)
                #expect(event.inputTokens == 25 && event.cacheWriteTokens == 2000 && event.cachedInputTokens == 10000 && event.outputTokens == 15)
                #expect(event.model == "claude-sonnet-4-5-20250929")
                #expect(event.route == "/v1/messages")

                // The web search tool: 2,095 in × $3/M + 503 out × $15/M + 3 searches × $0.01 = $0.04383.
                let searched = try await Self.call(app, .post, "/proxy/claude/v1/messages", token: setup.token,
                                                   body: #"{"model":"claude-sonnet-4-5","max_tokens":1024,"tools":[{"type":"web_search_20250305","name":"web_search","max_uses":5}],"messages":[{"role":"user","content":"Weather?"}]}"#,
                                                   headers: [HTTPField.Name("x-api-key")!: "sk-ant-client-own", HTTPField.Name("anthropic-version")!: "2023-06-01"])
                #expect(searched.headers[HTTPField.Name("X-Trough-Cost-Usd")!] == "0.04383")
            }
            await upstream.stop()
        }

        @Test("Gemini: model from the path, thinking billed as output, cached tokens apart", arguments: PostgresTestServer.drivers)
        func gemini(driver: TestDriver) async throws {
            let upstream = try await MockUpstream.start()
            try await TestApp.with(driver) { app in
                let setup = try await ProxySetup.make(app, upstream: upstream, kind: "gemini", name: "gemini", apiKey: "AIza-stored-key-abcd")
                let response = try await Self.call(app, .post, "/proxy/gemini/v1beta/models/gemini-2.5-flash:generateContent", token: setup.token,
                                                   body: #"{"contents":[{"parts":[{"text":"Hi"}]}]}"#)
                #expect(response.status == 200)
                #expect(upstream.last?.headers[HTTPField.Name("x-goog-api-key")!] == "AIza-stored-key-abcd")
                let event = try #require(try await app.events(projectID: setup.projectID, tenantID: setup.owner.tenantID, count: 1).first)
                // 600 in × $0.30/M + 400 cached × $0.03/M + (200 + 300 thinking) out × $2.50/M = $0.001442
                #expect(event.cost.nanos == 1_442_000)
                #expect(event.reasoningTokens == 300)
                #expect(response.headers[HTTPField.Name("X-Trough-Cost-Usd")!] == "0.001442")
            }
            await upstream.stop()
        }

        @Test("service tiers: OpenAI's Fast and flex tiers and Gemini's priority header are priced at their rates and recorded; tenants price tiers of their own", arguments: PostgresTestServer.drivers)
        func serviceTiers(driver: TestDriver) async throws {
            try await ProxySetup.with(driver) { app, setup, upstream in
                let costHeader = HTTPField.Name("X-Trough-Cost-Usd")!
                func chat(_ model: String, tier: String?, stream: Bool = false) async throws -> (status: Int, headers: HTTPFields, body: String) {
                    let tierField = tier.map { #","service_tier":"\#($0)""# } ?? ""
                    return try await Self.call(app, .post, "/v1/chat/completions", token: setup.token,
                                               body: #"{"model":"\#(model)","stream":\#(stream)\#(tierField),"messages":[{"role":"user","content":"Hi"}]}"#)
                }
                // GPT-5, 176 in + 1,024 cached + 300 out: standard $1.25 / $0.125 / $10 per M = $0.003348,
                // priority $2.50 / $0.25 / $20 = $0.006696, flex $0.625 / $0.0625 / $5 = $0.001674.
                #expect(try await chat("gpt-5", tier: nil).headers[costHeader] == "0.003348")
                let priority = try await chat("gpt-5", tier: "priority")
                #expect(priority.body.contains(#""service_tier":"priority""#))
                #expect(priority.headers[costHeader] == "0.006696")
                #expect(try await chat("gpt-5", tier: "flex").headers[costHeader] == "0.001674")
                // Streamed, reported as "fast" (Fast mode's other name): GPT-4o priority, 2,000 in × $4.25/M + 500 out × $17/M = $0.017.
                let streamed = try await chat("gpt-4o", tier: "fast", stream: true)
                #expect(streamed.status == 200 && streamed.body.hasSuffix("data: [DONE]\n\n"))

                // Gemini says which tier served the request in a header: 600 in × $0.54/M + 400 cached × $0.054/M
                // + 500 out × $4.50/M = $0.0025956 (standard: $0.001442).
                try await setup.addService(app, name: "gemini", kind: "gemini", baseURL: upstream.baseURL, apiKey: "AIza-stored-key-abcd")
                let gemini = try await Self.call(app, .post, "/proxy/gemini/v1beta/models/gemini-2.5-flash:generateContent", token: setup.token,
                                                 body: #"{"contents":[{"parts":[{"text":"Hi"}]}],"service_tier":"priority"}"#)
                #expect(gemini.status == 200)
                #expect(gemini.headers[HTTPField.Name("x-gemini-service-tier")!] == "priority")
                #expect(gemini.headers[costHeader] == "0.0025956")

                let events = try await app.events(projectID: setup.projectID, tenantID: setup.owner.tenantID, count: 5)
                #expect(events.map(\.serviceTier) == [nil, "priority", "flex", "priority", "priority"])
                #expect(events.map(\.cost.nanos) == [3_348_000, 6_696_000, 1_674_000, 17_000_000, 2_595_600])
                // Spend by service tier (read from the events).
                let tiers = try await setup.owner.send(.get, "/api/projects/\(setup.projectID)/usage/breakdown?by=service_tier")
                #expect(tiers.json["by"] as? String == "service_tier")
                #expect(tiers.list("rows").map { $0["label"] as? String } == ["priority", "standard", "flex"])
                #expect(tiers.list("rows").map { $0["cost_usd"] as? String } == ["0.0262916", "0.003348", "0.001674"])

                // A tenant's own model with a priority tier (cached reads without a tier rate cost the tier's input rate):
                // 176 in + 1,024 cached at $3/M + 300 out × $6/M = $0.0054.
                let custom = try await setup.owner.send(.post, "/api/tenants/\(setup.owner.tenantID)/prices", [
                    "provider": "openai", "model": "my-tiered-model", "input_usd_per_mtok": "1.00", "output_usd_per_mtok": "2.00",
                    "service_tiers": ["priority": ["input_usd_per_mtok": "3.00", "output_usd_per_mtok": "6.00"]],
                ])
                #expect(custom.status == 201, "\(custom.body)")
                let listed = try await setup.owner.send(.get, "/api/tenants/\(setup.owner.tenantID)/prices").list("prices")
                let listedTier = (listed.first?["service_tiers"] as? [String: Any])?["priority"] as? [String: Any]
                #expect(listedTier?["input_usd_per_mtok"] as? String == "3.00" && listedTier?["output_usd_per_mtok"] as? String == "6.00")
                #expect(try await chat("my-tiered-model", tier: "priority").headers[costHeader] == "0.0054")
                #expect(try await chat("my-tiered-model", tier: nil).headers[costHeader] == "0.0018")
                let unknownTier = try await setup.owner.send(.post, "/api/tenants/\(setup.owner.tenantID)/prices", [
                    "provider": "openai", "model": "x", "input_usd_per_mtok": "1.00", "service_tiers": ["turbo": ["input_usd_per_mtok": "2.00"]],
                ])
                #expect(unknownTier.status == 400 && unknownTier.body.contains("turbo"), "\(unknownTier.body)")
            }
        }

        @Test("a GET of a stored answer is not billed again, except a background response's or a finished batch's usage, once", arguments: PostgresTestServer.drivers)
        func storedAnswers(driver: TestDriver) async throws {
            try await ProxySetup.with(driver) { app, setup, upstream in
                let costHeader = HTTPField.Name("X-Trough-Cost-Usd")!
                func get(_ path: String) async throws -> (status: Int, headers: HTTPFields, body: String) {
                    try await Self.call(app, .get, path, token: setup.token, body: nil)
                }
                // A background response's usage arrives with the poll that finds it completed: GPT-5, 1,000 in + 500 out
                // at $1.25 / $10 per M = $0.00625. Fetched again, it is not billed again.
                let polled = try await get("/v1/responses/resp_67cb71b351908190a308f3859487620d06981a8637e6bg00")
                #expect(polled.status == 200 && polled.body.contains(#""background":true"#))
                #expect(polled.headers[costHeader] == "0.00625")
                #expect(try await get("/v1/responses/resp_67cb71b351908190a308f3859487620d06981a8637e6bg00").status == 200)
                // A response made in the foreground, a stored chat completion and a batch were billed when they were made.
                #expect(try await get("/v1/responses/resp_67cb71b351908190a308f3859487620d06981a8637e6bc44").status == 200)
                #expect(try await get("/v1/chat/completions/chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT").status == 200)
                // A finished batch is billed once, in total, at the Batch API's rates: GPT-4o $1.25 / $5 per M,
                // 50,000 in + 20,000 out = $0.1625.
                #expect(try await get("/v1/batches/batch_67e3c1b2a4d08190a5f3c2d1e0b9a8f7").headers[costHeader] == "0.1625")
                #expect(try await get("/v1/batches/batch_67e3c1b2a4d08190a5f3c2d1e0b9a8f7").status == 200)
                // Another background response is billed once too.
                #expect(try await get("/v1/responses/resp_67cb71b351908190a308f3859487620d06981a8637e6bd11bg00").headers[costHeader] == "0.00625")

                let events = try await app.events(projectID: setup.projectID, tenantID: setup.owner.tenantID, count: 7)
                #expect(events.map(\.cost.nanos) == [6_250_000, 0, 0, 0, 162_500_000, 0, 6_250_000])
                #expect(events.map(\.costSource) == [.usage, .none, .none, .none, .usage, .none, .usage])
                #expect(events.map(\.serviceTier) == [nil, nil, nil, nil, "batch", nil, nil])
                #expect(events.map(\.inputTokens) == [1000, 0, 0, 0, 50_000, 0, 1000])
                #expect(events.map(\.route) == ["/responses/{id}", "/responses/{id}", "/responses/{id}", "/chat/completions/{id}", "/batches/{id}", "/batches/{id}", "/responses/{id}"])
            }
        }

        @Test("a job another instance billed first (its claim in the database) is not billed here: no cost header, nothing stored or charged", arguments: PostgresTestServer.drivers)
        func jobBilledElsewhere(driver: TestDriver) async throws {
            try await ProxySetup.with(driver) { app, setup, upstream in
                try await setup.addService(app, name: "gemini", kind: "gemini", baseURL: upstream.baseURL, apiKey: "AIza-stored-key-abcd")
                let costHeader = HTTPField.Name("X-Trough-Cost-Usd")!
                // Another instance billed these two jobs (the event writer's claims), this one has not seen them.
                for job in ["batch_billed_by_another_instance", "batches/elsewhere"] {
                    try await app.database.sql.insert(into: "billed_jobs")
                        .columns("tenant_id", "job_id", "event_id", "billed_at")
                        .values(SQLBind(setup.owner.tenantID), SQLBind(job), SQLBind("evt_elsewhere_\(job.count)"), SQLBind(Timestamp.now().milliseconds))
                        .run()
                }
                let openAI = try await Self.call(app, .get, "/v1/batches/batch_billed_by_another_instance", token: setup.token)
                #expect(openAI.status == 200 && openAI.headers[costHeader] == nil)
                let gemini = try await Self.call(app, .get, "/proxy/gemini/v1beta/batches/elsewhere", token: setup.token)
                #expect(gemini.status == 200 && gemini.headers[costHeader] == nil)
                // A job nobody billed yet is billed here (GPT-4o batch: $0.1625), then not again.
                #expect(try await Self.call(app, .get, "/v1/batches/batch_new", token: setup.token).headers[costHeader] == "0.1625")
                #expect(try await Self.call(app, .get, "/v1/batches/batch_new", token: setup.token).headers[costHeader] == nil)
                // Another tenant's claim on the same id does not stop this tenant's billing.
                try await app.database.sql.insert(into: "billed_jobs")
                    .columns("tenant_id", "job_id", "event_id", "billed_at")
                    .values(SQLBind("ten_someone_else"), SQLBind("batches/mine"), SQLBind("evt_other_tenant"), SQLBind(Timestamp.now().milliseconds))
                    .run()
                #expect(try await Self.call(app, .get, "/proxy/gemini/v1beta/batches/mine", token: setup.token).headers[costHeader] == "0.00161")

                let events = try await app.events(projectID: setup.projectID, tenantID: setup.owner.tenantID, count: 5)
                #expect(events.map(\.cost.nanos) == [0, 0, 162_500_000, 0, 1_610_000])
                #expect(events.map(\.costSource) == [.none, .none, .usage, .none, .usage])
                #expect(events.allSatisfy { $0.status == 200 && $0.errorType == nil })
            }
        }

        @Test("an Anthropic Message Batch: its results_url points at Trough, and its results are billed once, succeeded requests at the batch rates", arguments: PostgresTestServer.drivers)
        func anthropicBatchResults(driver: TestDriver) async throws {
            try await ProxySetup.with(driver) { app, setup, upstream in
                try await setup.addService(app, name: "claude", kind: "anthropic", baseURL: upstream.baseURL)
                let id = "msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d"
                let batch = try await Self.call(app, .get, "/proxy/claude/v1/messages/batches/\(id)", token: setup.token)
                #expect(batch.status == 200)
                let resultsURL = try #require((try JSONSerialization.jsonObject(with: Data(batch.body.utf8)) as? [String: Any])?["results_url"] as? String)
                #expect(resultsURL.hasPrefix("http://") && resultsURL.hasSuffix("/proxy/claude/v1/messages/batches/\(id)/results"), "\(resultsURL)")
                #expect(!batch.body.contains(upstream.baseURL), "the provider's own link is not given out")
                #expect(batch.headers[.contentLength] == String(batch.body.utf8.count))

                // A download cut short is not billed from what it saw (the next whole one is). (The router's path may read
                // the upstream's whole answer before it notices: then that download bills the whole batch, once.)
                var cut = HTTPClientRequest(url: "http://127.0.0.1:\(app.client.port ?? 0)/proxy/claude/v1/messages/batches/\(id)/results?slow=1")
                cut.headers.add(name: "X-Project-Token", value: setup.token)
                let partial = try await HTTPClient.shared.execute(cut, timeout: .seconds(30))
                for try await chunk in partial.body where chunk.readableBytes > 0 { break }
                let cutEvent = try #require(try await app.events(projectID: setup.projectID, tenantID: setup.owner.tenantID, count: 2).last)
                #expect(cutEvent.costSource == .none ? cutEvent.errorType == "client_disconnected" && cutEvent.cost == .zero : cutEvent.cost.nanos == 17_250_000)

                // Claude Sonnet 4.5 at the Batch API's rates ($1.50 / $7.50 per M, cache reads $0.15): 1,000 in + 500
                // out = $0.00525, and 2,000 in + 10,000 cache reads + 1,000 out = $0.012; the errored request is free.
                let path = "/proxy/claude" + (try #require(URL(string: resultsURL)?.path.split(separator: "/", maxSplits: 2).last.map { "/" + $0 }))
                let results = try await Self.call(app, .get, path, token: setup.token)
                #expect(results.status == 200 && results.body.split(separator: "\n").count == 3)
                if cutEvent.costSource == .none { #expect(results.headers[HTTPField.Name("X-Trough-Cost-Usd")!] == "0.01725") }
                // Downloaded again: not billed again.
                #expect(try await Self.call(app, .get, path, token: setup.token).status == 200)

                // Another batch mixing models is priced model by model: Sonnet 4.5's request $0.00525, Haiku 4.5's
                // (2,000 in + 10,000 cache reads + 1,000 out at $0.50 / $0.05 / $2.50 per M) $0.004.
                let mixed = try await Self.call(app, .get, "/proxy/claude/v1/messages/batches/msgbatch_02mixed/results?mixed=1", token: setup.token)
                #expect(mixed.status == 200 && mixed.body.contains("claude-haiku-4-5-20251001"))
                #expect(mixed.headers[HTTPField.Name("X-Trough-Cost-Usd")!] == "0.00925")
                let mixedEvent = try #require(try await app.events(projectID: setup.projectID, tenantID: setup.owner.tenantID, count: 5).last)
                #expect(mixedEvent.cost.nanos == 9_250_000 && mixedEvent.costSource == .usage && mixedEvent.serviceTier == "batch")
                #expect(mixedEvent.model == "claude-sonnet-4-5-20250929" && mixedEvent.inputTokens == 3_000 && mixedEvent.outputTokens == 1_500)

                let events = try await app.events(projectID: setup.projectID, tenantID: setup.owner.tenantID, count: 5).dropLast()
                #expect(events.map(\.route) == ["/v1/messages/batches/{id}"] + Array(repeating: "/v1/messages/batches/{id}/results", count: 3))
                let billed = events.filter { $0.costSource == .usage }
                #expect(billed.count == 1, "billed once: \(events.map(\.costSource))")
                #expect(billed.first?.cost.nanos == 17_250_000 && billed.first?.serviceTier == "batch" && billed.first?.model == "claude-sonnet-4-5-20250929")
                #expect(billed.first?.inputTokens == 3_000 && billed.first?.cachedInputTokens == 10_000 && billed.first?.outputTokens == 1_500)
                #expect(events.filter { $0.costSource != .usage }.allSatisfy { $0.cost == .zero && $0.costSource == .none && $0.inputTokens == 0 })
            }
        }

        @Test("a Gemini batch: its inlined results, or its results file's download, billed once at the batch rates, each request at its own context length's rates", arguments: PostgresTestServer.drivers)
        func geminiBatchResults(driver: TestDriver) async throws {
            try await ProxySetup.with(driver) { app, setup, upstream in
                try await setup.addService(app, name: "gemini", kind: "gemini", baseURL: upstream.baseURL, apiKey: "AIza-stored-key-abcd")
                let costHeader = HTTPField.Name("X-Trough-Cost-Usd")!
                // Gemini 2.5 Flash at the Batch API's rates ($0.15 / $1.25 per M, cached $0.03): 2,000 in + 2,000
                // cached + 1,000 out (300 of it thinking) = $0.00161; the failed request is free. Polled again: not billed
                // (no cost header: nothing billed).
                let operation = try await Self.call(app, .get, "/proxy/gemini/v1beta/batches/123456", token: setup.token)
                #expect(operation.status == 200 && operation.body.contains("inlinedResponses"))
                #expect(operation.headers[costHeader] == "0.00161")
                #expect(try await Self.call(app, .get, "/proxy/gemini/v1beta/batches/123456", token: setup.token).headers[costHeader] == nil)
                // Gemini 2.5 Pro's results file: 300,000 in + 2,000 out at the batch rates ($0.625 / $5 per M) = $0.1975.
                // Each request is under the 200k threshold, so their sum is not billed at the long-context rates ($0.78).
                let file = "/proxy/gemini/v1beta/files/batch-7g2ab3:download?alt=media"
                let download = try await Self.call(app, .get, file, token: setup.token)
                #expect(download.status == 200 && download.body.split(separator: "\n").count == 3)
                #expect(download.headers[costHeader] == "0.1975")
                #expect(try await Self.call(app, .get, file, token: setup.token).headers[costHeader] == nil)

                let events = try await app.events(projectID: setup.projectID, tenantID: setup.owner.tenantID, count: 4)
                #expect(events.map(\.cost.nanos) == [1_610_000, 0, 197_500_000, 0])
                #expect(events.map(\.costSource) == [.usage, .none, .usage, .none])
                #expect(events.map(\.serviceTier) == ["batch", nil, "batch", nil])
                #expect(events.map(\.model) == ["gemini-2.5-flash", nil, "gemini-2.5-pro", nil])
                #expect(events.map(\.inputTokens) == [2_000, 0, 300_000, 0] && events.map(\.cachedInputTokens) == [2_000, 0, 0, 0])
                #expect(events.map(\.outputTokens) == [1_000, 0, 2_000, 0] && events.map(\.reasoningTokens) == [300, 0, 0, 0])
            }
        }

        @Test("Anthropic's fast mode: usage.speed bills every rate at the model's fast multiple, streamed or not; tenants set 1-hour cache-write rates by their documented name", arguments: PostgresTestServer.drivers)
        func anthropicFastMode(driver: TestDriver) async throws {
            try await ProxySetup.with(driver) { app, setup, upstream in
                let costHeader = HTTPField.Name("X-Trough-Cost-Usd")!
                try await setup.addService(app, name: "claude", kind: "anthropic", baseURL: upstream.baseURL, apiKey: "sk-ant-stored-key-abcd")
                func messages(_ model: String, speed: String, stream: Bool = false) async throws -> (status: Int, headers: HTTPFields, body: String) {
                    try await Self.call(app, .post, "/proxy/claude/v1/messages", token: setup.token,
                                        body: #"{"model":"\#(model)","max_tokens":64,"stream":\#(stream),"speed":"\#(speed)","messages":[{"role":"user","content":"Hi"}]}"#)
                }
                // Opus 5.5 fast (2x: $8 / $40): 2,095 in + 503 out = $0.03688 (standard $4 / $20 would be $0.01844).
                let fast = try await messages("claude-opus-5-5", speed: "fast")
                #expect(fast.status == 200 && fast.body.contains(#""speed":"fast""#))
                #expect(fast.headers[costHeader] == "0.03688")
                // Streamed (the speed comes in message_start): Opus 4.6 fast (6x: $30 in, $37.50 cache writes, $3 cache
                // reads, $150 out): 25 × 30 + 2,000 × 37.5 + 10,000 × 3 + 15 × 150 per M = $0.108 (standard: $0.018).
                let streamed = try await messages("claude-opus-4-6", speed: "fast", stream: true)
                #expect(streamed.status == 200 && streamed.body.contains("message_stop"))
                // Standard speed on the same model: standard rates.
                #expect(try await messages("claude-opus-5-5", speed: "standard").headers[costHeader] == "0.01844")

                let events = try await app.events(projectID: setup.projectID, tenantID: setup.owner.tenantID, count: 3)
                #expect(events.map(\.serviceTier) == ["fast_mode", "fast_mode", nil])
                #expect(events.map(\.cost.nanos) == [36_880_000, 108_000_000, 18_440_000])

                // A tenant's price with 1-hour cache writes and a fast-mode tier, under the names the API documents.
                let created = try await setup.owner.send(.post, "/api/tenants/\(setup.owner.tenantID)/prices", [
                    "provider": "anthropic", "model": "my-claude", "input_usd_per_mtok": "1.00", "output_usd_per_mtok": "5.00",
                    "cache_write_usd_per_mtok": "1.25", "cache_write_1h_usd_per_mtok": "2.00",
                    "service_tiers": ["fast_mode": ["input_usd_per_mtok": "6.00", "cache_write_1h_usd_per_mtok": "12.00"]],
                ])
                #expect(created.status == 201, "\(created.body)")
                #expect(created.body.contains(#""cache_write_1h_usd_per_mtok":"2.00""#), "\(created.body)")
                let listed = try await setup.owner.send(.get, "/api/tenants/\(setup.owner.tenantID)/prices").list("prices")
                #expect(listed.first?["cache_write_1h_usd_per_mtok"] as? String == "2.00")
                let tier = (listed.first?["service_tiers"] as? [String: Any])?["fast_mode"] as? [String: Any]
                #expect(tier?["cache_write_1h_usd_per_mtok"] as? String == "12.00")
            }
        }

        @Test("per-unit prices (transcription seconds, speech characters, generated images) and audio tokens, exact, with their units recorded", arguments: PostgresTestServer.drivers)
        func unitPrices(driver: TestDriver) async throws {
            try await ProxySetup.with(driver) { app, setup, _ in
                let costHeader = HTTPField.Name("X-Trough-Cost-Usd")!
                // Whisper, a multipart upload: 9.2 s × $0.0001/s = $0.00092.
                let boundary = "trough-boundary"
                let multipart = "--\(boundary)\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper-1\r\n--\(boundary)\r\n"
                    + "Content-Disposition: form-data; name=\"file\"; filename=\"a.mp3\"\r\nContent-Type: audio/mpeg\r\n\r\nID3-audio-bytes\r\n--\(boundary)--\r\n"
                // The answer does not name its model: it is read from the upload's `model` part as the body streams.
                let transcription = try await Self.call(app, .post, "/v1/audio/transcriptions", token: setup.token, body: multipart,
                                                        headers: [.contentType: "multipart/form-data; boundary=\(boundary)"])
                #expect(transcription.status == 200)
                #expect(transcription.headers[costHeader] == "0.00092")
                // tts-1: 42 characters (é and 😀 one each) × $15/M = $0.00063.
                let speech = try await Self.call(app, .post, "/v1/audio/speech", token: setup.token,
                                                 body: #"{"model":"tts-1","voice":"alloy","input":"Café au lait 😀, the quick brown fox jumps."}"#)
                #expect(speech.status == 200 && speech.headers[.contentType] == "audio/mpeg")
                #expect(speech.headers[costHeader] == "0.00063")
                // gpt-4o-mini-tts streamed as SSE: 14 text tokens in at $0.60/M, 1,052 audio tokens out at $12/M.
                let streamedSpeech = try await Self.call(app, .post, "/v1/audio/speech", token: setup.token,
                                                         body: #"{"model":"gpt-4o-mini-tts","voice":"coral","input":"Hello there, friend!","stream_format":"sse"}"#)
                #expect(streamedSpeech.status == 200 && streamedSpeech.body.contains("speech.audio.done"))
                // Two generated images of a model priced per image (a tenant's own): 2 × $0.04 = $0.08; the ~800 KB
                // answer is counted as it passes, not held.
                let custom = try await setup.owner.send(.post, "/api/tenants/\(setup.owner.tenantID)/prices",
                                                        ["provider": "openai", "model": "my-image-model", "per_image_usd": "0.04"])
                #expect(custom.status == 201, "\(custom.body)")
                #expect(custom.string("per_image_usd") == "0.04")
                let images = try await Self.call(app, .post, "/v1/images/generations", token: setup.token,
                                                 body: #"{"model":"my-image-model","prompt":"a lighthouse","n":2,"response_format":"b64_json"}"#)
                #expect(images.status == 200 && images.body.count > 800_000)
                #expect(images.body.components(separatedBy: "b64_json").count == 3)

                // Audio in and out of a chat completion, at gpt-audio's audio rates: 20 text in × $2.50/M + 80 audio in ×
                // $32/M + 50 text out × $10/M + 250 audio out × $64/M = $0.01911.
                let audio = try await Self.call(app, .post, "/v1/chat/completions", token: setup.token,
                                                body: #"{"model":"gpt-audio","modalities":["text","audio"],"audio":{"voice":"alloy","format":"wav"},"messages":[{"role":"user","content":"Hi"}]}"#)
                #expect(audio.headers[costHeader] == "0.01911")
                // gpt-image-1.5 bills the generated image's tokens at $32/M, not its $10/M text output:
                // 50 in × $5/M + 4,560 image out × $32/M = $0.14617.
                let generated = try await Self.call(app, .post, "/v1/images/generations", token: setup.token,
                                                    body: #"{"model":"gpt-image-1.5","prompt":"a lighthouse"}"#)
                #expect(generated.status == 200)

                let events = try await app.events(projectID: setup.projectID, tenantID: setup.owner.tenantID, count: 6)
                let speechCost: Int64 = 14 * 600 + 1_052 * 12_000
                #expect(events.prefix(4).map(\.cost.nanos) == [920_000, 630_000, speechCost, 80_000_000])
                #expect(events.map(\.units) == [10, 42, 0, 2, 0, 0])
                #expect(events.map(\.costSource) == [.usage, .usage, .usage, .usage, .usage, .usage])
                #expect(events.map(\.model) == ["whisper-1", "tts-1", "gpt-4o-mini-tts", "my-image-model", "gpt-audio-2025-08-28", "gpt-image-1.5"])
                #expect(events[2].streamed && events[2].outputTokens == 1_052)
                #expect(events.last?.cost.nanos == 146_170_000)
            }
        }

        @Test("a model with no price is recorded as unpriced, never as $0", arguments: PostgresTestServer.drivers)
        func unpricedModel(driver: TestDriver) async throws {
            try await ProxySetup.with(driver) { app, setup, upstream in
                let response = try await Self.call(app, .post, "/v1/completions", token: setup.token, body: #"{"model":"my-private-finetune","prompt":"x"}"#)
                #expect(response.status == 200)
                #expect(response.headers[HTTPField.Name("X-Trough-Cost-Usd")!] == nil)
                let event = try #require(try await app.events(projectID: setup.projectID, tenantID: setup.owner.tenantID, count: 1).first)
                #expect(event.costSource == .unpriced)
                #expect(event.inputTokens == 10 && event.outputTokens == 5)
                // The project shows how many requests could not be priced.
                let project = try await setup.owner.send(.get, "/api/projects/\(setup.projectID)")
                let monthToDate = try #require(project.json["month_to_date"] as? [String: Any])
                #expect(monthToDate["unpriced_requests"] as? Int == 1)
                #expect(monthToDate["requests"] as? Int == 1)
                #expect(monthToDate["cost_usd"] as? String == "0.00")

                // A custom price for the tenant prices its next requests; other tenants are unaffected.
                let custom = try await setup.owner.send(.post, "/api/tenants/\(setup.owner.tenantID)/prices",
                                                        ["provider": "openai", "model": "my-private-finetune", "input_usd_per_mtok": "3.00", "output_usd_per_mtok": "12.00"])
                #expect(custom.status == 201, "\(custom.body)")
                let priced = try await ProxyTests.call(app, .post, "/v1/completions", token: setup.token, body: #"{"model":"my-private-finetune","prompt":"x"}"#)
                // 10 in × $3/M + 5 out × $12/M = $0.00009
                #expect(priced.headers[HTTPField.Name("X-Trough-Cost-Usd")!] == "0.00009")
                #expect(try await setup.owner.send(.get, "/api/tenants/\(setup.owner.tenantID)/prices").list("prices").count == 1)
                // A long-context tier (stored, listed, and used once the prompt is over its threshold: 10 > 9 tokens).
                let tiered = try await setup.owner.send(.post, "/api/tenants/\(setup.owner.tenantID)/prices", [
                    "provider": "openai", "model": "my-private-finetune", "input_usd_per_mtok": "3.00", "output_usd_per_mtok": "12.00",
                    "long_context": ["above_tokens": 9, "input_usd_per_mtok": "6.00", "output_usd_per_mtok": "24.00"],
                ])
                #expect(tiered.status == 201, "\(tiered.body)")
                let listed = try await setup.owner.send(.get, "/api/tenants/\(setup.owner.tenantID)/prices").list("prices")
                #expect(listed.count == 1 && (listed.first?["long_context"] as? [String: Any])?["above_tokens"] as? Int == 9)
                let long = try await ProxyTests.call(app, .post, "/v1/completions", token: setup.token, body: #"{"model":"my-private-finetune","prompt":"x"}"#)
                // 10 in × $6/M + 5 out × $24/M = $0.00018
                #expect(long.headers[HTTPField.Name("X-Trough-Cost-Usd")!] == "0.00018")
                let refused = try await setup.owner.send(.post, "/api/tenants/\(setup.owner.tenantID)/prices", [
                    "provider": "openai", "model": "x", "input_usd_per_mtok": "1.00", "long_context": ["above_tokens": 0, "input_usd_per_mtok": "2.00"],
                ])
                #expect(refused.status == 400, "\(refused.body)")
                let other = try await ProxySetup.make(app, upstream: upstream)
                let unpricedElsewhere = try await ProxyTests.call(app, .post, "/v1/completions", token: other.token, body: #"{"model":"my-private-finetune","prompt":"x"}"#)
                #expect(unpricedElsewhere.headers[HTTPField.Name("X-Trough-Cost-Usd")!] == nil)
            }
        }

        @Test("tokens and services: unknown or revoked tokens get 401, unknown services 404, all JSON", arguments: PostgresTestServer.drivers)
        func authentication(driver: TestDriver) async throws {
            try await ProxySetup.with(driver) { app, setup, upstream in
                let missing = try await Self.call(app, .post, "/v1/chat/completions", token: nil, body: "{}")
                #expect(missing.status == 401 && missing.body.contains(#""type":"unauthorized""#))
                let unknown = try await Self.call(app, .post, "/v1/chat/completions", token: "trough_pt_nope", body: "{}")
                #expect(unknown.status == 401)
                let noService = try await Self.call(app, .get, "/proxy/nothing/x", token: setup.token)
                #expect(noService.status == 404 && noService.body.contains(#""type":"not_found""#))

                // The token as the SDK's API key works when the service stores the provider key.
                let asKey = try await Self.call(app, .post, "/v1/chat/completions", token: nil, body: #"{"model":"gpt-4o"}"#,
                                                headers: [.authorization: "Bearer " + setup.token])
                #expect(asKey.status == 200)
                #expect(upstream.last?.headers[.authorization] == "Bearer sk-test-stored-key-1234")

                // Revoked: refused at once (this instance drops its cache on revoke).
                let tokenID = try #require(try await setup.owner.send(.get, "/api/projects/\(setup.projectID)/tokens").list("tokens").first?["id"] as? String)
                #expect(try await setup.owner.send(.delete, "/api/projects/\(setup.projectID)/tokens/\(tokenID)").status == 204)
                #expect(try await Self.call(app, .post, "/v1/chat/completions", token: setup.token, body: #"{"model":"gpt-4o"}"#).status == 401)
            }
        }

        @Test("a token revoked while a client keeps its connection open is refused on that connection's next request")
        func changesReachOpenConnections() async throws {
            try await ProxySetup.with(.sqlite) { app, setup, upstream in
                let connection = try await RawHTTP.Connection(port: try #require(app.client.port))
                let body = #"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}"#
                let request = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Project-Token: \(setup.token)\r\n"
                    + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
                for _ in 0..<2 { #expect(try await connection.send(request).contains(" 200 ")) }
                let tokenID = try #require(try await setup.owner.send(.get, "/api/projects/\(setup.projectID)/tokens").list("tokens").first?["id"] as? String)
                #expect(try await setup.owner.send(.delete, "/api/projects/\(setup.projectID)/tokens/\(tokenID)").status == 204)
                let refused = try await connection.send(request)
                #expect(refused.contains(" 401 ") && refused.contains(#""type":"unauthorized""#), "\(refused.prefix(120))")
                await connection.close()
            }
        }

        @Test("chunked uploads stream to the upstream (read whole first on the router's path); an upstream answering before the body ends leaves the connection working")
        func chunkedUploads() async throws {
            let onRouterPath = ProcessInfo.processInfo.environment["TROUGH_TEST_PROXY_PATH"] == "router"
            try await ProxySetup.with(.sqlite) { app, setup, upstream in
                try await setup.addService(app, name: "files", kind: "generic", baseURL: upstream.baseURL)
                let before = EventLoopProxy.exchangesStarted.load(ordering: .relaxed)
                let connection = try await RawHTTP.Connection(port: try #require(app.client.port))
                let head = { (method: String, path: String) in
                    "\(method) /proxy/files\(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Project-Token: \(setup.token)\r\nTransfer-Encoding: chunked\r\n\r\n"
                }
                let echoed = try await connection.send(head("PUT", "/echo/up") + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
                #expect(echoed.contains(" 201 ") && echoed.hasSuffix("\r\n\r\nhello world"), "\(echoed.prefix(120))")
                #expect(upstream.last?.body == "hello world")

                // The upstream answers once it has the head; the client sends the rest of the body later.
                try await connection.write(head("POST", "/early") + "5\r\nhello\r\n")
                let early = try await connection.answer(timeout: .seconds(onRouterPath ? 0.3 : 5))
                if onRouterPath {
                    #expect(early.isEmpty, "the router's path reads the whole body before it calls the upstream")
                    let refused = try await connection.send("6\r\n world\r\n0\r\n\r\n")
                    #expect(refused.contains(" 403 ") && refused.contains("forbidden"), "\(refused.prefix(120))")
                } else {
                    #expect(early.contains(" 403 ") && early.contains("forbidden"), "streamed: the answer comes before the body ends: \(early.prefix(120))")
                    try await connection.write("6\r\n world\r\n0\r\n\r\n")
                }
                let again = try await connection.send(head("PUT", "/echo/again") + "2\r\nok\r\n0\r\n\r\n")
                #expect(again.contains(" 201 ") && again.hasSuffix("\r\n\r\nok"), "\(again.prefix(120))")
                await connection.close()

                let taken = EventLoopProxy.exchangesStarted.load(ordering: .relaxed) - before
                #expect(onRouterPath ? taken == 0 : taken >= 3)
                let events = try await app.events(projectID: setup.projectID, tenantID: setup.owner.tenantID, count: 3)
                #expect(events.map(\.status).sorted() == [201, 201, 403])
                #expect(events.filter { $0.status == 201 }.map(\.bytesIn).sorted() == [2, 11])
            }
        }

        @Test("generic APIs: method, path, query, headers and bodies pass unchanged both ways", arguments: PostgresTestServer.drivers)
        func fidelity(driver: TestDriver) async throws {
            try await ProxySetup.with(driver) { app, setup, upstream in
                try await setup.addService(app, name: "files", kind: "generic", baseURL: upstream.baseURL)
                let payload = String(repeating: "0123456789abcdef", count: 40_000)
                let response = try await Self.call(app, .put, "/proxy/files/echo/a%20b/c?x=1&y=%2F", token: setup.token, body: payload,
                                                   headers: [.contentType: "application/octet-stream", HTTPField.Name("X-Custom")!: "kept", HTTPField.Name("Keep-Alive")!: "timeout=5", HTTPField.Name("X-Trough-Tags")!: "a=b"])
                #expect(response.status == 201)
                #expect(response.body == payload)
                #expect(response.headers[HTTPField.Name("X-Upstream-Custom")!] == "yes")
                let received = try #require(upstream.last)
                #expect(received.method == "PUT")
                #expect(received.path == "/echo/a%20b/c")
                #expect(received.query == "x=1&y=%2F")
                #expect(received.headers[HTTPField.Name("X-Custom")!] == "kept")
                #expect(received.headers[HTTPField.Name("Keep-Alive")!] == nil)
                #expect(received.headers[HTTPField.Name("X-Trough-Tags")!] == nil)
                #expect(received.body == payload)
                let event = try #require(try await app.events(projectID: setup.projectID, tenantID: setup.owner.tenantID, count: 1).first)
                #expect(event.costSource == CostSource.none)
                #expect(event.bytesIn == Int64(payload.utf8.count) && event.bytesOut == Int64(payload.utf8.count))
            }
        }

        @Test("upstream down → 502 and upstream too slow → 504, JSON errors, events recorded", arguments: PostgresTestServer.drivers)
        func upstreamFailures(driver: TestDriver) async throws {
            try await ProxySetup.with(driver, environment: ["TROUGH_UPSTREAM_READ_TIMEOUT_MS": "500"]) { app, setup, upstream in
                try await setup.addService(app, name: "down", kind: "generic", baseURL: "http://127.0.0.1:1")
                try await setup.addService(app, name: "slow", kind: "generic", baseURL: upstream.baseURL)
                let down = try await Self.call(app, .get, "/proxy/down/anything", token: setup.token)
                #expect(down.status == 502)
                #expect(down.body.contains(#""type":"upstream_unavailable""#))
                let slow = try await Self.call(app, .get, "/proxy/slow/slow", token: setup.token)
                #expect(slow.status == 504)
                #expect(slow.body.contains(#""type":"upstream_timeout""#))
                let events = try await app.events(projectID: setup.projectID, tenantID: setup.owner.tenantID, count: 2)
                #expect(Set(events.map(\.status)) == [502, 504])
                #expect(Set(events.compactMap(\.errorType)) == ["upstream_unavailable", "upstream_timeout"])
            }
        }

        @Test("request bodies over the limit get 413 before anything is forwarded", arguments: PostgresTestServer.drivers)
    func bodyLimit(driver: TestDriver) async throws {
        try await ProxySetup.with(driver, environment: ["TROUGH_MAX_REQUEST_BYTES": "2048"]) { app, setup, upstream in
            try await setup.addService(app, name: "files", kind: "generic", baseURL: upstream.baseURL)
            let before = upstream.received.withLock { $0.count }
            let big = String(repeating: "x", count: 4096)
            let json = try await Self.call(app, .post, "/v1/chat/completions", token: setup.token, body: #"{"model":"gpt-4o","messages":[{"role":"user","content":""# + big + #""}]}"#)
            #expect(json.status == 413)
            #expect(json.body.contains(#""type":"payload_too_large""#))
            let upload = try await Self.call(app, .put, "/proxy/files/echo/x", token: setup.token, body: big, headers: [.contentType: "application/octet-stream"])
            #expect(upload.status == 413)
            #expect(upstream.received.withLock { $0.count } == before)
            #expect(try await Self.call(app, .put, "/proxy/files/echo/x", token: setup.token, body: "small", headers: [.contentType: "application/octet-stream"]).status == 201)

            // Chunked bodies have no size up front: counted as they come (an upload, and JSON read to find the model).
            let chunk = "3e8\r\n" + String(repeating: "y", count: 1000) + "\r\n"
            for (method, path) in [("PUT", "/proxy/files/echo/chunked"), ("POST", "/v1/chat/completions")] {
                let request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Project-Token: \(setup.token)\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n" + String(repeating: chunk, count: 3) + "0\r\n\r\n"
                let (answer, _) = try await RawHTTP.exchange(port: try #require(app.client.port), request, wait: .seconds(2))
                #expect(answer.hasPrefix("HTTP/1.1 413") && answer.contains(#""type":"payload_too_large""#), "\(method) \(path): \(answer.prefix(120))")
            }
        }
    }

    @Test("provider keys: stored encrypted, shown as the last four characters, bound to their row")
        func providerKeys() async throws {
            try await ProxySetup.with(.sqlite) { app, setup, upstream in
                let shown = try await setup.owner.send(.get, "/api/services/\(setup.serviceID)")
                #expect(shown.string("api_key") == "…1234")
                #expect(!shown.body.contains("sk-test-stored-key"))
                let stored = try await app.database.sql.raw("SELECT ciphertext FROM provider_keys").all()
                let ciphertext = try #require(try stored.first?.decode(column: "ciphertext", as: String.self))
                #expect(!ciphertext.contains("sk-test") && !(Data(base64Encoded: ciphertext).map { String(decoding: $0, as: UTF8.self).contains("sk-test") } ?? true))

                // The ciphertext copied onto another service's row does not open there.
                try await setup.addService(app, name: "second", kind: "openai", baseURL: upstream.baseURL + "/v1", apiKey: "sk-other-key-9999")
                try await app.database.sql.update("provider_keys").set("ciphertext", to: ciphertext)
                    .where("last4", .equal, "9999").run()
                try await Task.sleep(for: .seconds(6))  // past the proxy's cache
                let response = try await Self.call(app, .post, "/proxy/second/chat/completions", token: setup.token, body: #"{"model":"gpt-4o"}"#)
                #expect(response.status == 500)
                #expect(upstream.last?.headers[.authorization] != "Bearer sk-test-stored-key-1234")
            }
        }

        @Test("base URLs on private networks are refused unless the operator allows them")
        func privateUpstreamsRefused() async throws {
            try await TestApp.with(.sqlite, environment: ["TROUGH_ALLOW_PRIVATE_UPSTREAMS": "false"]) { app in
                let owner = try await APIUser.signUp(app)
                let project = try await owner.send(.post, "/api/tenants/\(owner.tenantID)/projects", ["name": "P"]).string("id") ?? ""
                for url in ["http://127.0.0.1:8080", "http://10.0.0.5/v1", "http://169.254.169.254/latest/meta-data", "http://[::1]:80", "http://localhost:11434", "ftp://example.com", "http://user:pw@example.com", "http://192.168.1.1", "http://[::ffff:127.0.0.1]/"] {
                    let response = try await owner.send(.post, "/api/projects/\(project)/services", ["name": "x", "kind": "generic", "base_url": url])
                    #expect(response.status == 400, "\(url): \(response.body)")
                    #expect(response.errorType == "validation_failed")
                }
                #expect(try await owner.send(.get, "/api/projects/\(project)/services").list("services").isEmpty)
            }
        }
    }
}


extension ServerSuites {
    @Suite("Cost rules through the proxy")
    struct CostRuleProxyTests {
        @Test("a Twilio SMS priced per segment from the response, by the most specific rule", arguments: PostgresTestServer.drivers)
        func twilio(driver: TestDriver) async throws {
            try await ProxySetup.with(driver) { app, setup, upstream in
                try await setup.addService(app, name: "twilio", kind: "generic", baseURL: upstream.baseURL, apiKey: "twilio-auth-token")
                let services = try await setup.owner.send(.get, "/api/projects/\(setup.projectID)/services").list("services")
                let twilioID = try #require(services.first { $0["name"] as? String == "twilio" }?["id"] as? String)
                let sms = try await setup.owner.send(.post, "/api/services/\(twilioID)/rules", ["method": "POST", "path_pattern": "/2010-04-01/Accounts/*/Messages.json", "cost_usd": "0.0079", "unit_field": "num_segments"])
                #expect(sms.status == 201, "\(sms.body)")
                #expect(sms.string("cost_usd") == "0.0079")
                #expect(try await setup.owner.send(.post, "/api/services/\(twilioID)/rules", ["path_pattern": "/**", "cost_usd": "0"]).status == 201)
                #expect(try await setup.owner.send(.post, "/api/services/\(twilioID)/rules", ["path_pattern": "no-slash", "cost_usd": "1"]).status == 400)
                #expect(try await setup.owner.send(.post, "/api/services/\(twilioID)/rules", ["path_pattern": "/x", "cost_usd": "-1"]).status == 400)
                #expect(try await setup.owner.send(.get, "/api/services/\(twilioID)/rules").list("rules").count == 2)

                let sent = try await ProxyTests.call(app, .post, "/proxy/twilio/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json", token: setup.token,
                                                     body: "To=%2B15558675310&Body=Hello", headers: [.contentType: "application/x-www-form-urlencoded"])
                #expect(sent.status == 201)
                #expect(sent.headers[HTTPField.Name("X-Trough-Cost-Usd")!] == "0.0158")
                let listed = try await ProxyTests.call(app, .get, "/proxy/twilio/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json", token: setup.token)
                #expect(listed.status == 200)

                let events = try await app.events(projectID: setup.projectID, tenantID: setup.owner.tenantID, count: 2)
                let post = try #require(events.first { $0.method == "POST" })
                #expect(post.costSource == .rule && post.cost.nanos == 15_800_000 && post.units == 2)
                #expect(post.route == "/2010-04-01/Accounts/*/Messages.json")
                let get = try #require(events.first { $0.method == "GET" })
                #expect(get.costSource == .rule && get.cost.nanos == 0 && get.route == "/**")
            }
        }
    }
}

extension ServerSuites {
    @Suite("Streams and disconnects")
    struct StreamTests {
        @Test("the read timeout counts from the upstream's last byte: a stream that keeps sending outlives it, one that stalls is cut and recorded")
        func streamReadTimeout() async throws {
            try await ProxySetup.with(.sqlite, environment: ["TROUGH_UPSTREAM_READ_TIMEOUT_MS": "400"]) { app, setup, upstream in
                try await setup.addService(app, name: "slow", kind: "generic", baseURL: upstream.baseURL)
                func stream(_ path: String) async throws -> (status: UInt, body: String, duration: Duration) {
                    var request = HTTPClientRequest(url: "http://127.0.0.1:\(app.client.port ?? 0)/proxy/slow\(path)")
                    request.method = .POST
                    request.headers.add(name: "X-Project-Token", value: setup.token)
                    let started = ContinuousClock.now
                    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                    var body = ""
                    do {
                        for try await chunk in response.body { body += String(buffer: chunk) }
                    } catch {
                        // The proxy cut the stream: the client sees the connection end early.
                    }
                    return (response.status.code, body, ContinuousClock.now - started)
                }
                // 50 events 100 ms apart: 5 s in all, never 400 ms without a byte.
                let steady = try await stream("/slow-stream")
                #expect(steady.status == 200 && steady.body.contains(#"{"i":49}"#))
                // Two events, then silence: cut after the read timeout, long before the upstream's 5 s.
                let stalled = try await stream("/stalling-stream")
                #expect(stalled.status == 200 && stalled.body.contains(#"{"i":1}"#) && !stalled.body.contains("[DONE]"))
                #expect(stalled.duration < .seconds(3))
                let events = try await app.events(projectID: setup.projectID, tenantID: setup.owner.tenantID, count: 2)
                let errors = events.map { $0.errorType ?? "none" }
                #expect(errors.sorted() == ["none", "upstream_timeout"], "the steady stream ended normally, the stalled one timed out: \(errors)")
                #expect(events.allSatisfy { $0.streamed })
            }
        }

        @Test("an OpenAI stream the client stops before its usage came is estimated, not recorded as $0", arguments: PostgresTestServer.drivers)
        func cutStreamEstimated(driver: TestDriver) async throws {
            try await ProxySetup.with(driver) { app, setup, upstream in
                let body = #"{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"Write a long story about a lighthouse keeper and the sea."}]}"#
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(app.client.port ?? 0)/v1/chat/completions")
                request.method = .POST
                request.headers.add(name: "X-Project-Token", value: setup.token)
                request.headers.add(name: "Content-Type", value: "application/json")
                request.headers.add(name: "X-Mock-Slow", value: "1")
                request.body = .bytes(ByteBuffer(string: body))
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                #expect(response.status.code == 200)
                var received = ""
                for try await chunk in response.body {
                    received += String(buffer: chunk)
                    if received.components(separatedBy: "data: ").count > 11 { break }  // the user pressed stop
                }
                let event = try #require(try await app.events(projectID: setup.projectID, tenantID: setup.owner.tenantID, count: 1).first)
                if app.environment["TROUGH_PROXY_EVENT_LOOP"] == "false" {
                    // The router's path notices the client only at its next write: it read the upstream's whole stream,
                    // usage included (2,000 in + 500 out).
                    #expect(event.costSource == .usage && event.cost.nanos == 2_000 * 2_500 + 500 * 10_000)
                    return
                }
                #expect(event.errorType == "client_disconnected" && event.streamed)
                #expect(event.costSource == .estimate)
                // 11 pieces (the role chunk and ten words) as output tokens, a quarter of the body's bytes as input:
                // GPT-4o at $2.50 / $10 per M.
                let input = Int64(body.utf8.count / 4)
                #expect(event.inputTokens == input && event.outputTokens == 11)
                #expect(event.cost.nanos == input * 2_500 + 11 * 10_000)
            }
        }

        @Test("a client that hangs up mid-stream stops the upstream read, and what was seen is recorded", arguments: PostgresTestServer.drivers)
        func clientDisconnect(driver: TestDriver) async throws {
            try await ProxySetup.with(driver) { app, setup, upstream in
                try await setup.addService(app, name: "slow", kind: "generic", baseURL: upstream.baseURL)
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(app.client.port ?? 0)/proxy/slow/slow-stream")
                request.method = .POST
                request.headers.add(name: "X-Project-Token", value: setup.token)
                let started = ContinuousClock.now
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                #expect(response.status.code == 200)
                var received = 0
                for try await chunk in response.body {
                    received += chunk.readableBytes
                    if received >= 30 { break }  // hang up after the first events
                }
                let event = try #require(try await app.events(projectID: setup.projectID, tenantID: setup.owner.tenantID, count: 1).first)
                #expect(event.errorType == "client_disconnected")
                #expect(event.streamed)
                #expect(event.bytesOut < 50 * 12)
                // Recorded well before the upstream's 5-second stream would have ended.
                #expect(ContinuousClock.now - started < .seconds(4))
            }
        }
    }
}

extension ServerSuites {
    /// One recorded answer per provider kind, streamed and not, through a real service of that kind.
    @Suite("Every provider through the proxy")
    struct ProviderMatrixTests {
        struct Case: Sendable, CustomTestStringConvertible {
            let name: String
            let kind: String
            let basePath: String
            let path: String
            let body: String
            let input: Int64
            let output: Int64
            let cached: Int64
            let cost: Int64?
            let streamed: Bool
            /// Units priced apart from tokens (search units, pages).
            var units: Int64 = 0
            /// The model the event names, when the case checks it.
            var model: String?

            var testDescription: String { name }
        }

        static let cases: [Case] = [
            // 100 × $0.50/M + 50 × $1.50/M
            Case(name: "mistral", kind: "mistral", basePath: "/mistral/v1", path: "/chat/completions", body: #"{"model":"mistral-large-latest","messages":[]}"#, input: 100, output: 50, cached: 0, cost: 125_000, streamed: false),
            Case(name: "mistral streamed", kind: "mistral", basePath: "/mistral/v1", path: "/chat/completions", body: #"{"model":"mistral-large-latest","stream":true,"messages":[]}"#, input: 100, output: 50, cached: 0, cost: 125_000, streamed: true),
            // 120 × $2.50/M + 30 × $10/M (billed units)
            Case(name: "cohere", kind: "cohere", basePath: "/cohere", path: "/v2/chat", body: #"{"model":"command-r-plus-08-2024","messages":[]}"#, input: 120, output: 30, cached: 0, cost: 600_000, streamed: false),
            Case(name: "cohere streamed", kind: "cohere", basePath: "/cohere", path: "/v2/chat", body: #"{"model":"command-r-plus-08-2024","stream":true,"messages":[]}"#, input: 120, output: 30, cached: 0, cost: 600_000, streamed: true),
            // Rerank: 2 search units × $0.002
            Case(name: "cohere rerank", kind: "cohere", basePath: "/cohere", path: "/v2/rerank", body: #"{"model":"rerank-v3.5","query":"q","documents":["a","b"]}"#, input: 0, output: 0, cached: 0, cost: 4_000_000, streamed: false, units: 2),
            // Embed of an image: 1 image × $0.0001
            Case(name: "cohere embed image", kind: "cohere", basePath: "/cohere", path: "/v2/embed", body: #"{"model":"embed-english-v3.0","input_type":"image","embedding_types":["float"],"images":["data:image/png;base64,iVBORw0KGgo="]}"#, input: 0, output: 0, cached: 0, cost: 100_000, streamed: false, units: 1),
            // OCR: 3 pages × $0.002 (mistral-ocr-2512, the model the answer names)
            Case(name: "mistral ocr", kind: "mistral", basePath: "/mistral/v1", path: "/ocr", body: #"{"model":"mistral-ocr-latest","document":{"type":"document_url","document_url":"https://example.com/a.pdf"}}"#, input: 0, output: 0, cached: 0, cost: 6_000_000, streamed: false, units: 3),
            // OCR with a document annotation: 3 pages × $0.002 + 3 annotated pages × $0.003
            Case(name: "mistral ocr annotated", kind: "mistral", basePath: "/mistral/v1", path: "/ocr", body: #"{"model":"mistral-ocr-latest","document":{"type":"document_url","document_url":"https://example.com/a.pdf"},"document_annotation_format":{"type":"json_schema","json_schema":{"name":"invoice","schema":{"type":"object","properties":{"total":{"type":"string"}}}}}}"#, input: 0, output: 0, cached: 0, cost: 15_000_000, streamed: false, units: 3),
            // 600 × $0.30/M + 400 cached × $0.03/M + 500 × $2.50/M
            Case(name: "gemini streamed", kind: "gemini", basePath: "", path: "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", body: #"{"contents":[]}"#, input: 600, output: 500, cached: 400, cost: 1_442_000, streamed: true),
            // A fine-tuned gpt-4o-mini at its fine-tune rates: 176 × $0.30/M + 1,024 cached × $0.15/M + 300 × $1.20/M
            Case(name: "openai fine-tune", kind: "openai", basePath: "", path: "/v1/chat/completions", body: #"{"model":"ft:gpt-4o-mini-2024-07-18:acme:support-bot:9AbC12de","messages":[]}"#, input: 176, output: 300, cached: 1_024, cost: 566_400, streamed: false),
            // GPT-5.6 cache writes (part of the prompt): 56 × $4/M + 1,024 cached × $0.40/M + 120 written × $5/M + 300 × $20/M
            Case(name: "openai cache writes", kind: "openai", basePath: "", path: "/v1/chat/completions", body: #"{"model":"gpt-5.6","messages":[]}"#, input: 56, output: 300, cached: 1_024, cost: 7_233_600, streamed: false),
            // Claude Sonnet 4.6 with a compaction ($3 / $15: 23,000 + 1,000 out, then the compaction's 180,000 + 3,500) and an
            // Opus 4.8 advisor ($5 / $25, reads $0.50: 12,000 + 2,000 read + 1,500 out) = $0.084 + $0.5925 + $0.0985
            Case(name: "anthropic compaction and advisor", kind: "anthropic", basePath: "", path: "/v1/messages", body: #"{"model":"claude-sonnet-4-6","max_tokens":64,"context_management":{"edits":[{"type":"compact_20260112"}]},"tools":[{"type":"advisor_20260301","name":"advisor","model":"claude-opus-4-8"}],"messages":[]}"#, input: 215_000, output: 6_000, cached: 2_000, cost: 775_000_000, streamed: false, model: "claude-sonnet-4-6"),
            Case(name: "anthropic compaction streamed", kind: "anthropic", basePath: "", path: "/v1/messages", body: #"{"model":"claude-sonnet-4-6","max_tokens":64,"stream":true,"context_management":{"edits":[{"type":"compact_20260112"}]},"messages":[]}"#, input: 203_000, output: 4_500, cached: 0, cost: 676_500_000, streamed: true),
            // US-only inference on Opus 4.6: 2,095 × $5.50/M + 503 × $27.50/M (1.1x the standard $5 / $25)
            Case(name: "anthropic us-only inference", kind: "anthropic", basePath: "", path: "/v1/messages", body: #"{"model":"claude-opus-4-6","max_tokens":64,"inference_geo":"us","messages":[]}"#, input: 2_095, output: 503, cached: 0, cost: 25_355_000, streamed: false),
            // The Responses API's image generation tool, whose tokens come in tool_usage.image_gen: GPT-5 (1,000 in, 500 cached,
            // 400 out: $0.0053125) and gpt-image-2 ($5 text in, $30 image out: 300 + 4,000 = $0.1215)
            Case(name: "openai responses image generation", kind: "openai", basePath: "", path: "/v1/responses", body: #"{"model":"gpt-5","input":"Draw a cat","tools":[{"type":"image_generation","model":"gpt-image-2"}]}"#, input: 1_300, output: 4_400, cached: 500, cost: 126_812_500, streamed: false, model: "gpt-5-2025-08-07"),
            Case(name: "openai responses image generation streamed", kind: "openai", basePath: "", path: "/v1/responses", body: #"{"model":"gpt-5","input":"Draw a cat","stream":true,"tools":[{"type":"image_generation","model":"gpt-image-2"}]}"#, input: 1_300, output: 4_400, cached: 500, cost: 126_812_500, streamed: true),
            // The Responses API's file search tool: GPT-5's tokens ($0.0053125) + 2 file_search_call × $0.0025
            Case(name: "openai responses file search", kind: "openai", basePath: "", path: "/v1/responses", body: #"{"model":"gpt-5","input":"Refund policy?","tools":[{"type":"file_search","vector_store_ids":["vs_1"]}]}"#, input: 1_000, output: 400, cached: 500, cost: 10_312_500, streamed: false),
            Case(name: "openai responses file search streamed", kind: "openai", basePath: "", path: "/v1/responses", body: #"{"model":"gpt-5","input":"Refund policy?","stream":true,"tools":[{"type":"file_search","vector_store_ids":["vs_1"]}]}"#, input: 1_000, output: 400, cached: 500, cost: 10_312_500, streamed: true),
            // Groq as openai_compatible: 24 × $0.59/M + 377 × $0.79/M
            Case(name: "groq streamed", kind: "openai_compatible", basePath: "/groq/openai/v1", path: "/chat/completions", body: #"{"model":"llama-3.3-70b-versatile","stream":true,"messages":[]}"#, input: 24, output: 377, cached: 0, cost: 311_990, streamed: true),
            // Ollama's own API: counted, but a local model has no price.
            Case(name: "ollama native", kind: "openai_compatible", basePath: "", path: "/api/chat", body: #"{"model":"llama3.2","messages":[]}"#, input: 26, output: 290, cached: 0, cost: nil, streamed: false),
        ]

        @Test("usage is read and priced exactly", arguments: cases)
        func provider(_ testCase: Case) async throws {
            try await ProxySetup.with(.sqlite) { app, setup, upstream in
                try await setup.addService(app, name: "svc", kind: testCase.kind, baseURL: upstream.baseURL + testCase.basePath, apiKey: "stored-key-0000")
                let response = try await ProxyTests.call(app, .post, "/proxy/svc" + testCase.path, token: setup.token, body: testCase.body)
                #expect(response.status == 200, "\(response.body)")
                let event = try #require(try await app.events(projectID: setup.projectID, tenantID: setup.owner.tenantID, count: 1).first)
                #expect(event.inputTokens == testCase.input)
                #expect(event.outputTokens == testCase.output)
                #expect(event.cachedInputTokens == testCase.cached)
                #expect(event.streamed == testCase.streamed)
                #expect(event.units == testCase.units)
                if let model = testCase.model { #expect(event.model == model) }
                if let cost = testCase.cost {
                    #expect(event.cost.nanos == cost)
                    #expect(event.costSource == .usage)
                } else {
                    #expect(event.costSource == .unpriced)
                }
            }
        }

        @Test("budgets reserve a request asking for US-only inference at 1.1x the rates, from what the proxy reads of its body")
        func usOnlyReservation() throws {
            let opus = try #require(try PriceTable.builtIn().price(provider: "anthropic", model: "claude-opus-4-6", at: .now()))
            func reserved(_ body: String) -> Int64 {
                let bytes = Array(body.utf8)
                let inspection = RequestInspector.inspect(body: bytes, path: "/v1/messages", kind: .anthropic, injectStreamUsage: false)
                return ProxyLimits.worstCase(rule: nil, price: opus, bodyBytes: Int64(bytes.count), inspection: inspection).nanos
            }
            let standard = #"{"model":"claude-opus-4-6","max_tokens":100,"inference_geo":"global","messages":[]}"#
            let us = #"{"model":"claude-opus-4-6","max_tokens":100,"inference_geo":"us",    "messages":[]}"#
            #expect(standard.utf8.count == us.utf8.count)
            // (bytes + 1) / 2 input tokens at the dearest input rate (1-hour writes: $10, US $11) + 100 out ($25, US $27.50).
            let input = Int64((standard.utf8.count + 1) / 2)
            #expect(reserved(standard) == input * 10_000 + 100 * 25_000)
            #expect(reserved(us) == input * 11_000 + 100 * 27_500)
        }

        @Test("token counting endpoints are free: recorded at $0 with no usage, never as unpriced requests")
        func tokenCounting() async throws {
            try await ProxySetup.with(.sqlite) { app, setup, upstream in
                try await setup.addService(app, name: "claude", kind: "anthropic", baseURL: upstream.baseURL, apiKey: "stored-key-0000")
                try await setup.addService(app, name: "oai", kind: "openai", baseURL: upstream.baseURL + "/v1", apiKey: "stored-key-0000")
                try await setup.addService(app, name: "gem", kind: "gemini", baseURL: upstream.baseURL, apiKey: "stored-key-0000")
                let calls = [
                    ("/proxy/claude/v1/messages/count_tokens", #"{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"Hi"}]}"#),
                    ("/proxy/oai/responses/input_tokens", #"{"model":"gpt-5","input":"Hi"}"#),
                    ("/proxy/gem/v1beta/models/gemini-2.5-flash:countTokens", #"{"contents":[{"parts":[{"text":"Hi"}]}]}"#),
                ]
                for (path, body) in calls {
                    let response = try await ProxyTests.call(app, .post, path, token: setup.token, body: body)
                    #expect(response.status == 200, "\(path): \(response.body)")
                    // No cost to state: no cost header (it is sent for usage- or rule-priced answers only).
                    #expect(response.headers[HTTPField.Name("X-Trough-Cost-Usd")!] == nil, "\(path)")
                }
                let events = try await app.events(projectID: setup.projectID, tenantID: setup.owner.tenantID, count: calls.count)
                #expect(events.count == calls.count)
                for event in events {
                    #expect(event.costSource == CostSource.none, "\(event.route)")
                    #expect(event.cost.nanos == 0 && event.inputTokens == 0 && event.outputTokens == 0, "\(event.route)")
                }
            }
        }

        @Test("a tenant's own rerank and OCR models, priced per search unit, per page and per annotated page through the price API")
        func unitPricesOfTenant() async throws {
            try await ProxySetup.with(.sqlite) { app, setup, upstream in
                try await setup.addService(app, name: "co", kind: "cohere", baseURL: upstream.baseURL + "/cohere", apiKey: "stored-key-0000")
                try await setup.addService(app, name: "mi", kind: "mistral", baseURL: upstream.baseURL + "/mistral/v1", apiKey: "stored-key-0000")
                let rerankBody = #"{"model":"my-rerank","query":"q","documents":["a"]}"#
                let unpriced = try await ProxyTests.call(app, .post, "/proxy/co/v2/rerank", token: setup.token, body: rerankBody)
                #expect(unpriced.status == 200 && unpriced.headers[HTTPField.Name("X-Trough-Cost-Usd")!] == nil)
                let prices = "/api/tenants/\(setup.owner.tenantID)/prices"
                let rerank = try await setup.owner.send(.post, prices, ["provider": "cohere", "model": "my-rerank", "per_search_unit_usd": "0.0015"])
                #expect(rerank.status == 201 && rerank.json["per_search_unit_usd"] as? String == "0.0015", "\(rerank.body)")
                // 2 search units × $0.0015
                let priced = try await ProxyTests.call(app, .post, "/proxy/co/v2/rerank", token: setup.token, body: rerankBody)
                #expect(priced.headers[HTTPField.Name("X-Trough-Cost-Usd")!] == "0.003")
                // The tenant's own price for the OCR model the answer names wins over the built-in one: 3 pages × $0.0012,
                // and with a document annotation 3 annotated pages × $0.002 more.
                let ocr = try await setup.owner.send(.post, prices, ["provider": "mistral", "model": "mistral-ocr-2512", "per_page_usd": "0.0012", "per_annotated_page_usd": "0.002"])
                #expect(ocr.status == 201 && ocr.json["per_annotated_page_usd"] as? String == "0.002", "\(ocr.body)")
                let pages = try await ProxyTests.call(app, .post, "/proxy/mi/ocr", token: setup.token, body: #"{"model":"mistral-ocr-latest","document":{"type":"document_url","document_url":"https://example.com/a.pdf"}}"#)
                #expect(pages.headers[HTTPField.Name("X-Trough-Cost-Usd")!] == "0.0036")
                let annotated = try await ProxyTests.call(app, .post, "/proxy/mi/ocr", token: setup.token, body: #"{"model":"mistral-ocr-latest","document":{"type":"document_url","document_url":"https://example.com/a.pdf"},"document_annotation_format":{"type":"json_schema"}}"#)
                #expect(annotated.headers[HTTPField.Name("X-Trough-Cost-Usd")!] == "0.0096")
                let listed = try await setup.owner.send(.get, prices).list("prices")
                #expect(listed.contains { $0["per_page_usd"] as? String == "0.0012" && $0["per_annotated_page_usd"] as? String == "0.002" })
                // A tenant's file search fee, as the API documents it, stored and listed.
                let searching = try await setup.owner.send(.post, prices, ["provider": "openai", "model": "my-gpt", "input_usd_per_mtok": "1.00", "output_usd_per_mtok": "4.00", "per_file_search_usd": "0.003"])
                #expect(searching.status == 201 && searching.json["per_file_search_usd"] as? String == "0.003", "\(searching.body)")
                #expect(try await setup.owner.send(.get, prices).list("prices").contains { $0["per_file_search_usd"] as? String == "0.003" })
                let events = try await app.events(projectID: setup.projectID, tenantID: setup.owner.tenantID, count: 4)
                #expect(events.map(\.costSource).sorted { $0.rawValue < $1.rawValue } == [.unpriced, .usage, .usage, .usage])
                #expect(events.map(\.units).sorted() == [0, 2, 3, 3])  // an unpriced answer bills no units
            }
        }
    }
}

/// A table lock a test holds on its own connection, and what a request did while it was held.
private final class TableLock: Sendable {
    struct State {
        var held = false
        var status: Int?
        var answeredWhileHeld = false
    }
    let state = Mutex(State())
}
