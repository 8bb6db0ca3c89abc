import Foundation
import Testing
import TroughTestSupport

/// Runs one of the Python checks in `Tests/` with the test virtualenv's Python (`TROUGH_TEST_PYTHON`).
enum PythonCheck {
    static var python: String? {
        ProcessInfo.processInfo.environment["TROUGH_TEST_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether the checks run: when a Python is configured, and always in CI (where a missing one fails).
    static var enabled: Bool { python != nil || ProcessInfo.processInfo.environment["CI"] == "true" }

    /// Runs `Tests/<script>` with `arguments`; returns its exit status and everything it printed.
    static func run(_ script: String, arguments: [String]) async throws -> (status: Int32, output: String) {
        let python = try #require(Self.python, "TROUGH_TEST_PYTHON is not set; run the tests with ops/test.sh")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [TestDatabase.repositoryRoot.appendingPathComponent("Tests").appendingPathComponent(script).path] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = try await Task.detached { output.fileHandleForReading.readDataToEndOfFile() }.value
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
