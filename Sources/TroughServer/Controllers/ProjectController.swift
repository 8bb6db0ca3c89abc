import Hummingbird
import TroughCore

/// Projects and their tokens.
struct ProjectController {
    let store: any Store
    let cache: ProxyCache

    var access: Access { Access(store: store) }
    var auditor: Auditor { Auditor(store: store) }

    func addRoutes(to api: RouterGroup<TroughRequestContext>) {
        api.post("/tenants/:tenant_id/projects", use: create)
        api.get("/tenants/:tenant_id/projects", use: list)
        api.get("/projects/:project_id", use: show)
        api.patch("/projects/:project_id", use: update)
        api.delete("/projects/:project_id", use: delete)
        api.post("/projects/:project_id/tokens", use: createToken)
        api.get("/projects/:project_id/tokens", use: tokens)
        api.delete("/projects/:project_id/tokens/:token_id", use: revokeToken)
    }

    struct CreateRequest: Decodable {
        let name: String
        let slug: String?
        let monthlyBudgetUsd: String?
        let budgetHardCap: Bool?
    }

    /// A PATCH body: absent fields stay; `"monthly_budget_usd": null` removes the budget.
    struct UpdateRequest: Decodable {
        let name: String?
        let slug: String?
        let monthlyBudgetUsd: String??
        let budgetHardCap: Bool?

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decodeIfPresent(String.self, forKey: .name)
            slug = try container.decodeIfPresent(String.self, forKey: .slug)
            budgetHardCap = try container.decodeIfPresent(Bool.self, forKey: .budgetHardCap)
            monthlyBudgetUsd = container.contains(.monthlyBudgetUsd) ? .some(try container.decodeNil(forKey: .monthlyBudgetUsd) ? nil : try container.decode(String.self, forKey: .monthlyBudgetUsd)) : .none
        }

        enum CodingKeys: String, CodingKey {
            case name, slug, monthlyBudgetUsd, budgetHardCap
        }
    }

    @Sendable func create(_ request: Request, context: TroughRequestContext) async throws -> EditedResponse<ProjectJSON> {
        let tenantID = try context.parameters.require("tenant_id")
        let (caller, _) = try await access.tenant(tenantID, atLeast: .admin, context: context)
        let body = try await request.decode(as: CreateRequest.self, context: context)
        let name = try Validate.name(body.name, field: "name")
        let project = Project(
            tenantID: tenantID, name: name,
            slug: try Validate.slug(body.slug ?? Validate.slugify(name)),
            monthlyBudget: try body.monthlyBudgetUsd.map { try Validate.budget($0) },
            budgetHardCap: body.budgetHardCap ?? false,
            createdAt: .now()
        )
        try await store.createProject(project, logger: context.logger)
        await auditor.record("project.create", tenantID: tenantID, caller: caller, target: ("project", project.id), metadata: ["name": name], context: context)
        return EditedResponse(status: .created, response: ProjectJSON(project))
    }

    @Sendable func list(_ request: Request, context: TroughRequestContext) async throws -> ListJSON<ProjectJSON> {
        let tenantID = try context.parameters.require("tenant_id")
        _ = try await access.tenant(tenantID, atLeast: .viewer, context: context)
        return ListJSON(items: try await store.projects(tenantID: tenantID, logger: context.logger).map(ProjectJSON.init), key: "projects")
    }

    @Sendable func show(_ request: Request, context: TroughRequestContext) async throws -> ProjectDetailJSON {
        let (_, project, _) = try await access.project(try context.parameters.require("project_id"), atLeast: .viewer, context: context)
        let now = Timestamp.now()
        let totals = try await store.usageTotals(scope: UsageScope(tenantID: project.tenantID, projectID: project.id), granularity: .day,
                                                 from: now.startOfUTCMonth, to: now.adding(seconds: 86_400), logger: context.logger)
        return ProjectDetailJSON(project: ProjectJSON(project), monthToDate: MonthToDateJSON(totals))
    }

    @Sendable func update(_ request: Request, context: TroughRequestContext) async throws -> ProjectJSON {
        let (caller, current, _) = try await access.project(try context.parameters.require("project_id"), atLeast: .admin, context: context)
        let body = try await request.decode(as: UpdateRequest.self, context: context)
        var project = current
        if let name = body.name { project.name = try Validate.name(name, field: "name") }
        if let slug = body.slug { project.slug = try Validate.slug(slug) }
        if let budget = body.monthlyBudgetUsd { project.monthlyBudget = try budget.map { try Validate.budget($0) } }
        if let cap = body.budgetHardCap { project.budgetHardCap = cap }
        project.updatedAt = .now()
        guard try await store.updateProject(project, logger: context.logger) else { throw APIError.notFound("no such project") }
        cache.invalidate(projectID: project.id)
        await auditor.record("project.update", tenantID: project.tenantID, caller: caller, target: ("project", project.id), metadata: [
            "monthly_budget_usd": project.monthlyBudget?.usdString ?? "none", "budget_hard_cap": String(project.budgetHardCap),
        ], context: context)
        return ProjectJSON(project)
    }

    @Sendable func delete(_ request: Request, context: TroughRequestContext) async throws -> Response {
        let (caller, project, _) = try await access.project(try context.parameters.require("project_id"), atLeast: .admin, context: context)
        guard try await store.deleteProject(id: project.id, tenantID: project.tenantID, logger: context.logger) else { throw APIError.notFound("no such project") }
        await auditor.record("project.delete", tenantID: project.tenantID, caller: caller, target: ("project", project.id), metadata: ["name": project.name], context: context)
        return Response(status: .noContent)
    }

    struct TokenRequest: Decodable {
        let name: String
        /// Optional monthly budget for this token, a decimal string.
        let monthlyBudgetUsd: String?
        let budgetHardCap: Bool?
    }

    @Sendable func createToken(_ request: Request, context: TroughRequestContext) async throws -> EditedResponse<ProjectTokenJSON> {
        let (caller, project, _) = try await access.project(try context.parameters.require("project_id"), atLeast: .admin, context: context)
        let body = try await request.decode(as: TokenRequest.self, context: context)
        let raw = SecretToken.make(prefix: SecretToken.projectTokenPrefix)
        let token = ProjectToken(
            tenantID: project.tenantID, projectID: project.id, name: try Validate.name(body.name, field: "name"),
            tokenHash: Identifier.sha256Hex(raw), prefix: SecretToken.displayPrefix(raw, prefix: SecretToken.projectTokenPrefix),
            createdBy: caller.user.id, createdAt: .now(),
            monthlyBudget: try body.monthlyBudgetUsd.map { try Validate.budget($0) }, budgetHardCap: body.budgetHardCap ?? false
        )
        try await store.createProjectToken(token, logger: context.logger)
        await auditor.record("token.create", tenantID: project.tenantID, caller: caller, target: ("project_token", token.id), metadata: ["project_id": project.id, "name": token.name], context: context)
        return EditedResponse(status: .created, response: ProjectTokenJSON(token, raw: raw))
    }

    @Sendable func tokens(_ request: Request, context: TroughRequestContext) async throws -> ListJSON<ProjectTokenJSON> {
        let (_, project, _) = try await access.project(try context.parameters.require("project_id"), atLeast: .viewer, context: context)
        let tokens = try await store.projectTokens(projectID: project.id, tenantID: project.tenantID, logger: context.logger)
        return ListJSON(items: tokens.map { ProjectTokenJSON($0) }, key: "tokens")
    }

    @Sendable func revokeToken(_ request: Request, context: TroughRequestContext) async throws -> Response {
        let (caller, project, _) = try await access.project(try context.parameters.require("project_id"), atLeast: .admin, context: context)
        let tokenID = try context.parameters.require("token_id")
        guard try await store.revokeProjectToken(id: tokenID, projectID: project.id, tenantID: project.tenantID, at: .now(), logger: context.logger) else {
            throw APIError.notFound("no such token")
        }
        cache.invalidate(projectID: project.id)
        await auditor.record("token.revoke", tenantID: project.tenantID, caller: caller, target: ("project_token", tokenID), metadata: ["project_id": project.id], context: context)
        return Response(status: .noContent)
    }
}

/// A project with its month-to-date usage (UTC calendar month).
struct ProjectDetailJSON: ResponseEncodable {
    let project: ProjectJSON
    let monthToDate: MonthToDateJSON

    func encode(to encoder: any Encoder) throws {
        try project.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(monthToDate, forKey: .monthToDate)
    }

    enum CodingKeys: String, CodingKey {
        case monthToDate
    }
}

struct MonthToDateJSON: Encodable, Sendable {
    let requests: Int64
    let errors: Int64
    /// Requests whose model has no price: their cost is not in `cost_usd`.
    let unpricedRequests: Int64
    let costUsd: String

    init(_ totals: UsageTotals) {
        requests = totals.requests
        errors = totals.errors
        unpricedRequests = totals.unpriced
        costUsd = totals.cost.usdString
    }
}
