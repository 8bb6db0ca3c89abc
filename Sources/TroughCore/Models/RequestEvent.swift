/// One proxied request as recorded: who, where, how long, how big, which model, how many tokens, what it cost.
/// Never prompts, completions or client addresses.
public struct RequestEvent: Codable, Hashable, Sendable {
    /// Made by the proxy, ordered by time; replaying a batch twice (from the spool) inserts it once.
    public var eventID: String
    public var tenantID: String
    public var projectID: String
    public var serviceID: String?
    public var tokenID: String?
    public var occurredAt: Timestamp
    public var method: String
    /// The matching cost rule's pattern, or the path with ids collapsed (`/v1/files/{id}`).
    public var route: String
    public var status: Int
    /// Why the request did not complete normally, e.g. `upstream_timeout`, `client_disconnected`.
    public var errorType: String?
    public var totalLatencyMicros: Int64
    public var upstreamLatencyMicros: Int64
    public var bytesIn: Int64
    public var bytesOut: Int64
    public var provider: String?
    public var model: String?
    public var inputTokens: Int64
    public var outputTokens: Int64
    public var cachedInputTokens: Int64
    public var cacheWriteTokens: Int64
    public var reasoningTokens: Int64
    public var units: Int64
    public var cost: Money
    public var costSource: CostSource
    public var streamed: Bool
    /// JSON object from `X-Trough-Tags`, bounded in count and length.
    public var tags: String?
    /// The service tier that served the request when it is priced apart (`priority`, `flex`, `ultrafast`, `fast_mode`, `batch`);
    /// nil for the standard tier.
    public var serviceTier: String?
    /// The job this event bills when its usage is a job's whose usage a later answer reports (`Usage.deferredID`):
    /// the event writer bills each job once per tenant (table `billed_jobs`), across instances and restarts. Not a
    /// column of `request_events`; kept in the spool.
    public var jobID: String?

    enum CodingKeys: String, CodingKey {
        case eventID = "event_id"
        case tenantID = "tenant_id"
        case projectID = "project_id"
        case serviceID = "service_id"
        case tokenID = "token_id"
        case occurredAt = "occurred_at"
        case method
        case route
        case status
        case errorType = "error_type"
        case totalLatencyMicros = "total_latency_us"
        case upstreamLatencyMicros = "upstream_latency_us"
        case bytesIn = "bytes_in"
        case bytesOut = "bytes_out"
        case provider
        case model
        case inputTokens = "input_tokens"
        case outputTokens = "output_tokens"
        case cachedInputTokens = "cached_input_tokens"
        case cacheWriteTokens = "cache_write_tokens"
        case reasoningTokens = "reasoning_tokens"
        case units
        case cost = "cost_nanos"
        case costSource = "cost_source"
        case streamed
        case tags
        case serviceTier = "service_tier"
        case jobID = "job_id"
    }

    /// The event of a request whose usage was billed before (its job's, by another event): stored with no usage,
    /// no cost and `cost_source = none`, as a stored answer read again is.
    public mutating func dropBilledUsage() {
        inputTokens = 0
        outputTokens = 0
        cachedInputTokens = 0
        cacheWriteTokens = 0
        reasoningTokens = 0
        units = 0
        cost = .zero
        costSource = .none
        serviceTier = nil
        jobID = nil
    }

    /// Whether the request failed: an error status or an error Trough saw (upstream down, client gone…).
    public var isError: Bool { status >= 400 || errorType != nil }

    public init(
        eventID: String? = nil, tenantID: String, projectID: String, serviceID: String?, tokenID: String?,
        occurredAt: Timestamp, method: String, route: String, status: Int
    ) {
        self.eventID = eventID ?? Identifier.makeTimeOrdered("evt", at: occurredAt)
        self.tenantID = tenantID
        self.projectID = projectID
        self.serviceID = serviceID
        self.tokenID = tokenID
        self.occurredAt = occurredAt
        self.method = method
        self.route = route
        self.status = status
        self.totalLatencyMicros = 0
        self.upstreamLatencyMicros = 0
        self.bytesIn = 0
        self.bytesOut = 0
        self.inputTokens = 0
        self.outputTokens = 0
        self.cachedInputTokens = 0
        self.cacheWriteTokens = 0
        self.reasoningTokens = 0
        self.units = 0
        self.cost = .zero
        self.costSource = .none
        self.streamed = false
    }
}

/// Where an event's cost came from.
public enum CostSource: String, Codable, Sendable {
    /// Token usage reported by the provider, priced from the price table.
    case usage
    /// A per-route cost rule.
    case rule
    /// Estimated without reported usage.
    case estimate
    /// A model with no known price: never silently $0.
    case unpriced
    /// Nothing to price (an error, or an API with neither usage nor rule).
    case none
}
