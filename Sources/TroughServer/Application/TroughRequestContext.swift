import Foundation
import Hummingbird
import Logging

/// The request context of every route: Hummingbird's core context plus Trough's request id.
public struct TroughRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The id in `X-Request-Id` and in every log line of this request.
    public var requestID: String = ""
    /// The signed-in user or API key, set by `AuthMiddleware`.
    public var caller: Caller?
    /// The raw session token of a cookie request (to derive its CSRF token).
    public var sessionToken: String?
    /// Whether the request carried the operator key (`TROUGH_ADMIN_KEY`).
    public var isOperator = false
    /// The client's address, for throttling and the audit log (never recorded with proxied requests).
    public let clientAddress: String?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.clientAddress = source.channel.remoteAddress?.ipAddress
    }

    /// Request bodies are snake_case JSON.
    public var requestDecoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .fromSnakeCaseKeys
        return decoder
    }

    /// Responses are snake_case JSON.
    public var responseEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .toSnakeCaseKeys
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// JSON request bodies up to 1 MiB on the management API.
    public var maxUploadSize: Int { 1 << 20 }
}
