import Foundation
import Hummingbird
import Logging
import NIOPosix
import TroughCore

/// Sign-up, login, logout, the signed-in user, and their sessions.
struct AuthController {
    let store: any Store
    let settings: AuthSettings
    /// A hash to verify against when the email is unknown, so the answer takes as long as for a real account.
    let decoyHash: String

    var access: Access { Access(store: store) }
    var auditor: Auditor { Auditor(store: store) }

    func addRoutes(to api: RouterGroup<TroughRequestContext>) {
        api.post("/auth/signup", use: signUp)
        api.post("/auth/login", use: logIn)
        api.post("/auth/logout", use: logOut)
        api.get("/me", use: me)
        api.get("/me/sessions", use: sessions)
        api.delete("/me/sessions/:session_id", use: endSession)
        api.post("/me/sessions/revoke-others", use: endOtherSessions)
    }

    struct SignUpRequest: Decodable {
        let email: String
        let password: String
        let tenantName: String?
        let inviteToken: String?
    }

    struct LogInRequest: Decodable {
        let email: String
        let password: String
    }

    @Sendable func signUp(_ request: Request, context: TroughRequestContext) async throws -> Response {
        let body = try await request.decode(as: SignUpRequest.self, context: context)
        let email = try Validate.email(body.email)
        try Validate.newPassword(body.password, email: email)
        let now = Timestamp.now()
        let hash = try await hashOffLoop(body.password)
        let user = User(email: email, passwordHash: hash, createdAt: now)
        if let inviteToken = body.inviteToken, !inviteToken.isEmpty {
            guard let membership = try await store.createUserAcceptingInvite(user, inviteTokenHash: Identifier.sha256Hex(inviteToken), at: now, logger: context.logger) else {
                throw APIError.notFound("the invite link is unknown, used or expired")
            }
            await auditor.recordForUser("member.join", user: user, actorKind: .user, metadata: ["role": membership.role.rawValue, "via": "signup"], context: context)
        } else {
            let tenantName = try Validate.name(body.tenantName ?? "", field: "tenant_name")
            let tenant = Tenant(name: tenantName, createdAt: now)
            try await store.createUserWithTenant(user, tenant: tenant, logger: context.logger)
            await auditor.recordForUser("tenant.create", user: user, actorKind: .user, context: context)
        }
        await auditor.recordForUser("auth.signup", user: user, actorKind: .user, context: context)
        return try await startSession(for: user, status: .created, request: request, context: context)
    }

    @Sendable func logIn(_ request: Request, context: TroughRequestContext) async throws -> Response {
        let body = try await request.decode(as: LogInRequest.self, context: context)
        let now = Timestamp.now()
        let accountKey = "email:" + Identifier.sha256Hex(User.normalize(email: body.email))
        let addressKey = "addr:" + (context.clientAddress ?? "unknown")
        let throttles = try await store.loginThrottles(keys: [accountKey, addressKey], logger: context.logger)
        let accountThrottle = throttles.first { $0.key == accountKey }
        let addressThrottle = throttles.first { $0.key == addressKey }
        let wait = max(
            settings.accountThrottle.retryAfterSeconds(accountThrottle, at: now),
            settings.addressThrottle.retryAfterSeconds(addressThrottle, at: now)
        )
        guard wait == 0 else {
            throw APIError.rateLimited("too many failed sign-ins; try again in \(wait) seconds", retryAfterSeconds: wait)
        }

        let user = try await store.user(email: body.email, logger: context.logger)
        // Always verify once, against a decoy for unknown emails: same work, same timing.
        let matches = try await verifyOffLoop(body.password, against: user?.passwordHash ?? decoyHash) && user != nil
        guard let user, matches else {
            try await store.saveLoginThrottles([
                settings.accountThrottle.recordingFailure(accountThrottle, key: accountKey, at: now),
                settings.addressThrottle.recordingFailure(addressThrottle, key: addressKey, at: now),
            ], logger: context.logger)
            if let user {
                await auditor.recordForUser("auth.login_failed", user: user, actorKind: .anonymous, context: context)
            } else {
                await auditor.record("auth.login_failed", tenantID: nil, caller: nil, metadata: ["reason": "unknown_email"], context: context)
            }
            throw APIError.unauthorized("wrong email or password")
        }
        if accountThrottle != nil {
            try await store.clearLoginThrottle(key: accountKey, logger: context.logger)
        }
        if settings.passwordHasher.needsRehash(user.passwordHash) {
            let rehashed = try await hashOffLoop(body.password)
            try await store.updatePasswordHash(userID: user.id, passwordHash: rehashed, at: now, logger: context.logger)
        }
        await auditor.recordForUser("auth.login", user: user, actorKind: .user, context: context)
        return try await startSession(for: user, status: .ok, request: request, context: context)
    }

    @Sendable func logOut(_ request: Request, context: TroughRequestContext) async throws -> Response {
        let caller = try access.caller(context)
        guard let sessionID = caller.sessionID else {
            throw APIError.badRequest("logout ends a browser session; revoke API keys instead")
        }
        _ = try await store.deleteSession(id: sessionID, userID: caller.user.id, logger: context.logger)
        await auditor.recordForUser("auth.logout", user: caller.user, actorKind: .user, context: context)
        var response = Response(status: .noContent)
        response.setCookie(sessionCookie(value: "", maxAge: 0))
        return response
    }

    @Sendable func me(_ request: Request, context: TroughRequestContext) async throws -> MeJSON {
        let caller = try access.caller(context)
        return try await meJSON(for: caller.user, scope: caller.tenantScope, csrf: context.sessionToken.map(SecretToken.csrfToken(forSession:)), logger: context.logger)
    }

    @Sendable func sessions(_ request: Request, context: TroughRequestContext) async throws -> ListJSON<SessionJSON> {
        let caller = try access.caller(context)
        let sessions = try await store.sessions(userID: caller.user.id, activeAt: .now(), logger: context.logger)
        return ListJSON(items: sessions.map { SessionJSON($0, currentID: caller.sessionID) }, key: "sessions")
    }

    @Sendable func endSession(_ request: Request, context: TroughRequestContext) async throws -> Response {
        let caller = try access.caller(context)
        let sessionID = try context.parameters.require("session_id")
        guard try await store.deleteSession(id: sessionID, userID: caller.user.id, logger: context.logger) else {
            throw APIError.notFound("no such session")
        }
        await auditor.recordForUser("auth.session_end", user: caller.user, actorKind: caller.actorKind, context: context)
        return Response(status: .noContent)
    }

    @Sendable func endOtherSessions(_ request: Request, context: TroughRequestContext) async throws -> [String: Int] {
        let caller = try access.caller(context)
        let ended = try await store.deleteSessions(userID: caller.user.id, keeping: caller.sessionID, logger: context.logger)
        await auditor.recordForUser("auth.sessions_end_others", user: caller.user, actorKind: caller.actorKind, metadata: ["ended": String(ended)], context: context)
        return ["ended": ended]
    }

    // MARK: Helpers

    /// A new session (never reusing one the client sent: no fixation), its cookie, and the user with the CSRF token.
    func startSession(for user: User, status: HTTPResponse.Status, request: Request, context: TroughRequestContext) async throws -> Response {
        let now = Timestamp.now()
        let token = SecretToken.make(prefix: SecretToken.sessionPrefix)
        let csrf = SecretToken.csrfToken(forSession: token)
        let session = Session(
            tokenHash: Identifier.sha256Hex(token),
            csrfTokenHash: Identifier.sha256Hex(csrf),
            userID: user.id,
            userAgent: request.headers[.userAgent].map { String($0.prefix(256)) },
            clientAddress: context.clientAddress,
            createdAt: now,
            idleExpiresAt: now.adding(seconds: settings.sessionIdleSeconds),
            expiresAt: now.adding(seconds: settings.sessionAbsoluteSeconds)
        )
        try await store.createSession(session, logger: context.logger)
        let body = try await meJSON(for: user, scope: nil, csrf: csrf, logger: context.logger)
        var response = try context.responseEncoder.encode(body, from: request, context: context)
        response.status = status
        response.setCookie(sessionCookie(value: token, maxAge: Int(settings.sessionAbsoluteSeconds)))
        return response
    }

    func meJSON(for user: User, scope: String?, csrf: String?, logger: Logger) async throws -> MeJSON {
        let tenants = try await store.memberships(userID: user.id, logger: logger)
            .filter { scope == nil || $0.tenant.id == scope }
            .map { TenantJSON($0.tenant, role: $0.membership.role) }
        return MeJSON(user: UserJSON(user), tenants: tenants, csrfToken: csrf)
    }

    func sessionCookie(value: String, maxAge: Int) -> Cookie {
        Cookie(name: AuthSettings.sessionCookie, value: value, maxAge: maxAge, path: "/", secure: settings.secureCookies, httpOnly: true, sameSite: .lax)
    }

    func hashOffLoop(_ password: String) async throws -> String {
        let hasher = settings.passwordHasher
        return try await AuthSettings.hashingThreads.runIfActive { try hasher.hash(password) }
    }

    func verifyOffLoop(_ password: String, against hash: String) async throws -> Bool {
        let hasher = settings.passwordHasher
        return try await AuthSettings.hashingThreads.runIfActive { hasher.verify(password, against: hash) }
    }
}
