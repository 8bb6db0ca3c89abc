import Foundation
import Hummingbird
import Logging
import NIOPosix
import ServiceLifecycle
import TroughCore
import TroughStore

/// Why `serve` will not start, in one line.
public struct StartupError: Error, CustomStringConvertible {
    public let description: String
}

/// Options of `trough serve` that are not settings.
public struct ServeOptions: Sendable {
    /// Apply pending migrations on PostgreSQL before serving (always done on SQLite).
    public var migrate: Bool

    public init(migrate: Bool = false) {
        self.migrate = migrate
    }
}

/// Opens the database, brings or checks its schema, and composes the Hummingbird application.
public func buildApplication(
    configuration: TroughConfiguration,
    options: ServeOptions = ServeOptions(),
    logger: Logger
) async throws -> some ApplicationProtocol {
    let masterKey = try MasterKeyFile.load(configuration: configuration, logger: logger)
    _ = masterKey  // Used by provider-key encryption (the proxy issue).
    let database = try Database.open(configuration.database, connectionsPerEventLoop: configuration.databasePoolSize, logger: logger)
    do {
        let migrations = try Migration.load(from: Migration.locateDirectory(dialect: configuration.database.dialect, override: configuration.migrationsDirectory))
        try await prepareSchema(database: database, migrations: migrations, configuration: configuration, options: options, logger: logger)
        let store = SQLStore(database: database, location: configuration.database, migrations: migrations)
        let router = try await buildRouter(store: store, configuration: configuration, logger: logger)
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            services: [DatabaseService(database: database)],
            onServerRunning: { channel in
                logger.info("Trough is listening", metadata: [
                    "trough.address": .string("\(channel.localAddress.map { "\($0)" } ?? "?")"),
                    "trough.database": .string(configuration.database.description),
                ])
            },
            logger: logger
        )
    } catch {
        await database.close()
        throw error
    }
}

/// SQLite: applies pending migrations. PostgreSQL: applies them only with `--migrate`, else refuses a schema that is behind.
func prepareSchema(database: Database, migrations: [Migration], configuration: TroughConfiguration, options: ServeOptions, logger: Logger) async throws {
    let runner = MigrationRunner(database: database, migrations: migrations)
    let status = try await runner.status(logger: logger)
    guard !status.pending.isEmpty else { return }
    if configuration.database.dialect == .sqlite || options.migrate {
        try await runner.migrate(logger: logger)
    } else {
        throw StartupError(description: "the PostgreSQL schema is behind by \(status.pending.count) migration(s) (\(status.pending.map(\.name).joined(separator: ", "))); run `trough migrate` or start with `trough serve --migrate`")
    }
}

/// Routes and middleware.
func buildRouter(store: any Store, configuration: TroughConfiguration, logger: Logger) async throws -> Router<TroughRequestContext> {
    var settings = AuthSettings()
    settings.secureCookies = configuration.publicURL.scheme == "https"
    let hasher = settings.passwordHasher
    let decoyHash = try await NIOThreadPool.singleton.runIfActive { try hasher.hash(Identifier.secret(prefix: "decoy-")) }

    let router = Router(context: TroughRequestContext.self)
    router.middlewares.add(SecurityHeadersMiddleware())
    router.middlewares.add(RequestIDMiddleware())
    router.middlewares.add(ErrorMiddleware())
    router.middlewares.add(FileMiddleware(configuration.webDirectory, cacheControl: .init([(.textHtml, [.noCache]), (.text, [.noCache]), (.application, [.noCache])]), searchForIndexHtml: true, logger: logger))
    HealthController(store: store).addRoutes(to: router)

    let api = router.group("api").add(middleware: AuthMiddleware(store: store, settings: settings, adminKey: configuration.adminKey))
    AuthController(store: store, settings: settings, decoyHash: decoyHash).addRoutes(to: api)
    TenantController(store: store, publicURL: configuration.publicURL).addRoutes(to: api)
    ProjectController(store: store).addRoutes(to: api)
    APIKeyController(store: store).addRoutes(to: api)
    AdminController(store: store).addRoutes(to: api)
    return router
}

/// Keeps the database pool open while the server runs and closes it after the server has drained.
struct DatabaseService: Service {
    let database: Database

    func run() async throws {
        try? await gracefulShutdown()
        await database.close()
    }
}
