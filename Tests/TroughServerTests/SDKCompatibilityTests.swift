import Foundation
import Testing
import TroughCore
import TroughTestSupport

extension ServerSuites {
    /// The official OpenAI, Anthropic and Google Gemini Python SDKs against Trough (`Tests/SDKCheck`).
    @Suite("Official SDKs")
    struct SDKCompatibilityTests {
        @Test("openai and anthropic SDKs, streamed and not, with base_url swapped", .enabled(if: PythonCheck.enabled))
        func sdks() async throws {
            try await ProxySetup.with(.sqlite) { app, setup, upstream in
                try await setup.addService(app, name: "claude", kind: "anthropic", baseURL: upstream.baseURL)
                let capped = try #require(try await setup.owner.send(.post, "/api/projects/\(setup.projectID)/tokens", ["name": "capped", "monthly_budget_usd": "0.001", "budget_hard_cap": true]).string("token"))
                let (status, output) = try await PythonCheck.run("SDKCheck/check_sdks.py", arguments: ["http://127.0.0.1:\(app.client.port ?? 0)", setup.token, capped])
                #expect(status == 0, "\(output)")
                #expect(output.contains("SDK check passed"), "\(output)")

                // Every SDK call was recorded and priced.
                let events = try await app.events(projectID: setup.projectID, tenantID: setup.owner.tenantID, count: 14)
                #expect(events.count == 14)  // the call with an unknown token belongs to no project
                // The Responses API, not streamed, streamed, and through the SDK's stream helper: each $0.0053125.
                #expect(events.filter { $0.route == "/responses" }.map(\.cost.nanos) == [5_312_500, 5_312_500, 5_312_500])
                #expect(events.filter { $0.route == "/responses" }.map(\.streamed) == [false, true, true])
                #expect(events.filter { $0.serviceTier == "priority" }.map(\.cost.nanos) == [6_696_000])
                #expect(events.filter { $0.serviceTier == "fast_mode" }.map(\.cost.nanos) == [36_880_000])
                // The Message Batch: `results()` retrieves it again and fetches its results through Trough, billed once at
                // the batch rates ($0.01725); reading the batch itself is not billed.
                #expect(events.filter { $0.route.hasPrefix("/v1/messages/batches") }.map(\.cost.nanos) == [0, 0, 17_250_000])
                #expect(events.filter { $0.status == 200 && !$0.route.hasPrefix("/v1/messages/batches/{id}") }.allSatisfy { $0.costSource == .usage })
            }
        }

        @Test("google-genai SDK: content, a batch job's inlined results and a batch's results file, billed once at the batch rates", .enabled(if: PythonCheck.enabled))
        func geminiSDK() async throws {
            try await ProxySetup.with(.sqlite) { app, setup, upstream in
                try await setup.addService(app, name: "gemini", kind: "gemini", baseURL: upstream.baseURL, apiKey: "AIza-stored-key-abcd")
                let (status, output) = try await PythonCheck.run("SDKCheck/check_gemini_sdk.py", arguments: ["http://127.0.0.1:\(app.client.port ?? 0)", setup.token])
                #expect(status == 0, "\(output)")
                #expect(output.contains("Gemini SDK check passed"), "\(output)")
                let events = try await app.events(projectID: setup.projectID, tenantID: setup.owner.tenantID, count: 4)
                #expect(events.count == 4 && events.allSatisfy { $0.status == 200 }, "\(events.map { ($0.method, $0.route, $0.status) })")
                #expect(events.first?.costSource == .usage && (events.first?.cost.nanos ?? 0) > 0, "generate_content priced")
                // The batch job ($0.00161 at the batch rates) billed by its first poll, not its second; the results file
                // (Gemini 2.5 Pro, $0.1975) by its download.
                #expect(events.dropFirst().map(\.cost.nanos) == [1_610_000, 0, 197_500_000])
                #expect(events.dropFirst().map(\.serviceTier) == ["batch", nil, "batch"])
            }
        }
    }
}
