import Hummingbird
import TroughCore

/// Operator-only endpoints, reached with `Authorization: Bearer $TROUGH_ADMIN_KEY`.
struct AdminController {
    let store: any Store

    func addRoutes(to api: RouterGroup<TroughRequestContext>) {
        api.get("/admin/tenants", use: tenants)
    }

    @Sendable func tenants(_ request: Request, context: TroughRequestContext) async throws -> ListJSON<TenantJSON> {
        guard context.isOperator else { throw APIError.notFound("no such route") }
        let limit = min(max(request.uri.queryParameters.get("limit", as: Int.self) ?? 100, 1), 1000)
        return ListJSON(items: try await store.allTenants(limit: limit, logger: context.logger).map { TenantJSON($0, role: nil) }, key: "tenants")
    }
}
