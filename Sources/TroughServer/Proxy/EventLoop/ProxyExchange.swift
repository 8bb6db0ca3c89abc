import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import TroughCore

/// One proxied request on the event-loop path, from the client's head to the upstream's end: the same steps
/// as `ProxyController.forward` (limits reserved before the upstream is called, the body inspected or streamed,
/// the answer held for its cost header or streamed through the usage meter, one event recorded), confined to
/// the client connection's event loop.
final class ProxyExchange {
    private let proxy: EventLoopProxy
    private let handler: ProxyChannelHandler
    private let context: ChannelHandlerContext
    private let head: HTTPRequestHead
    private let facts: RequestHeaderFacts
    private let path: String
    private let query: String?
    /// The body's declared size; nil for a chunked body (or none).
    private let bodyLength: Int64?
    /// The body is chunked: it streams to the upstream chunked, counted against the body limit as it comes.
    private let chunked: Bool
    /// Body bytes received from the client so far.
    private var receivedBodyBytes: Int64 = 0
    /// Reads a multipart upload's `model` field as it streams past (transcriptions name their model only there).
    private var multipartModel: MultipartFieldScanner?
    private let rawToken: String
    private let selector: ProxyController.ServiceSelector
    private let requestID: String
    private let started = ContinuousClock.now
    private let occurredAt: Timestamp

    /// Known from the caches at once, or after a lookup; set before anything below is used.
    private var route: ProxyRoute!
    private var token: ProjectToken { route.token }
    private var upstream: ProxyCache.Upstream { route.upstream }
    private var target: UpstreamTarget { route.target }
    private var policy: ProxyLimits { route.policy }
    private var rule: CostRule?
    private var collectsBody = false
    private var event: RequestEvent!

    private var upstreamStarted = ContinuousClock.now
    private var inspection = RequestInspection()
    private var reservation: Reservation?

    /// The request body: collected (to inspect it) or waiting for the route and the upstream connection.
    private var collected = ByteBuffer()
    private var pendingBody: [ByteBuffer] = []
    private(set) var requestEnded = false
    /// Once the upstream request is being sent.
    private var upstreamConnection: PooledUpstream?
    private var upstreamChannel: (any Channel)? { upstreamConnection?.channel }
    private var reusedConnection = false
    private var retried = false
    /// From the upstream request's send to the answer's end: the connection's read check applies.
    private var awaitingUpstream = false

    private enum Answer {
        /// Nothing from the upstream yet.
        case waiting
        /// A small answer, held to put its cost in a header.
        case holding(UpstreamResponseHead, ByteBuffer)
        /// Streaming to the client.
        case streaming
        case done
    }

    private var answer = Answer.waiting
    private var meter: ResponseMeter?
    private var upstreamKeepAlive = true
    private var isEventStream = false
    /// The streamed answer goes to the client chunked (its length is not known, the client speaks HTTP/1.1).
    private var chunkedToClient = false
    /// The streamed answer ends with the connection (its length is not known, the client speaks HTTP/1.0).
    private var closesAfterAnswer = false

    init(proxy: EventLoopProxy, handler: ProxyChannelHandler, context: ChannelHandlerContext, head: HTTPRequestHead, facts: RequestHeaderFacts, path: String,
         query: String?, bodyLength: Int64?, rawToken: String, selector: ProxyController.ServiceSelector, cached: ProxyRoute?) {
        self.proxy = proxy
        self.handler = handler
        self.context = context
        self.head = head
        self.facts = facts
        self.path = path
        self.query = query
        self.bodyLength = bodyLength
        chunked = facts.chunked
        self.rawToken = rawToken
        self.selector = selector
        route = cached
        occurredAt = proxy.proxy.limits.clock.now()
        requestID = RequestIDMiddleware.acceptable(facts.requestID) ?? Identifier.make("req")
        if head.method == .POST { multipartModel = MultipartFieldScanner(field: "model", contentType: facts.contentType) }
    }

    private var settings: ProxySettings { proxy.proxy.settings }
    private var logger: Logger { proxy.logger }

    // MARK: Request

    /// Goes on at once when the route is cached; else after looking it up (the body waits meanwhile).
    func begin() {
        if route != nil {
            routeKnown()
            return
        }
        let (proxy, rawToken, selector) = (self.proxy, self.rawToken, self.selector)
        let promise = context.eventLoop.makePromise(of: ProxyRoute.self)
        promise.completeWithTask { try await proxy.resolveRoute(rawToken: rawToken, selector: selector, logger: proxy.logger) }
        promise.futureResult.assumeIsolated().whenComplete { result in
            guard case .waiting = self.answer else { return }
            switch result {
            case .success(let route):
                self.route = route
                self.routeKnown()
            case .failure(let refused as RouteRefused):
                self.route = refused.route
                self.startEvent()
                let failure = UpstreamFailure(refused.reason)
                self.event.status = failure.status.code
                self.event.errorType = failure.type
                self.event.totalLatencyMicros = micros(ContinuousClock.now - self.started)
                self.respondWithError(APIError(failure.status, type: failure.type, message: failure.message(service: refused.route.upstream.service.name)), record: true)
            case .failure(let error as APIError):
                self.respondWithError(error, record: false)
            case .failure(let error):
                self.logger.error("Proxy lookup failed", metadata: ["trough.error": .string("\(error)")])
                self.respondWithError(.internalError, record: false)
            }
        }
    }

    /// The event as far as the request tells.
    private func startEvent() {
        (event, rule) = ProxyController.startEvent(token: token, upstream: upstream, method: head.method.rawValue, path: path,
                                                   tags: facts.tags, at: occurredAt)
        event.bytesIn = bodyLength ?? 0
    }

    private func routeKnown() {
        startEvent()
        collectsBody = RequestInspector.wantsBody(kind: upstream.service.kind, method: head.method.rawValue, contentType: facts.contentType)
        if collectsBody {
            for part in pendingBody { collect(part, into: &collected) }
            pendingBody.removeAll()
            if requestEnded { bodyComplete() }
            return
        }
        if head.method == .GET || head.method == .HEAD {
            inspection = RequestInspector.inspect(body: nil, path: path, kind: upstream.service.kind, injectStreamUsage: false, method: head.method.rawValue)
            event.model = inspection.model
        }
        reserveThenSend()
    }

    /// GET and HEAD go upstream without a body (as on the router's path), whatever the client sent.
    private var sendsBody: Bool { head.method != .GET && head.method != .HEAD }

    func requestBody(_ buffer: ByteBuffer) {
        if case .done = answer { return }
        guard sendsBody else { return }
        receivedBodyBytes += Int64(buffer.readableBytes)
        multipartModel?.consume(buffer.readableBytesView)
        if chunked, receivedBodyBytes > Int64(settings.maxRequestBytes) {
            bodyTooLarge()
            return
        }
        if route != nil, collectsBody {
            collect(buffer, into: &collected)
        } else if let channel = upstreamChannel {
            channel.writeAndFlush(NIOAny(upstreamBodyPiece(buffer)), promise: nil)
        } else {
            pendingBody.append(buffer)
        }
    }

    /// Adds a piece to a body being collected: the first piece is kept as it came (a body in one read is not copied).
    private func collect(_ piece: ByteBuffer, into body: inout ByteBuffer) {
        if body.readableBytes == 0 {
            body = piece
        } else {
            var piece = piece
            body.writeBuffer(&piece)
        }
    }

    func requestEnd() {
        requestEnded = true
        if case .done = answer {
            if awaitingRequestEnd { handler.exchangeFinished(context: context, closeConnection: false) }
            return
        }
        if route != nil, collectsBody {
            bodyComplete()
        } else if let channel = upstreamChannel {
            endUpstreamRequest(on: channel)
        }
    }

    /// A chunked body went over the limit: 413 while nothing has come back yet, and the connection closes (the rest
    /// of the body is not read); once the answer has started, the connection is cut.
    private func bodyTooLarge() {
        releaseUpstream(reusable: false)
        guard case .waiting = answer else {
            clientGone()
            context.close(promise: nil)
            return
        }
        awaitingUpstream = false
        respondWithError(APIError(.contentTooLarge, type: "payload_too_large", message: "the request body is larger than \(settings.maxRequestBytes) bytes"),
                         record: false, closeConnection: true)
    }

    /// The whole JSON body is in: read the model and limits from it (rewriting it to ask a stream for usage).
    private func bodyComplete() {
        inspection = RequestInspector.inspect(body: Array(collected.readableBytesView), path: path, kind: upstream.service.kind, injectStreamUsage: settings.injectStreamUsage)
        event.model = inspection.model
        event.bytesIn = Int64(collected.readableBytes)
        if let rewritten = inspection.rewrittenBody { collected = ByteBuffer(bytes: rewritten) }
        reserveThenSend()
    }

    /// Reserves the request's worst case (locally when the lease covers it, else through the ledger), then sends.
    private func reserveThenSend() {
        let prices = proxy.proxy.prices
        let (tenantID, provider, model, bytesIn, occurredAt) = (token.tenantID, event.provider, event.model, event.bytesIn, event.occurredAt)
        let (rule, inspection) = (self.rule, self.inspection)
        let charges = policy.charges {
            let price = model.flatMap { prices.book.price(tenantID: tenantID, provider: provider, model: $0, at: occurredAt) }
            return ProxyLimits.worstCase(rule: rule, price: price, bodyBytes: bytesIn, inspection: inspection)
        }
        let limits = proxy.proxy.limits
        if charges.isEmpty {
            send()
            return
        }
        if let local = limits.reserveLocally(charges) {
            reservation = local
            send()
            return
        }
        let promise = context.eventLoop.makePromise(of: Reservation.self)
        promise.completeWithTask { try await limits.reserve(charges) }
        promise.futureResult.assumeIsolated().whenComplete { result in
            guard case .waiting = self.answer else { return }
            switch result {
            case .success(let reservation):
                self.reservation = reservation
                self.send()
            case .failure(let refusal as LimitGate.Refusal):
                let error = self.policy.error(for: refusal)
                limits.noteRefusal(tenantID: self.token.tenantID, projectID: self.token.projectID, reason: error.type)
                self.respondWithError(error, record: false)
            case .failure:
                self.respondWithError(.internalError, record: false)
            }
        }
    }

    // MARK: Upstream

    /// Sends the request on an idle pooled connection on this loop, or a new one.
    private func send() {
        upstreamStarted = ContinuousClock.now
        if !retried, let connection = proxy.pool.takeIdle(target, on: context.eventLoop) {
            reusedConnection = true
            attach(connection)
            return
        }
        reusedConnection = false
        proxy.pool.connect(target, on: context.eventLoop).assumeIsolated().whenComplete { result in
            guard case .waiting = self.answer else {
                if case .success(let connection) = result { connection.channel.close(promise: nil) }
                return
            }
            switch result {
            case .success(let connection): self.attach(connection)
            case .failure(let error): self.upstreamFailed(error)
            }
        }
    }

    private func attach(_ connection: PooledUpstream) {
        let channel = connection.channel
        upstreamConnection = connection
        connection.responses.exchange = self
        connection.responses.requestIsHead = head.method == .HEAD
        var request = ByteBuffer()
        request.reserveCapacity(512 + (collectsBody ? collected.readableBytes : 0))
        do {
            try writeUpstreamHead(into: &request)
        } catch {
            connection.responses.exchange = nil
            proxy.pool.release(connection, target: target)
            upstreamConnection = nil
            respondWithError(.internalError, record: false)
            return
        }
        if collectsBody {
            var body = collected  // (kept whole: a retry sends it again)
            request.writeBuffer(&body)
            channel.writeAndFlush(NIOAny(request), promise: nil)
        } else {
            channel.write(NIOAny(request), promise: nil)
            for part in pendingBody { channel.write(NIOAny(upstreamBodyPiece(part)), promise: nil) }
            pendingBody.removeAll()
            if requestEnded {
                endUpstreamRequest(on: channel)
            } else {
                channel.flush()
            }
        }
        armReadTimeout()
    }

    /// The body streams to the upstream chunked (the client's was, and is passed on as it comes).
    private var upstreamChunked: Bool { chunked && sendsBody && !collectsBody }

    /// The upstream request's head as bytes (the upstream connection has no HTTP encoder): the request line, the client's
    /// headers as on the other path (`ProxyHeaders.forEachUpstream`), `Host` and the body's framing.
    private func writeUpstreamHead(into output: inout ByteBuffer) throws {
        output.writeString(head.method.rawValue)
        output.writeStaticString(" ")
        if target.basePath.isEmpty && path.isEmpty { output.writeStaticString("/") }
        output.writeString(target.basePath)
        output.writeString(path)
        if let query {
            output.writeStaticString("?")
            output.writeString(query)
        }
        output.writeStaticString(" HTTP/1.1\r\n")
        let key = upstream.key
        let secrets = proxy.proxy.secrets
        try ProxyHeaders.forEachUpstream(from: head.headers, kind: upstream.service.kind, storedKey: {
            try key.map { try secrets.open($0.sealed, binding: $0.binding) }
        }) { name, value in
            output.writeString(name)
            output.writeStaticString(": ")
            output.writeString(value)
            output.writeStaticString("\r\n")
        }
        HTTP1Bytes.writeField("Host", target.hostHeader, into: &output)
        if collectsBody {
            HTTP1Bytes.writeField("Content-Length", String(collected.readableBytes), into: &output)
        } else if let bodyLength, sendsBody {
            HTTP1Bytes.writeField("Content-Length", String(bodyLength), into: &output)
        } else if upstreamChunked {
            HTTP1Bytes.writeField("Transfer-Encoding", "chunked", into: &output)
        }
        output.writeStaticString("\r\n")
    }

    /// A piece of the request body for the upstream, framed as a chunk when the body is chunked.
    private func upstreamBodyPiece(_ piece: ByteBuffer) -> ByteBuffer {
        guard upstreamChunked else { return piece }
        var framed = ByteBuffer()
        HTTP1Bytes.writeChunk(piece, into: &framed)
        return framed
    }

    /// The request's body has all been sent: the last chunk of a chunked one.
    private func endUpstreamRequest(on channel: any Channel) {
        if upstreamChunked {
            channel.writeAndFlush(NIOAny(HTTP1Bytes.lastChunk), promise: nil)
        } else {
            channel.flush()
        }
    }

    /// Starts the read timeout: reads only note the time, and the connection's periodic check
    /// (`ProxyChannelHandler.watchUpstreamReads`) fails the exchange once nothing came for the timeout. No timer
    /// per request: scheduling and cancelling one was ~2 % of the loops' CPU.
    private func armReadTimeout() {
        lastUpstreamRead = .now()
        awaitingUpstream = true
        handler.watchUpstreamReads(context: context, timeout: .milliseconds(settings.readTimeoutMilliseconds))
    }

    /// No byte from the upstream for the read timeout: 504 (or, mid-stream, the connection is cut).
    func checkReadTimeout(now: NIODeadline) {
        guard awaitingUpstream, now - lastUpstreamRead >= .milliseconds(settings.readTimeoutMilliseconds) else { return }
        upstreamFailed(UpstreamTimeout())
    }

    private var lastUpstreamRead = NIODeadline.now()

    func upstreamRead(_ part: UpstreamResponseEvent) {
        lastUpstreamRead = .now()
        switch part {
        case .head(let response):
            receiveHead(response)
        case .body(let buffer):
            receiveBody(buffer)
        case .end:
            receiveEnd()
        }
    }

    func upstreamReadComplete() {
        if case .streaming = answer { handler.answers.flush() }
    }

    private func receiveHead(_ response: UpstreamResponseHead) {
        guard case .waiting = answer else { return }
        upstreamKeepAlive = response.keepAlive
        event.status = response.status
        let contentType = response.contentType
        isEventStream = contentType?.hasPrefixIgnoringASCIICase("text/event-stream") ?? false
        meter = ResponseMeter(kind: upstream.service.kind, contentType: contentType, inspection: inspection,
                              serviceTier: ResponseMeter.serviceTierHeader(kind: upstream.service.kind, value: response.value(of:)))
        if !isBodiless(response), settings.holdsAnswer(contentType: contentType, length: response.contentLength, requestStreams: inspection.streams) {
            answer = .holding(response, ByteBuffer())
            return
        }
        startStreaming(response)
    }

    /// An answer to HEAD, a 204 or a 304: no body, whatever its head says.
    private func isBodiless(_ response: UpstreamResponseHead) -> Bool {
        head.method == .HEAD || response.status == 204 || response.status == 304
    }

    /// Streams (and large or bodiless answers) go through as they come: their head now, without a cost header.
    private func startStreaming(_ response: UpstreamResponseHead) {
        let upstreamLength = response.contentLength
        let bodiless = isBodiless(response)
        var output = ByteBuffer()
        output.reserveCapacity(response.bytes.readableBytes + 160)
        ClientAnswer.startHead(response, version: head.version, into: &output)
        HTTP1Bytes.writeField("X-Request-Id", requestID, into: &output)
        HTTP1Bytes.writeField("X-Trough-Overhead-Ms", ProxyController.milliseconds(upstreamStarted - started), into: &output)
        if let remaining = reservation?.remainingBudget { HTTP1Bytes.writeField("X-Trough-Budget-Remaining-Usd", remaining.usdString, into: &output) }
        if response.status == 204 || response.status == 304 {
            // No body and no length.
        } else if let upstreamLength, !inspection.injectedStreamUsage || bodiless {
            HTTP1Bytes.writeField("Content-Length", String(upstreamLength), into: &output)
        } else if bodiless {
            // A HEAD answer of unknown length.
        } else if head.version.major == 1 && head.version.minor >= 1 {
            HTTP1Bytes.writeField("Transfer-Encoding", "chunked", into: &output)
            chunkedToClient = true
        } else {
            closesAfterAnswer = true
        }
        HTTP1Bytes.endHead(into: &output)
        answer = .streaming
        // Flushed with what else this read brings, at its end (`upstreamReadComplete`), like every piece after.
        handler.answers.write(output, flush: false)
    }

    private func receiveBody(_ buffer: ByteBuffer) {
        switch answer {
        case .holding(let response, var body):
            answer = .done  // (no copy-on-write of the held body while it grows)
            collect(buffer, into: &body)
            guard settings.holdsNoLonger(heldBytes: body.readableBytes, length: response.contentLength), meter != nil else {
                answer = .holding(response, body)
                return
            }
            // Too large to hold: what came so far goes out, and the rest as it comes.
            startStreaming(response)
            let forwarded = meter!.process(body)
            if forwarded.readableBytes > 0 { writeStreamed(forwarded) }
        case .streaming:
            // Mutated where it is held: a copy would copy the meter's buffers on every piece (copy-on-write).
            guard meter != nil else { return }
            let forwarded = meter!.process(buffer)
            if forwarded.readableBytes > 0 { writeStreamed(forwarded) }
        case .waiting, .done:
            break
        }
    }

    private func receiveEnd() {
        awaitingUpstream = false
        let upstreamEnded = upstreamEndedAt ?? ContinuousClock.now
        // Moved out while it is read (passing the property would copy it, retaining all it holds), and back after.
        guard var meter = meter.take() else { return }
        defer { self.meter = meter }
        if checksJobBilledElsewhere(meter: meter, upstreamEnded: upstreamEnded) { return }
        switch answer {
        case .holding(let response, var body):
            answer = .done  // (the held body is then not shared)
            _ = meter.process(body)
            complete(meter: meter, body: body, upstreamEnded: upstreamEnded)
            body = settings.clientBody(body, inspection: inspection, status: event.status, service: upstream.service, host: facts.host)
            var output = ByteBuffer()
            output.reserveCapacity(response.bytes.readableBytes + 200 + body.readableBytes)
            ClientAnswer.startHead(response, version: head.version, into: &output)
            HTTP1Bytes.writeField("X-Request-Id", requestID, into: &output)
            if settings.costHeader, event.costSource == .usage || event.costSource == .rule {
                HTTP1Bytes.writeField("X-Trough-Cost-Usd", event.cost.usdString, into: &output)
            }
            if let remaining = reservation?.remainingBudget { HTTP1Bytes.writeField("X-Trough-Budget-Remaining-Usd", remaining.usdString, into: &output) }
            HTTP1Bytes.writeField("X-Trough-Overhead-Ms", ProxyController.milliseconds(ContinuousClock.now - started - (upstreamEnded - upstreamStarted)), into: &output)
            HTTP1Bytes.writeField("Content-Length", String(body.readableBytes), into: &output)
            HTTP1Bytes.endHead(into: &output)
            if head.method != .HEAD { output.writeBuffer(&body) }
            handler.answers.write(output, flush: true)
        case .streaming:
            if let rest = meter.finish() { writeStreamed(rest) }
            complete(meter: meter, body: nil, upstreamEnded: upstreamEnded)
            answer = .done
            if chunkedToClient { handler.answers.write(HTTP1Bytes.lastChunk, flush: true) } else { handler.answers.flush() }
        case .waiting, .done:
            return
        }
        record()
        releaseUpstream(reusable: upstreamKeepAlive)
        finish(closeConnection: closesAfterAnswer)
    }

    /// When the upstream's answer ended, once it did and a check of the job it bills went to the database.
    private var upstreamEndedAt: ContinuousClock.Instant?

    /// An answer to a GET that may bill a job (`ProxyController.checkJobBilledElsewhere`, which decides whether the
    /// database is asked): checked off the loop, then the answer ends (true: it ends later).
    private func checksJobBilledElsewhere(meter: ResponseMeter, upstreamEnded: ContinuousClock.Instant) -> Bool {
        guard upstreamEndedAt == nil, meter.mayBeJob, meter.fetchesStoredAnswer else { return false }
        var whole = meter
        if case .holding(_, let body) = answer { _ = whole.process(body) }
        upstreamEndedAt = upstreamEnded
        let (controller, tenantID, logger, probe) = (proxy.proxy, token.tenantID, self.logger, whole)
        let promise = context.eventLoop.makePromise(of: Void.self)
        promise.completeWithTask { await controller.checkJobBilledElsewhere(meter: probe, tenantID: tenantID, logger: logger) }
        promise.futureResult.assumeIsolated().whenComplete { _ in self.receiveEnd() }
        return true
    }

    /// A piece of a streamed answer, chunked when the client gets it so; flushed at the end of the upstream read
    /// that brought it (`upstreamReadComplete`), or by the answer's end.
    private func writeStreamed(_ piece: ByteBuffer) {
        if chunkedToClient {
            var output = ByteBuffer()
            HTTP1Bytes.writeChunk(piece, into: &output)
            handler.answers.write(output, flush: false)
        } else {
            handler.answers.write(piece, flush: false)
        }
    }

    /// The upstream could not be reached, failed, closed early or timed out.
    func upstreamFailed(_ error: any Error) {
        // The whole answer came (its job's billing is being checked): what the connection does now does not matter.
        guard upstreamEndedAt == nil else { return }
        awaitingUpstream = false
        let failure = UpstreamFailure(error)
        switch answer {
        case .waiting:
            // A pooled connection the upstream had closed: try once more on a new one, when the body can be sent again
            // (not after a timeout or an answer that was not HTTP: the upstream had the request).
            if reusedConnection, !retried, !(error is UpstreamTimeout), !(error is UpstreamResponseInvalid), collectsBody || (!chunked && bodyLength ?? 0 == 0) {
                retried = true
                releaseUpstream(reusable: false)
                send()
                return
            }
            releaseUpstream(reusable: false)
            event.status = failure.status.code
            event.errorType = failure.type
            event.upstreamLatencyMicros = micros(ContinuousClock.now - upstreamStarted)
            event.totalLatencyMicros = micros(ContinuousClock.now - started)
            logger.warning("Upstream request failed", metadata: [
                "trough.tenant": .string(token.tenantID), "trough.project": .string(token.projectID),
                "trough.service": .string(upstream.service.name), "trough.error": .string(failure.type),
            ])
            respondWithError(APIError(failure.status, type: failure.type, message: failure.message(service: upstream.service.name)), record: true)
        case .holding:
            releaseUpstream(reusable: false)
            event.status = failure.status.code
            event.errorType = failure.type
            if let meter { complete(meter: meter, body: nil, upstreamEnded: .now) }
            respondWithError(APIError(failure.status, type: failure.type, message: failure.message(service: upstream.service.name)), record: true)
        case .streaming:
            // Headers are out: the client sees the connection end early, as it would from the upstream.
            releaseUpstream(reusable: false)
            event.errorType = failure.type
            if let meter { complete(meter: meter, body: nil, upstreamEnded: .now) }
            answer = .done
            record()
            finish(closeConnection: true)
        case .done:
            break
        }
    }

    // MARK: Client

    /// The client went away: the upstream call is cancelled and what was seen is recorded.
    func clientGone() {
        awaitingUpstream = false
        guard event != nil else {
            answer = .done
            return
        }
        let calledUpstream = upstreamChannel != nil
        releaseUpstream(reusable: false)
        switch answer {
        case .done:
            return
        case .waiting where !calledUpstream:
            answer = .done
            reservation?.cancel()
            return
        default:
            event.errorType = "client_disconnected"
            if event.status == 0 { event.status = 499 }
            if let meter { complete(meter: meter, body: nil, upstreamEnded: .now) } else {
                event.upstreamLatencyMicros = micros(ContinuousClock.now - upstreamStarted)
                event.totalLatencyMicros = micros(ContinuousClock.now - started)
            }
            answer = .done
            record()
        }
    }

    /// Slow client: stop reading the upstream until the client catches up.
    func clientWritabilityChanged(_ writable: Bool) {
        guard case .streaming = answer, let channel = upstreamChannel else { return }
        channel.setOption(ChannelOptions.autoRead, value: writable).whenFailure { _ in }
        if writable { channel.read() }
    }

    // MARK: Finishing

    /// Usage, cost, sizes and timings, as on the other path (a failed request is not rule-priced).
    private func complete(meter: ResponseMeter, body: ByteBuffer?, upstreamEnded: ContinuousClock.Instant) {
        if event.model == nil { event.model = multipartModel?.value }
        ProxyController.complete(&event, meter: meter, prices: proxy.proxy.prices.book, billing: proxy.proxy.deferredUsage, rule: rule, body: body, streamed: isEventStream,
                                 started: started, upstreamStarted: upstreamStarted, upstreamEnded: upstreamEnded)
    }

    /// Settles the reservation to the event's cost and queues the event.
    private func record() {
        if chunked, !collectsBody { event.bytesIn = receivedBodyBytes }
        reservation?.settle(cost: event.cost)
        proxy.proxy.events.record(event)
    }

    private func respondWithError(_ error: APIError, record shouldRecord: Bool, closeConnection: Bool = false) {
        answer = .done
        if shouldRecord { record() } else { reservation?.cancel() }
        var headers = HTTPHeaders(error.responseHeaders.map { ($0.name.rawName, $0.value) })
        headers.replaceOrAdd(name: "X-Request-Id", value: requestID)
        let body = (try? error.jsonBody()) ?? ByteBuffer()
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        let status = HTTPResponseStatus(statusCode: error.status.code, reasonPhrase: error.status.reasonPhrase)
        context.write(wrapOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD { context.write(wrapOut(.body(.byteBuffer(body))), promise: nil) }
        context.writeAndFlush(wrapOut(.end(nil)), promise: nil)
        // The request's body may still be on its way: it is read and dropped before the next request.
        finish(closeConnection: closeConnection)
    }

    private func releaseUpstream(reusable: Bool) {
        guard let connection = upstreamConnection else { return }
        let channel = connection.channel
        upstreamConnection = nil
        connection.responses.exchange = nil
        if reusable, requestEnded, channel.isActive {
            proxy.pool.release(connection, target: target)
        } else {
            channel.close(promise: nil)
        }
    }

    private func finish(closeConnection: Bool = false) {
        let close = closeConnection || !head.isKeepAlive
        if requestEnded || close {
            handler.exchangeFinished(context: context, closeConnection: close)
        } else {
            awaitingRequestEnd = true
        }
    }

    private func wrapOut(_ part: HTTPServerResponsePart) -> NIOAny {
        NIOAny(part)
    }

    /// The answer is out but the request's body is still arriving: the exchange ends with the request.
    private var awaitingRequestEnd = false

}

/// The upstream sent nothing for the read timeout.
struct UpstreamTimeout: Error {}
