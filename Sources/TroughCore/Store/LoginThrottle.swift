/// Failed sign-ins counted for one key: an account (`email:<sha256>`) or a client address (`addr:<address>`).
public struct LoginThrottle: Codable, Hashable, Sendable {
    public var key: String
    public var failures: Int
    public var windowStartAt: Timestamp
    public var lockedUntilAt: Timestamp

    enum CodingKeys: String, CodingKey {
        case key
        case failures
        case windowStartAt = "window_start_at"
        case lockedUntilAt = "locked_until_at"
    }

    public init(key: String, failures: Int, windowStartAt: Timestamp, lockedUntilAt: Timestamp) {
        self.key = key
        self.failures = failures
        self.windowStartAt = windowStartAt
        self.lockedUntilAt = lockedUntilAt
    }
}

/// When failed sign-ins slow further attempts down: after `freeFailures` failures within the window,
/// each further failure locks the key for twice as long as the last, up to `maxLockSeconds`.
public struct LoginThrottlePolicy: Sendable {
    public var freeFailures: Int
    public var windowSeconds: Int64
    public var baseLockSeconds: Int64
    public var maxLockSeconds: Int64

    /// Per account: 5 free failures in 15 minutes, then 30 s, 60 s, … up to 15 minutes.
    public static let account = LoginThrottlePolicy(freeFailures: 5, windowSeconds: 900, baseLockSeconds: 30, maxLockSeconds: 900)
    /// Per client address: more room for offices behind one address.
    public static let address = LoginThrottlePolicy(freeFailures: 20, windowSeconds: 900, baseLockSeconds: 30, maxLockSeconds: 900)

    public init(freeFailures: Int, windowSeconds: Int64, baseLockSeconds: Int64, maxLockSeconds: Int64) {
        self.freeFailures = freeFailures
        self.windowSeconds = windowSeconds
        self.baseLockSeconds = baseLockSeconds
        self.maxLockSeconds = maxLockSeconds
    }

    /// Seconds until `throttle` allows another attempt at `now`; 0 when it does.
    public func retryAfterSeconds(_ throttle: LoginThrottle?, at now: Timestamp) -> Int64 {
        guard let throttle, throttle.lockedUntilAt > now else { return 0 }
        return (throttle.lockedUntilAt.milliseconds - now.milliseconds + 999) / 1000
    }

    /// The throttle after one more failure at `now`.
    public func recordingFailure(_ throttle: LoginThrottle?, key: String, at now: Timestamp) -> LoginThrottle {
        var updated = throttle ?? LoginThrottle(key: key, failures: 0, windowStartAt: now, lockedUntilAt: Timestamp(milliseconds: 0))
        if now.milliseconds - updated.windowStartAt.milliseconds > windowSeconds * 1000, updated.lockedUntilAt < now {
            updated.failures = 0
            updated.windowStartAt = now
        }
        updated.failures += 1
        let excess = updated.failures - freeFailures
        if excess > 0 {
            let lock = min(maxLockSeconds, baseLockSeconds << Int64(min(excess - 1, 20)))
            updated.lockedUntilAt = now.adding(seconds: lock)
        }
        return updated
    }
}
