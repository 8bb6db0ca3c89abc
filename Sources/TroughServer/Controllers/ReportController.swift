import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TroughCore

/// The reporting API: spend and usage of a project or tenant, read from the rollups (see docs/reporting-api.md),
/// and CSV exports. Any member may read; other tenants' projects are 404.
struct ReportController {
    let store: any Store

    var access: Access { Access(store: store) }

    func addRoutes(to api: RouterGroup<TroughRequestContext>) {
        api.get("/projects/:project_id/usage/summary", use: projectSummary)
        api.get("/projects/:project_id/usage/daily", use: daily)
        api.get("/projects/:project_id/usage/hourly", use: hourly)
        api.get("/projects/:project_id/usage/breakdown", use: breakdown)
        api.get("/projects/:project_id/usage/export.csv", use: exportCSV)
        api.get("/projects/:project_id/events.csv", use: eventsCSV)
        api.get("/tenants/:tenant_id/usage/summary", use: tenantSummary)
    }

    /// Today, yesterday and this month, for one scope.
    struct Days {
        let now = Timestamp.now()
        var today: Timestamp { ReportTime.startOfDay(now) }
        var yesterday: Timestamp { today.adding(milliseconds: -ReportTime.day) }
        var tomorrow: Timestamp { today.adding(milliseconds: ReportTime.day) }
        var monthStart: Timestamp { now.startOfUTCMonth }
    }

    struct PeriodTotals: Sendable {
        let today: TotalsJSON
        let yesterday: TotalsJSON
        let monthToDate: TotalsJSON
        /// This month's spend, for the budget.
        let monthSpent: Money
    }

    func periodTotals(_ scope: UsageScope, days: Days, context: TroughRequestContext) async throws -> PeriodTotals {
        var today = TotalsJSON(try await store.usageTotals(scope: scope, granularity: .day, from: days.today, to: days.tomorrow, logger: context.logger))
        today.date = ReportTime.date(days.today)
        var yesterday = TotalsJSON(try await store.usageTotals(scope: scope, granularity: .day, from: days.yesterday, to: days.today, logger: context.logger))
        yesterday.date = ReportTime.date(days.yesterday)
        let monthTotals = try await store.usageTotals(scope: scope, granularity: .day, from: days.monthStart, to: days.tomorrow, logger: context.logger)
        var month = TotalsJSON(monthTotals)
        month.month = ReportTime.month(days.now)
        return PeriodTotals(today: today, yesterday: yesterday, monthToDate: month, monthSpent: monthTotals.cost)
    }

    // MARK: Project summary

    struct PlanUsageJSON: Encodable, Sendable {
        let id: String
        let name: String
        let requestsThisMonth: Int64
        /// Nil: unlimited.
        let requestLimit: Int64?
        let historyDays: Int
        let hourlyTrends: Bool
    }

    struct ProjectSummaryJSON: ResponseEncodable {
        let projectId: String
        let today: TotalsJSON
        let yesterday: TotalsJSON
        let monthToDate: TotalsJSON
        @NullWhenAbsent var budget: BudgetJSON?
        @NullWhenAbsent var plan: PlanUsageJSON?
        let refused: RefusedJSON
    }

    /// Requests a budget, the plan's quota or a suspension refused (402) before the provider was called.
    /// Counted by each instance and written every `TROUGH_LIMIT_SYNC_SECONDS`.
    struct RefusedJSON: Encodable, Sendable {
        let today: Int64
        let monthToDate: Int64
        /// This month's refusals by the 402's error type.
        let byReason: [String: Int64]

        /// From one read of the month's counts, so today's figure and the month's always agree.
        init(_ month: [RefusalCount], today: Timestamp) {
            self.today = month.filter { $0.day == today }.reduce(0) { $0 + $1.requests }
            monthToDate = month.reduce(0) { $0 + $1.requests }
            byReason = month.reduce(into: [:]) { $0[$1.reason, default: 0] += $1.requests }
        }
    }

    @Sendable func projectSummary(_ request: Request, context: TroughRequestContext) async throws -> ProjectSummaryJSON {
        let (_, project, _) = try await access.project(try context.parameters.require("project_id"), atLeast: .viewer, context: context)
        let days = Days()
        let totals = try await periodTotals(UsageScope(tenantID: project.tenantID, projectID: project.id), days: days, context: context)
        var planJSON: PlanUsageJSON?
        if let plan = try await store.plan(tenantID: project.tenantID, logger: context.logger) {
            let requests = try await store.usageTotals(scope: UsageScope(tenantID: project.tenantID), granularity: .day, from: days.monthStart, to: days.tomorrow, logger: context.logger).requests
            planJSON = PlanUsageJSON(id: plan.id, name: plan.name, requestsThisMonth: requests, requestLimit: plan.effectiveRequestLimit,
                                     historyDays: plan.historyDays, hourlyTrends: plan.hourlyTrends)
        }
        let refusals = try await store.refusals(projectID: project.id, tenantID: project.tenantID, from: days.monthStart, to: days.tomorrow, logger: context.logger)
        return ProjectSummaryJSON(
            projectId: project.id, today: totals.today, yesterday: totals.yesterday, monthToDate: totals.monthToDate,
            budget: BudgetJSON(budget: project.monthlyBudget, hardCap: project.budgetHardCap, spent: totals.monthSpent, now: days.now),
            plan: planJSON,
            refused: RefusedJSON(refusals, today: days.today)
        )
    }

    // MARK: Series

    struct SeriesJSON: ResponseEncodable {
        let from: String
        let to: String
        var days: [TotalsJSON]?
        var hours: [TotalsJSON]?
        let total: TotalsJSON
    }

    @Sendable func daily(_ request: Request, context: TroughRequestContext) async throws -> SeriesJSON {
        let (_, project, _) = try await access.project(try context.parameters.require("project_id"), atLeast: .viewer, context: context)
        let days = Days()
        let range = try ReportTime.range(from: request.uri.queryParameters.get("from"), to: request.uri.queryParameters.get("to"),
                                         defaultFrom: days.today.adding(milliseconds: -29 * ReportTime.day), defaultTo: days.tomorrow)
        let from = ReportTime.startOfDay(range.from)
        let to = ReportTime.startOfDay(range.to.adding(milliseconds: ReportTime.day - 1))
        let (series, total) = try await filledSeries(UsageScope(tenantID: project.tenantID, projectID: project.id), granularity: .day, from: from, to: to, context: context)
        return SeriesJSON(from: ReportTime.date(from), to: ReportTime.date(to.adding(milliseconds: -ReportTime.day)),
                          days: series.map { bucket in
                              var json = TotalsJSON(bucket.totals)
                              json.date = ReportTime.date(bucket.start)
                              return json
                          }, total: TotalsJSON(total))
    }

    @Sendable func hourly(_ request: Request, context: TroughRequestContext) async throws -> SeriesJSON {
        let (_, project, _) = try await access.project(try context.parameters.require("project_id"), atLeast: .viewer, context: context)
        guard let plan = try await store.plan(tenantID: project.tenantID, logger: context.logger), plan.hourlyTrends else {
            throw APIError.paymentRequired(type: "plan_limit_exceeded", "hourly trends are part of the Pro plan; upgrade to see spend by hour")
        }
        let hours = request.uri.queryParameters.get("hours", as: Int64.self) ?? 48
        guard (1...720).contains(hours) else { throw APIError.validation("hours: expected 1 to 720") }
        let to = ReportTime.startOfHour(Timestamp.now()).adding(milliseconds: ReportTime.hour)
        let from = to.adding(milliseconds: -hours * ReportTime.hour)
        let (series, total) = try await filledSeries(UsageScope(tenantID: project.tenantID, projectID: project.id), granularity: .hour, from: from, to: to, context: context)
        return SeriesJSON(from: from.iso8601, to: to.iso8601, hours: series.map { bucket in
            var json = TotalsJSON(bucket.totals)
            json.hour = ReportTime.hourLabel(bucket.start)
            return json
        }, total: TotalsJSON(total))
    }

    /// Every bucket of `[from, to)`, zero where there was no usage, and their sum.
    func filledSeries(_ scope: UsageScope, granularity: UsageRollup.Granularity, from: Timestamp, to: Timestamp, context: TroughRequestContext) async throws -> ([UsageBucket], UsageTotals) {
        let step = granularity == .day ? ReportTime.day : ReportTime.hour
        let stored = try await store.usageSeries(scope: scope, granularity: granularity, from: from, to: to, logger: context.logger)
        let byStart = Dictionary(stored.map { ($0.start.milliseconds, $0.totals) }, uniquingKeysWith: +)
        var series: [UsageBucket] = []
        var total = UsageTotals()
        for start in stride(from: from.milliseconds, to: to.milliseconds, by: Int(step)) {
            let totals = byStart[start] ?? UsageTotals()
            total.add(totals)
            series.append(UsageBucket(start: Timestamp(milliseconds: start), totals: totals))
        }
        return (series, total)
    }

    // MARK: Breakdown

    struct BreakdownJSON: ResponseEncodable {
        let by: String
        let from: String
        let to: String
        let rows: [TotalsJSON]
        @NullWhenAbsent var other: TotalsJSON?
        let total: TotalsJSON
    }

    /// What `by` asks for: a rolled-up dimension, one tag's values, or the service tier (read from the events).
    enum Grouping {
        case dimension(UsageDimension)
        case tag(String)
        case serviceTier

        init(_ text: String?) throws {
            let text = text ?? ""
            if text.hasPrefix("tag:"), !text.dropFirst(4).isEmpty, text.count <= 36 {
                self = .tag(String(text.dropFirst(4)))
            } else if let dimension = UsageDimension(rawValue: text) {
                self = .dimension(dimension)
            } else if text == "service_tier" {
                self = .serviceTier
            } else {
                throw APIError.validation("by: expected service, endpoint, model, provider, token, service_tier or tag:KEY")
            }
        }
    }

    @Sendable func breakdown(_ request: Request, context: TroughRequestContext) async throws -> BreakdownJSON {
        let (_, project, _) = try await access.project(try context.parameters.require("project_id"), atLeast: .viewer, context: context)
        let grouping = try Grouping(request.uri.queryParameters.get("by"))
        let limit = request.uri.queryParameters.get("limit", as: Int.self) ?? 10
        guard (1...100).contains(limit) else { throw APIError.validation("limit: expected 1 to 100") }
        let days = Days()
        var range = try ReportTime.range(from: request.uri.queryParameters.get("from"), to: request.uri.queryParameters.get("to"),
                                         defaultFrom: days.monthStart, defaultTo: days.tomorrow)
        let scope = UsageScope(tenantID: project.tenantID, projectID: project.id)
        let groups: [UsageGroup]
        let total: UsageTotals
        switch grouping {
        case .dimension(let dimension):
            range = (ReportTime.startOfDay(range.from), ReportTime.startOfDay(range.to.adding(milliseconds: ReportTime.day - 1)))
            groups = try await store.usageBreakdown(scope: scope, by: dimension, from: range.from, to: range.to, limit: limit, logger: context.logger)
            total = try await store.usageTotals(scope: scope, granularity: .day, from: range.from, to: range.to, logger: context.logger)
        case .tag, .serviceTier:
            range.from = try await historyStart(range.from, tenantID: project.tenantID, context: context)
            let key: @Sendable (RequestEvent) -> String = switch grouping {
            case .tag(let tag): { RequestTags.value(of: tag, in: $0.tags) ?? "" }
            default: { $0.serviceTier ?? "" }
            }
            let all = try await store.eventBreakdown(projectID: project.id, tenantID: project.tenantID, from: range.from, to: range.to, logger: context.logger, key: key)
            groups = Array(all.prefix(limit))
            total = all.reduce(UsageTotals()) { $0 + $1.totals }
        }
        let labels = try await labels(for: grouping, project: project, context: context)
        let rows = groups.map { group in
            var json = TotalsJSON(group.totals)
            json.key = group.key
            json.label = labels[group.key] ?? (group.key.isEmpty ? "(none)" : group.key)
            json.sharePercent = Percent.string(group.totals.cost.nanos, of: total.cost.nanos)
            return json
        }
        let rest = groups.reduce(total) { $0 - $1.totals }
        let byText = switch grouping {
        case .dimension(let dimension): dimension.rawValue
        case .tag(let key): "tag:" + key
        case .serviceTier: "service_tier"
        }
        return BreakdownJSON(by: byText, from: range.from.iso8601, to: range.to.iso8601, rows: rows,
                             other: rest.requests > 0 ? TotalsJSON(rest) : nil, total: TotalsJSON(total))
    }

    /// Names for service and token ids, and for the standard service tier.
    func labels(for grouping: Grouping, project: Project, context: TroughRequestContext) async throws -> [String: String] {
        if case .serviceTier = grouping { return ["": "standard"] }
        guard case .dimension(let dimension) = grouping else { return [:] }
        switch dimension {
        case .service:
            let services = try await store.services(projectID: project.id, tenantID: project.tenantID, logger: context.logger)
            return Dictionary(services.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        case .token:
            let tokens = try await store.projectTokens(projectID: project.id, tenantID: project.tenantID, logger: context.logger)
            return Dictionary(tokens.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        default:
            return [:]
        }
    }

    /// `from`, moved forward to the oldest time the plan keeps events for.
    func historyStart(_ from: Timestamp, tenantID: String, context: TroughRequestContext) async throws -> Timestamp {
        let days = Int64(try await store.plan(tenantID: tenantID, logger: context.logger)?.historyDays ?? 7)
        return max(from, Timestamp.now().adding(milliseconds: -days * ReportTime.day))
    }

    // MARK: Tenant summary

    struct ProjectUsageJSON: Encodable, Sendable {
        let id: String
        let name: String
        let today: TotalsJSON
        let monthToDate: TotalsJSON
        @NullWhenAbsent var budget: BudgetJSON?
    }

    struct TenantSummaryJSON: ResponseEncodable {
        let tenantId: String
        let today: TotalsJSON
        let yesterday: TotalsJSON
        let monthToDate: TotalsJSON
        let projects: [ProjectUsageJSON]
    }

    @Sendable func tenantSummary(_ request: Request, context: TroughRequestContext) async throws -> TenantSummaryJSON {
        let tenantID = try context.parameters.require("tenant_id")
        _ = try await access.tenant(tenantID, atLeast: .viewer, context: context)
        let days = Days()
        let totals = try await periodTotals(UsageScope(tenantID: tenantID), days: days, context: context)
        let today = try await store.usageByProject(tenantID: tenantID, from: days.today, to: days.tomorrow, logger: context.logger)
        let month = try await store.usageByProject(tenantID: tenantID, from: days.monthStart, to: days.tomorrow, logger: context.logger)
        let projects = try await store.projects(tenantID: tenantID, logger: context.logger).map { project in
            let spent = month[project.id]?.cost ?? .zero
            return ProjectUsageJSON(id: project.id, name: project.name, today: TotalsJSON(today[project.id] ?? UsageTotals()),
                                    monthToDate: TotalsJSON(month[project.id] ?? UsageTotals()),
                                    budget: BudgetJSON(budget: project.monthlyBudget, hardCap: project.budgetHardCap, spent: spent, now: days.now))
        }
        return TenantSummaryJSON(tenantId: tenantID, today: totals.today, yesterday: totals.yesterday, monthToDate: totals.monthToDate, projects: projects)
    }

    // MARK: CSV

    static let metricHeader = ["requests", "errors", "unpriced", "input_tokens", "output_tokens", "cached_input_tokens", "reasoning_tokens", "cost_usd", "avg_latency_ms"]

    static func metricFields(_ totals: UsageTotals) -> [String] {
        let json = TotalsJSON(totals)
        return [String(totals.requests), String(totals.errors), String(totals.unpriced), String(totals.inputTokens), String(totals.outputTokens),
                String(totals.cachedInputTokens), String(totals.reasoningTokens), totals.cost.usdString, String(json.avgLatencyMs)]
    }

    static func csvResponse(_ text: String, filename: String) -> Response {
        Response(status: .ok, headers: csvHeaders(filename: filename), body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func csvHeaders(filename: String) -> HTTPFields {
        [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(filename)\"", .cacheControl: "no-store"]
    }

    @Sendable func exportCSV(_ request: Request, context: TroughRequestContext) async throws -> Response {
        let (_, project, _) = try await access.project(try context.parameters.require("project_id"), atLeast: .viewer, context: context)
        let by = request.uri.queryParameters.get("by") ?? "day"
        let days = Days()
        let range = try ReportTime.range(from: request.uri.queryParameters.get("from"), to: request.uri.queryParameters.get("to"),
                                         defaultFrom: days.today.adding(milliseconds: -29 * ReportTime.day), defaultTo: days.tomorrow)
        let from = ReportTime.startOfDay(range.from)
        let to = ReportTime.startOfDay(range.to.adding(milliseconds: ReportTime.day - 1))
        let scope = UsageScope(tenantID: project.tenantID, projectID: project.id)
        var text = ""
        switch by {
        case "day":
            text += CSV.line(["date"] + Self.metricHeader)
            for bucket in try await filledSeries(scope, granularity: .day, from: from, to: to, context: context).0 {
                text += CSV.line([ReportTime.date(bucket.start)] + Self.metricFields(bucket.totals))
            }
        case "endpoint", "service", "model", "token", "provider":
            let dimension = UsageDimension(rawValue: by)!
            let labels = try await labels(for: .dimension(dimension), project: project, context: context)
            let keyColumns = dimension == .service || dimension == .token ? [by + "_id", by] : [by]
            text += CSV.line(keyColumns + Self.metricHeader)
            for group in try await store.usageBreakdown(scope: scope, by: dimension, from: from, to: to, limit: 100_000, logger: context.logger) {
                let keys = keyColumns.count == 2 ? [group.key, labels[group.key] ?? ""] : [group.key]
                text += CSV.line(keys + Self.metricFields(group.totals))
            }
        default:
            throw APIError.validation("by: expected day, endpoint, service, model, provider or token")
        }
        return Self.csvResponse(text, filename: "\(project.slug)-usage-by-\(by)-\(ReportTime.date(from))-\(ReportTime.date(to.adding(milliseconds: -ReportTime.day))).csv")
    }

    static let eventHeader = [
        "occurred_at", "event_id", "service_id", "token_id", "method", "route", "status", "provider", "model", "input_tokens", "output_tokens",
        "cached_input_tokens", "cache_write_tokens", "reasoning_tokens", "cost_usd", "cost_source", "streamed", "total_latency_ms",
        "upstream_latency_ms", "bytes_in", "bytes_out", "tags", "error_type", "service_tier",
    ]

    static func eventFields(_ event: RequestEvent) -> [String] {
        [
            event.occurredAt.iso8601, event.eventID, event.serviceID ?? "", event.tokenID ?? "", event.method, event.route, String(event.status),
            event.provider ?? "", event.model ?? "", String(event.inputTokens), String(event.outputTokens), String(event.cachedInputTokens),
            String(event.cacheWriteTokens), String(event.reasoningTokens), event.cost.usdString, event.costSource.rawValue, String(event.streamed),
            String(format: "%.3f", Double(event.totalLatencyMicros) / 1000), String(format: "%.3f", Double(event.upstreamLatencyMicros) / 1000),
            String(event.bytesIn), String(event.bytesOut), event.tags ?? "", event.errorType ?? "", event.serviceTier ?? "",
        ]
    }

    /// Raw events, streamed page by page, within the plan's history.
    @Sendable func eventsCSV(_ request: Request, context: TroughRequestContext) async throws -> Response {
        let (_, project, _) = try await access.project(try context.parameters.require("project_id"), atLeast: .viewer, context: context)
        let now = Timestamp.now()
        let oldest = try await historyStart(Timestamp(milliseconds: 0), tenantID: project.tenantID, context: context)
        var range = try ReportTime.range(from: request.uri.queryParameters.get("from"), to: request.uri.queryParameters.get("to"),
                                         defaultFrom: oldest, defaultTo: now.adding(seconds: 1), maxDays: 3660)
        range.from = max(range.from, oldest)
        let (from, to) = range
        let store = self.store
        let logger = context.logger
        let (projectID, tenantID) = (project.id, project.tenantID)
        let filename = "\(project.slug)-events-\(ReportTime.date(range.from))-\(ReportTime.date(range.to)).csv"
        return Response(status: .ok, headers: Self.csvHeaders(filename: filename), body: ResponseBody { writer in
            try await writer.write(ByteBuffer(string: CSV.line(Self.eventHeader)))
            var cursor: EventCursor?
            while true {
                let page = try await store.eventPage(projectID: projectID, tenantID: tenantID, from: from, to: to, after: cursor, limit: 1000, logger: logger)
                var chunk = ""
                for stored in page { chunk += CSV.line(Self.eventFields(stored.event)) }
                if !chunk.isEmpty { try await writer.write(ByteBuffer(string: chunk)) }
                guard page.count == 1000, let last = page.last else { break }
                cursor = last.cursor
            }
            try await writer.finish(nil)
        })
    }
}
