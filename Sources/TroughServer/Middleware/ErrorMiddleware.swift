import Foundation
import HTTPTypes
import Hummingbird
import Logging
import TroughCore

/// Maps every error to Trough's JSON error shape in one place; unknown errors are logged and answered 500.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = TroughRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as StoreError {
            throw Self.map(error, context: context)
        } catch let error as HTTPError {
            throw Self.map(error)
        } catch let error as DecodingError {
            throw APIError.badRequest("malformed JSON body: \(Self.describe(error))")
        } catch {
            context.logger.error("Unhandled error", metadata: ["trough.error": .string(String(reflecting: error))])
            throw APIError.internalError
        }
    }

    static func map(_ error: StoreError, context: Context) -> APIError {
        if error.isConflict { return .conflict(error.message) }
        context.logger.error("Store error", metadata: ["trough.error": .string(error.message)])
        return APIError(.serviceUnavailable, type: "unavailable", message: "the database is unavailable; try again shortly")
    }

    static func map(_ error: HTTPError) -> APIError {
        let message = error.body ?? error.status.reasonPhrase
        var mapped: APIError = switch error.status {
        case .notFound: .notFound(error.body ?? "no such route")
        case .unauthorized: .unauthorized(message)
        case .forbidden: .forbidden(message)
        case .conflict: .conflict(message)
        case .contentTooLarge: APIError(.contentTooLarge, type: "payload_too_large", message: message)
        case .methodNotAllowed: APIError(.methodNotAllowed, type: "method_not_allowed", message: message)
        case .tooManyRequests: APIError(.tooManyRequests, type: "rate_limited", message: message)
        case .badRequest: .badRequest(message)
        default: APIError(error.status, type: error.status.code >= 500 ? "internal_error" : "validation_failed", message: message)
        }
        mapped.headers = error.headers
        return mapped
    }

    /// Names the problem in a decoding error without echoing the body.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map(\.stringValue).filter { !$0.isEmpty }
            return keys.isEmpty ? "the body" : "'\(keys.joined(separator: "."))'"
        }
        switch error {
        case .keyNotFound(let key, _): return "missing field '\(key.stringValue)'"
        case .typeMismatch(_, let context): return "\(path(context)) has the wrong type"
        case .valueNotFound(_, let context): return "\(path(context)) is null"
        case .dataCorrupted(let context): return context.codingPath.isEmpty ? "not valid JSON" : "\(path(context)) is invalid"
        @unknown default: return "not valid JSON"
        }
    }
}
