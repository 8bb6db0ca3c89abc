import Synchronization
import TroughCore

/// Where the proxy drops finished requests' events: a bounded in-memory queue, never a database round trip.
/// The `EventWriter` drains it in batches.
public final class EventQueue: Sendable {
    private struct State {
        /// Events from `head` on wait; the ones before it were drained (dropped when they are half the array,
        /// so a drain costs what it takes, not what waits behind it).
        var events: [RequestEvent] = []
        var head = 0

        var count: Int { events.count - head }
    }

    private let state = Mutex(State())
    /// How many events may wait in memory; the writer moves what waits beyond it to the spool.
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
            let count = min(limit, state.count)
            if state.head == 0, count == state.events.count {
                // All of it (the usual case): handed over whole, no copy of each event.
                defer { state.events = [] }
                return state.events
            }
            let batch = Array(state.events[state.head..<state.head + count])
            state.head += count
            if state.head == state.events.count {
                state.events.removeAll(keepingCapacity: state.events.count <= 4_096)
                state.head = 0
            } else if state.head >= state.events.count / 2 {
                state.events.removeFirst(state.head)
                state.head = 0
            }
            return batch
        }
    }

    /// Events waiting to be written.
    public var depth: Int {
        state.withLock { $0.count }
    }

    /// Whether more events wait than the queue should hold in memory.
    public var isOverCapacity: Bool {
        state.withLock { $0.count > capacity }
    }
}
