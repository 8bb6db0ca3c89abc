import Synchronization

/// The time limits are counted in. The system clock, unless a test moves it (month rollover).
public final class TroughClock: Sendable {
    private let offsetMilliseconds = Mutex<Int64>(0)

    public init() {}

    public func now() -> Timestamp {
        Timestamp.now().adding(milliseconds: offsetMilliseconds.withLock { $0 })
    }

    /// Makes `now()` read `time` from this moment on (tests only).
    public func set(to time: Timestamp) {
        offsetMilliseconds.withLock { $0 = time.milliseconds - Timestamp.now().milliseconds }
    }
}
