import Foundation
import Testing
import TroughTestSupport

extension ServerSuites {
    /// Trough's pages in a real browser: headless Chromium (Debian's chromium and chromium-driver) driven by
    /// Selenium (`Tests/BrowserCheck/check_pages.py`).
    @Suite("Pages in a browser")
    struct BrowserTests {
        @Test("sign up, account, project and token, logout, login", .enabled(if: PythonCheck.enabled))
        func signUpAndLogin() async throws {
            let screenshots = TestDatabase.repositoryRoot.appendingPathComponent(".build/test-artifacts/browser")
            try? FileManager.default.removeItem(at: screenshots)
            try await TestApp.with(.sqlite) { app in
                let (status, output) = try await PythonCheck.run("BrowserCheck/check_pages.py", arguments: ["http://127.0.0.1:\(app.client.port ?? 0)", screenshots.path])
                #expect(status == 0, "\(output)")
                #expect(output.contains("browser check passed"), "\(output)")
            }
        }
    }
}
