import Foundation
import AsyncHTTPClient
import Hummingbird
import Logging
import NIOPosix
import ServiceLifecycle
import TroughCore
import TroughStore
import TroughWorkers

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
    let prices = try PriceTable.builtIn()
    let database = try Database.open(configuration.database, connectionsPerEventLoop: configuration.databasePoolSize, logger: logger)
    do {
        let migrations = try Migration.load(from: Migration.locateDirectory(dialect: configuration.database.dialect, override: configuration.migrationsDirectory))
        try await prepareSchema(database: database, migrations: migrations, configuration: configuration, options: options, logger: logger)
        let store = SQLStore(database: database, location: configuration.database, migrations: migrations)
        let catalog = PriceCatalog(builtIn: prices)
        try await catalog.reload(from: store, logger: logger)
        let components = try AppComponents(configuration: configuration, store: store, secrets: SecretBox(keys: [masterKey]), prices: catalog, logger: logger)
        let router = try await buildRouter(components)
        let eventWriter = EventWriter(queue: components.events, store: store, spool: EventSpool(directory: configuration.dataDirectory), logger: logger,
                                      interval: .milliseconds(configuration.eventFlushMilliseconds), executor: database.taskExecutor)
        return Application(
            router: router,
            server: .http1(configuration: .init(additionalChannelHandlers: components.eventLoopProxy.map { [$0.channelHandler()] } ?? [])),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            // Shut down in reverse order: the server drains first, then events are written, then the pool closes.
            services: [
                DatabaseService(database: database), HTTPClientService(client: components.httpClient, pool: components.eventLoopProxy?.pool), eventWriter,
                PeriodicJob(name: "prices.reload", interval: .seconds(60), logger: logger) {
                    try await components.prices.reload(from: store, logger: logger)
                },
                PeriodicJob(name: "sessions.expire", interval: .seconds(3600), logger: logger) {
                    _ = try await store.deleteExpiredSessions(before: .now(), logger: logger)
                },
                // Job claims (`billed_jobs`) are kept well past the providers' own retention of batches and
                // background responses (days to weeks), so a job polled again is not billed again.
                PeriodicJob(name: "jobs.forget", interval: .seconds(3600), logger: logger) {
                    _ = try await store.forgetBilledJobs(before: .now().adding(seconds: -Int64(DeferredUsage.claimRetentionDays) * 86_400), logger: logger)
                },
                // Reports spend and renews leases; on shutdown (after the server drains) returns them all.
                PeriodicJob(name: "limits.sync", interval: .seconds(configuration.limitSyncSeconds), logger: logger, job: {
                    await components.limits.sync()
                }, atShutdown: {
                    await components.limits.sync(releaseAll: true)
                }),
            ],
            onServerRunning: { channel in
                logger.info("Trough is listening", metadata: [
                    "trough.address": .string("\(channel.localAddress.map { "\($0)" } ?? "?")"),
                    "trough.database": .string(configuration.database.description),
                    "trough.prices": .stringConvertible(catalog.book.shared.count),
                ])
            },
            logger: logger
        )
    } catch {
        await database.close()
        throw error
    }
}

/// The long-lived pieces the routes share.
struct AppComponents: Sendable {
    let configuration: TroughConfiguration
    let store: any Store
    let secrets: SecretBox
    let prices: PriceCatalog
    let logger: Logger
    let events = EventQueue()
    let cache: ProxyCache
    let upstreams: UpstreamGuard
    let httpClient: HTTPClient
    let limits: LimitGate
    let proxy: ProxyController
    /// The proxy's event-loop path, unless `TROUGH_PROXY_EVENT_LOOP=false`.
    let eventLoopProxy: EventLoopProxy?

    init(configuration: TroughConfiguration, store: any Store, secrets: SecretBox, prices: PriceCatalog, logger: Logger) throws {
        self.configuration = configuration
        self.store = store
        self.secrets = secrets
        self.prices = prices
        self.logger = logger
        self.cache = ProxyCache(ttlSeconds: configuration.proxy.cacheSeconds, planSeconds: configuration.planCacheSeconds)
        self.limits = LimitGate(store: store, clock: configuration.clock, settings: configuration.limits, logger: logger)
        self.upstreams = UpstreamGuard(policy: UpstreamPolicy(allowPrivateAddresses: configuration.proxy.allowPrivateUpstreams))
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.timeout = .init(
            connect: .milliseconds(configuration.proxy.connectTimeoutMilliseconds),
            read: .milliseconds(configuration.proxy.readTimeoutMilliseconds)
        )
        clientConfiguration.redirectConfiguration = .disallow
        clientConfiguration.tlsConfiguration = configuration.proxy.upstreamTLS
        clientConfiguration.decompression = .disabled
        clientConfiguration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 256)
        self.httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        proxy = ProxyController(
            store: store, cache: cache, secrets: secrets, upstreams: upstreams, client: httpClient, prices: prices,
            events: events, settings: configuration.proxy, limits: limits
        )
        eventLoopProxy = configuration.proxy.eventLoopPath ? try EventLoopProxy(proxy: proxy, logger: logger) : nil
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
func buildRouter(_ components: AppComponents) async throws -> Router<TroughRequestContext> {
    let configuration = components.configuration
    let store = components.store
    var settings = AuthSettings()
    settings.secureCookies = configuration.publicURL.scheme == "https"
    let hasher = settings.passwordHasher
    let decoyHash = try await AuthSettings.hashingThreads.runIfActive { try hasher.hash(Identifier.secret(prefix: "decoy-")) }

    let router = Router(context: TroughRequestContext.self)
    router.middlewares.add(SecurityHeadersMiddleware())
    router.middlewares.add(RequestIDMiddleware())
    router.middlewares.add(ErrorMiddleware())
    router.middlewares.add(StaticFilesMiddleware(files: FileMiddleware(
        configuration.webDirectory,
        cacheControl: .init([(.textHtml, [.noCache]), (.text, [.noCache]), (.application, [.noCache])]),
        searchForIndexHtml: true,
        logger: components.logger
    )))
    HealthController(store: store).addRoutes(to: router)
    OpenAPIDocument(webDirectory: configuration.webDirectory).addRoutes(to: router)
    components.proxy.addRoutes(to: router)

    let api = router.group("api").add(middleware: AuthMiddleware(store: store, settings: settings, adminKey: configuration.adminKey))
    AuthController(store: store, settings: settings, decoyHash: decoyHash).addRoutes(to: api)
    TenantController(store: store, publicURL: configuration.publicURL).addRoutes(to: api)
    ProjectController(store: store, cache: components.cache).addRoutes(to: api)
    ServiceController(store: store, secrets: components.secrets, upstreams: components.upstreams, cache: components.cache).addRoutes(to: api)
    APIKeyController(store: store).addRoutes(to: api)
    PriceController(store: store, catalog: components.prices).addRoutes(to: api)
    PlanController(store: store, clock: configuration.clock).addRoutes(to: api)
    ReportController(store: store).addRoutes(to: api)
    AdminController(store: store, cache: components.cache).addRoutes(to: api)
    return router
}

/// Keeps the database pool open while the server runs and closes it after the server has drained.
struct DatabaseService: ServiceLifecycle.Service {
    let database: Database

    func run() async throws {
        try? await gracefulShutdown()
        await database.close()
    }
}

/// Keeps the upstream HTTP client alive while the server runs; shuts it down after the server has drained.
struct HTTPClientService: ServiceLifecycle.Service {
    let client: HTTPClient
    /// The event-loop path's upstream connections, closed at the same time.
    let pool: UpstreamPool?

    func run() async throws {
        try? await gracefulShutdown()
        pool?.closeAll()
        try? await client.shutdown()
    }
}
