import Foundation
import Testing
import TroughTestSupport

/// Trough's pages in a real browser: headless Chromium driven by Selenium (`Tests/BrowserCheck/check_pages.py`).
/// Needs `TROUGH_TEST_PYTHON` with selenium and Debian's chromium and chromium-driver (ops/test.sh installs them). Required in CI.

extension ServerSuites {
    @Suite("Pages in a browser")
    struct BrowserTests {
        @Test("sign up, account, project and token, logout, login", .enabled(if: SDKCompatibilityTests.enabled))
        func signUpAndLogin() async throws {
            let python = try #require(SDKCompatibilityTests.python, "TROUGH_TEST_PYTHON is not set; run the tests with ops/test.sh")
            let screenshots = TestDatabase.repositoryRoot.appendingPathComponent(".build/test-artifacts/browser")
            try? FileManager.default.removeItem(at: screenshots)
            try await TestApp.with(.sqlite) { app in
                let process = Process()
                process.executableURL = URL(fileURLWithPath: python)
                process.arguments = [TestDatabase.repositoryRoot.appendingPathComponent("Tests/BrowserCheck/check_pages.py").path, "http://127.0.0.1:\(app.client.port ?? 0)", screenshots.path]
                let output = Pipe()
                process.standardOutput = output
                process.standardError = output
                try process.run()
                let data = try await Task.detached { output.fileHandleForReading.readDataToEndOfFile() }.value
                process.waitUntilExit()
                let text = String(decoding: data, as: UTF8.self)
                #expect(process.terminationStatus == 0, "\(text)")
                #expect(text.contains("browser check passed"), "\(text)")
            }
        }
    }
}
