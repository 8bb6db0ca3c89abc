import HTTPTypes
import Hummingbird
import Logging
import TroughCore

/// Gives each request an id: the client's `X-Request-Id` when it is short and plain, else a new one.
/// The id goes into the logger's metadata (`trough.request_id`) and the response's `X-Request-Id`.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = TroughRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let requestID = Self.acceptable(request.headers[.requestID]) ?? Identifier.make("req")
        context.requestID = requestID
        context.logger[metadataKey: "trough.request_id"] = .string(requestID)
        do {
            var response = try await next(request, context)
            response.headers[.requestID] = requestID
            return response
        } catch let error as any HTTPResponseError {
            // Errors become responses here so that they carry the header too.
            var response = try error.response(from: request, context: context)
            response.headers[.requestID] = requestID
            return response
        }
    }

    /// Accepts 1–64 characters of letters, digits, `-`, `_` and `.`: nothing that could forge a log line.
    static func acceptable(_ value: String?) -> String? {
        guard let value, (1...64).contains(value.count),
              value.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)) })
        else { return nil }
        return value
    }
}

extension HTTPField.Name {
    static let requestID = HTTPField.Name("X-Request-Id")!
}

import Foundation
