import Logging
import ServiceLifecycle

/// Runs a job every `interval` as a `Service` until graceful shutdown; a failing run is logged and retried next time.
/// The base of the retention, alert and billing workers.
public struct PeriodicJob: ServiceLifecycle.Service {
    public let name: String
    public let interval: Duration
    let logger: Logger
    let job: @Sendable () async throws -> Void
    /// Runs once after graceful shutdown stops the loop.
    let atShutdown: (@Sendable () async -> Void)?

    public init(name: String, interval: Duration, logger: Logger, job: @escaping @Sendable () async throws -> Void, atShutdown: (@Sendable () async -> Void)? = nil) {
        self.name = name
        self.interval = interval
        self.logger = logger
        self.job = job
        self.atShutdown = atShutdown
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await job()
                } catch is CancellationError {
                    return
                } catch {
                    logger.error("Job failed", metadata: ["trough.job": .string(name), "trough.error": .string("\(error)")])
                }
                try? await Task.sleep(for: interval)
            }
        }
        await atShutdown?()
    }
}
