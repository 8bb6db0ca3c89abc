import ArgumentParser
import Hummingbird
import TroughServer

/// `trough serve`: runs the HTTP server until SIGTERM or SIGINT, then drains in-flight requests and exits 0.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the server (TROUGH_HOST:TROUGH_PORT, default 127.0.0.1:8790).")

    @OptionGroup var common: CommonOptions

    @Flag(help: "Apply pending PostgreSQL migrations before serving (SQLite always applies them).")
    var migrate = false

    func run() async throws {
        let (configuration, logger) = try common.load()
        try await reportingStartupErrors {
            let app = try await buildApplication(configuration: configuration, options: ServeOptions(migrate: migrate), logger: logger)
            try await app.runService()
        }
    }
}
