import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing
import TroughCore
import TroughStore
import TroughTestSupport
import TroughWorkers

/// A real store whose event writes fail while `down` is set: the database going away and coming back.
final class FlakyEventStore: EventStore {
    let store: SQLStore
    let down = Mutex(false)

    init(store: SQLStore) {
        self.store = store
    }

    func recordEvents(_ events: [RequestEvent], logger: Logger) async throws {
        if down.withLock({ $0 }) { throw StoreError.unavailable("database is down (test)") }
        try await store.recordEvents(events, logger: logger)
    }
}


extension ServerSuites {
    @Suite("Event writer")
    struct EventWriterTests {
        static func event(_ index: Int) -> RequestEvent {
            var event = RequestEvent(tenantID: "ten_1", projectID: "prj_1", serviceID: nil, tokenID: nil, occurredAt: Timestamp(milliseconds: 1_700_000_000_000 + Int64(index)), method: "POST", route: "/x", status: 200)
            event.cost = Money(nanos: Int64(index))
            event.costSource = .usage
            return event
        }

        @Test("database down → spool → replayed in order when it returns; graceful shutdown drains; nothing lost", arguments: PostgresTestServer.drivers)
        func spoolAndReplay(driver: TestDriver) async throws {
            try await TestDatabase.with(driver) { (db) async throws in
                let flaky = FlakyEventStore(store: db.store)
                let queue = EventQueue()
                let spool = EventSpool(directory: db.directory.appendingPathComponent("spool").path)
                let writer = EventWriter(queue: queue, store: flaky, spool: spool, logger: TestDatabase.logger, batchSize: 50, interval: .milliseconds(20))
                let group = ServiceGroup(configuration: .init(services: [writer], logger: TestDatabase.logger))
                let running = Task { try await group.run() }

                for index in 0..<100 { queue.record(Self.event(index)) }
                try await waitUntil { try await count(db) == 100 }

                flaky.down.withLock { $0 = true }
                for index in 100..<400 { queue.record(Self.event(index)) }
                // Drained from the queue is not yet spooled: wait for the spool to hold every batch.
                try await waitUntil { queue.depth == 0 && (try? spool.batches().flatMap { $0 }.count) == 300 }
                #expect(try await count(db) == 100)
                #expect(try spool.batches().flatMap { $0 }.count == 300)

                flaky.down.withLock { $0 = false }
                for index in 400..<450 { queue.record(Self.event(index)) }
                try await waitUntil { try await count(db) == 450 }
                #expect(spool.isEmpty)

                // Events queued right before shutdown are written before the writer returns.
                for index in 450..<1_000 { queue.record(Self.event(index)) }
                await group.triggerGracefulShutdown()
                try await running.value
                #expect(try await count(db) == 1_000)
                let stored = try await db.store.events(projectID: "prj_1", tenantID: "ten_1", from: Timestamp(milliseconds: 0), to: Timestamp(milliseconds: .max), limit: 2_000, logger: TestDatabase.logger)
                #expect(stored.map(\.cost.nanos) == (0..<1_000).map(Int64.init))
            }
        }

        @Test("shutdown while the database is down leaves the events in the spool, and the next writer replays them")
        func shutdownWhileDown() async throws {
            try await TestDatabase.with(.sqlite) { (db) async throws in
                let flaky = FlakyEventStore(store: db.store)
                flaky.down.withLock { $0 = true }
                let spool = EventSpool(directory: db.directory.appendingPathComponent("spool").path)
                let queue = EventQueue()
                let writer = EventWriter(queue: queue, store: flaky, spool: spool, logger: TestDatabase.logger, batchSize: 50, interval: .milliseconds(20))
                let group = ServiceGroup(configuration: .init(services: [writer], logger: TestDatabase.logger))
                let running = Task { try await group.run() }
                for index in 0..<120 { queue.record(Self.event(index)) }
                await group.triggerGracefulShutdown()
                try await running.value
                #expect(try spool.batches().flatMap { $0 }.count == 120)

                flaky.down.withLock { $0 = false }
                let next = EventWriter(queue: EventQueue(), store: flaky, spool: spool, logger: TestDatabase.logger)
                await next.flushOnce()
                #expect(try await count(db) == 120)
                #expect(spool.isEmpty)
            }
        }

        @Test("a queue the database has not kept up with stays within its capacity: the oldest go to the spool and are written next; nothing lost", arguments: PostgresTestServer.drivers)
        func overCapacity(driver: TestDriver) async throws {
            try await TestDatabase.with(driver) { (db) async throws in
                let queue = EventQueue(capacity: 100)
                let spool = EventSpool(directory: db.directory.appendingPathComponent("spool").path)
                let writer = EventWriter(queue: queue, store: db.store, spool: spool, logger: TestDatabase.logger, batchSize: 20)
                for index in 0..<350 { queue.record(Self.event(index)) }

                await writer.flushOnce()
                #expect(try spool.batches().flatMap { $0 }.map(\.cost.nanos) == Array(0..<250), "the oldest 250 wait on disk")
                #expect(queue.depth == 0, "100 were left in memory, one batch (up to 8 × 20) to the database")
                #expect(try await count(db) == 100)

                await writer.flushOnce()
                #expect(spool.isEmpty)
                #expect(try await count(db) == 350)
                #expect(queue.depth == 0)
                let stored = try await db.database.sql.raw("SELECT CAST(SUM(cost_nanos) AS BIGINT) AS total FROM request_events").first()?.decode(column: "total", as: Int.self)
                #expect(stored == (0..<350).reduce(0, +), "each event once")
            }
        }

        @Test("draining takes events in order, however the queue grows and shrinks")
        func drainOrder() {
            let queue = EventQueue()
            var next = 0, expected = 0
            for round in 0..<200 {
                for _ in 0..<(round % 7 + 3) {
                    queue.record(Self.event(next))
                    next += 1
                }
                for event in queue.drain(limit: round % 5 + 1) {
                    #expect(event.cost.nanos == Int64(expected))
                    expected += 1
                }
            }
            for event in queue.drain(limit: .max) {
                #expect(event.cost.nanos == Int64(expected))
                expected += 1
            }
            #expect(expected == next && queue.depth == 0)
        }
    }
}

func count(_ db: TestDatabase) async throws -> Int {
    try await db.database.sql.raw("SELECT COUNT(*) AS n FROM request_events").first()?.decode(column: "n", as: Int.self) ?? 0
}

func waitUntil(timeout: Duration = .seconds(15), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw TestSetupError(description: "condition not met within \(timeout)") }
        try await Task.sleep(for: .milliseconds(20))
    }
}
