import ArgumentParser
import Foundation
import Logging
import TroughServer

/// The `trough` command: serve, migrate, and (later) admin.
@main
struct Trough: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trough",
        abstract: "Trough: an API cost monitor that proxies, prices and records every request.",
        subcommands: [Serve.self, Migrate.self, Admin.self],
        defaultSubcommand: Serve.self
    )
}

/// Flags every command shares.
struct CommonOptions: ParsableArguments {
    @Option(help: "Log level (trace, debug, info, notice, warning, error, critical); overrides TROUGH_LOG_LEVEL.")
    var logLevel: String?

    /// Reads the configuration and sets up logging; a bad setting exits 2 with one line naming it.
    func load() throws -> (TroughConfiguration, Logger) {
        var environment = ProcessInfo.processInfo.environment
        if let logLevel { environment["TROUGH_LOG_LEVEL"] = logLevel }
        let configuration: TroughConfiguration
        do {
            configuration = try TroughConfiguration.fromEnvironment(environment)
        } catch {
            Self.fail(error.description)
        }
        let level = configuration.logLevel
        LoggingSystem.bootstrap { label in TextLogHandler(label: label, level: level) }
        var logger = Logger(label: "trough")
        logger.logLevel = level
        return (configuration, logger)
    }

    /// Prints `trough: message` to standard error and exits with code 2.
    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("trough: \(message)\n".utf8))
        Foundation.exit(2)
    }
}

/// Runs `body`, turning start-up errors into one line on standard error and a non-zero exit.
func reportingStartupErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ConfigurationError {
        CommonOptions.fail(error.description)
    } catch let error as StartupError {
        FileHandle.standardError.write(Data("trough: \(error.description)\n".utf8))
        throw ExitCode(1)
    } catch let error as ExitCode {
        throw error
    } catch {
        FileHandle.standardError.write(Data("trough: \(error)\n".utf8))
        throw ExitCode(1)
    }
}
