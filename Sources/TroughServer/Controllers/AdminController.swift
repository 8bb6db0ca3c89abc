import Hummingbird
import TroughCore

/// Operator-only endpoints, reached with `Authorization: Bearer $TROUGH_ADMIN_KEY`.
struct AdminController {
    let store: any Store
    let cache: ProxyCache

    func addRoutes(to api: RouterGroup<TroughRequestContext>) {
        api.get("/admin/tenants", use: tenants)
        api.patch("/admin/tenants/:tenant_id", use: updateTenant)
    }

    struct TenantChange: Decodable {
        let plan: String
    }

    /// Moves a tenant to another plan (until billing does it).
    @Sendable func updateTenant(_ request: Request, context: TroughRequestContext) async throws -> TenantJSON {
        guard context.isOperator else { throw APIError.notFound("no such route") }
        let tenantID = try context.parameters.require("tenant_id")
        let body = try await request.decode(as: TenantChange.self, context: context)
        guard try await store.plan(id: body.plan, logger: context.logger) != nil else {
            throw APIError.validation("plan: no plan '\(body.plan)'")
        }
        guard try await store.setTenantPlan(tenantID: tenantID, planID: body.plan, at: .now(), logger: context.logger),
              let tenant = try await store.tenant(id: tenantID, logger: context.logger)
        else { throw APIError.notFound("no such tenant") }
        cache.invalidate(tenantID: tenantID)
        try? await store.appendAudit(AuditEntry(tenantID: tenantID, actorKind: .operator_, actorID: nil, action: "tenant.plan_change",
                                                 targetType: "tenant", targetID: tenantID, clientAddress: context.clientAddress,
                                                 metadata: "{\"plan\":\"\(body.plan)\"}", createdAt: .now()), logger: context.logger)
        return TenantJSON(tenant, role: nil)
    }

    @Sendable func tenants(_ request: Request, context: TroughRequestContext) async throws -> ListJSON<TenantJSON> {
        guard context.isOperator else { throw APIError.notFound("no such route") }
        let limit = min(max(request.uri.queryParameters.get("limit", as: Int.self) ?? 100, 1), 1000)
        return ListJSON(items: try await store.allTenants(limit: limit, logger: context.logger).map { TenantJSON($0, role: nil) }, key: "tenants")
    }
}
