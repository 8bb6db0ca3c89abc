import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import TroughCore
import TroughWorkers

/// The proxy: `ANY /proxy/{service}/{path…}` and, for OpenAI SDKs, `ANY /v1/{path…}`.
/// Forwards the request unchanged (streaming both ways), reads the usage from the response, prices it,
/// and queues one event, with no database round trip on the request's path (but one read for a job's first poll
/// on this instance: `checkJobBilledElsewhere`).
struct ProxyController {
    let store: any Store
    let cache: ProxyCache
    let secrets: SecretBox
    let upstreams: UpstreamGuard
    let client: HTTPClient
    let prices: PriceCatalog
    let events: EventQueue
    let settings: ProxySettings
    let limits: LimitGate
    /// Which background responses' and batches' usage was billed already (a GET of a stored answer is not billed again).
    let deferredUsage = DeferredUsage()
    /// The routes (token hash and service) being refreshed now: one refresh each at a time.
    let refreshing = RouteRefreshes()

    static let methods: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete, .head, .options]

    func addRoutes(to router: Router<TroughRequestContext>) {
        for method in Self.methods {
            router.on("/proxy/:service_name/**", method: method) { request, context in
                let name = try context.parameters.require("service_name")
                return try await forward(request, context: context, service: .named(name), path: Self.rest(of: request.uri.path, after: 2))
            }
            router.on("/proxy/:service_name", method: method) { request, context in
                let name = try context.parameters.require("service_name")
                return try await forward(request, context: context, service: .named(name), path: "")
            }
            router.on("/v1/**", method: method) { request, context in
                try await forward(request, context: context, service: .openAIDefault, path: Self.rest(of: request.uri.path, after: 1))
            }
        }
    }

    /// The path after the first `segments` segments, with its leading slash (`/proxy/x/a/b` after 2 → `/a/b`).
    /// Walks the UTF-8 bytes (a `Character` walk breaks graphemes: a microsecond per request).
    static func rest(of path: some StringProtocol, after segments: Int) -> String {
        let bytes = path.utf8
        var index = bytes.startIndex
        for _ in 0..<segments {
            while index != bytes.endIndex, bytes[index] == UInt8(ascii: "/") { bytes.formIndex(after: &index) }
            while index != bytes.endIndex, bytes[index] != UInt8(ascii: "/") { bytes.formIndex(after: &index) }
        }
        return String(Substring(path[index...]))
    }

    enum ServiceSelector: Equatable {
        case named(String)
        /// The project's OpenAI (or OpenAI-compatible) service, for `base_url = https://host/v1`.
        case openAIDefault

        /// Where the project's service is cached.
        func cacheKey(projectID: String) -> String {
            switch self {
            case .named(let name): projectID + "/" + name
            case .openAIDefault: projectID + "/#openai"
            }
        }
    }

    /// The token's project and its selected service, from the caches or the database: 401 for an unknown or revoked
    /// token, 404 for an unknown service, 402 `service_suspended` (counted as a refusal) for a suspended one.
    func activeService(rawToken: String, selector: ServiceSelector, logger: Logger) async throws -> (ProjectToken, ProxyCache.Upstream) {
        guard let token = try await resolveToken(rawToken, logger: logger) else {
            throw APIError.unauthorized("the project token is unknown or revoked")
        }
        guard let upstream = try await resolveUpstream(selector, token: token, logger: logger) else {
            switch selector {
            case .named(let name): throw APIError.notFound("this project has no service named '\(name)'")
            case .openAIDefault: throw APIError.notFound("this project has no openai or openai_compatible service for /v1; add one, or use /proxy/{service}/…")
            }
        }
        let service = upstream.service
        guard service.status == .active else {
            limits.noteRefusal(tenantID: token.tenantID, projectID: token.projectID, reason: "service_suspended")
            throw APIError.paymentRequired(type: "service_suspended", "the service '\(service.name)' is suspended: \(service.suspendedReason ?? "see the project's plan")")
        }
        return (token, upstream)
    }

    func forward(_ request: Request, context: TroughRequestContext, service selector: ServiceSelector, path: String) async throws -> Response {
        let started = ContinuousClock.now
        let occurredAt = limits.clock.now()
        let logger = context.logger

        // Who: the project token, from the cache (a few seconds) or the database.
        guard let rawToken = ProjectCredential.find(in: request.headers) else {
            throw APIError.unauthorized("send the project token in X-Project-Token (or as the API key when the service stores the provider key)")
        }
        // Where: the project's service.
        let (token, upstream) = try await activeService(rawToken: rawToken, selector: selector, logger: logger)
        let service = upstream.service
        let (firstEvent, rule) = Self.startEvent(token: token, upstream: upstream, method: request.method.rawValue, path: path, tags: request.headers[.troughTags], at: occurredAt)
        var event = firstEvent

        // The request body, read whole within the limit (this path serves `Expect`, and everything when the
        // event-loop path is off; that one streams bodies): small JSON LLM bodies are inspected to learn the
        // model (and to ask streams for usage); everything else is sent unchanged.
        if let length = request.headers[.contentLength].flatMap(Int.init), length > settings.maxRequestBytes {
            throw APIError(.contentTooLarge, type: "payload_too_large", message: "the request body is larger than \(settings.maxRequestBytes) bytes")
        }
        var inspection = RequestInspection()
        var upstreamRequest = HTTPClientRequest(url: service.baseURL + path + (request.uri.query.map { "?" + $0 } ?? ""))
        upstreamRequest.method = HTTPMethod(rawValue: request.method.rawValue)
        if RequestInspector.wantsBody(kind: service.kind, method: request.method.rawValue, contentType: request.headers[.contentType]) {
            let body = try await collectBody(request)
            inspection = RequestInspector.inspect(body: Array(body.readableBytesView), path: path, kind: service.kind, injectStreamUsage: settings.injectStreamUsage)
            let sent = inspection.rewrittenBody.map { ByteBuffer(bytes: $0) } ?? body
            event.bytesIn = Int64(body.readableBytes)
            upstreamRequest.body = .bytes(sent)
        } else if request.method != .get, request.method != .head {
            // Other bodies (of known size, or chunked uploads) are read first, within the limit. Streamed, an
            // upstream that answered before reading all of it would let Hummingbird read the connection's next
            // request while AsyncHTTPClient still read this body from the same stream: two readers, a crash.
            let body = try await collectBody(request)
            event.bytesIn = Int64(body.readableBytes)
            upstreamRequest.body = .bytes(body)
            // Transcriptions name their model only in the multipart upload.
            inspection.model = MultipartFieldScanner.value(of: "model", in: body.readableBytesView, contentType: request.headers[.contentType])
        } else {
            inspection = RequestInspector.inspect(body: nil, path: path, kind: service.kind, injectStreamUsage: false, method: request.method.rawValue)
        }
        event.model = inspection.model

        // Limits: reserve the request's worst case before the provider is called; settled when its event is recorded.
        // The worst case (a price lookup) is only worked out when a budget applies.
        let policy = try await limitPolicy(token: token, service: service, logger: logger)
        let charges = policy.charges { [prices, bytesIn = event.bytesIn, model = event.model, provider = event.provider] in
            let price = model.flatMap { prices.book.price(tenantID: token.tenantID, provider: provider, model: $0, at: occurredAt) }
            return ProxyLimits.worstCase(rule: rule, price: price, bodyBytes: bytesIn, inspection: inspection)
        }
        let reservation: Reservation
        do {
            reservation = try await limits.reserve(charges)
        } catch let refusal as LimitGate.Refusal {
            let error = policy.error(for: refusal)
            limits.noteRefusal(tenantID: token.tenantID, projectID: token.projectID, reason: error.type)
            throw error
        }
        // Every recorded event settles the reservation to its real cost first.
        let record: @Sendable (RequestEvent) -> Void = { [events] event in
            reservation.settle(cost: event.cost)
            events.record(event)
        }

        upstreamRequest.headers = try ProxyHeaders.upstream(from: request.headers, kind: service.kind) {
            try upstream.key.map { try secrets.open($0.sealed, binding: $0.binding) }
        }

        // Send it.
        let upstreamStarted = ContinuousClock.now
        let response: HTTPClientResponse
        do {
            if let host = upstream.host {
                try await upstreams.check(host: host)
            }
            response = try await client.execute(upstreamRequest, timeout: .minutes(30), logger: logger)
        } catch {
            let failure = UpstreamFailure(error)
            event.status = failure.status.code
            event.errorType = failure.type
            event.upstreamLatencyMicros = micros(ContinuousClock.now - upstreamStarted)
            event.totalLatencyMicros = micros(ContinuousClock.now - started)
            record(event)
            logger.warning("Upstream request failed", metadata: [
                "trough.tenant": .string(token.tenantID), "trough.project": .string(token.projectID),
                "trough.service": .string(service.name), "trough.error": .string(failure.type),
            ])
            throw APIError(failure.status, type: failure.type, message: failure.message(service: service.name))
        }
        let headAt = ContinuousClock.now
        // A busy route is read again before its entries run out, as on the event-loop path.
        refreshAheadIfDue(rawToken: rawToken, selector: selector, token: token, host: upstream.host, now: Timestamp.now().milliseconds, logger: logger)
        event.status = Int(response.status.code)
        var headers = ProxyHeaders.downstreamFields(from: response.headers)
        let contentType = response.headers.first(name: "content-type")
        let isEventStream = contentType?.hasPrefixIgnoringASCIICase("text/event-stream") ?? false
        let upstreamLength = response.headers.first(name: "content-length").flatMap(Int.init)
        var meter = ResponseMeter(kind: service.kind, contentType: contentType, inspection: inspection,
                                          serviceTier: ResponseMeter.serviceTierHeader(response.headers, kind: service.kind))
        let status = HTTPResponse.Status(code: Int(response.status.code), reasonPhrase: response.status.reasonPhrase)

        // Small non-streamed answers are held so the cost can go in a header; one of unknown length that grows
        // past the limit goes on as it comes, starting with what was held.
        var pieces = response.body.makeAsyncIterator()
        var held: ByteBuffer?
        if request.method != .head, settings.holdsAnswer(contentType: contentType, length: upstreamLength, requestStreams: inspection.streams) {
            var body = ByteBuffer()
            do {
                while let chunk = try await pieces.next() {
                    var part = chunk
                    body.writeBuffer(&part)
                    if settings.holdsNoLonger(heldBytes: body.readableBytes, length: upstreamLength) {
                        held = body
                        break
                    }
                }
            } catch {
                let failure = UpstreamFailure(error)
                event.errorType = failure.type
                event.status = failure.status.code
                finishEvent(&event, meter: meter, rule: nil, body: nil, streamed: false, started: started, upstreamStarted: upstreamStarted, upstreamEnded: .now, record: record)
                throw APIError(failure.status, type: failure.type, message: failure.message(service: service.name))
            }
            if held == nil {
                let upstreamEnded = ContinuousClock.now
                _ = meter.process(body)
                await checkJobBilledElsewhere(meter: meter, tenantID: event.tenantID, logger: logger)
                finishEvent(&event, meter: meter, rule: rule, body: body, streamed: false, started: started, upstreamStarted: upstreamStarted, upstreamEnded: upstreamEnded, record: record)
                body = settings.clientBody(body, inspection: inspection, status: event.status, service: service, host: request.head.authority)
                if settings.costHeader, event.costSource == .usage || event.costSource == .rule {
                    headers[.troughCost] = event.cost.usdString
                }
                if let remaining = reservation.remainingBudget {
                    headers[.troughBudgetRemaining] = remaining.usdString
                }
                headers[.troughOverhead] = Self.milliseconds(ContinuousClock.now - started - (upstreamEnded - upstreamStarted))
                return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: body))
            }
        }

        // Streams (and large bodies) go through as they come.
        headers[.troughOverhead] = Self.milliseconds(headAt - started - (headAt - upstreamStarted))
        if let remaining = reservation.remainingBudget {
            headers[.troughBudgetRemaining] = remaining.usdString
        }
        let prices = self.prices.book
        let billing = deferredUsage
        let forwardedLength = inspection.injectedStreamUsage ? nil : upstreamLength
        let startingMeter = meter
        let matchedRule = rule
        let startingEvent = event
        let source = AnswerPieces(held: held, rest: pieces)
        return Response(status: status, headers: headers, body: ResponseBody(contentLength: forwardedLength) { writer in
            var meter = startingMeter
            var event = startingEvent
            do {
                while let chunk = try await source.next() {
                    let forwarded = meter.process(chunk)
                    if forwarded.readableBytes > 0 {
                        do {
                            try await writer.write(forwarded)
                        } catch {
                            // The client went away: stop reading the upstream and record what was seen.
                            event.errorType = "client_disconnected"
                            Self.complete(&event, meter: meter, prices: prices, billing: billing, rule: matchedRule, body: nil, streamed: isEventStream, started: started, upstreamStarted: upstreamStarted, upstreamEnded: .now)
                            record(event)
                            return
                        }
                    }
                }
                if let rest = meter.finish() {
                    try await writer.write(rest)
                }
            } catch {
                let failure = UpstreamFailure(error)
                event.errorType = failure.type
                Self.complete(&event, meter: meter, prices: prices, billing: billing, rule: matchedRule, body: nil, streamed: isEventStream, started: started, upstreamStarted: upstreamStarted, upstreamEnded: .now)
                record(event)
                throw error
            }
            let upstreamEnded = ContinuousClock.now
            await self.checkJobBilledElsewhere(meter: meter, tenantID: event.tenantID, logger: logger)
            Self.complete(&event, meter: meter, prices: prices, billing: billing, rule: matchedRule, body: nil, streamed: isEventStream, started: started, upstreamStarted: upstreamStarted, upstreamEnded: upstreamEnded)
            record(event)
            try await writer.finish(nil)
        })
    }

    // MARK: Lookups

    /// An answer to a GET that would bill a job this instance has not seen (a finished batch's first poll here):
    /// when another instance, or this one before a restart, billed the job already, it is not billed here either
    /// (no cost header, nothing charged to budgets). The proxy's only database read on a request's path, for these
    /// answers alone; a failed read bills here, and the event writer still stores the job's usage once.
    func checkJobBilledElsewhere(meter: ResponseMeter, tenantID: String, logger: Logger) async {
        guard meter.mayBeJob, meter.fetchesStoredAnswer,
              let jobID = deferredUsage.unseenJob(meter.usage, fetched: true, tenantID: tenantID) else { return }
        do {
            if try await store.jobBilled(tenantID: tenantID, jobID: jobID, logger: logger) {
                deferredUsage.noteBilledElsewhere(jobID, tenantID: tenantID)
            }
        } catch {
            logger.warning("Could not check whether a job was billed", metadata: ["trough.error": .string("\(error)")])
        }
    }

    /// The lookups below read the caches first; `refreshing` (the cache generation a background refresh started
    /// at) reads the database instead and stores what it read unless an invalidation came in between.
    func resolveToken(_ raw: String, logger: Logger, refreshing generation: Int? = nil) async throws -> ProjectToken? {
        let hash = Identifier.sha256Hex(raw)
        let now = Timestamp.now().milliseconds
        if generation == nil, let cached = cache.tokens.value(for: hash, now: now) { return cached }
        let token = try await ProjectTokenLookup(store: store).resolve(raw, logger: logger)
        cache.tokens.store(token, for: hash, now: now, ifCurrent: current(generation))
        return token
    }

    /// Nil (store unconditionally) outside a refresh; in one, whether the caches are still at its generation.
    private func current(_ generation: Int?) -> (() -> Bool)? {
        guard let generation else { return nil }
        return { [cache] in cache.generation == generation }
    }

    func resolveUpstream(_ selector: ServiceSelector, token: ProjectToken, logger: Logger, refreshing generation: Int? = nil) async throws -> ProxyCache.Upstream? {
        let key = selector.cacheKey(projectID: token.projectID)
        let now = Timestamp.now().milliseconds
        if generation == nil, let cached = cache.upstreams.value(for: key, now: now) { return cached }
        let service: Service?
        switch selector {
        case .named(let name):
            service = try await store.service(projectID: token.projectID, name: name, tenantID: token.tenantID, logger: logger)
        case .openAIDefault:
            let all = try await store.services(projectID: token.projectID, tenantID: token.tenantID, logger: logger)
            service = all.first { $0.kind == .openai } ?? all.first { $0.kind == .openaiCompatible }
        }
        var upstream: ProxyCache.Upstream?
        if let service {
            upstream = ProxyCache.Upstream(
                service: service,
                key: try await store.providerKey(serviceID: service.id, tenantID: service.tenantID, logger: logger),
                rules: CostRuleMatcher(rules: try await store.costRules(serviceID: service.id, tenantID: service.tenantID, logger: logger)),
                host: URLComponents(string: service.baseURL)?.host,
                target: UpstreamTarget(baseURL: service.baseURL),
                provider: ProviderNames.provider(kind: service.kind, baseURL: service.baseURL)
            )
        }
        cache.upstreams.store(upstream, for: key, now: now, ifCurrent: current(generation))
        return upstream
    }

    /// The tenant's plan and the project's budget (cached), with the current month.
    func limitPolicy(token: ProjectToken, service: Service, logger: Logger, refreshing generation: Int? = nil) async throws -> ProxyLimits {
        let now = Timestamp.now().milliseconds
        let plan: Plan?
        if generation == nil, let cached = cache.plans.value(for: token.tenantID, now: now) {
            plan = cached
        } else {
            plan = try await store.plan(tenantID: token.tenantID, logger: logger)
            cache.plans.store(plan, for: token.tenantID, now: now, ifCurrent: current(generation))
        }
        let project: Project?
        if generation == nil, let cached = cache.projects.value(for: token.projectID, now: now) {
            project = cached
        } else {
            project = try await store.project(id: token.projectID, tenantID: token.tenantID, logger: logger)
            cache.projects.store(project, for: token.projectID, now: now, ifCurrent: current(generation))
        }
        return ProxyLimits(plan: plan, project: project, service: service, token: token, period: limits.currentPeriod())
    }

    /// Reads a route's token, service, plan, project and host decision again and caches them afresh: run in the
    /// background while the cached ones are still served (past half their life), so that a busy route never
    /// waits for the database (behind a batch of events on SQLite's one connection) when they would have expired.
    /// An unknown or revoked token, a service gone or changed, is cached as such, as a request would have.
    func refreshRoute(rawToken: String, selector: ServiceSelector, logger: Logger) async {
        let generation = cache.generation
        do {
            guard let token = try await resolveToken(rawToken, logger: logger, refreshing: generation),
                  let upstream = try await resolveUpstream(selector, token: token, logger: logger, refreshing: generation)
            else { return }
            _ = try await limitPolicy(token: token, service: upstream.service, logger: logger, refreshing: generation)
            if let host = upstream.host { try? await upstreams.check(host: host, fresh: true) }
        } catch {
            // The entries run out as they would have; the request that finds them gone reports the error.
            logger.debug("Route refresh failed", metadata: ["trough.error": .string("\(error)")])
        }
    }

    /// Starts `refreshRoute` in the background when one of the route's cache entries (token, service, plan,
    /// project, host decision) is past half its life, unless that route is being refreshed already. The token's
    /// cache key is its hash, which the token carries (`tokenHash`: the SHA-256 of the raw token).
    func refreshAheadIfDue(rawToken: String, selector: ServiceSelector, token: ProjectToken, host: String?, now: Int64, logger: Logger) {
        let tokenHash = token.tokenHash
        let due = cache.tokens.lookup(tokenHash, now: now)?.refreshDue != false
            || cache.upstreams.lookup(selector.cacheKey(projectID: token.projectID), now: now)?.refreshDue != false
            || cache.plans.lookup(token.tenantID, now: now)?.refreshDue != false
            || cache.projects.lookup(token.projectID, now: now)?.refreshDue != false
            || host.map(upstreams.decisionRefreshDue) == true
        let key = selector.cacheKey(projectID: tokenHash)
        guard due, refreshing.start(key) else { return }
        Task { [self] in
            await refreshRoute(rawToken: rawToken, selector: selector, logger: logger)
            refreshing.end(key)
        }
    }

    // MARK: Events

    /// The event as far as the request tells (who, where, provider, tags; the route is the matching cost rule's
    /// pattern, else the path with ids collapsed), and the matching rule. Both proxy paths start here.
    static func startEvent(token: ProjectToken, upstream: ProxyCache.Upstream, method: String, path: String,
                           tags: String?, at occurredAt: Timestamp) -> (RequestEvent, CostRule?) {
        let service = upstream.service
        let routePath = path.isEmpty ? "/" : path
        var event = RequestEvent(
            tenantID: token.tenantID, projectID: token.projectID, serviceID: service.id, tokenID: token.id,
            occurredAt: occurredAt, method: method, route: RouteNormalizer.route(for: routePath), status: 0
        )
        event.provider = upstream.provider
        let rule = upstream.rules.match(method: method, path: routePath)
        if let rule { event.route = rule.pathPattern }
        event.tags = RequestTags.json(RequestTags.parse(tags))
        return (event, rule)
    }

    func finishEvent(_ event: inout RequestEvent, meter: ResponseMeter, rule: CostRule?, body: ByteBuffer?, streamed: Bool, started: ContinuousClock.Instant, upstreamStarted: ContinuousClock.Instant, upstreamEnded: ContinuousClock.Instant, record: (RequestEvent) -> Void) {
        Self.complete(&event, meter: meter, prices: prices.book, billing: deferredUsage, rule: rule, body: body, streamed: streamed, started: started, upstreamStarted: upstreamStarted, upstreamEnded: upstreamEnded)
        record(event)
    }

    /// Fills in usage, cost, sizes and timings.
    /// A matching cost rule prices successful requests (per request, or per unit read from the body);
    /// otherwise reported usage is priced from the table.
    static func complete(_ event: inout RequestEvent, meter: ResponseMeter, prices: PriceBook, billing: DeferredUsage, rule: CostRule?, body: ByteBuffer?, streamed: Bool, started: ContinuousClock.Instant, upstreamStarted: ContinuousClock.Instant, upstreamEnded: ContinuousClock.Instant) {
        event.streamed = streamed
        event.bytesOut = meter.bytesOut
        event.upstreamLatencyMicros = micros(upstreamEnded - upstreamStarted)
        event.totalLatencyMicros = micros(ContinuousClock.now - started)
        // One read: each read of `meter.usage` scans the held body again. Units (images, seconds, characters) of
        // a refused request are not billed, nor is the usage of a stored answer read again.
        var usage = meter.usage
        if event.status >= 400, usage?.hasTokens != true { usage = nil }
        // A job's usage is billed once, so only from a whole answer: a results download cut short is billed by the
        // next whole one.
        if usage?.deferredID != nil, event.errorType != nil { usage = nil }
        if let seen = usage, !billing.bills(seen, fetched: meter.fetchesStoredAnswer, tenantID: event.tenantID) { usage = nil }
        let estimated = estimateCutStream(&usage, event: event, meter: meter, streamed: streamed)
        if let usage {
            event.model = usage.model ?? event.model
            event.inputTokens = usage.inputTokens
            event.outputTokens = usage.outputTokens
            event.cachedInputTokens = usage.cachedInputTokens
            event.cacheWriteTokens = usage.cacheWriteTokens + usage.cacheWrite1hTokens
            event.reasoningTokens = usage.reasoningTokens
            event.serviceTier = ServiceTier(reported: usage.serviceTier)?.rawValue
            event.jobID = usage.deferredID
        }
        if let rule, event.status < 400, event.errorType == nil {
            let units = rule.unitField.map { field in body.map { CostRuleMatcher.units(field: field, body: Array($0.readableBytesView)) } ?? 1 } ?? 1
            event.units = units
            event.cost = Money(nanos: rule.cost.nanos.multipliedReportingOverflow(by: units).partialValue)
            event.costSource = .rule
            return
        }
        guard let usage else {
            event.costSource = .none
            return
        }
        if !usage.parts.isEmpty {
            priceByModel(&event, parts: usage.parts, serviceTier: usage.serviceTier, naming: usage.model, prices: prices)
            return
        }
        guard let model = event.model, let price = prices.price(tenantID: event.tenantID, provider: event.provider, model: model, at: event.occurredAt),
              price.canPrice(usage) else {
            event.costSource = .unpriced
            return
        }
        event.cost = price.cost(of: usage)
        event.units = price.billedUnits(of: usage)
        event.costSource = estimated ? .estimate : .usage
    }

    /// Prices an answer that covers several models or prompts (an Anthropic Message Batch's results, a request's
    /// compaction and advisor iterations) part by part; the event names `namedModel` (the request's own, when the
    /// answer is one request's) or else the model that cost most. Unpriced when any of them has no price.
    static func priceByModel(_ event: inout RequestEvent, parts: [Usage], serviceTier: String?, naming namedModel: String?, prices: PriceBook) {
        var cost = Money.zero
        var units: Int64 = 0
        var costliest: (model: String, cost: Money)?
        for var part in parts {
            part.serviceTier = serviceTier
            guard let model = part.model, let price = prices.price(tenantID: event.tenantID, provider: event.provider, model: model, at: event.occurredAt),
                  price.canPrice(part) else {
                event.costSource = .unpriced
                return
            }
            let partCost = price.cost(of: part)
            cost = cost + partCost
            units += price.billedUnits(of: part)
            if costliest.map({ partCost.nanos > $0.cost.nanos }) ?? true { costliest = (model, partCost) }
        }
        event.model = namedModel ?? costliest?.model
        event.cost = cost
        event.units = units
        event.costSource = .usage
    }

    /// A stream cut short (the client left, the upstream failed) before its usage came: the provider still bills
    /// what it generated, so it is estimated (`cost_source = "estimate"`) rather than recorded as $0: one output token
    /// per generated piece seen (OpenAI-style streams send about one token per chunk), and, when nothing reported
    /// the input (OpenAI-style streams report usage only at the end), a quarter of the request body's bytes. A
    /// stream that reported its input (Anthropic's `message_start`) keeps it and gets the output estimated. True
    /// when `usage` was estimated.
    static func estimateCutStream(_ usage: inout Usage?, event: RequestEvent, meter: ResponseMeter, streamed: Bool) -> Bool {
        guard streamed, event.errorType != nil, event.status < 400, let pieces = meter.unfinishedStreamDeltas,
              pieces > (usage?.outputTokens ?? 0)
        else { return false }
        var estimate = usage ?? Usage(model: event.model, inputTokens: event.bytesIn / 4)
        estimate.outputTokens = pieces
        usage = estimate
        return true
    }

    /// The whole request body, or 413 when it is larger than the limit.
    private func collectBody(_ request: Request) async throws -> ByteBuffer {
        do {
            return try await request.body.collect(upTo: settings.maxRequestBytes)
        } catch {
            throw APIError(.contentTooLarge, type: "payload_too_large", message: "the request body is larger than \(settings.maxRequestBytes) bytes")
        }
    }

    static func milliseconds(_ duration: Duration) -> String {
        let micros = max(0, micros(duration))
        let fraction = String(micros % 1000)
        return String(micros / 1000) + "." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}

func micros(_ duration: Duration) -> Int64 {
    let (seconds, attoseconds) = duration.components
    return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
}

/// An upstream that could not be reached or did not answer in time, as the client sees it.
struct UpstreamFailure {
    let status: HTTPResponse.Status
    let type: String

    /// What either proxy path's upstream error means: AsyncHTTPClient's timeouts and the event-loop path's
    /// (`UpstreamTimeout`, NIO's connect timeout) are 504; a refused address and everything else 502.
    init(_ error: any Error) {
        let timedOut: Bool
        if let error = error as? HTTPClientError {
            timedOut = [HTTPClientError.deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout].contains(error)
        } else if let error = error as? ChannelError, case .connectTimeout = error {
            timedOut = true
        } else {
            timedOut = error is UpstreamTimeout
        }
        if timedOut {
            status = .gatewayTimeout
            type = "upstream_timeout"
        } else if error is UpstreamPolicyError {
            status = .badGateway
            type = "upstream_refused"
        } else {
            status = .badGateway
            type = "upstream_unavailable"
        }
    }

    func message(service: String) -> String {
        switch type {
        case "upstream_timeout": "the upstream of service '\(service)' did not answer in time"
        case "upstream_refused": "the upstream of service '\(service)' resolves to an address that is not allowed"
        default: "the upstream of service '\(service)' could not be reached"
        }
    }
}

/// The provider name prices are looked up under: the service's kind, or for OpenAI-compatible servers
/// the vendor its host names (Groq, Together, Mistral…).
enum ProviderNames {
    static func provider(kind: ProviderKind, baseURL: String) -> String {
        guard kind == .openaiCompatible else { return kind.rawValue }
        let host = URLComponents(string: baseURL)?.host?.lowercased() ?? ""
        for (needle, name) in [("groq", "groq"), ("together", "together"), ("mistral", "mistral"), ("openai.com", "openai"), ("anthropic", "anthropic"), ("googleapis", "gemini"), ("cohere", "cohere")] where host.contains(needle) {
            return name
        }
        return kind.rawValue
    }
}

/// An upstream answer's body for the streaming response's writer: the start held while the answer might have been
/// held whole, then the rest from the same iterator. The request's task stops using the iterator before it hands
/// it over here and only the writer reads it then (the iterator itself is not Sendable).
private final class AnswerPieces: @unchecked Sendable {
    private var held: ByteBuffer?
    private var rest: HTTPClientResponse.Body.AsyncIterator

    init(held: ByteBuffer?, rest: HTTPClientResponse.Body.AsyncIterator) {
        self.held = held
        self.rest = rest
    }

    func next() async throws -> ByteBuffer? {
        if let first = held.take() { return first }
        return try await rest.next()
    }
}

/// The routes being refreshed in the background, so each has one refresh at a time.
final class RouteRefreshes: Sendable {
    private let keys = Mutex<Set<String>>([])

    /// False when the route's refresh runs already.
    func start(_ key: String) -> Bool {
        keys.withLock { $0.insert(key).inserted }
    }

    func end(_ key: String) {
        _ = keys.withLock { $0.remove(key) }
    }
}
