@preconcurrency import AsyncKit
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit
import SQLiteKit
import Synchronization

/// A pooled connection to SQLite or PostgreSQL, seen through SQLKit.
public final class Database: Sendable {
    /// Which dialect `sql` speaks.
    public let dialect: SQLDialectKind
    /// Runs queries on any pooled connection.
    public let sql: any SQLDatabase
    /// The pool behind `sql`, for work that talks to the driver itself (`driverTransaction`).
    private let pool: DriverPool
    private let shutdownPool: @Sendable () async throws -> Void
    private let closed = Mutex(false)
    /// The database's own event loop thread (lower CPU priority than the HTTP loops).
    public let eventLoop: any EventLoop

    private init(dialect: SQLDialectKind, sql: any SQLDatabase, pool: DriverPool, eventLoop: any EventLoop, shutdownPool: @escaping @Sendable () async throws -> Void) {
        self.dialect = dialect
        self.sql = sql
        self.pool = pool
        self.eventLoop = eventLoop
        self.shutdownPool = shutdownPool
    }

    /// Runs tasks that prefer it on the database's thread: background writers that should yield the CPU to
    /// request handling (`withTaskExecutorPreference`).
    public var taskExecutor: any TaskExecutor { EventLoopTaskExecutor(eventLoop: eventLoop) }

    /// The database threads' nice value: below the HTTP loops, so a batch of events does not delay a request's
    /// bytes, but not so far below that the writer falls behind a saturated proxy (at 10 it kept about half the
    /// pace of 11,000 requests/s on two busy cores; at 5 it keeps up).
    static let threadNice: Int32 = 5

    /// Gives the calling thread `threadNice` (on Linux, `setpriority(PRIO_PROCESS, 0, …)` renices only that thread).
    private static func lowerCallingThreadPriority() {
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, threadNice)
    }

    /// Opens a pool. For SQLite the file's folder is created if missing. Database work runs on its own event loop
    /// thread at `threadNice`, not on the loops that serve HTTP.
    /// - Parameter connectionsPerEventLoop: PostgreSQL pool size (on the database's one event loop);
    ///   SQLite always uses one connection.
    public static func open(
        _ location: DatabaseLocation,
        connectionsPerEventLoop: Int = 4,
        logger: Logger
    ) throws -> Database {
        let loops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        loops.next().execute { lowerCallingThreadPriority() }
        do {
            return try open(location, connectionsPerEventLoop: connectionsPerEventLoop, logger: logger, eventLoopGroup: loops) {
                try await loops.shutdownGracefully()
            }
        } catch {
            try? loops.syncShutdownGracefully()
            throw error
        }
    }

    private static func open(
        _ location: DatabaseLocation,
        connectionsPerEventLoop: Int,
        logger: Logger,
        eventLoopGroup: any EventLoopGroup,
        afterClose: @escaping @Sendable () async throws -> Void
    ) throws -> Database {
        switch location {
        case .sqlite(let path):
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            // SQLite allows one writer at a time: one connection, on its own thread, serialises every query
            // without lock waits (which would block shared threads), and transactions queue asynchronously.
            let threadPool = NIOThreadPool(numberOfThreads: 1)
            threadPool.start()
            // Event batches are written on this thread: let request threads win the CPU when both want it.
            threadPool.submit { _ in lowerCallingThreadPriority() }
            let pool = EventLoopGroupConnectionPool(
                source: SQLiteTunedSource(path: path, threadPool: threadPool),
                maxConnectionsPerEventLoop: 1,
                requestTimeout: .seconds(30),
                pruneInterval: nil,
                logger: logger,
                on: eventLoopGroup.next()
            )
            let database = PooledSQLiteDatabase(pool: pool, logger: logger)
            return Database(dialect: .sqlite, sql: database.sql(queryLogLevel: .trace), pool: .sqlite(pool), eventLoop: eventLoopGroup.next()) {
                try await pool.shutdownAsync()
                try await threadPool.shutdownGracefully()
                try await afterClose()
            }
        case .postgres(let url):
            var configuration = try SQLPostgresConfiguration(url: url)
            configuration.coreConfiguration.options.connectTimeout = .seconds(5)
            let pool = EventLoopGroupConnectionPool(
                source: PostgresConnectionSource(sqlConfiguration: configuration),
                maxConnectionsPerEventLoop: connectionsPerEventLoop,
                requestTimeout: .seconds(10),
                pruneInterval: .seconds(60),
                logger: logger,
                on: eventLoopGroup
            )
            return Database(dialect: .postgres, sql: pool.database(logger: logger).sql(queryLogLevel: .trace), pool: .postgres(pool, logger), eventLoop: eventLoopGroup.next()) {
                try await pool.shutdownAsync()
                try await afterClose()
            }
        }
    }

    /// Runs `body` in one transaction on one connection: committed when it returns, rolled back when it throws.
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let begin = dialect == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN"
        return try await sql.withSession { session in
            try await session.raw(SQLQueryString(begin)).run()
            do {
                let result = try await body(session)
                try await session.raw("COMMIT").run()
                return result
            } catch {
                try? await session.raw("ROLLBACK").run()
                throw error
            }
        }
    }

    /// Runs `body` in one transaction on one pooled connection, given both as its driver's own connection (for
    /// bulk writes whose binds skip SQLKit's `Encodable` encoding: the event writer's inserts) and through SQLKit.
    /// Committed when it returns, rolled back when it throws; `body` runs on the database's thread.
    public func driverTransaction<T: Sendable>(_ body: @escaping @Sendable (DriverConnection, any SQLDatabase) async throws -> T) async throws -> T {
        let begin = dialect == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN"
        return try await pool.withConnection(executor: taskExecutor) { connection in
            let sql = connection.sql
            try await connection.run(begin)
            do {
                let result = try await body(connection, sql)
                try await connection.run("COMMIT")
                return result
            } catch {
                try? await connection.run("ROLLBACK")
                throw error
            }
        }
    }

    /// Closes every pooled connection (once; later calls do nothing).
    public func close() async {
        guard closed.withLock({ closed in defer { closed = true }; return !closed }) else { return }
        try? await shutdownPool()
    }

    /// Runs `body`, then closes the database, whether `body` returned or threw.
    public func closing<T: Sendable>(after body: () async throws -> T) async throws -> T {
        do {
            let result = try await body()
            await close()
            return result
        } catch {
            await close()
            throw error
        }
    }

    /// A pool must be shut down before it is released (AsyncKit asserts it): a database dropped on an error
    /// path without `close()` shuts its pool down in the background instead of crashing the process.
    deinit {
        guard !closed.withLock({ $0 }) else { return }
        let shutdownPool = self.shutdownPool
        Task { try? await shutdownPool() }
    }
}

/// Opens SQLite connections set up for a server: WAL journal, foreign keys, a busy timeout.
struct SQLiteTunedSource: ConnectionPoolSource, Sendable {
    let path: String
    let threadPool: NIOThreadPool

    func makeConnection(logger: Logger, on eventLoop: any EventLoop) -> EventLoopFuture<SQLiteConnection> {
        SQLiteConnection.open(storage: .file(path: path), threadPool: threadPool, logger: logger, on: eventLoop)
            .flatMap { connection in
                let pragmas = [
                    "PRAGMA busy_timeout = 10000",
                    "PRAGMA journal_mode = WAL",
                    "PRAGMA synchronous = NORMAL",
                    "PRAGMA foreign_keys = ON",
                ]
                return pragmas.reduce(eventLoop.makeSucceededVoidFuture()) { chain, pragma in
                    chain.flatMap { connection.query(pragma).map { _ in } }
                }.map { connection }
            }
    }
}

/// A `SQLiteDatabase` that takes a connection from the pool for each query or session.
struct PooledSQLiteDatabase: SQLiteDatabase {
    let pool: EventLoopGroupConnectionPool<SQLiteTunedSource>
    let logger: Logger

    var eventLoop: any EventLoop { pool.eventLoopGroup.any() }

    func query(_ query: String, _ binds: [SQLiteData], logger: Logger, _ onRow: @escaping @Sendable (SQLiteRow) -> Void) -> EventLoopFuture<Void> {
        pool.withConnection(logger: logger) { $0.query(query, binds, logger: logger, onRow) }
    }

    func withConnection<T>(_ closure: @escaping @Sendable (SQLiteConnection) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        pool.withConnection(logger: logger, closure)
    }
}

/// A task executor that runs jobs on one NIO event loop.
final class EventLoopTaskExecutor: TaskExecutor, Sendable {
    let eventLoop: any EventLoop

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// One pooled connection as its driver gives it.
public enum DriverConnection: Sendable {
    case sqlite(SQLiteConnection)
    case postgres(PostgresConnection, Logger)

    /// The same connection through SQLKit.
    var sql: any SQLDatabase {
        switch self {
        case .sqlite(let connection): connection.sql(queryLogLevel: .trace)
        case .postgres(let connection, let logger): connection.sql(queryLogLevel: .trace, logger: logger)
        }
    }

    /// Runs a statement without binds or rows (transaction control).
    func run(_ statement: String) async throws {
        switch self {
        case .sqlite(let connection): try await connection.query(statement, []) { _ in }
        case .postgres(let connection, let logger): _ = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger).get()
        }
    }
}

/// The connection pool of either driver.
private enum DriverPool: Sendable {
    case sqlite(EventLoopGroupConnectionPool<SQLiteTunedSource>)
    case postgres(EventLoopGroupConnectionPool<PostgresConnectionSource>, Logger)

    /// Runs `body` with a connection taken from the pool (returned when `body` ends), as a task on `executor`.
    func withConnection<T: Sendable>(executor: any TaskExecutor, _ body: @escaping @Sendable (DriverConnection) async throws -> T) async throws -> T {
        switch self {
        case .sqlite(let pool):
            try await pool.withConnection { connection in
                Self.future(on: connection.eventLoop, executor: executor) { try await body(.sqlite(connection)) }
            }.get()
        case .postgres(let pool, let logger):
            try await pool.withConnection(logger: logger) { connection in
                Self.future(on: connection.eventLoop, executor: executor) { try await body(.postgres(connection, logger)) }
            }.get()
        }
    }

    private static func future<T: Sendable>(on loop: any EventLoop, executor: any TaskExecutor, _ body: @escaping @Sendable () async throws -> T) -> EventLoopFuture<T> {
        let promise = loop.makePromise(of: T.self)
        Task(executorPreference: executor) {
            do { promise.succeed(try await body()) } catch { promise.fail(error) }
        }
        return promise.futureResult
    }
}
