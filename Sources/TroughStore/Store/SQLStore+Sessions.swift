import Logging
import SQLKit
import TroughCore

extension SQLStore {
    public func createUserAcceptingInvite(_ user: User, inviteTokenHash: String, at now: Timestamp, logger: Logger) async throws -> Membership? {
        do {
            return try await mapConflict("an account with this email already exists") {
                try await database.transaction { sql in
                    try await sql.insert(into: "users").model(user).run()
                    guard let membership = try await Self.acceptInvite(on: sql, tokenHash: inviteTokenHash, userID: user.id, at: now) else {
                        throw InviteRejected()
                    }
                    return membership
                }
            }
        } catch is InviteRejected {
            return nil
        }
    }

    public func updatePasswordHash(userID: String, passwordHash: String, at now: Timestamp, logger: Logger) async throws {
        try await sql.update("users")
            .set("password_hash", to: passwordHash)
            .set("updated_at", to: now.milliseconds)
            .where("id", .equal, userID)
            .run()
    }

    public func createSession(_ session: Session, logger: Logger) async throws {
        try await sql.insert(into: "sessions").model(session).run()
    }

    public func session(tokenHash: String, logger: Logger) async throws -> Session? {
        try await sql.select().columns(Session.columns).from("sessions")
            .where("token_hash", .equal, tokenHash)
            .first(decoding: Session.self)
    }

    public func touchSession(id: String, lastSeenAt: Timestamp, idleExpiresAt: Timestamp, logger: Logger) async throws {
        try await sql.update("sessions")
            .set("last_seen_at", to: lastSeenAt.milliseconds)
            .set("idle_expires_at", to: idleExpiresAt.milliseconds)
            .where("id", .equal, id)
            .run()
    }

    public func sessions(userID: String, activeAt now: Timestamp, logger: Logger) async throws -> [Session] {
        try await sql.select().columns(Session.columns).from("sessions")
            .where("user_id", .equal, userID)
            .where("expires_at", .greaterThan, now.milliseconds)
            .where("idle_expires_at", .greaterThan, now.milliseconds)
            .orderBy("created_at", .descending)
            .all(decoding: Session.self)
    }

    public func deleteSession(id: String, userID: String, logger: Logger) async throws -> Bool {
        try await !sql.delete(from: "sessions")
            .where("id", .equal, id)
            .where("user_id", .equal, userID)
            .returning("id").all().isEmpty
    }

    public func deleteSessions(userID: String, keeping: String?, logger: Logger) async throws -> Int {
        var query = sql.delete(from: "sessions").where("user_id", .equal, userID)
        if let keeping {
            query = query.where("id", .notEqual, keeping)
        }
        return try await query.returning("id").all().count
    }

    public func deleteExpiredSessions(before now: Timestamp, logger: Logger) async throws -> Int {
        try await sql.delete(from: "sessions")
            .where("expires_at", .lessThanOrEqual, now.milliseconds)
            .orWhere("idle_expires_at", .lessThanOrEqual, now.milliseconds)
            .returning("id").all().count
    }

    public func loginThrottles(keys: [String], logger: Logger) async throws -> [LoginThrottle] {
        guard !keys.isEmpty else { return [] }
        return try await sql.select().columns(LoginThrottle.columns).from("login_throttle")
            .where("key", .in, keys)
            .all(decoding: LoginThrottle.self)
    }

    public func saveLoginThrottles(_ throttles: [LoginThrottle], logger: Logger) async throws {
        for throttle in throttles {
            try await sql.insert(into: "login_throttle").model(throttle)
                .onConflict(with: ["key"]) { try $0.set(excludedContentOf: throttle) }
                .run()
        }
    }

    public func clearLoginThrottle(key: String, logger: Logger) async throws {
        try await sql.delete(from: "login_throttle").where("key", .equal, key).run()
    }
}

/// Rolls back a sign-up whose invite turned out to be unusable.
struct InviteRejected: Error {}
