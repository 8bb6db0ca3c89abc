import Foundation
import HTTPTypes
import Hummingbird

/// An error answered as JSON `{"error":{"type","message"}}` with a stable `type`.
public struct APIError: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let type: String
    public let message: String
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, type: String, message: String) {
        self.status = status
        self.type = type
        self.message = message
    }

    public static func validation(_ message: String) -> APIError { APIError(.badRequest, type: "validation_failed", message: message) }
    public static func badRequest(_ message: String) -> APIError { APIError(.badRequest, type: "validation_failed", message: message) }
    public static func unauthorized(_ message: String = "sign in first") -> APIError { APIError(.unauthorized, type: "unauthorized", message: message) }
    public static func forbidden(_ message: String) -> APIError { APIError(.forbidden, type: "forbidden", message: message) }
    public static func notFound(_ message: String = "not found") -> APIError { APIError(.notFound, type: "not_found", message: message) }
    public static func conflict(_ message: String) -> APIError { APIError(.conflict, type: "conflict", message: message) }
    /// 402: a plan limit or budget stands in the way (`plan_limit_exceeded`, `budget_exceeded`, `service_suspended`).
    /// Not a status the OpenAI or Anthropic SDKs retry.
    public static func paymentRequired(type: String, _ message: String) -> APIError {
        APIError(HTTPResponse.Status(code: 402, reasonPhrase: "Payment Required"), type: type, message: message)
    }
    public static func rateLimited(_ message: String, retryAfterSeconds: Int64) -> APIError {
        var error = APIError(.tooManyRequests, type: "rate_limited", message: message)
        error.headers[.retryAfter] = String(retryAfterSeconds)
        return error
    }

    public static let internalError = APIError(.internalServerError, type: "internal_error", message: "something went wrong; the request id is in X-Request-Id")

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: status, headers: responseHeaders, body: .init(byteBuffer: try jsonBody()))
    }

    /// The error's own headers and the JSON content type.
    var responseHeaders: HTTPFields {
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        return headers
    }

    /// `{"error":{"message":…,"type":…}}`.
    func jsonBody() throws -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return ByteBuffer(bytes: try encoder.encode(ErrorBody(error: .init(type: type, message: message))))
    }

    struct ErrorBody: Encodable {
        struct Detail: Encodable {
            let type: String
            let message: String
        }

        let error: Detail
    }
}
