import Logging
import ServiceLifecycle
import TroughCore

/// Writes queued events to the database in batches (by size or every `interval`), each batch in one
/// transaction with its rollups. While the database is unavailable, batches go to the spool and are
/// replayed in order when it returns. On graceful shutdown the queue is drained before it returns.
public struct EventWriter: ServiceLifecycle.Service {
    let queue: EventQueue
    let store: any EventStore
    let spool: EventSpool
    let logger: Logger
    /// Below this many waiting events the writer sleeps `interval` between batches.
    let batchSize: Int
    let interval: Duration
    /// The most events one batch (one transaction) takes.
    var maxBatch: Int { 8 * batchSize }

    /// Where the writer's work runs (the database's low-priority thread in the server); nil: the global pool.
    let executor: (any TaskExecutor)?

    public init(queue: EventQueue, store: any EventStore, spool: EventSpool, logger: Logger, batchSize: Int = 500, interval: Duration = .milliseconds(200),
                executor: (any TaskExecutor)? = nil) {
        self.executor = executor
        self.queue = queue
        self.store = store
        self.spool = spool
        self.logger = logger
        self.batchSize = batchSize
        self.interval = interval
    }

    public func run() async throws {
        await withTaskExecutorPreference(executor) {
            await writeUntilShutdown()
        }
    }

    private func writeUntilShutdown() async {
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                await flushOnce()
                if queue.depth < batchSize {
                    try? await Task.sleep(for: interval)
                }
            }
        } onGracefulShutdown: {}
        // Drain: write what the database takes; if it is down, the rest waits in the spool on disk.
        await flushOnce()
        while queue.depth > 0, spool.isEmpty {
            await flushOnce()
        }
        if queue.depth > 0 {
            spoolQueued(limit: Int.max)
        }
    }

    /// Replays the spool if it has batches, then writes one batch from the queue.
    public func flushOnce() async {
        if !spool.isEmpty {
            guard await replaySpool() else {
                // The database is still away: keep new events in order behind the spooled ones.
                spoolQueued(limit: queue.isOverCapacity ? Int.max : batchSize)
                return
            }
        }
        // Behind (a saturated machine): the oldest beyond the queue's capacity wait in the spool, so memory stays
        // bounded. A batch takes what waits, up to `maxBatch` (one transaction of many rows costs less per row, and
        // the queue hands all it holds over without copying the events).
        let depth = queue.depth
        if depth > queue.capacity {
            logger.warning("Event queue over capacity; spooling the oldest events", metadata: ["trough.events": .stringConvertible(depth - queue.capacity)])
            spoolQueued(limit: depth - queue.capacity)
        }
        let batch = queue.drain(limit: maxBatch)
        guard !batch.isEmpty else { return }
        do {
            try await store.recordEvents(batch, logger: logger)
        } catch {
            logger.warning("Database unavailable; spooling events", metadata: ["trough.events": .stringConvertible(batch.count), "trough.error": .string("\(error)")])
            spoolOrKeep(batch)
        }
    }

    private func replaySpool() async -> Bool {
        do {
            let batches = try spool.batches()
            for batch in batches {
                try await store.recordEvents(batch, logger: logger)
            }
            try spool.clear()
            logger.notice("Replayed spooled events", metadata: ["trough.batches": .stringConvertible(batches.count)])
            return true
        } catch {
            return false
        }
    }

    private func spoolQueued(limit: Int) {
        let batch = queue.drain(limit: limit)
        spoolOrKeep(batch)
    }

    private func spoolOrKeep(_ batch: [RequestEvent]) {
        do {
            try spool.append(batch)
        } catch {
            logger.error("Could not spool events; keeping them in memory", metadata: ["trough.error": .string("\(error)")])
            for event in batch { queue.record(event) }
        }
    }
}
