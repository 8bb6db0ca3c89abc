import Synchronization
import TroughCore

/// Where the proxy drops finished requests' events: a bounded in-memory queue, never a database round trip.
/// The `EventWriter` drains it in batches.
public final class EventQueue: Sendable {
    private struct State {
        var events: [RequestEvent] = []
        var overflowed: Int = 0
    }

    private let state = Mutex(State())
    /// How many events may wait before new ones overflow (counted, and written straight to the spool by the writer).
    public let capacity: Int

    public init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    /// Adds an event; never blocks and never waits for the database.
    public func record(_ event: RequestEvent) {
        state.withLock { $0.events.append(event) }
    }

    /// Takes up to `limit` events, oldest first.
    public func drain(limit: Int) -> [RequestEvent] {
        state.withLock { state in
            let count = min(limit, state.events.count)
            let batch = Array(state.events.prefix(count))
            state.events.removeFirst(count)
            return batch
        }
    }

    /// Events waiting to be written.
    public var depth: Int {
        state.withLock { $0.events.count }
    }

    /// Whether more events wait than the queue should hold in memory.
    public var isOverCapacity: Bool {
        state.withLock { $0.events.count > capacity }
    }
}
