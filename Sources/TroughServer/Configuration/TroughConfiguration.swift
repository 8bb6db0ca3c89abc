import Foundation
import Logging
import TroughCore
import TroughStore

/// Every setting Trough reads, parsed from the environment in one place. README lists each with its default.
public struct TroughConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var database: DatabaseLocation
    /// Folder for the generated master key (SQLite default) and, later, the event spool.
    public var dataDirectory: String
    /// `TROUGH_MASTER_KEY` as given; nil means "generate one into the data dir" (SQLite only).
    public var masterKeyBase64: String?
    public var logLevel: Logger.Level
    /// The URL users reach Trough at; `https` makes session cookies `Secure`.
    public var publicURL: URL
    /// Operator key for operator-only endpoints, if set.
    public var adminKey: String?
    /// Overrides where migrations are read from.
    public var migrationsDirectory: String?
    /// Database connections per event loop (one event loop per core).
    public var databasePoolSize: Int
    /// The folder of static pages served at `/`.
    public var webDirectory: String
    /// How the proxy behaves.
    public var proxy: ProxySettings
    /// How request quotas and budgets are leased from the database.
    var limits: LimitGate.Settings = LimitGate.Settings()
    /// How often leases are reported and renewed (`TROUGH_LIMIT_SYNC_SECONDS`).
    public var limitSyncSeconds: Int64 = 10
    /// How often the event writer stores what the proxy queued (smaller: shorter bursts of work, more transactions).
    public var eventFlushMilliseconds: Int64 = 50
    /// How long a tenant's plan is cached (`TROUGH_PLAN_CACHE_SECONDS`): plan changes reach running instances within it.
    public var planCacheSeconds: Int64 = 30
    /// The clock limits count months by; tests move it.
    public var clock = TroughClock()

    /// Reads the settings from `environment`; a missing or malformed one throws naming the variable.
    public static func fromEnvironment(_ environment: [String: String]) throws(ConfigurationError) -> TroughConfiguration {
        let reader = EnvironmentReader(environment)
        let databaseURL = reader.string("TROUGH_DATABASE_URL") ?? DatabaseLocation.defaultURL
        guard let database = DatabaseLocation(url: databaseURL) else {
            throw ConfigurationError(variable: "TROUGH_DATABASE_URL", expected: "sqlite://PATH or postgres://user:pass@host:port/db")
        }
        let defaultDataDirectory: String = switch database {
        case .sqlite(let path): URL(fileURLWithPath: path).deletingLastPathComponent().path
        case .postgres: "./trough-data"
        }
        let masterKey = reader.string("TROUGH_MASTER_KEY")
        if let masterKey, MasterKey(base64: masterKey) == nil {
            throw ConfigurationError(variable: "TROUGH_MASTER_KEY", expected: "base64 of exactly 32 random bytes (e.g. `openssl rand -base64 32`)")
        }
        if masterKey == nil, case .postgres = database {
            throw ConfigurationError(variable: "TROUGH_MASTER_KEY", expected: "required with PostgreSQL: base64 of exactly 32 random bytes (e.g. `openssl rand -base64 32`)")
        }
        let publicURLText = reader.string("TROUGH_PUBLIC_URL")
        let host = reader.string("TROUGH_HOST") ?? "127.0.0.1"
        let port = try reader.integer("TROUGH_PORT", default: 8790, in: 0...65535)
        let publicURL: URL
        if let publicURLText {
            guard let url = URL(string: publicURLText), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw ConfigurationError(variable: "TROUGH_PUBLIC_URL", expected: "an http:// or https:// URL")
            }
            publicURL = url
        } else {
            publicURL = URL(string: "http://\(host):\(port)")!
        }
        let adminKey = reader.string("TROUGH_ADMIN_KEY")
        if let adminKey, adminKey.count < 32 {
            throw ConfigurationError(variable: "TROUGH_ADMIN_KEY", expected: "at least 32 characters")
        }
        var configuration = TroughConfiguration(
            host: host,
            port: port,
            database: database,
            dataDirectory: reader.string("TROUGH_DATA_DIR") ?? defaultDataDirectory,
            masterKeyBase64: masterKey,
            logLevel: try reader.logLevel("TROUGH_LOG_LEVEL", default: .info),
            publicURL: publicURL,
            adminKey: adminKey,
            migrationsDirectory: reader.string("TROUGH_MIGRATIONS_DIR"),
            databasePoolSize: try reader.integer("TROUGH_DATABASE_POOL_SIZE", default: 4, in: 1...100),
            webDirectory: reader.string("TROUGH_WEB_DIR") ?? Self.locateWebDirectory(),
            proxy: try Self.proxySettings(reader)
        )
        configuration.proxy.publicScheme = publicURL.scheme ?? "http"
        configuration.proxy.publicAuthority = publicURL.port.map { "\(publicURL.host ?? host):\($0)" } ?? publicURL.host ?? host
        configuration.limits.leaseSeconds = Int64(try reader.integer("TROUGH_LIMIT_LEASE_SECONDS", default: 60, in: 5...3600))
        configuration.limitSyncSeconds = Int64(try reader.integer("TROUGH_LIMIT_SYNC_SECONDS", default: 10, in: 1...600))
        configuration.eventFlushMilliseconds = Int64(try reader.integer("TROUGH_EVENT_FLUSH_MS", default: 50, in: 5...10_000))
        configuration.planCacheSeconds = Int64(try reader.integer("TROUGH_PLAN_CACHE_SECONDS", default: 30, in: 1...60))
        guard configuration.limitSyncSeconds * 2 < configuration.limits.leaseSeconds else {
            throw ConfigurationError(variable: "TROUGH_LIMIT_SYNC_SECONDS", expected: "less than half of TROUGH_LIMIT_LEASE_SECONDS")
        }
        return configuration
    }
}

/// A setting that is missing or malformed: start-up stops with exit code 2 and this one line.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public let variable: String
    public let expected: String

    public var description: String { "\(variable): expected \(expected)" }
}

/// Typed reads of environment variables; an empty value counts as unset.
struct EnvironmentReader {
    let environment: [String: String]

    init(_ environment: [String: String]) {
        self.environment = environment
    }

    func string(_ name: String) -> String? {
        guard let value = environment[name], !value.isEmpty else { return nil }
        return value
    }

    func integer(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let text = string(name) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw ConfigurationError(variable: name, expected: "an integer from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
        }
        return value
    }

    func bool(_ name: String, default defaultValue: Bool) throws(ConfigurationError) -> Bool {
        guard let text = string(name) else { return defaultValue }
        switch text.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw ConfigurationError(variable: name, expected: "true or false, got '\(text)'")
        }
    }

    func logLevel(_ name: String, default defaultValue: Logger.Level) throws(ConfigurationError) -> Logger.Level {
        guard let text = string(name) else { return defaultValue }
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            throw ConfigurationError(variable: name, expected: "one of trace, debug, info, notice, warning, error, critical, got '\(text)'")
        }
        return level
    }
}

extension TroughConfiguration {
    /// `./web`, else `PREFIX/share/trough/web` beside the installed executable, else the source checkout's.
    static func locateWebDirectory() -> String {
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
        let candidates = [
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("web"),
            executable.deletingLastPathComponent().appendingPathComponent("../share/trough/web"),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../web"),
        ].map(\.standardizedFileURL)
        return (candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("index.html").path) } ?? candidates[0]).path
    }
}

extension TroughConfiguration {
    static func proxySettings(_ reader: EnvironmentReader) throws(ConfigurationError) -> ProxySettings {
        var settings = ProxySettings()
        settings.allowPrivateUpstreams = try reader.bool("TROUGH_ALLOW_PRIVATE_UPSTREAMS", default: false)
        settings.connectTimeoutMilliseconds = Int64(try reader.integer("TROUGH_UPSTREAM_CONNECT_TIMEOUT_MS", default: 10_000, in: 1...600_000))
        settings.readTimeoutMilliseconds = Int64(try reader.integer("TROUGH_UPSTREAM_READ_TIMEOUT_MS", default: 300_000, in: 1...3_600_000))
        settings.maxRequestBytes = try reader.integer("TROUGH_MAX_REQUEST_BYTES", default: 32 << 20, in: 1024...(1 << 30))
        settings.costHeader = try reader.bool("TROUGH_COST_HEADER", default: true)
        settings.costHeaderMaxBytes = try reader.integer("TROUGH_COST_HEADER_MAX_BYTES", default: 8 << 20, in: 1024...(1 << 30))
        settings.injectStreamUsage = try reader.bool("TROUGH_INJECT_STREAM_USAGE", default: true)
        settings.eventLoopPath = try reader.bool("TROUGH_PROXY_EVENT_LOOP", default: true)
        settings.cacheSeconds = Int64(try reader.integer("TROUGH_PROXY_CACHE_SECONDS", default: 5, in: 0...3600))
        settings.upstreamCAFile = reader.string("TROUGH_UPSTREAM_CA_FILE")
        settings.upstreamIdleSeconds = Int64(try reader.integer("TROUGH_UPSTREAM_IDLE_SECONDS", default: 60, in: 1...3600))
        return settings
    }
}
