import NIOCore
import NIOSSL
import TroughCore

/// How the proxy behaves; read from the environment by `TroughConfiguration`.
public struct ProxySettings: Sendable {
    /// Allow upstreams on loopback and private networks (self-hosting, tests).
    public var allowPrivateUpstreams = false
    public var connectTimeoutMilliseconds: Int64 = 10_000
    /// Longest wait for the next byte from an upstream.
    public var readTimeoutMilliseconds: Int64 = 300_000
    /// Request bodies larger than this are refused with 413.
    public var maxRequestBytes = 32 << 20
    /// Non-streamed responses up to this size are held to add `X-Trough-Cost-Usd`; larger ones stream without it.
    public var costHeaderMaxBytes = 8 << 20
    /// Send `X-Trough-Cost-Usd` on non-streamed responses.
    public var costHeader = true
    /// Ask OpenAI-style upstreams for usage on streams that did not ask, and strip that extra chunk.
    public var injectStreamUsage = true
    /// How long a project token or service lookup is reused before asking the database again.
    public var cacheSeconds: Int64 = 5
    /// Serve requests whose lookups are cached on the connection's event loop (`EventLoopProxy`).
    public var eventLoopPath = true
    /// An upstream connection unused this long is closed (the event-loop path's pool).
    public var upstreamIdleSeconds: Int64 = 60
    /// A PEM file of certificate authorities trusted for https upstreams besides the system's (an internal CA).
    public var upstreamCAFile: String?

    /// TLS for https upstreams: the system's trust roots, plus `upstreamCAFile`.
    public var upstreamTLS: TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let upstreamCAFile { tls.additionalTrustRoots = [.file(upstreamCAFile)] }
        return tls
    }

    /// How clients reach Trough (`TROUGH_PUBLIC_URL`): links Trough writes into answers for the client to follow
    /// (a Message Batch's `results_url`) use this scheme, with the request's `Host` (else this authority).
    public var publicScheme = "http"
    public var publicAuthority = "127.0.0.1:8790"

    /// A held answer as the client gets it: Anthropic Message Batch objects have their `results_url` pointed at the
    /// service's proxy route (`BatchResultsLink`); every other answer goes on unchanged. Called by both proxy
    /// paths once the answer has been metered.
    func clientBody(_ body: ByteBuffer, inspection: RequestInspection, status: Int, service: Service, host: String?) -> ByteBuffer {
        guard inspection.linksBatchResults, (200..<300).contains(status),
              let linked = BatchResultsLink.rewrite(body.readableBytesView, upstreamBase: service.baseURL,
                                                    troughBase: proxyBase(host: host, service: service.name))
        else { return body }
        return ByteBuffer(bytes: linked)
    }

    /// The URL of `service`'s proxy route as the client that sent `host` (its `Host` header) reaches Trough.
    private func proxyBase(host: String?, service: String) -> String {
        let authority = host.flatMap { $0.isEmpty || !ProxyHeaders.isFieldValue($0) || $0.contains("/") ? nil : $0 } ?? publicAuthority
        return publicScheme + "://" + authority + "/proxy/" + service
    }

    /// Whether an answer is held whole so `X-Trough-Cost-Usd` can go in its head: a non-streamed answer with a
    /// `Content-Length` up to `costHeaderMaxBytes`, and one of unknown length (chunked, as many providers send
    /// JSON) when it is a JSON document answering a request that did not ask to stream. One of unknown length is
    /// sent on as it comes once it passes `costHeaderMaxBytes` (`holdsNoLonger`); an event stream, NDJSON (Ollama
    /// streams by default) or the JSON array of Gemini's `streamGenerateContent` is never held.
    func holdsAnswer(contentType: String?, length: Int?, requestStreams: Bool) -> Bool {
        if contentType?.hasPrefixIgnoringASCIICase("text/event-stream") == true { return false }
        if let length { return length <= costHeaderMaxBytes }
        return !requestStreams && contentType.map(Self.isJSONDocument) == true
    }

    /// A held answer of unknown length that grew past `costHeaderMaxBytes` goes on as it comes.
    func holdsNoLonger(heldBytes: Int, length: Int?) -> Bool {
        length == nil && heldBytes > costHeaderMaxBytes
    }

    /// `application/json` or a `+json` type (`application/problem+json`), parameters aside; not newline-delimited
    /// JSON (`application/stream+json`), which the usage reader takes as a stream too.
    static func isJSONDocument(_ contentType: String) -> Bool {
        if UsageAccumulator.isJSONLines(contentType) { return false }
        let mediaType = (contentType.split(separator: ";", maxSplits: 1).first ?? "").trimmingSpacesAndTabs.lowercased()
        return mediaType == "application/json" || mediaType.hasSuffix("+json")
    }

    public init() {}
}
