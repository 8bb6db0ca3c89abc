import Synchronization

/// The time limits are counted in and requests are stamped with. The system clock, unless a test moves it (month
/// rollover): events and limits then agree on the month a request falls in.
public final class TroughClock: Sendable {
    /// Read on every proxied request: an atomic, not a lock the event loops would contend for.
    private let offsetMilliseconds = Atomic<Int64>(0)

    public init() {}

    public func now() -> Timestamp {
        Timestamp.now().adding(milliseconds: offsetMilliseconds.load(ordering: .relaxed))
    }

    /// Makes `now()` read `time` from this moment on (tests only).
    public func set(to time: Timestamp) {
        offsetMilliseconds.store(time.milliseconds - Timestamp.now().milliseconds, ordering: .relaxed)
    }
}
