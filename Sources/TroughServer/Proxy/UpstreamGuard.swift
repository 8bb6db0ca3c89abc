#if canImport(Glibc)
import Glibc
#endif
import Foundation
import NIOPosix
import Synchronization
import TroughCore

/// Applies the upstream policy to base URLs when they are saved, and again before requests are sent
/// (the host is resolved and every address checked, so a name that later points inside is caught).
/// Decisions are cached for 30 seconds per host.
public final class UpstreamGuard: Sendable {
    let policy: UpstreamPolicy
    private let decisions = Mutex<[String: (allowed: Bool, reason: String, expiresAt: Date)]>([:])

    public init(policy: UpstreamPolicy) {
        self.policy = policy
    }

    /// The normalized base URL, or a 400 `validation_failed` naming why it is refused.
    func validate(baseURL: String) async throws -> String {
        let normalized: String
        do {
            normalized = try policy.validate(baseURL: baseURL)
        } catch {
            throw APIError.validation(error.description)
        }
        if let host = URLComponents(string: normalized)?.host {
            try await check(host: host, fresh: true)
        }
        return normalized
    }

    /// The decision for `host` without resolving it: true when allowed, false when refused, nil when no
    /// fresh decision is cached (then `check` must resolve it).
    func cachedDecision(host: String) -> Bool? {
        if policy.allowPrivateAddresses { return true }
        guard let decision = decisions.withLock({ $0[host] }), decision.expiresAt > Date() else { return nil }
        return decision.allowed
    }

    /// Whether `host`'s cached decision is past half its life (or missing): time to check it again in the background.
    func decisionRefreshDue(host: String) -> Bool {
        if policy.allowPrivateAddresses { return false }
        guard let decision = decisions.withLock({ $0[host] }) else { return true }
        return decision.expiresAt.timeIntervalSinceNow <= Self.decisionSeconds / 2
    }

    /// How long a host's decision is kept.
    static let decisionSeconds: TimeInterval = 30

    /// Throws `UpstreamPolicyError` when `host` resolves to an address the policy refuses.
    func check(host: String, fresh: Bool = false) async throws {
        if policy.allowPrivateAddresses { return }
        let now = Date()
        if !fresh, let decision = decisions.withLock({ $0[host] }), decision.expiresAt > now {
            if decision.allowed { return }
            throw UpstreamPolicyError(decision.reason)
        }
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let addresses: [IPAddress]
        if let literal = IPAddress(bare) {
            addresses = [literal]
        } else {
            addresses = try await Self.resolve(bare)
        }
        var failure: UpstreamPolicyError?
        if addresses.isEmpty { failure = UpstreamPolicyError("base_url host \(host) does not resolve") }
        for address in addresses {
            do { try policy.check(address, host: host) } catch { failure = error }
        }
        decisions.withLock { $0[host] = (failure == nil, failure?.description ?? "", now.addingTimeInterval(Self.decisionSeconds)) }
        if let failure { throw failure }
    }

    /// Every address `host` resolves to (getaddrinfo, on the blocking-IO thread pool).
    static func resolve(_ host: String) async throws -> [IPAddress] {
        try await NIOThreadPool.singleton.runIfActive {
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var result: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return [] }
            defer { freeaddrinfo(first) }
            var addresses: [IPAddress] = []
            var cursor: UnsafeMutablePointer<addrinfo>? = first
            while let info = cursor {
                if info.pointee.ai_family == AF_INET, let raw = info.pointee.ai_addr {
                    raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                        var address = pointer.pointee.sin_addr
                        addresses.append(IPAddress(bytes: withUnsafeBytes(of: &address) { Array($0) }))
                    }
                } else if info.pointee.ai_family == AF_INET6, let raw = info.pointee.ai_addr {
                    raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                        var address = pointer.pointee.sin6_addr
                        addresses.append(IPAddress(bytes: withUnsafeBytes(of: &address) { Array($0) }))
                    }
                }
                cursor = info.pointee.ai_next
            }
            return addresses
        }
    }
}
