import Foundation
import Hummingbird
import TroughCore

/// Tenants, their members and invites, and their audit log.
struct TenantController {
    let store: any Store
    let publicURL: URL

    var access: Access { Access(store: store) }
    var auditor: Auditor { Auditor(store: store) }

    func addRoutes(to api: RouterGroup<TroughRequestContext>) {
        api.post("/tenants", use: create)
        api.get("/tenants/:tenant_id", use: show)
        api.patch("/tenants/:tenant_id", use: rename)
        api.delete("/tenants/:tenant_id", use: delete)
        api.get("/tenants/:tenant_id/members", use: members)
        api.patch("/tenants/:tenant_id/members/:user_id", use: changeRole)
        api.delete("/tenants/:tenant_id/members/:user_id", use: removeMember)
        api.post("/tenants/:tenant_id/invites", use: createInvite)
        api.get("/tenants/:tenant_id/invites", use: invites)
        api.delete("/tenants/:tenant_id/invites/:invite_id", use: deleteInvite)
        api.post("/invites/accept", use: acceptInvite)
        api.get("/tenants/:tenant_id/audit", use: audit)
    }

    struct NameRequest: Decodable {
        let name: String
    }

    @Sendable func create(_ request: Request, context: TroughRequestContext) async throws -> EditedResponse<TenantJSON> {
        let caller = try access.caller(context)
        guard caller.tenantScope == nil else { throw APIError.forbidden("an API key is limited to its tenant; sign in to create another") }
        let body = try await request.decode(as: NameRequest.self, context: context)
        let tenant = Tenant(name: try Validate.name(body.name, field: "name"), createdAt: .now())
        try await store.createTenant(tenant, ownerUserID: caller.user.id, logger: context.logger)
        await auditor.record("tenant.create", tenantID: tenant.id, caller: caller, target: ("tenant", tenant.id), context: context)
        return EditedResponse(status: .created, response: TenantJSON(tenant, role: .owner))
    }

    @Sendable func show(_ request: Request, context: TroughRequestContext) async throws -> TenantJSON {
        let tenantID = try context.parameters.require("tenant_id")
        let (_, membership) = try await access.tenant(tenantID, atLeast: .viewer, context: context)
        guard let tenant = try await store.tenant(id: tenantID, logger: context.logger) else { throw APIError.notFound("no such tenant") }
        return TenantJSON(tenant, role: membership.role)
    }

    @Sendable func rename(_ request: Request, context: TroughRequestContext) async throws -> TenantJSON {
        let tenantID = try context.parameters.require("tenant_id")
        let (caller, membership) = try await access.tenant(tenantID, atLeast: .owner, context: context)
        let body = try await request.decode(as: NameRequest.self, context: context)
        let name = try Validate.name(body.name, field: "name")
        _ = try await store.renameTenant(id: tenantID, name: name, at: .now(), logger: context.logger)
        await auditor.record("tenant.rename", tenantID: tenantID, caller: caller, target: ("tenant", tenantID), metadata: ["name": name], context: context)
        guard let tenant = try await store.tenant(id: tenantID, logger: context.logger) else { throw APIError.notFound("no such tenant") }
        return TenantJSON(tenant, role: membership.role)
    }

    @Sendable func delete(_ request: Request, context: TroughRequestContext) async throws -> Response {
        let tenantID = try context.parameters.require("tenant_id")
        _ = try await access.tenant(tenantID, atLeast: .owner, context: context)
        guard try await store.deleteTenant(id: tenantID, logger: context.logger) else { throw APIError.notFound("no such tenant") }
        context.logger.notice("Tenant deleted", metadata: ["trough.tenant": .string(tenantID)])
        return Response(status: .noContent)
    }

    @Sendable func members(_ request: Request, context: TroughRequestContext) async throws -> ListJSON<MemberJSON> {
        let tenantID = try context.parameters.require("tenant_id")
        _ = try await access.tenant(tenantID, atLeast: .viewer, context: context)
        let members = try await store.members(tenantID: tenantID, logger: context.logger)
        return ListJSON(items: members.map {
            MemberJSON(userId: $0.user.id, email: $0.user.email, role: $0.membership.role.rawValue, joinedAt: $0.membership.createdAt.iso8601)
        }, key: "members")
    }

    struct RoleRequest: Decodable {
        let role: Role
    }

    @Sendable func changeRole(_ request: Request, context: TroughRequestContext) async throws -> MemberJSON {
        let tenantID = try context.parameters.require("tenant_id")
        let userID = try context.parameters.require("user_id")
        let (caller, membership) = try await access.tenant(tenantID, atLeast: .admin, context: context)
        let body = try await request.decode(as: RoleRequest.self, context: context)
        guard let target = try await store.membership(tenantID: tenantID, userID: userID, logger: context.logger) else {
            throw APIError.notFound("no such member")
        }
        // Admins manage admins and viewers; only owners grant or take away ownership.
        if membership.role != .owner, target.role == .owner || body.role == .owner {
            throw APIError.forbidden("only an owner can change an owner's role or make someone owner")
        }
        guard try await store.changeRole(tenantID: tenantID, userID: userID, to: body.role, at: .now(), logger: context.logger),
              let user = try await store.user(id: userID, logger: context.logger)
        else { throw APIError.notFound("no such member") }
        await auditor.record("member.role_change", tenantID: tenantID, caller: caller, target: ("user", userID), metadata: ["from": target.role.rawValue, "to": body.role.rawValue], context: context)
        return MemberJSON(userId: userID, email: user.email, role: body.role.rawValue, joinedAt: target.createdAt.iso8601)
    }

    @Sendable func removeMember(_ request: Request, context: TroughRequestContext) async throws -> Response {
        let tenantID = try context.parameters.require("tenant_id")
        let userID = try context.parameters.require("user_id")
        let caller = try access.caller(context)
        // Anyone may leave; removing someone else needs admin (and owner to remove an owner).
        let (_, membership) = try await access.tenant(tenantID, atLeast: caller.user.id == userID ? .viewer : .admin, context: context)
        guard let target = try await store.membership(tenantID: tenantID, userID: userID, logger: context.logger) else {
            throw APIError.notFound("no such member")
        }
        if caller.user.id != userID, target.role == .owner, membership.role != .owner {
            throw APIError.forbidden("only an owner can remove an owner")
        }
        guard try await store.removeMember(tenantID: tenantID, userID: userID, logger: context.logger) else {
            throw APIError.notFound("no such member")
        }
        await auditor.record(caller.user.id == userID ? "member.leave" : "member.remove", tenantID: tenantID, caller: caller, target: ("user", userID), metadata: ["role": target.role.rawValue], context: context)
        return Response(status: .noContent)
    }

    struct InviteRequest: Decodable {
        let role: Role?
        let email: String?
    }

    @Sendable func createInvite(_ request: Request, context: TroughRequestContext) async throws -> EditedResponse<InviteJSON> {
        let tenantID = try context.parameters.require("tenant_id")
        let (caller, membership) = try await access.tenant(tenantID, atLeast: .admin, context: context)
        let body = try await request.decode(as: InviteRequest.self, context: context)
        let role = body.role ?? .viewer
        if role == .owner, membership.role != .owner {
            throw APIError.forbidden("only an owner can invite an owner")
        }
        let email = try body.email.flatMap { $0.isEmpty ? nil : try Validate.email($0) }
        let token = SecretToken.make(prefix: SecretToken.invitePrefix)
        let invite = Invite(tenantID: tenantID, tokenHash: Identifier.sha256Hex(token), role: role, email: email, createdBy: caller.user.id, createdAt: .now())
        try await store.createInvite(invite, logger: context.logger)
        await auditor.record("invite.create", tenantID: tenantID, caller: caller, target: ("invite", invite.id), metadata: ["role": role.rawValue], context: context)
        let url = publicURL.appendingPathComponent("invite.html").absoluteString + "#token=" + token
        return EditedResponse(status: .created, response: InviteJSON(invite, url: url, token: token))
    }

    @Sendable func invites(_ request: Request, context: TroughRequestContext) async throws -> ListJSON<InviteJSON> {
        let tenantID = try context.parameters.require("tenant_id")
        _ = try await access.tenant(tenantID, atLeast: .admin, context: context)
        let invites = try await store.pendingInvites(tenantID: tenantID, at: .now(), logger: context.logger)
        return ListJSON(items: invites.map { InviteJSON($0) }, key: "invites")
    }

    @Sendable func deleteInvite(_ request: Request, context: TroughRequestContext) async throws -> Response {
        let tenantID = try context.parameters.require("tenant_id")
        let inviteID = try context.parameters.require("invite_id")
        let (caller, _) = try await access.tenant(tenantID, atLeast: .admin, context: context)
        guard try await store.deleteInvite(id: inviteID, tenantID: tenantID, logger: context.logger) else {
            throw APIError.notFound("no such invite")
        }
        await auditor.record("invite.revoke", tenantID: tenantID, caller: caller, target: ("invite", inviteID), context: context)
        return Response(status: .noContent)
    }

    struct AcceptRequest: Decodable {
        let token: String
    }

    @Sendable func acceptInvite(_ request: Request, context: TroughRequestContext) async throws -> TenantJSON {
        let caller = try access.caller(context)
        guard caller.tenantScope == nil else { throw APIError.forbidden("sign in to accept an invite") }
        let body = try await request.decode(as: AcceptRequest.self, context: context)
        guard let membership = try await store.acceptInvite(tokenHash: Identifier.sha256Hex(body.token), userID: caller.user.id, at: .now(), logger: context.logger),
              let tenant = try await store.tenant(id: membership.tenantID, logger: context.logger)
        else { throw APIError.notFound("the invite link is unknown, used or expired") }
        await auditor.record("member.join", tenantID: tenant.id, caller: caller, target: ("user", caller.user.id), metadata: ["role": membership.role.rawValue, "via": "invite"], context: context)
        return TenantJSON(tenant, role: membership.role)
    }

    @Sendable func audit(_ request: Request, context: TroughRequestContext) async throws -> ListJSON<AuditEntryJSON> {
        let tenantID = try context.parameters.require("tenant_id")
        _ = try await access.tenant(tenantID, atLeast: .admin, context: context)
        let limit = min(max(request.uri.queryParameters.get("limit", as: Int.self) ?? 100, 1), 500)
        let before = request.uri.queryParameters.get("before", as: Int64.self)
        let entries = try await store.auditLog(tenantID: tenantID, limit: limit, beforeID: before, logger: context.logger)
        return ListJSON(items: entries.map(AuditEntryJSON.init), key: "entries")
    }
}
