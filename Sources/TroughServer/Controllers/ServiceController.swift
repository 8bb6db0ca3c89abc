import Hummingbird
import Logging
import TroughCore

/// A project's upstream services and their encrypted provider keys.
struct ServiceController {
    let store: any Store
    let secrets: SecretBox
    let upstreams: UpstreamGuard
    let cache: ProxyCache

    var access: Access { Access(store: store) }
    var auditor: Auditor { Auditor(store: store) }

    func addRoutes(to api: RouterGroup<TroughRequestContext>) {
        api.post("/projects/:project_id/services", use: create)
        api.get("/projects/:project_id/services", use: list)
        api.get("/services/:service_id", use: show)
        api.patch("/services/:service_id", use: update)
        api.delete("/services/:service_id", use: delete)
        api.post("/services/:service_id/rules", use: createRule)
        api.get("/services/:service_id/rules", use: rules)
        api.delete("/services/:service_id/rules/:rule_id", use: deleteRule)
    }

    struct RuleRequest: Decodable {
        let method: String?
        let pathPattern: String
        let costUsd: String
        let unitField: String?
    }

    @Sendable func createRule(_ request: Request, context: TroughRequestContext) async throws -> EditedResponse<CostRuleJSON> {
        let (caller, service) = try await serviceAccess(context, atLeast: .admin)
        let body = try await request.decode(as: RuleRequest.self, context: context)
        guard CostRuleMatcher.isValid(pattern: body.pathPattern) else {
            throw APIError.validation("path_pattern: expected a path starting with '/', where '*' matches one segment and a final '**' the rest")
        }
        let method = body.method.flatMap { $0.isEmpty || $0 == "*" ? nil : $0.uppercased() }
        if let method, !ProxyController.methods.map(\.rawValue).contains(method) {
            throw APIError.validation("method: expected one of \(ProxyController.methods.map(\.rawValue).joined(separator: ", ")) or omitted for any")
        }
        if let field = body.unitField, field.isEmpty || field.count > 128 {
            throw APIError.validation("unit_field: expected the name of a numeric field of the JSON response")
        }
        let rule = CostRule(tenantID: service.tenantID, projectID: service.projectID, serviceID: service.id, method: method,
                            pathPattern: body.pathPattern, cost: try Validate.budget(body.costUsd, field: "cost_usd"), unitField: body.unitField, createdAt: .now())
        try await store.createCostRule(rule, logger: context.logger)
        cache.invalidate(projectID: service.projectID)
        await auditor.record("cost_rule.create", tenantID: service.tenantID, caller: caller, target: ("cost_rule", rule.id), metadata: ["pattern": rule.pathPattern, "cost_usd": rule.cost.usdString], context: context)
        return EditedResponse(status: .created, response: CostRuleJSON(rule))
    }

    @Sendable func rules(_ request: Request, context: TroughRequestContext) async throws -> ListJSON<CostRuleJSON> {
        let (_, service) = try await serviceAccess(context, atLeast: .viewer)
        return ListJSON(items: try await store.costRules(serviceID: service.id, tenantID: service.tenantID, logger: context.logger).map(CostRuleJSON.init), key: "rules")
    }

    @Sendable func deleteRule(_ request: Request, context: TroughRequestContext) async throws -> Response {
        let (caller, service) = try await serviceAccess(context, atLeast: .admin)
        let ruleID = try context.parameters.require("rule_id")
        guard try await store.deleteCostRule(id: ruleID, serviceID: service.id, tenantID: service.tenantID, logger: context.logger) else {
            throw APIError.notFound("no such rule")
        }
        cache.invalidate(projectID: service.projectID)
        await auditor.record("cost_rule.delete", tenantID: service.tenantID, caller: caller, target: ("cost_rule", ruleID), context: context)
        return Response(status: .noContent)
    }

    struct CreateRequest: Decodable {
        let name: String
        let kind: String
        let baseUrl: String
        let apiKey: String?
        let monthlyBudgetUsd: String?
        let budgetHardCap: Bool?
    }

    @Sendable func create(_ request: Request, context: TroughRequestContext) async throws -> EditedResponse<ServiceJSON> {
        let (caller, project, _) = try await access.project(try context.parameters.require("project_id"), atLeast: .admin, context: context)
        let body = try await request.decode(as: CreateRequest.self, context: context)
        try await PlanController.checkServiceLimit(store: store, tenantID: project.tenantID, context: context)
        var service = Service(
            tenantID: project.tenantID, projectID: project.id,
            name: try Self.validName(body.name),
            kind: try Self.validKind(body.kind),
            baseURL: try await upstreams.validate(baseURL: body.baseUrl),
            monthlyBudget: try body.monthlyBudgetUsd.map { try Validate.budget($0) },
            budgetHardCap: body.budgetHardCap ?? false,
            createdAt: .now()
        )
        service.updatedAt = service.createdAt
        let key = try body.apiKey.flatMap { $0.isEmpty ? nil : try sealKey($0, for: service) }
        try await store.createService(service, key: key, logger: context.logger)
        await auditor.record("service.create", tenantID: service.tenantID, caller: caller, target: ("service", service.id), metadata: [
            "name": service.name, "kind": service.kind.rawValue, "base_url": service.baseURL, "api_key": key == nil ? "none" : "set",
        ], context: context)
        return EditedResponse(status: .created, response: ServiceJSON(service, key: key))
    }

    @Sendable func list(_ request: Request, context: TroughRequestContext) async throws -> ListJSON<ServiceJSON> {
        let (_, project, _) = try await access.project(try context.parameters.require("project_id"), atLeast: .viewer, context: context)
        let services = try await store.services(projectID: project.id, tenantID: project.tenantID, logger: context.logger)
        let keys = try await store.providerKeys(projectID: project.id, tenantID: project.tenantID, logger: context.logger)
        let byService = Dictionary(keys.map { ($0.serviceID, $0) }, uniquingKeysWith: { first, _ in first })
        return ListJSON(items: services.map { ServiceJSON($0, key: byService[$0.id]) }, key: "services")
    }

    @Sendable func show(_ request: Request, context: TroughRequestContext) async throws -> ServiceJSON {
        let (_, service) = try await serviceAccess(context, atLeast: .viewer)
        return ServiceJSON(service, key: try await store.providerKey(serviceID: service.id, tenantID: service.tenantID, logger: context.logger))
    }

    /// A PATCH body: absent fields stay; `"api_key": null` or `""` removes the key; budget `null` removes it.
    struct UpdateRequest: Decodable {
        let name: String?
        let kind: String?
        let baseUrl: String?
        let apiKey: String??
        let monthlyBudgetUsd: String??
        let budgetHardCap: Bool?

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decodeIfPresent(String.self, forKey: .name)
            kind = try container.decodeIfPresent(String.self, forKey: .kind)
            baseUrl = try container.decodeIfPresent(String.self, forKey: .baseUrl)
            budgetHardCap = try container.decodeIfPresent(Bool.self, forKey: .budgetHardCap)
            apiKey = container.contains(.apiKey) ? .some(try container.decodeIfPresent(String.self, forKey: .apiKey)) : .none
            monthlyBudgetUsd = container.contains(.monthlyBudgetUsd) ? .some(try container.decodeIfPresent(String.self, forKey: .monthlyBudgetUsd)) : .none
        }

        enum CodingKeys: String, CodingKey {
            case name, kind, baseUrl, apiKey, monthlyBudgetUsd, budgetHardCap
        }
    }

    @Sendable func update(_ request: Request, context: TroughRequestContext) async throws -> ServiceJSON {
        let (caller, current) = try await serviceAccess(context, atLeast: .admin)
        let body = try await request.decode(as: UpdateRequest.self, context: context)
        var service = current
        if let name = body.name { service.name = try Self.validName(name) }
        if let kind = body.kind { service.kind = try Self.validKind(kind) }
        if let baseURL = body.baseUrl { service.baseURL = try await upstreams.validate(baseURL: baseURL) }
        if let budget = body.monthlyBudgetUsd { service.monthlyBudget = try budget.map { try Validate.budget($0) } }
        if let cap = body.budgetHardCap { service.budgetHardCap = cap }
        service.updatedAt = .now()
        let change: ProviderKeyChange
        switch body.apiKey {
        case .none: change = .keep
        case .some(.none), .some(.some("")): change = .remove
        case .some(.some(let raw)): change = .replace(try sealKey(raw, for: service))
        }
        guard try await store.updateService(service, key: change, logger: context.logger) else { throw APIError.notFound("no such service") }
        cache.invalidate(projectID: service.projectID)
        var metadata = ["name": service.name, "base_url": service.baseURL]
        switch change {
        case .keep: break
        case .remove: metadata["api_key"] = "removed"
        case .replace: metadata["api_key"] = "replaced"
        }
        await auditor.record("service.update", tenantID: service.tenantID, caller: caller, target: ("service", service.id), metadata: metadata, context: context)
        return ServiceJSON(service, key: try await store.providerKey(serviceID: service.id, tenantID: service.tenantID, logger: context.logger))
    }

    @Sendable func delete(_ request: Request, context: TroughRequestContext) async throws -> Response {
        let (caller, service) = try await serviceAccess(context, atLeast: .admin)
        guard try await store.deleteService(id: service.id, tenantID: service.tenantID, logger: context.logger) else { throw APIError.notFound("no such service") }
        cache.invalidate(projectID: service.projectID)
        await auditor.record("service.delete", tenantID: service.tenantID, caller: caller, target: ("service", service.id), metadata: ["name": service.name], context: context)
        return Response(status: .noContent)
    }

    // MARK: Helpers

    func serviceAccess(_ context: TroughRequestContext, atLeast role: Role) async throws -> (Caller, Service) {
        try await access.service(try context.parameters.require("service_id"), atLeast: role, context: context)
    }

    func sealKey(_ raw: String, for service: Service) throws -> ProviderKey {
        let key = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (8...4096).contains(key.count), !key.contains(where: { $0.isNewline }) else {
            throw APIError.validation("api_key: expected the provider's key (8 to 4096 characters, one line)")
        }
        let binding = SecretBinding(tenantID: service.tenantID, projectID: service.projectID, serviceID: service.id)
        return ProviderKey(tenantID: service.tenantID, projectID: service.projectID, serviceID: service.id,
                           sealed: try secrets.seal(key, binding: binding), last4: String(key.suffix(4)), createdAt: .now())
    }

    /// Service names appear in proxy URLs: lower-case letters, digits, `-` and `_`.
    static func validName(_ name: String) throws -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-_")
        guard (1...63).contains(name.count), name.allSatisfy(allowed.contains), name.first != "-" else {
            throw APIError.validation("name: expected 1 to 63 lower-case letters, digits, '-' or '_' (it is used in /proxy/{name}/…)")
        }
        return name
    }

    static func validKind(_ kind: String) throws -> ProviderKind {
        guard let parsed = ProviderKind(rawValue: kind) else {
            throw APIError.validation("kind: expected one of \(ProviderKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return parsed
    }
}

struct ServiceJSON: ResponseEncodable {
    let id: String
    let projectId: String
    let name: String
    let kind: String
    let baseUrl: String
    /// `"…abcd"`: the last four characters of the stored key, never the key.
    let apiKey: String?
    let hasApiKey: Bool
    let monthlyBudgetUsd: String?
    let budgetHardCap: Bool
    let status: String
    let suspendedReason: String?
    let createdAt: String
    let updatedAt: String

    init(_ service: Service, key: ProviderKey?) {
        id = service.id
        projectId = service.projectID
        name = service.name
        kind = service.kind.rawValue
        baseUrl = service.baseURL
        apiKey = key.map { "…" + $0.last4 }
        hasApiKey = key != nil
        monthlyBudgetUsd = service.monthlyBudget?.usdString
        budgetHardCap = service.budgetHardCap
        status = service.status.rawValue
        suspendedReason = service.suspendedReason
        createdAt = service.createdAt.iso8601
        updatedAt = service.updatedAt.iso8601
    }
}

struct CostRuleJSON: ResponseEncodable {
    let id: String
    let serviceId: String
    let method: String?
    let pathPattern: String
    let costUsd: String
    let unitField: String?
    let createdAt: String

    init(_ rule: CostRule) {
        id = rule.id
        serviceId = rule.serviceID
        method = rule.method
        pathPattern = rule.pathPattern
        costUsd = rule.cost.usdString
        unitField = rule.unitField
        createdAt = rule.createdAt.iso8601
    }
}
