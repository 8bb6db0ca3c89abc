// NIOFloor: the smallest useful SwiftNIO HTTP/1.1 reverse proxy.
//
// Benchmark floor for Trough's proxy: NIO HTTP/1 on both sides and nothing else
// (no auth, no usage parsing, no per-request logging). Each client connection owns
// at most one keep-alive upstream connection, opened lazily on the client's own
// event loop and reused for that client's sequential requests. Pipelined requests
// are answered strictly one at a time: NIO's HTTPServerPipelineHandler (installed by
// configureHTTPServerPipeline) holds back the next request until our response `.end`.

import NIOCore
import NIOHTTP1
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Configuration

func envPort(_ name: String, default value: Int) -> Int {
    guard let raw = getenv(name), let port = Int(String(cString: raw)), (1...65535).contains(port) else {
        return value
    }
    return port
}

let listenPort = envPort("FLOOR_PORT", default: 18095)
let upstreamPort = envPort("FLOOR_UPSTREAM_PORT", default: 18080)
let upstreamAddress = try SocketAddress(ipAddress: "127.0.0.1", port: upstreamPort)

// MARK: - Header helpers

/// Hop-by-hop headers (RFC 9110 §7.6.1) plus the legacy ones proxies traditionally strip.
private let hopByHopHeaders = [
    "connection", "keep-alive", "proxy-connection", "te", "trailer",
    "transfer-encoding", "upgrade", "proxy-authenticate", "proxy-authorization",
]

/// Removes hop-by-hop headers, including any named in `Connection`. Content-Length is kept;
/// NIO's encoders re-add `transfer-encoding: chunked` when a message has neither.
func strippingHopByHop(_ input: HTTPHeaders) -> HTTPHeaders {
    var headers = input
    for token in headers[canonicalForm: "connection"] {
        headers.remove(name: String(token))
    }
    for name in hopByHopHeaders {
        headers.remove(name: name)
    }
    return headers
}

// MARK: - Upstream side

/// Last handler of an upstream (client-role) pipeline: forwards the upstream response to the
/// ProxyHandler that owns this connection. Both live on the same event loop.
final class UpstreamHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    /// Cleared when either side goes away (breaks the reference cycle).
    var proxy: ProxyHandler?
    private var context: ChannelHandlerContext?

    init(proxy: ProxyHandler) {
        self.proxy = proxy
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    // Outbound API used by ProxyHandler (always called on this channel's event loop).
    func write(_ part: HTTPClientRequestPart) {
        self.context?.write(self.wrapOutboundOut(part), promise: nil)
    }

    func flush() {
        self.context?.flush()
    }

    func close() {
        self.proxy = nil
        self.context?.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let proxy = self.proxy else { return }
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            proxy.upstreamHead(head)
        case .body(let buffer):
            proxy.upstreamBody(buffer)
        case .end:
            proxy.upstreamEnd(from: self)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.proxy?.upstreamReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let proxy = self.proxy {
            self.proxy = nil
            proxy.upstreamClosed(self)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)  // channelInactive reports it to the proxy
    }
}

// MARK: - Client side

final class ProxyHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum Upstream {
        case idle
        case connecting(pending: [HTTPClientRequestPart])
        case connected(UpstreamHandler)
    }

    private var upstream: Upstream = .idle
    private var context: ChannelHandlerContext?

    // Per-request state.
    private var requestVersion = HTTPVersion.http1_1
    private var clientKeepAlive = true
    private var upstreamKeepAlive = true
    private var awaitingResponse = false  // request forwarded, response `.end` not yet relayed
    private var responseStarted = false  // response head already written to the client
    private var discardingRequest = false  // current request already failed; drop its remaining parts

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    // MARK: Client -> upstream

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            self.requestVersion = head.version
            self.clientKeepAlive = head.isKeepAlive
            self.awaitingResponse = true
            self.responseStarted = false
            self.discardingRequest = false
            let forwarded = HTTPRequestHead(
                version: .http1_1,
                method: head.method,
                uri: head.uri,
                headers: strippingHopByHop(head.headers)
            )
            self.sendUpstream(.head(forwarded))
        case .body(let buffer):
            self.sendUpstream(.body(.byteBuffer(buffer)))
        case .end:
            self.sendUpstream(.end(nil))
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if case .connected(let upstream) = self.upstream {
            upstream.flush()
        }
        context.fireChannelReadComplete()
    }

    private func sendUpstream(_ part: HTTPClientRequestPart) {
        if self.discardingRequest { return }
        switch self.upstream {
        case .connected(let upstream):
            upstream.write(part)
        case .connecting(var pending):
            self.upstream = .idle  // avoid a CoW copy of the array
            pending.append(part)
            self.upstream = .connecting(pending: pending)
        case .idle:
            self.upstream = .connecting(pending: [part])
            self.connectUpstream()
        }
    }

    private func connectUpstream() {
        guard let context = self.context else { return }
        let boundSelf = NIOLoopBound(self, eventLoop: context.eventLoop)
        ClientBootstrap(group: context.eventLoop)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                // Runs on context.eventLoop (the bootstrap's group is that single loop).
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(UpstreamHandler(proxy: boundSelf.value))
                }
            }
            .connect(to: upstreamAddress)
            .assumeIsolated()
            .whenComplete { result in
                self.upstreamConnectDone(result)
            }
    }

    private func upstreamConnectDone(_ result: Result<Channel, Error>) {
        guard case .connecting(let pending) = self.upstream else {
            // Client went away while connecting.
            if case .success(let channel) = result { channel.close(promise: nil) }
            return
        }
        switch result {
        case .success(let channel):
            guard let handler = try? channel.pipeline.syncOperations.handler(type: UpstreamHandler.self),
                handler.proxy != nil
            else {
                // Already closed (and reported) before we got here.
                if case .connecting = self.upstream { self.failRequest() }
                return
            }
            self.upstream = .connected(handler)
            for part in pending { handler.write(part) }
            handler.flush()
        case .failure:
            self.upstream = .idle
            self.failRequest()
        }
    }

    // MARK: Upstream -> client

    func upstreamHead(_ head: HTTPResponseHead) {
        guard self.awaitingResponse, let context = self.context else { return }
        self.upstreamKeepAlive = head.isKeepAlive
        var headers = strippingHopByHop(head.headers)
        if self.requestVersion == .http1_0, self.clientKeepAlive, !headers.contains(name: "content-length") {
            self.clientKeepAlive = false  // an HTTP/1.0 client can only see the end by the close
        }
        if !self.clientKeepAlive {
            headers.add(name: "connection", value: "close")
        } else if self.requestVersion == .http1_0 {
            headers.add(name: "connection", value: "keep-alive")
        }
        self.responseStarted = true
        let response = HTTPResponseHead(version: self.requestVersion, status: head.status, headers: headers)
        context.write(self.wrapOutboundOut(.head(response)), promise: nil)
    }

    func upstreamBody(_ buffer: ByteBuffer) {
        guard self.awaitingResponse, let context = self.context else { return }
        context.write(self.wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
    }

    func upstreamEnd(from handler: UpstreamHandler) {
        guard self.awaitingResponse, let context = self.context else { return }
        // Settle all state first: writing `.end` may synchronously deliver the next
        // pipelined request (HTTPServerPipelineHandler) back into channelRead.
        self.awaitingResponse = false
        if !self.upstreamKeepAlive {
            self.upstream = .idle
            handler.close()
        }
        self.finishResponse(context: context)
    }

    func upstreamReadComplete() {
        self.context?.flush()
    }

    func upstreamClosed(_ handler: UpstreamHandler) {
        if case .connected(let current) = self.upstream, current === handler {
            self.upstream = .idle
        } else if case .connecting = self.upstream {
            self.upstream = .idle
        } else {
            return  // a connection we had already replaced
        }
        if self.awaitingResponse {
            if self.responseStarted {
                self.context?.close(promise: nil)  // cannot finish a half-sent response
            } else {
                self.failRequest()
            }
        }
    }

    /// Answers the current request with 502 and closes the client connection afterwards.
    private func failRequest() {
        guard self.awaitingResponse, !self.responseStarted, let context = self.context else { return }
        self.discardingRequest = true
        self.awaitingResponse = false
        self.responseStarted = true
        self.clientKeepAlive = false
        var headers = HTTPHeaders()
        headers.add(name: "content-length", value: "0")
        headers.add(name: "connection", value: "close")
        let head = HTTPResponseHead(version: self.requestVersion, status: .badGateway, headers: headers)
        context.write(self.wrapOutboundOut(.head(head)), promise: nil)
        self.finishResponse(context: context)
    }

    private func finishResponse(context: ChannelHandlerContext) {
        if self.clientKeepAlive {
            context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(self.wrapOutboundOut(.end(nil))).whenComplete { _ in
                loopBoundContext.value.close(promise: nil)
            }
        }
    }

    // MARK: Lifecycle

    func channelInactive(context: ChannelHandlerContext) {
        let previous = self.upstream
        self.upstream = .idle
        if case .connected(let upstream) = previous {
            upstream.close()
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}

// MARK: - Server

let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)

let bootstrap = ServerBootstrap(group: group)
    .serverChannelOption(ChannelOptions.backlog, value: 1024)
    .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
    .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
            try channel.pipeline.syncOperations.addHandler(ProxyHandler())
        }
    }

let serverChannel = try bootstrap.bind(host: "127.0.0.1", port: listenPort).wait()
print("NIOFloor listening on 127.0.0.1:\(listenPort), upstream 127.0.0.1:\(upstreamPort), \(System.coreCount) event loops")
try serverChannel.closeFuture.wait()
try group.syncShutdownGracefully()
