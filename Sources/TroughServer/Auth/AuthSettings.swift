import NIOCore
import NIOPosix
import TroughCore

/// Session lifetimes, cookie flags and password rules.
public struct AuthSettings: Sendable {
    /// A session ends after this much inactivity.
    public var sessionIdleSeconds: Int64 = 3 * 24 * 3600
    /// A session ends this long after sign-in, whatever the activity.
    public var sessionAbsoluteSeconds: Int64 = 30 * 24 * 3600
    /// `Secure` on the session cookie (when the public URL is https).
    public var secureCookies: Bool = false
    public var passwordHasher = PasswordHasher()
    public var accountThrottle = LoginThrottlePolicy.account
    public var addressThrottle = LoginThrottlePolicy.address

    public static let sessionCookie = "trough_session"
    public static let minimumPasswordLength = 10
    public static let maximumPasswordLength = 256

    public init() {}

    /// Threads for argon2 only, so hashing (tens of milliseconds of CPU each) never holds up file or DNS work.
    static let hashingThreads: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: max(1, System.coreCount))
        pool.start()
        return pool
    }()
}
