import Hummingbird
import TroughCore

/// The checks every management route makes: who is calling, and may they touch this tenant or project.
/// Something that belongs to another tenant answers 404, so its existence is not confirmed;
/// a member whose role is too low gets 403.
struct Access {
    let store: any Store

    /// The caller, or 401.
    func caller(_ context: TroughRequestContext) throws -> Caller {
        guard let caller = context.caller else { throw APIError.unauthorized() }
        return caller
    }

    /// The caller's membership in the tenant, at least `role`; 404 when not a member (or out of an API key's scope).
    func tenant(_ tenantID: String, atLeast role: Role, context: TroughRequestContext) async throws -> (Caller, Membership) {
        let caller = try caller(context)
        guard caller.tenantScope == nil || caller.tenantScope == tenantID,
              let membership = try await store.membership(tenantID: tenantID, userID: caller.user.id, logger: context.logger)
        else { throw APIError.notFound("no such tenant") }
        try require(membership.role, atLeast: role)
        return (caller, membership)
    }

    /// The project, if the caller's role in its tenant is at least `role`.
    func project(_ projectID: String, atLeast role: Role, context: TroughRequestContext) async throws -> (Caller, Project, Role) {
        let caller = try caller(context)
        guard let (project, memberRole) = try await store.project(id: projectID, memberUserID: caller.user.id, logger: context.logger),
              caller.tenantScope == nil || caller.tenantScope == project.tenantID
        else { throw APIError.notFound("no such project") }
        try require(memberRole, atLeast: role)
        return (caller, project, memberRole)
    }

    /// The service, if the caller's role in its tenant is at least `role`.
    func service(_ serviceID: String, atLeast role: Role, context: TroughRequestContext) async throws -> (Caller, Service) {
        let caller = try caller(context)
        guard let (service, memberRole) = try await store.service(id: serviceID, memberUserID: caller.user.id, logger: context.logger),
              caller.tenantScope == nil || caller.tenantScope == service.tenantID
        else { throw APIError.notFound("no such service") }
        try require(memberRole, atLeast: role)
        return (caller, service)
    }

    private func require(_ memberRole: Role, atLeast role: Role) throws {
        guard memberRole.includes(role) else {
            throw APIError.forbidden("this needs the \(role.rawValue) role or higher; yours is \(memberRole.rawValue)")
        }
    }
}
