import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import TroughCore

/// The proxy on the client connection's event loop: no task hops, no routing, an upstream connection on the
/// same loop. Lookups come from the caches (or, on a miss, from the database through the same functions the
/// router's path uses). Request bodies stream both ways, chunked ones too. Requests this path does not take — no
/// project token (401), `Expect`, a declared size over the limit (413), a body with both `Content-Length` and
/// `Transfer-Encoding`, one pipelined behind a router answer — go to the Hummingbird
/// route, which behaves the same. `TROUGH_PROXY_EVENT_LOOP=false` sends everything there. The client's request is
/// decoded by NIO; the upstream request and answer, and the answer back to the client, are HTTP/1.1 as bytes
/// (`ProxyExchange.writeUpstreamHead`, `UpstreamResponseParser`, `ClientAnswer`).
final class EventLoopProxy: Sendable {
    let proxy: ProxyController
    let pool: UpstreamPool
    let logger: Logger
    /// Requests this path has taken, in this process (for tests and, later, metrics).
    static let exchangesStarted = Atomic<Int>(0)

    init(proxy: ProxyController, logger: Logger) throws {
        self.proxy = proxy
        self.logger = logger
        pool = try UpstreamPool(connectTimeout: .milliseconds(proxy.settings.connectTimeoutMilliseconds),
                                idleTimeout: .seconds(proxy.settings.upstreamIdleSeconds), tls: proxy.settings.upstreamTLS)
    }

    /// What Hummingbird adds to each client connection's pipeline: it installs a `ProxyChannelHandler` in front of
    /// the HTTP types conversion.
    func channelHandler() -> ProxyHandlerInstaller {
        ProxyHandlerInstaller(proxy: self)
    }

    /// The exchange for `head` when this path can serve it from caches alone; nil leaves it to Hummingbird.
    func start(_ head: HTTPRequestHead, handler: ProxyChannelHandler, context: ChannelHandlerContext) -> ProxyExchange? {
        switch head.method {
        case .GET, .POST, .PUT, .PATCH, .DELETE, .HEAD, .OPTIONS: break
        default: return nil
        }
        let uri = head.uri
        guard uri.utf8.first == UInt8(ascii: "/") else { return nil }
        let path: Substring
        let query: String?
        if let mark = uri.utf8.firstIndex(of: UInt8(ascii: "?")) {
            path = uri[..<mark]
            query = String(uri[uri.index(after: mark)...])
        } else {
            path = uri[...]
            query = nil
        }

        let selector: ProxyController.ServiceSelector
        let rest: String
        if path.utf8.starts(with: "/proxy/".utf8) {
            let name = path.dropFirst("/proxy/".utf8.count).prefix { $0 != "/" }
            guard !name.isEmpty, !name.utf8.contains(UInt8(ascii: "%")) else { return nil }
            selector = .named(String(name))
            rest = ProxyController.rest(of: path, after: 2)
        } else if path.utf8.starts(with: "/v1/".utf8) {
            selector = .openAIDefault
            rest = ProxyController.rest(of: path, after: 1)
        } else {
            return nil
        }

        // A body of known size within the limit, or a chunked one (counted against the limit as it streams).
        // `Expect`, a known size over the limit (413), and ambiguous framing take the other path.
        let facts = RequestHeaderFacts(head.headers)
        guard !facts.expects, !(facts.chunked && facts.contentLengths > 0) else { return nil }
        var bodyLength: Int64?
        if let value = facts.contentLength {
            guard facts.contentLengths == 1, let length = Int64(value), length >= 0, length <= Int64(proxy.settings.maxRequestBytes) else { return nil }
            bodyLength = length
        } else if !facts.chunked, ![.GET, .HEAD, .OPTIONS, .DELETE].contains(head.method) {
            return nil
        }

        guard let rawToken = facts.projectToken else { return nil }
        Self.exchangesStarted.add(1, ordering: .relaxed)
        return ProxyExchange(
            proxy: self, handler: handler, context: context, head: head, facts: facts, path: rest, query: query, bodyLength: bodyLength,
            rawToken: rawToken, selector: selector, cached: handler.cachedRoute(rawToken: rawToken, selector: selector)
        )
    }

    /// Who sent the request and where it goes, when the caches know all of it (the common case); past half the
    /// entries' life, a background refresh reads them again (`ProxyController.refreshRoute`).
    func cachedRoute(rawToken: String, tokenHash: String, selector: ProxyController.ServiceSelector, now: Int64) -> ProxyRoute? {
        let cache = proxy.cache
        guard let cachedToken = cache.tokens.value(for: tokenHash, now: now), let token = cachedToken,
              let cachedUpstream = cache.upstreams.value(for: selector.cacheKey(projectID: token.projectID), now: now),
              let upstream = cachedUpstream, upstream.service.status == .active, let target = upstream.target,
              let host = upstream.host, proxy.upstreams.cachedDecision(host: host) == true,
              let plan = cache.plans.value(for: token.tenantID, now: now),
              let project = cache.projects.value(for: token.projectID, now: now)
        else { return nil }
        proxy.refreshAheadIfDue(rawToken: rawToken, selector: selector, token: token, host: host, now: now, logger: logger)
        return ProxyRoute(token: token, upstream: upstream, target: target,
                          policy: ProxyLimits(plan: plan, project: project, service: upstream.service, token: token, period: proxy.limits.currentPeriod()))
    }

    /// Looks up what the caches did not have (and fills them), with the same answers as the router's path:
    /// 401 for an unknown token, 404 for an unknown service, 402 for a suspended one, and `RouteRefused` when the
    /// upstream's address is not allowed.
    func resolveRoute(rawToken: String, selector: ProxyController.ServiceSelector, logger: Logger) async throws -> ProxyRoute {
        let (token, upstream) = try await proxy.activeService(rawToken: rawToken, selector: selector, logger: logger)
        let service = upstream.service
        guard let target = upstream.target else { throw APIError.internalError }
        let route = ProxyRoute(token: token, upstream: upstream, target: target,
                               policy: try await proxy.limitPolicy(token: token, service: service, logger: logger))
        if let host = upstream.host {
            do {
                try await proxy.upstreams.check(host: host)
            } catch {
                throw RouteRefused(route: route, reason: error)
            }
        }
        return route
    }
}

/// What the proxy reads from a request's headers, in one pass over them: the body's framing, the project token,
/// and the values the exchange uses (each `first(name:)` would be another pass).
struct RequestHeaderFacts {
    var contentLength: String?
    var contentLengths = 0
    var chunked = false
    var expects = false
    var contentType: String?
    var requestID: String?
    var tags: String?
    var host: String?
    /// `ProjectCredential.find(in:)`'s answer.
    var projectToken: String?

    init(_ headers: HTTPHeaders) {
        var explicitToken: String?
        var credentials: [String?] = [nil, nil, nil]
        for (name, value) in headers {
            switch name.utf8.count {
            case 14 where name.equalsIgnoringASCIICase("content-length"):
                contentLengths += 1
                if contentLength == nil { contentLength = value }
            case 17 where name.equalsIgnoringASCIICase("transfer-encoding"): chunked = true
            case 6 where name.equalsIgnoringASCIICase("expect"): expects = true
            case 4 where host == nil && name.equalsIgnoringASCIICase("host"): host = value
            case 12 where contentType == nil && name.equalsIgnoringASCIICase("content-type"): contentType = value
            case 12 where requestID == nil && name.equalsIgnoringASCIICase("x-request-id"): requestID = value
            case 13 where tags == nil && name.equalsIgnoringASCIICase("x-trough-tags"): tags = value
            case 15 where explicitToken == nil && name.equalsIgnoringASCIICase("x-project-token"): explicitToken = value
            case 13 where credentials[0] == nil && name.equalsIgnoringASCIICase("authorization"): credentials[0] = value
            case 9 where credentials[1] == nil && name.equalsIgnoringASCIICase("x-api-key"): credentials[1] = value
            case 14 where credentials[2] == nil && name.equalsIgnoringASCIICase("x-goog-api-key"): credentials[2] = value
            default: break
            }
        }
        projectToken = ProjectCredential.find(projectToken: explicitToken, credentials: credentials)
    }
}

/// Who sent a proxied request and where it goes. A class: exchanges and a connection's memo share one copy
/// (as a struct, each copy retained every string of the token, service, plan and project).
final class ProxyRoute: Sendable {
    let token: ProjectToken
    let upstream: ProxyCache.Upstream
    let target: UpstreamTarget
    let policy: ProxyLimits

    init(token: ProjectToken, upstream: ProxyCache.Upstream, target: UpstreamTarget, policy: ProxyLimits) {
        self.token = token
        self.upstream = upstream
        self.target = target
        self.policy = policy
    }
}

/// The route's upstream host failed its check (an address the policy refuses: 502 `upstream_refused`;
/// it could not be resolved: 502 `upstream_unavailable`); answered as `UpstreamFailure(reason)` and recorded.
struct RouteRefused: Error {
    let route: ProxyRoute
    let reason: any Error
}
