import Foundation
import Testing
import TroughCore
import TroughTestSupport

/// The official OpenAI and Anthropic Python SDKs against Trough (`Tests/SDKCheck/check_sdks.py`), with the
/// Python from `TROUGH_TEST_PYTHON` (ops/test.sh makes a venv with both SDKs). Required in CI.

extension ServerSuites {
    @Suite("Official SDKs")
    struct SDKCompatibilityTests {
        static var python: String? {
            ProcessInfo.processInfo.environment["TROUGH_TEST_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
        }

        static var enabled: Bool { python != nil || ProcessInfo.processInfo.environment["CI"] == "true" }

        @Test("openai and anthropic SDKs, streamed and not, with base_url swapped", .enabled(if: enabled))
        func sdks() async throws {
            let python = try #require(Self.python, "TROUGH_TEST_PYTHON is not set; run the tests with ops/test.sh")
            let upstream = try await MockUpstream.start()
            try await TestApp.with(.sqlite) { app in
                let setup = try await ProxySetup.make(app, upstream: upstream)
                try await setup.addService(app, name: "claude", kind: "anthropic", baseURL: upstream.baseURL)
                let process = Process()
                process.executableURL = URL(fileURLWithPath: python)
                process.arguments = [TestDatabase.repositoryRoot.appendingPathComponent("Tests/SDKCheck/check_sdks.py").path, "http://127.0.0.1:\(app.client.port ?? 0)", setup.token]
                let output = Pipe()
                process.standardOutput = output
                process.standardError = output
                try process.run()
                let data = try await Task.detached { output.fileHandleForReading.readDataToEndOfFile() }.value
                process.waitUntilExit()
                let text = String(decoding: data, as: UTF8.self)
                #expect(process.terminationStatus == 0, "\(text)")
                #expect(text.contains("SDK check passed"), "\(text)")

                // Every SDK call was recorded and priced.
                let events = try await app.events(projectID: setup.projectID, tenantID: setup.owner.tenantID, count: 6)
                #expect(events.count == 6)  // the call with an unknown token belongs to no project
                #expect(events.filter { $0.status == 200 }.allSatisfy { $0.costSource == .usage })
            }
            await upstream.stop()
        }
    }
}
