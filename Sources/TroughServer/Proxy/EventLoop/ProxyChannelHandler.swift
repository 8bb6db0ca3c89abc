import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1
import TroughCore

/// Sits in each client connection's pipeline right after NIO's HTTP/1 decoder, before Hummingbird's conversion to
/// HTTP types: takes the requests `EventLoopProxy` can serve on the event loop (as NIO's parts, no conversion
/// either way), and passes every other request (its head, body and end) on to Hummingbird. One request at a
/// time: a request pipelined behind one still being answered waits here, so answers keep their order whichever
/// path serves them.
final class ProxyChannelHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    let proxy: EventLoopProxy
    /// Where exchanges write their answers as bytes (past NIO's response encoder).
    let answers: ClientAnswerWriter
    /// The request being served here, until its answer has ended.
    private var exchange: ProxyExchange?
    /// The current request's parts go to Hummingbird.
    private var passingThrough = false
    /// Requests handed to Hummingbird whose answers have not ended yet, oldest first: whether each keeps the
    /// connection open (HTTP/1.0 without `Connection: keep-alive`, or `Connection: close`, does not; Hummingbird
    /// would leave it open, and a client such as ApacheBench would wait for the close).
    private var answersOwedByHummingbird: [Bool] = []
    /// Parts that arrived while an earlier request was still being answered.
    private var waiting: [HTTPServerRequestPart] = []
    /// Server shutdown asked connections to close; held back while an exchange runs.
    private var quiesceHeld = false

    /// The last project token seen on this connection and its SHA-256 (clients send the same one each time).
    private var lastToken: (raw: String, hash: String)?

    init(proxy: EventLoopProxy, answers: ClientAnswerWriter) {
        self.proxy = proxy
        self.answers = answers
    }

    /// The token's hash, as the token cache is keyed.
    func tokenHash(of rawToken: String) -> String {
        if let lastToken, lastToken.raw == rawToken { return lastToken.hash }
        let hash = Identifier.sha256Hex(rawToken)
        lastToken = (rawToken, hash)
        return hash
    }

    /// The last route this connection took from the caches, reused for the same token and service while the
    /// caches have not been invalidated since, for at most `routeMemoMilliseconds`, and in the same limit period.
    private var routeMemo: (rawToken: String, selector: ProxyController.ServiceSelector, generation: Int, until: Int64, route: ProxyRoute)?
    static let routeMemoMilliseconds: Int64 = 1_000

    /// The route for a request, when the caches know all of it (the common case); nil sends it to the lookups.
    func cachedRoute(rawToken: String, selector: ProxyController.ServiceSelector) -> ProxyRoute? {
        let now = Timestamp.now().milliseconds
        let generation = proxy.proxy.cache.generation
        if let memo = routeMemo, memo.generation == generation, now < memo.until, memo.rawToken == rawToken, memo.selector == selector,
           memo.route.policy.period == proxy.proxy.limits.currentPeriod() {
            return memo.route
        }
        routeMemo = nil
        guard let route = proxy.cachedRoute(rawToken: rawToken, tokenHash: tokenHash(of: rawToken), selector: selector, now: now) else { return nil }
        routeMemo = (rawToken, selector, generation, now + Self.routeMemoMilliseconds, route)
        return route
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if !waiting.isEmpty || exchange?.requestEnded == true {
            waiting.append(part)
            return
        }
        route(part, context: context)
    }

    private func route(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head(let head):
            if answersOwedByHummingbird.isEmpty, !passingThrough, let exchange = proxy.start(head, handler: self, context: context) {
                self.exchange = exchange
                exchange.begin()
                return
            }
            passingThrough = true
            answersOwedByHummingbird.append(head.isKeepAlive)
            context.fireChannelRead(wrapInboundOut(part))
        case .body(let buffer):
            if passingThrough {
                context.fireChannelRead(wrapInboundOut(part))
            } else {
                exchange?.requestBody(buffer)
            }
        case .end:
            if passingThrough {
                passingThrough = false
                context.fireChannelRead(wrapInboundOut(part))
            } else {
                exchange?.requestEnd()
            }
        }
    }

    /// Called by the exchange once its answer has ended (or the connection is being closed).
    func exchangeFinished(context: ChannelHandlerContext, closeConnection: Bool) {
        exchange = nil
        if closeConnection {
            waiting.removeAll()
            context.close(promise: nil)
            return
        }
        if quiesceHeld {
            quiesceHeld = false
            context.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        // Serve what was pipelined behind it. Parts passed on to Hummingbird reach it at the read-complete
        // that closes this batch (its async channel delivers reads in batches).
        var replayed = false
        while !waiting.isEmpty, exchange?.requestEnded != true {
            route(waiting.removeFirst(), context: context)
            replayed = true
        }
        if replayed { context.fireChannelReadComplete() }
        if !waiting.isEmpty || exchange != nil || passingThrough { context.read() }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .end = unwrapOutboundIn(data), !answersOwedByHummingbird.isEmpty else {
            context.write(data, promise: promise)
            return
        }
        let keepAlive = answersOwedByHummingbird.removeFirst()
        context.write(data, promise: promise)
        if !keepAlive {
            waiting.removeAll()
            context.flush()
            context.close(promise: nil)
        }
    }

    /// Checks the current exchange's upstream reads against the read timeout every quarter of it (at most every
    /// second, at least every 10 ms), from this connection's first proxied request until it closes.
    private var readCheck: RepeatedTask?

    func watchUpstreamReads(context: ChannelHandlerContext, timeout: TimeAmount) {
        guard readCheck == nil else { return }
        let interval = TimeAmount.nanoseconds(min(max(timeout.nanoseconds / 4, 10_000_000), 1_000_000_000))
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        readCheck = context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            handler.value.exchange?.checkReadTimeout(now: .now())
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        readCheck?.cancel()
        readCheck = nil
        exchange?.clientGone()
        exchange = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        readCheck?.cancel()
        readCheck = nil
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        exchange?.clientWritabilityChanged(context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent, exchange != nil {
            quiesceHeld = true
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}

/// Placed by Hummingbird after its HTTP types conversion (where extra handlers go); moves the proxy's handler in
/// front of that conversion when it joins the pipeline, then leaves.
final class ProxyHandlerInstaller: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    let proxy: EventLoopProxy

    init(proxy: EventLoopProxy) {
        self.proxy = proxy
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let pipeline = context.pipeline.syncOperations
        do {
            let codec = try pipeline.context(handlerType: HTTP1ToHTTPServerCodec.self)
            let encoder = try pipeline.context(handlerType: HTTPResponseEncoder.self)
            let answers = ClientAnswerWriter()
            try pipeline.addHandler(answers, position: .before(encoder.handler))
            try pipeline.addHandler(ProxyChannelHandler(proxy: proxy, answers: answers), position: .before(codec.handler))
        } catch {
            // No HTTP/1 conversion in this pipeline: Hummingbird serves every request here.
        }
        pipeline.removeHandler(context: context, promise: nil)
    }
}
