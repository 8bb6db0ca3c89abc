import Foundation

/// A `trough` process started by a test: the real executable, on a free loopback port,
/// with its own data folder; stopped by its pid when the test ends.
public final class ServerProcess: @unchecked Sendable {
    public let process: Process
    public let logFile: URL
    /// `http://127.0.0.1:PORT` once started.
    public private(set) var baseURL: String = ""

    /// The built `trough` executable (`swift build` puts it beside the test bundle).
    public static var executable: URL {
        TestDatabase.repositoryRoot.appendingPathComponent(".build/debug/trough")
    }

    /// Starts `trough` with `arguments` and `environment` (added to a minimal one), and waits
    /// up to `timeout` seconds for it to listen, unless `waitForListening` is false.
    public init(arguments: [String] = ["serve"], environment: [String: String], directory: URL) throws {
        process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "TROUGH_PORT": "0"]
        env.merge(environment) { _, new in new }
        process.environment = env
        logFile = directory.appendingPathComponent("trough-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let handle = try FileHandle(forWritingTo: logFile)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    /// Waits until the log says where the server listens.
    public func waitUntilListening(timeout: Double = 30) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let line = log.split(separator: "\n").first(where: { $0.contains("listening on ") }),
               let address = line.components(separatedBy: "listening on ").last {
                baseURL = "http://" + address.trimmingCharacters(in: .whitespaces)
                return
            }
            guard process.isRunning else {
                throw TestSetupError(description: "trough exited with \(process.terminationStatus) before listening:\n\(log)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestSetupError(description: "trough did not listen within \(timeout) s:\n\(log)")
    }

    /// Everything the process wrote so far.
    public var log: String {
        (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    }

    /// Waits for the process to exit (at most `timeout` seconds) and returns its exit code.
    public func waitForExit(timeout: Double = 30) async throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            guard Date() < deadline else {
                throw TestSetupError(description: "trough did not exit within \(timeout) s")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }

    /// Sends a signal to this process only.
    public func signal(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Stops the process if it still runs.
    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit {
        stop()
    }
}
