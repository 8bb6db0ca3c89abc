import Foundation
import Logging
import SQLKit
import TroughCore
import TroughStore

/// The store drivers every store test runs against.
public enum TestDriver: String, CaseIterable, Sendable {
    case sqlite
    case postgres
}

/// A fresh, migrated database for one test: a temporary SQLite file, or a new database on the
/// PostgreSQL server named by `TROUGH_TEST_POSTGRES_URL` (dropped afterwards).
public struct TestDatabase: Sendable {
    public let driver: TestDriver
    public let location: DatabaseLocation
    public let database: Database
    public let store: SQLStore
    public let migrations: [Migration]
    /// The folder the SQLite file lives in (a fresh temporary folder for PostgreSQL too).
    public let directory: URL
    let cleanup: @Sendable () async -> Void

    public static let logger: Logger = {
        var logger = Logger(label: "trough.test")
        logger.logLevel = .warning
        return logger
    }()

    /// The migrations of the repository for a driver.
    public static func migrations(for dialect: SQLDialectKind) throws -> [Migration] {
        try Migration.load(from: migrationsDirectory(dialect))
    }

    public static func migrationsDirectory(_ dialect: SQLDialectKind) -> URL {
        repositoryRoot.appendingPathComponent("migrations").appendingPathComponent(dialect.rawValue)
    }

    /// The checkout this test build came from.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `body` with a fresh database of `driver`, migrated unless `migrate` is false.
    public static func with<T: Sendable>(
        _ driver: TestDriver, migrate: Bool = true,
        _ body: @Sendable (TestDatabase) async throws -> T
    ) async throws -> T {
        let test = try await make(driver, migrate: migrate)
        do {
            let result = try await body(test)
            await test.close()
            return result
        } catch {
            await test.close()
            throw error
        }
    }

    /// Creates a fresh database; call `close()` when done.
    public static func make(_ driver: TestDriver, migrate: Bool = true) async throws -> TestDatabase {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("trough-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let location: DatabaseLocation
        var dropDatabase: (@Sendable () async -> Void)?
        switch driver {
        case .sqlite:
            location = .sqlite(path: directory.appendingPathComponent("trough.sqlite").path)
        case .postgres:
            let (url, drop) = try await PostgresTestServer.createDatabase()
            location = .postgres(url: url)
            dropDatabase = drop
        }
        let database = try Database.open(location, connectionsPerEventLoop: 2, logger: logger)
        let migrations: [Migration]
        do {
            migrations = try Self.migrations(for: location.dialect)
            if migrate {
                try await MigrationRunner(database: database, migrations: migrations).migrate(logger: logger)
            }
        } catch {
            await database.close()
            await dropDatabase?()
            throw error
        }
        return TestDatabase(
            driver: driver, location: location, database: database,
            store: SQLStore(database: database, location: location, migrations: migrations),
            migrations: migrations, directory: directory
        ) { [dropDatabase] in
            await database.close()
            await dropDatabase?()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    public func close() async {
        await cleanup()
    }

    /// A new tenant owned by a new user (a fresh email each time).
    public func makeTenant(name: String) async throws -> Tenant {
        let now = Timestamp.now()
        let tenant = Tenant(name: name, createdAt: now)
        try await store.createUserWithTenant(User(email: "\(UUID().uuidString)@example.com", passwordHash: "h", createdAt: now), tenant: tenant, logger: Self.logger)
        return tenant
    }
}

/// The PostgreSQL server the tests use, from `TROUGH_TEST_POSTGRES_URL` (set by `ops/test.sh`).
public enum PostgresTestServer {
    /// The server's URL, or nil when none is configured.
    public static var url: String? {
        ProcessInfo.processInfo.environment["TROUGH_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether PostgreSQL tests run: always in CI (where a missing server is a failure), else when configured.
    public static var isEnabled: Bool {
        url != nil || ProcessInfo.processInfo.environment["CI"] == "true"
    }

    /// The drivers to run store tests against here.
    public static var drivers: [TestDriver] {
        isEnabled ? [.sqlite, .postgres] : [.sqlite]
    }

    /// Creates a new empty database; returns its URL and a closure that drops it.
    public static func createDatabase() async throws -> (String, @Sendable () async -> Void) {
        guard let url else {
            throw TestSetupError(description: "TROUGH_TEST_POSTGRES_URL is not set; run the tests with ops/test.sh")
        }
        let name = "trough_t_" + Identifier.base32(Identifier.randomBytes(8))
        let admin = try Database.open(.postgres(url: url), connectionsPerEventLoop: 1, logger: TestDatabase.logger)
        do {
            try await admin.sql.raw(SQLQueryString("CREATE DATABASE \(unsafeRaw: name)")).run()
        } catch {
            await admin.close()
            throw error
        }
        await admin.close()
        let databaseURL = replacingDatabase(in: url, with: name)
        return (databaseURL, {
            guard let admin = try? Database.open(.postgres(url: url), connectionsPerEventLoop: 1, logger: TestDatabase.logger) else { return }
            try? await admin.sql.raw(SQLQueryString("DROP DATABASE IF EXISTS \(unsafeRaw: name) WITH (FORCE)")).run()
            await admin.close()
        })
    }

    /// `url` with its database name replaced.
    public static func replacingDatabase(in url: String, with name: String) -> String {
        var components = URLComponents(string: url)!
        components.path = "/" + name
        return components.string!
    }
}

/// The test environment is not set up.
public struct TestSetupError: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}
