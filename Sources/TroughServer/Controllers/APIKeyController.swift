import Hummingbird
import TroughCore

/// Personal API keys (`trough_ak_…`): the management API from curl and CI scripts, without cookies or CSRF.
struct APIKeyController {
    let store: any Store

    var access: Access { Access(store: store) }
    var auditor: Auditor { Auditor(store: store) }

    func addRoutes(to api: RouterGroup<TroughRequestContext>) {
        api.post("/tenants/:tenant_id/api-keys", use: create)
        api.get("/tenants/:tenant_id/api-keys", use: list)
        api.delete("/tenants/:tenant_id/api-keys/:key_id", use: revoke)
    }

    struct CreateRequest: Decodable {
        let name: String
    }

    @Sendable func create(_ request: Request, context: TroughRequestContext) async throws -> EditedResponse<APIKeyJSON> {
        let tenantID = try context.parameters.require("tenant_id")
        let (caller, _) = try await access.tenant(tenantID, atLeast: .viewer, context: context)
        let body = try await request.decode(as: CreateRequest.self, context: context)
        let raw = SecretToken.make(prefix: SecretToken.apiKeyPrefix)
        let key = APIKey(
            tenantID: tenantID, userID: caller.user.id, name: try Validate.name(body.name, field: "name"),
            tokenHash: Identifier.sha256Hex(raw), prefix: SecretToken.displayPrefix(raw, prefix: SecretToken.apiKeyPrefix),
            createdAt: .now()
        )
        try await store.createAPIKey(key, logger: context.logger)
        await auditor.record("api_key.create", tenantID: tenantID, caller: caller, target: ("api_key", key.id), metadata: ["name": key.name], context: context)
        return EditedResponse(status: .created, response: APIKeyJSON(key, raw: raw))
    }

    @Sendable func list(_ request: Request, context: TroughRequestContext) async throws -> ListJSON<APIKeyJSON> {
        let tenantID = try context.parameters.require("tenant_id")
        let (caller, _) = try await access.tenant(tenantID, atLeast: .viewer, context: context)
        let keys = try await store.apiKeys(tenantID: tenantID, userID: caller.user.id, logger: context.logger)
        return ListJSON(items: keys.map { APIKeyJSON($0) }, key: "api_keys")
    }

    @Sendable func revoke(_ request: Request, context: TroughRequestContext) async throws -> Response {
        let tenantID = try context.parameters.require("tenant_id")
        let keyID = try context.parameters.require("key_id")
        let (caller, _) = try await access.tenant(tenantID, atLeast: .viewer, context: context)
        guard try await store.revokeAPIKey(id: keyID, tenantID: tenantID, userID: caller.user.id, at: .now(), logger: context.logger) else {
            throw APIError.notFound("no such API key")
        }
        await auditor.record("api_key.revoke", tenantID: tenantID, caller: caller, target: ("api_key", keyID), context: context)
        return Response(status: .noContent)
    }
}
