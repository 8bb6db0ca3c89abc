import Foundation
import Synchronization
import TroughCore

/// Keeps the proxy off the database: project tokens by hash and services by project and name,
/// each for a few seconds, dropped at once when this instance revokes or changes them.
public final class ProxyCache: Sendable {
    /// A project's service with its sealed key and cost rules, as the proxy needs them.
    public struct Upstream: Sendable {
        public let service: Service
        public let key: ProviderKey?
        /// The service's cost rules.
        public let rules: CostRuleMatcher
        /// The host of the base URL, checked against the upstream policy before each request.
        public let host: String?
        /// The base URL taken apart, for the event-loop proxy path (nil: that path is not used for it).
        public let target: UpstreamTarget?
        /// The provider events name (`ProviderNames`), worked out once rather than per request.
        public let provider: String
    }

    let tokens: ExpiringCache<ProjectToken?>
    let upstreams: ExpiringCache<Upstream?>
    /// Projects by id, for their budgets.
    let projects: ExpiringCache<Project?>
    /// Tenants' plans by tenant id; kept longer, so an operator's change reaches every instance within `planSeconds`.
    let plans: ExpiringCache<Plan?>

    /// Counts invalidations, so a connection's own memo of a route (`ProxyChannelHandler`) is dropped at once too.
    public var generation: Int { invalidations.load(ordering: .acquiring) }
    private let invalidations = Atomic<Int>(0)

    public init(ttlSeconds: Int64, planSeconds: Int64 = 30) {
        tokens = ExpiringCache(ttlMilliseconds: ttlSeconds * 1000)
        upstreams = ExpiringCache(ttlMilliseconds: ttlSeconds * 1000)
        projects = ExpiringCache(ttlMilliseconds: ttlSeconds * 1000)
        plans = ExpiringCache(ttlMilliseconds: planSeconds * 1000)
    }

    /// Forgets everything cached for a project (a token revoked, a service changed or deleted, a budget set).
    /// The generation moves before and after: a refresh that read the database before it stores nothing
    /// (`ExpiringCache.store(_:for:now:ifCurrent:)`), and no connection keeps a memo taken in between.
    public func invalidate(projectID: String) {
        invalidations.add(1, ordering: .releasing)
        defer { invalidations.add(1, ordering: .releasing) }
        tokens.removeAll { _, token in token?.projectID == projectID }
        upstreams.removeAll { key, _ in key.hasPrefix(projectID + "/") }
        projects.removeAll { key, _ in key == projectID }
    }

    /// Forgets a tenant's plan and everything of its projects (a plan change suspends or restores services).
    public func invalidate(tenantID: String) {
        invalidations.add(1, ordering: .releasing)
        defer { invalidations.add(1, ordering: .releasing) }
        plans.removeAll { key, _ in key == tenantID }
        tokens.removeAll { _, token in token?.tenantID == tenantID }
        upstreams.removeAll { _, upstream in upstream?.service.tenantID == tenantID }
        projects.removeAll { _, project in project?.tenantID == tenantID }
    }
}

/// A small map whose entries expire; "known to be absent" (nil) is cached too.
final class ExpiringCache<Value: Sendable>: Sendable {
    private struct Entry: Sendable {
        let value: Value
        let expiresAt: Int64
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let ttlMilliseconds: Int64
    /// Bounds memory: past this many keys the cache starts over.
    private let capacity = 100_000

    init(ttlMilliseconds: Int64) {
        self.ttlMilliseconds = ttlMilliseconds
    }

    /// The cached value, if it has not expired at `now` (milliseconds).
    func value(for key: String, now: Int64) -> Value? {
        lookup(key, now: now)?.value
    }

    /// The cached value, and whether it is past half its life: time to read it again in the background
    /// (`ProxyController.refreshRoute`) so that a busy key never expires under its requests.
    func lookup(_ key: String, now: Int64) -> (value: Value, refreshDue: Bool)? {
        entries.withLock { entries in
            guard let entry = entries[key], entry.expiresAt > now else { return nil }
            return (entry.value, entry.expiresAt - now <= ttlMilliseconds / 2)
        }
    }

    /// Stores `value`; with `isCurrent`, only when it still holds (checked under the cache's lock, so an
    /// invalidation either removes the value after it is stored or is seen by the check).
    func store(_ value: Value, for key: String, now: Int64, ifCurrent isCurrent: (() -> Bool)? = nil) {
        entries.withLock { entries in
            if let isCurrent, !isCurrent() { return }
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(value: value, expiresAt: now + ttlMilliseconds)
        }
    }

    func removeAll(where shouldRemove: (String, Value) -> Bool) {
        entries.withLock { entries in
            entries = entries.filter { !shouldRemove($0.key, $0.value.value) }
        }
    }
}

/// A service's base URL taken apart once: scheme, host, port and path prefix.
public struct UpstreamTarget: Sendable, Hashable {
    public let secure: Bool
    /// The host name or address, without IPv6 brackets.
    public let host: String
    public let port: Int
    /// The base URL's path without a trailing slash ("" or "/v1").
    public let basePath: String
    /// The `Host` header: the host as written in the URL, with its port when not the scheme's default.
    public let hostHeader: String

    public init?(baseURL: String) {
        guard let components = URLComponents(string: baseURL), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let rawHost = components.host, !rawHost.isEmpty,
              components.query == nil, components.fragment == nil, components.user == nil
        else { return nil }
        secure = scheme == "https"
        host = rawHost.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let defaultPort = secure ? 443 : 80
        port = components.port ?? defaultPort
        var path = components.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        basePath = path
        let written = host.contains(":") ? "[" + host + "]" : host
        hostHeader = port == defaultPort ? written : written + ":" + String(port)
    }
}
