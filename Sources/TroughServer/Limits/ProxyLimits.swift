import HTTPTypes
import TroughCore

/// Which limits a proxied request is charged against, what it may cost at worst, and how a refusal reads.
struct ProxyLimits: Sendable {
    let plan: Plan?
    let project: Project?
    let service: Service
    let token: ProjectToken
    let period: LimitPeriod

    /// Output tokens assumed when a request sets no `max_tokens` / `max_output_tokens`.
    static let defaultMaxOutputTokens: Int64 = 4096

    /// The worst case of a request: a cost rule's price per request (one unit), or the model's price for an
    /// input of one token per two bytes of body and its `max_tokens` of output. Unpriced requests reserve nothing.
    static func worstCase(rule: CostRule?, price: ModelPrice?, bodyBytes: Int64, inspection: RequestInspection) -> Money {
        if let rule { return rule.cost }
        guard let price else { return .zero }
        return price.worstCase(inputTokens: (bodyBytes + 1) / 2, outputTokens: inspection.maxOutputTokens ?? defaultMaxOutputTokens,
                               serviceTier: inspection.serviceTier, inferenceGeo: inspection.inferenceGeo,
                               images: inspection.imagesRequested, characters: inspection.characters)
    }

    /// The tenant's monthly request quota, then the project's, service's and token's budgets, each reserving
    /// `worstCase()`, which is only worked out when a budget applies.
    func charges(worstCase: () -> Money) -> [LimitGate.Charge] {
        var charges: [LimitGate.Charge] = []
        if let limit = plan?.effectiveRequestLimit {
            charges.append(.init(key: key(.tenant, token.tenantID, .requests), limit: limit, amount: 1, hard: true))
        }
        // The project's, the service's and the token's budgets (checked in place: an array of them cost an
        // allocation per request, and most requests have none).
        var amount: Int64?
        func charge(_ scope: LimitScope, _ id: String, _ budget: Money?, hard: Bool) {
            guard let budget else { return }
            let worst = amount ?? worstCase().nanos
            amount = worst
            charges.append(.init(key: key(scope, id, .nanos), limit: budget.nanos, amount: worst, hard: hard))
        }
        charge(.project, token.projectID, project?.monthlyBudget, hard: project?.budgetHardCap ?? false)
        charge(.service, service.id, service.monthlyBudget, hard: service.budgetHardCap)
        charge(.token, token.id, token.monthlyBudget, hard: token.budgetHardCap)
        return charges
    }

    private func key(_ scope: LimitScope, _ id: String, _ unit: LimitUnit) -> LimitKey {
        LimitKey(tenantID: token.tenantID, scope: scope, scopeID: id, period: period, unit: unit)
    }

    /// The 402 a refusal becomes: `plan_limit_exceeded` for the request quota, `budget_exceeded` for budgets.
    /// 402 is not a status the OpenAI or Anthropic SDKs retry, and they show `error.message`.
    func error(for refusal: LimitGate.Refusal) -> APIError {
        let charge = refusal.charge
        let resets = "it starts again on \(ReportTime.date(period.end)) at 00:00 UTC"
        switch charge.key.scope {
        case .tenant:
            let name = plan?.name ?? "current"
            return .paymentRequired(type: "plan_limit_exceeded", "this organisation has used \(Self.grouped(refusal.used)) of the \(Self.grouped(charge.limit)) proxied requests the \(name) plan allows per month; \(resets). Upgrade to Pro for unlimited requests.")
        case .project, .service, .token:
            let owner = switch charge.key.scope {
            case .project: "the project '\(project?.name ?? token.projectID)'"
            case .service: "the service '\(service.name)'"
            default: "the project token '\(token.name)'"
            }
            return .paymentRequired(type: "budget_exceeded", "\(owner) has spent \(Money(nanos: refusal.used).description) of its monthly budget of \(Money(nanos: charge.limit).description) and this request could cost up to \(Money(nanos: charge.amount).description); \(resets). Raise the budget or turn off its hard cap.")
        }
    }

    /// `10000` → `10,000`.
    static func grouped(_ value: Int64) -> String {
        let digits = Array(String(value.magnitude))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return value < 0 ? "-" + out : out
    }
}
