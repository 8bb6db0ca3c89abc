import Hummingbird
import HTTPTypes
import Logging
import TroughCore

/// Finds the caller of an `/api` request from the session cookie or a `Bearer trough_ak_…` key,
/// and refuses state-changing cookie requests without the session's `X-CSRF-Token`.
/// Requests without credentials pass through with no caller; routes that need one say so.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = TroughRequestContext

    let store: any Store
    let settings: AuthSettings
    let adminKey: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let now = Timestamp.now()
        // Bodies must be JSON: a cross-site HTML form cannot send that without a CORS preflight.
        if !Self.isSafe(request.method), let type = request.headers[.contentType], !type.lowercased().hasPrefix("application/json") {
            throw APIError(.unsupportedMediaType, type: "validation_failed", message: "send the body as JSON with Content-Type: application/json")
        }
        if Self.sessionStartingPaths.contains(request.uri.path) {
            // Sign-up and login start a fresh session: a cookie sent along is ignored, never reused.
            return try await next(request, context)
        }
        if let bearer = Self.bearerToken(request) {
            if bearer.hasPrefix(SecretToken.apiKeyPrefix) {
                context.caller = try await callerForAPIKey(bearer, at: now, logger: context.logger)
                guard context.caller != nil else { throw APIError.unauthorized("the API key is unknown or revoked") }
            } else if let adminKey, SecretToken.constantTimeEquals(bearer, adminKey) {
                context.isOperator = true
            } else {
                throw APIError.unauthorized("unknown bearer token")
            }
        } else if let token = request.cookies[AuthSettings.sessionCookie]?.value, !token.isEmpty {
            if let caller = try await callerForSession(token, at: now, logger: context.logger) {
                if !Self.isSafe(request.method) {
                    let sent = request.headers[.csrfToken] ?? ""
                    guard SecretToken.constantTimeEquals(sent, SecretToken.csrfToken(forSession: token)) else {
                        throw APIError.forbidden("missing or wrong X-CSRF-Token header")
                    }
                }
                context.caller = caller
                context.sessionToken = token
            }
        }
        if let caller = context.caller {
            context.logger[metadataKey: "trough.user"] = .string(caller.user.id)
        }
        return try await next(request, context)
    }

    func callerForSession(_ token: String, at now: Timestamp, logger: Logger) async throws -> Caller? {
        guard let session = try await store.session(tokenHash: Identifier.sha256Hex(token), logger: logger),
              session.isActive(at: now),
              let user = try await store.user(id: session.userID, logger: logger)
        else { return nil }
        // Activity moves the idle expiry forward; written at most once a minute.
        if now.milliseconds - session.lastSeenAt.milliseconds > 60_000 {
            let idle = min(now.adding(seconds: settings.sessionIdleSeconds), session.expiresAt)
            try await store.touchSession(id: session.id, lastSeenAt: now, idleExpiresAt: idle, logger: logger)
        }
        return Caller(user: user, credential: .session(session))
    }

    func callerForAPIKey(_ token: String, at now: Timestamp, logger: Logger) async throws -> Caller? {
        let hash = Identifier.sha256Hex(token)
        guard let key = try await store.activeAPIKey(tokenHash: hash, logger: logger),
              SecretToken.constantTimeEquals(key.tokenHash, hash),
              let user = try await store.user(id: key.userID, logger: logger)
        else { return nil }
        if key.lastUsedAt.map({ now.milliseconds - $0.milliseconds > 60_000 }) ?? true {
            try await store.touchAPIKey(id: key.id, at: now, logger: logger)
        }
        return Caller(user: user, credential: .apiKey(key))
    }

    static let sessionStartingPaths: Set<String> = ["/api/auth/login", "/api/auth/signup"]

    static func bearerToken(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1]).trimmingCharacters(in: .whitespaces)
    }

    static func isSafe(_ method: HTTPRequest.Method) -> Bool {
        method == .get || method == .head || method == .options
    }
}

extension HTTPField.Name {
    static let csrfToken = HTTPField.Name("X-CSRF-Token")!
}

import Foundation
