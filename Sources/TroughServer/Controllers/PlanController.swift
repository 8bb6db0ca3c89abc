import Hummingbird
import TroughCore

/// A tenant's plan and its usage against the plan's limits and the projects' budgets.
struct PlanController {
    let store: any Store
    let clock: TroughClock

    var access: Access { Access(store: store) }

    func addRoutes(to api: RouterGroup<TroughRequestContext>) {
        api.get("/tenants/:tenant_id/plan", use: show)
    }

    @Sendable func show(_ request: Request, context: TroughRequestContext) async throws -> TenantPlanJSON {
        let tenantID = try context.parameters.require("tenant_id")
        _ = try await access.tenant(tenantID, atLeast: .viewer, context: context)
        guard let plan = try await store.plan(tenantID: tenantID, logger: context.logger) else { throw APIError.notFound("no such tenant") }
        let period = LimitPeriod(containing: clock.now())
        let totals = try await store.usageTotals(scope: UsageScope(tenantID: tenantID), granularity: .day, from: period.start, to: period.end, logger: context.logger)
        let byProject = try await store.usageByProject(tenantID: tenantID, from: period.start, to: period.end, logger: context.logger)
        let counters = try await store.limitCounters(tenantID: tenantID, period: period.id, logger: context.logger)
        let projects = try await store.projects(tenantID: tenantID, logger: context.logger).map { project in
            let reserved = counters.first { $0.scope == .project && $0.scopeID == project.id }?.leasedNanos ?? 0
            return ProjectBudgetJSON(project: project, spent: byProject[project.id]?.cost ?? .zero, reserved: Money(nanos: reserved))
        }
        return TenantPlanJSON(
            plan: PlanJSON(plan),
            requestsThisMonth: totals.requests,
            requestLimit: plan.effectiveRequestLimit,
            servicesUsed: try await store.activeServiceCount(tenantID: tenantID, logger: context.logger),
            servicesAllowed: plan.serviceLimit,
            historyDays: plan.historyDays,
            spentThisMonthUsd: totals.cost.usdString,
            projects: projects
        )
    }

    /// Refuses a new active service beyond the plan's limit with 402 `plan_limit_exceeded`.
    static func checkServiceLimit(store: any Store, tenantID: String, context: TroughRequestContext) async throws {
        guard let plan = try await store.plan(tenantID: tenantID, logger: context.logger), let limit = plan.serviceLimit
        else { return }
        let used = try await store.activeServiceCount(tenantID: tenantID, logger: context.logger)
        guard used < limit else {
            throw APIError.paymentRequired(type: "plan_limit_exceeded", "the \(plan.name) plan allows \(limit) active service\(limit == 1 ? "" : "s") and this organisation has \(used); upgrade to Pro for unlimited services")
        }
    }
}

struct PlanJSON: ResponseEncodable {
    let id: String
    let name: String
    let priceUsd: String
    let monthlyRequestLimit: Int64?
    let fairUseRequestLimit: Int64?
    let serviceLimit: Int?
    let historyDays: Int
    let alerts: Bool
    let anomalyDetection: Bool
    let hourlyTrends: Bool

    init(_ plan: Plan) {
        id = plan.id
        name = plan.name
        priceUsd = plan.price.usdString
        monthlyRequestLimit = plan.monthlyRequestLimit
        fairUseRequestLimit = plan.fairUseRequestLimit
        serviceLimit = plan.serviceLimit
        historyDays = plan.historyDays
        alerts = plan.alerts
        anomalyDetection = plan.anomalyDetection
        hourlyTrends = plan.hourlyTrends
    }
}

struct TenantPlanJSON: ResponseEncodable {
    let plan: PlanJSON
    let requestsThisMonth: Int64
    /// Nil: unlimited.
    let requestLimit: Int64?
    let servicesUsed: Int
    /// Nil: unlimited.
    let servicesAllowed: Int?
    let historyDays: Int
    let spentThisMonthUsd: String
    let projects: [ProjectBudgetJSON]
}

struct ProjectBudgetJSON: Encodable, Sendable {
    let id: String
    let name: String
    let monthlyBudgetUsd: String?
    let budgetHardCap: Bool
    let spentUsd: String
    /// Leased by server instances for requests in flight or about to be; returned when unused.
    let reservedUsd: String
    let remainingUsd: String?
    /// Spent as a share of the budget, in percent with two decimals (`"12.34"`).
    let percentUsed: String?

    init(project: Project, spent: Money, reserved: Money = .zero) {
        id = project.id
        name = project.name
        monthlyBudgetUsd = project.monthlyBudget?.usdString
        budgetHardCap = project.budgetHardCap
        spentUsd = spent.usdString
        reservedUsd = reserved.usdString
        remainingUsd = project.monthlyBudget.map { Money(nanos: max(0, $0.nanos - spent.nanos)).usdString }
        percentUsed = project.monthlyBudget.flatMap { budget in budget.nanos > 0 ? Percent.string(spent.nanos, of: budget.nanos) : nil }
    }
}
