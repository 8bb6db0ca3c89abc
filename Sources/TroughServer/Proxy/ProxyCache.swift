import Synchronization
import TroughCore

/// Keeps the proxy off the database: project tokens by hash and services by project and name,
/// each for a few seconds, dropped at once when this instance revokes or changes them.
public final class ProxyCache: Sendable {
    struct Entry<Value: Sendable>: Sendable {
        let value: Value
        let expiresAt: Int64
    }

    /// A project's service with its sealed key, as the proxy needs them.
    public struct Upstream: Sendable {
        public let service: Service
        public let key: ProviderKey?
        /// The service's cost rules.
        public let rules: CostRuleMatcher
    }

    private let tokens = Mutex<[String: Entry<ProjectToken?>]>([:])
    private let upstreams = Mutex<[String: Entry<Upstream?>]>([:])
    let ttlMilliseconds: Int64

    public init(ttlSeconds: Int64) {
        self.ttlMilliseconds = ttlSeconds * 1000
    }

    func token(hash: String, now: Int64) -> ProjectToken?? {
        tokens.withLock { cache in
            guard let entry = cache[hash], entry.expiresAt > now else { return nil }
            return .some(entry.value)
        }
    }

    func store(token: ProjectToken?, hash: String, now: Int64) {
        tokens.withLock { cache in
            if cache.count > 100_000 { cache.removeAll(keepingCapacity: true) }
            cache[hash] = Entry(value: token, expiresAt: now + ttlMilliseconds)
        }
    }

    func upstream(key: String, now: Int64) -> Upstream?? {
        upstreams.withLock { cache in
            guard let entry = cache[key], entry.expiresAt > now else { return nil }
            return .some(entry.value)
        }
    }

    func store(upstream: Upstream?, key: String, now: Int64) {
        upstreams.withLock { cache in
            if cache.count > 100_000 { cache.removeAll(keepingCapacity: true) }
            cache[key] = Entry(value: upstream, expiresAt: now + ttlMilliseconds)
        }
    }

    /// Forgets everything cached for a project (a token revoked, a service changed or deleted).
    public func invalidate(projectID: String) {
        tokens.withLock { cache in
            cache = cache.filter { $0.value.value?.projectID != projectID }
        }
        upstreams.withLock { cache in
            cache = cache.filter { !$0.key.hasPrefix(projectID + "/") }
        }
    }
}
