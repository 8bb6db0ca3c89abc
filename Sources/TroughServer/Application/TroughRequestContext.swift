import Hummingbird
import Logging

/// The request context of every route: Hummingbird's core context plus Trough's request id.
public struct TroughRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The id in `X-Request-Id` and in every log line of this request.
    public var requestID: String = ""

    public init(source: Source) {
        self.coreContext = .init(source: source)
    }

    /// JSON request bodies up to 1 MiB on the management API.
    public var maxUploadSize: Int { 1 << 20 }
}
