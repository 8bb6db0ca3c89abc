import Logging
import SQLKit
import TroughCore

extension SQLStore {
    public func project(id: String, memberUserID: String, logger: Logger) async throws -> (project: Project, role: Role)? {
        guard let project = try await sql.select().columns(Project.columnNames.map { SQLColumn($0, table: "p") })
            .from(SQLAlias(SQLIdentifier("projects"), as: SQLIdentifier("p")))
            .join(SQLAlias(SQLIdentifier("memberships"), as: SQLIdentifier("m")), method: SQLJoinMethod.inner,
                  on: SQLBinaryExpression(SQLColumn("tenant_id", table: "m"), .equal, SQLColumn("tenant_id", table: "p")))
            .where(SQLColumn("id", table: "p"), .equal, SQLBind(id))
            .where(SQLColumn("user_id", table: "m"), .equal, SQLBind(memberUserID))
            .first(decoding: Project.self)
        else { return nil }
        guard let membership = try await membership(tenantID: project.tenantID, userID: memberUserID, logger: logger) else { return nil }
        return (project, membership.role)
    }

    // MARK: Project tokens

    public func createProjectToken(_ token: ProjectToken, logger: Logger) async throws {
        try await sql.insert(into: "project_tokens").model(token).run()
    }

    public func projectTokens(projectID: String, tenantID: String, logger: Logger) async throws -> [ProjectToken] {
        try await sql.select().columns(ProjectToken.columns).from("project_tokens")
            .where("project_id", .equal, projectID)
            .where("tenant_id", .equal, tenantID)
            .where("revoked_at", .is, SQLLiteral.null)
            .orderBy("created_at").orderBy("id")
            .all(decoding: ProjectToken.self)
    }

    public func revokeProjectToken(id: String, projectID: String, tenantID: String, at now: Timestamp, logger: Logger) async throws -> Bool {
        try await !sql.update("project_tokens")
            .set("revoked_at", to: now.milliseconds)
            .where("id", .equal, id)
            .where("project_id", .equal, projectID)
            .where("tenant_id", .equal, tenantID)
            .where("revoked_at", .is, SQLLiteral.null)
            .returning("id").all().isEmpty
    }

    public func activeProjectToken(tokenHash: String, logger: Logger) async throws -> ProjectToken? {
        try await sql.select().columns(ProjectToken.columns).from("project_tokens")
            .where("token_hash", .equal, tokenHash)
            .where("revoked_at", .is, SQLLiteral.null)
            .first(decoding: ProjectToken.self)
    }

    // MARK: API keys

    public func createAPIKey(_ key: APIKey, logger: Logger) async throws {
        try await sql.insert(into: "api_keys").model(key).run()
    }

    public func apiKeys(tenantID: String, userID: String, logger: Logger) async throws -> [APIKey] {
        try await sql.select().columns(APIKey.columns).from("api_keys")
            .where("tenant_id", .equal, tenantID)
            .where("user_id", .equal, userID)
            .where("revoked_at", .is, SQLLiteral.null)
            .orderBy("created_at").orderBy("id")
            .all(decoding: APIKey.self)
    }

    public func revokeAPIKey(id: String, tenantID: String, userID: String, at now: Timestamp, logger: Logger) async throws -> Bool {
        try await !sql.update("api_keys")
            .set("revoked_at", to: now.milliseconds)
            .where("id", .equal, id)
            .where("tenant_id", .equal, tenantID)
            .where("user_id", .equal, userID)
            .where("revoked_at", .is, SQLLiteral.null)
            .returning("id").all().isEmpty
    }

    public func activeAPIKey(tokenHash: String, logger: Logger) async throws -> APIKey? {
        try await sql.select().columns(APIKey.columns).from("api_keys")
            .where("token_hash", .equal, tokenHash)
            .where("revoked_at", .is, SQLLiteral.null)
            .first(decoding: APIKey.self)
    }

    public func touchAPIKey(id: String, at now: Timestamp, logger: Logger) async throws {
        try await sql.update("api_keys").set("last_used_at", to: now.milliseconds).where("id", .equal, id).run()
    }

    // MARK: Audit log

    public func appendAudit(_ entry: AuditEntry, logger: Logger) async throws {
        var row = entry
        row.id = nil
        try await sql.insert(into: "audit_log").model(row).run()
    }

    public func auditLog(tenantID: String, limit: Int, beforeID: Int64?, logger: Logger) async throws -> [AuditEntry] {
        var query = sql.select().columns(AuditEntry.columns).from("audit_log")
            .where("tenant_id", .equal, tenantID)
        if let beforeID {
            query = query.where("id", .lessThan, beforeID)
        }
        return try await query.orderBy("id", .descending).limit(limit).all(decoding: AuditEntry.self)
    }
}
