import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// Keep-alive HTTP/1.1 connections to upstreams, per event loop, for the event-loop proxy path: a request
/// borrows an idle connection on its own client connection's loop (or opens one there), so the whole exchange
/// stays on one thread.
final class UpstreamPool: Sendable {
    struct Key: Hashable {
        let target: UpstreamTarget
        let loop: ObjectIdentifier
    }

    private let idle = Mutex<[Key: [PooledUpstream]]>([:])
    let connectTimeout: TimeAmount
    /// A connection with no traffic for this long, and no request using it, is closed.
    let idleTimeout: TimeAmount
    let tls: NIOSSLContext
    /// Idle connections closed by this process (for tests and, later, metrics).
    static let idleClosed = Atomic<Int>(0)
    /// Idle connections kept per upstream and loop; more are closed when returned.
    let maxIdlePerKey = 128

    init(connectTimeout: TimeAmount, idleTimeout: TimeAmount, tls: TLSConfiguration) throws {
        self.connectTimeout = connectTimeout
        self.idleTimeout = idleTimeout
        self.tls = try NIOSSLContext(configuration: tls)
    }

    /// An idle connection to `target` on `loop`, if one is open.
    func takeIdle(_ target: UpstreamTarget, on loop: any EventLoop) -> PooledUpstream? {
        let key = Key(target: target, loop: ObjectIdentifier(loop))
        return idle.withLock { idle in
            while let connection = idle[key]?.popLast() {
                if connection.channel.isActive { return connection }
            }
            return nil
        }
    }

    /// Opens a connection to `target` on `loop`, with TLS for https, HTTP/1.1 client codecs and a response handler last.
    func connect(_ target: UpstreamTarget, on loop: any EventLoop) -> EventLoopFuture<PooledUpstream> {
        let (tls, idleTimeout) = (self.tls, self.idleTimeout)
        let responses = NIOLoopBound(UpstreamResponseHandler(pool: self, target: target), eventLoop: loop)
        return ClientBootstrap(group: loop)
            .connectTimeout(connectTimeout)
            .channelOption(ChannelOptions.socket(SocketOptionLevel(IPPROTO_TCP), TCP_NODELAY), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if target.secure {
                        let serverName = target.host.contains(":") || target.host.allSatisfy({ $0.isNumber || $0 == "." }) ? nil : target.host
                        try pipeline.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: serverName))
                    }
                    try pipeline.addHandler(IdleStateHandler(allTimeout: idleTimeout))
                    try pipeline.addHTTPClientHandlers()
                    try pipeline.addHandler(responses.value)
                }
            }
            .connect(host: target.host, port: target.port)
            .map { PooledUpstream(channel: $0, responses: responses.value) }
    }

    /// Gives a connection back for reuse; it leaves the pool by itself when it closes.
    func release(_ connection: PooledUpstream, target: UpstreamTarget) {
        let key = Key(target: target, loop: ObjectIdentifier(connection.channel.eventLoop))
        let kept = idle.withLock { idle in
            guard idle[key, default: []].count < maxIdlePerKey else { return false }
            idle[key, default: []].append(connection)
            return true
        }
        if !kept { connection.channel.close(promise: nil) }
    }

    /// Forgets a closed connection.
    func forget(_ channel: any Channel, target: UpstreamTarget) {
        let key = Key(target: target, loop: ObjectIdentifier(channel.eventLoop))
        idle.withLock { idle in idle[key]?.removeAll { $0.channel === channel } }
    }

    /// Closes every idle connection (at shutdown).
    func closeAll() {
        let channels = idle.withLock { idle in defer { idle = [:] }; return idle.values.flatMap { $0.map(\.channel) } }
        for channel in channels { channel.close(promise: nil) }
    }
}

/// A pooled upstream connection and its response handler (so a request finds it without searching the pipeline).
/// Used only on the channel's event loop; the pool only stores and hands it out.
struct PooledUpstream: @unchecked Sendable {
    let channel: any Channel
    let responses: UpstreamResponseHandler
}

/// The last handler of an upstream connection: hands response parts to the exchange using the connection.
final class UpstreamResponseHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart

    /// The exchange the connection serves now; nil while it is idle in the pool.
    var exchange: ProxyExchange?
    let pool: UpstreamPool
    let target: UpstreamTarget

    init(pool: UpstreamPool, target: UpstreamTarget) {
        self.pool = pool
        self.target = target
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        exchange?.upstreamRead(unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        exchange?.upstreamReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        let current = exchange
        exchange = nil
        pool.forget(context.channel, target: target)
        current?.upstreamFailed(ChannelError.eof)
        context.fireChannelInactive()
    }

    /// No traffic for the pool's idle timeout: close the connection unless a request is using it (a slow
    /// answer is the read timeout's business).
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            if exchange == nil {
                UpstreamPool.idleClosed.add(1, ordering: .relaxed)
                context.close(promise: nil)
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let current = exchange
        exchange = nil
        current?.upstreamFailed(error)
        context.close(promise: nil)
    }
}
