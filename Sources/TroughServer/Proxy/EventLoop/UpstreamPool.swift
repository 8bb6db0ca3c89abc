import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// Keep-alive HTTP/1.1 connections to upstreams, per event loop, for the event-loop proxy path: a request
/// borrows an idle connection on its own client connection's loop (or opens one there), so the whole exchange
/// stays on one thread. Connections idle in the pool for `idleTimeout` are closed by a sweep on their loop
/// (a connection in use is the read timeout's business); there is no per-connection idle timer, whose write
/// promises and clock reads cost every request.
final class UpstreamPool: Sendable {
    struct Key: Hashable {
        let target: UpstreamTarget
        let loop: ObjectIdentifier
    }

    /// A connection waiting in the pool, and since when.
    struct IdleEntry {
        let connection: PooledUpstream
        let since: NIODeadline
    }

    /// One upstream's idle connections on one loop, oldest first: requests take the newest, sweeps close from
    /// the front. A class, so requests only read the pool's dictionary (changing an array in place through a
    /// dictionary cost allocations on every call). Used only under the pool's lock.
    final class IdleList {
        var entries: [IdleEntry] = []
    }

    private struct State {
        var idle: [Key: IdleList] = [:]
        /// The sweep on each loop that has opened a connection.
        var sweeps: [ObjectIdentifier: RepeatedTask] = [:]
    }

    private let state = Mutex(State())
    let connectTimeout: TimeAmount
    /// A connection with no request for this long is closed.
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
        return state.withLock { state in
            guard let list = state.idle[key] else { return nil }
            while let entry = list.entries.popLast() {
                if entry.connection.channel.isActive { return entry.connection }
            }
            return nil
        }
    }

    /// Opens a connection to `target` on `loop`, with TLS for https and the response handler (HTTP/1.1 as bytes both ways).
    func connect(_ target: UpstreamTarget, on loop: any EventLoop) -> EventLoopFuture<PooledUpstream> {
        startSweeping(loop)
        let tls = self.tls
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
                    // No HTTP codec: the exchange writes its request as bytes (the client's headers were checked by
                    // NIO's request parser, and what Trough adds where it is made, `ProxyHeaders.forEachUpstream`), and
                    // answers are read from the bytes.
                    try pipeline.addHandler(responses.value)
                }
            }
            .connect(host: target.host, port: target.port)
            .map { PooledUpstream(channel: $0, responses: responses.value) }
    }

    /// Gives a connection back for reuse; it leaves the pool by itself when it closes.
    func release(_ connection: PooledUpstream, target: UpstreamTarget) {
        let key = Key(target: target, loop: ObjectIdentifier(connection.channel.eventLoop))
        let entry = IdleEntry(connection: connection, since: .now())
        let kept = state.withLock { state in
            let list: IdleList
            if let existing = state.idle[key] {
                list = existing
            } else {
                list = IdleList()
                state.idle[key] = list
            }
            guard list.entries.count < maxIdlePerKey else { return false }
            list.entries.append(entry)
            return true
        }
        if !kept { connection.channel.close(promise: nil) }
    }

    /// Forgets a closed connection.
    func forget(_ channel: any Channel, target: UpstreamTarget) {
        let key = Key(target: target, loop: ObjectIdentifier(channel.eventLoop))
        state.withLock { state in state.idle[key]?.entries.removeAll { $0.connection.channel === channel } }
    }

    /// Closes every idle connection and stops the sweeps (at shutdown).
    func closeAll() {
        let (channels, sweeps) = state.withLock { state in
            defer { state = State() }
            return (state.idle.values.flatMap { $0.entries.map(\.connection.channel) }, Array(state.sweeps.values))
        }
        for sweep in sweeps { sweep.cancel() }
        for channel in channels { channel.close(promise: nil) }
    }

    /// Sweeps `loop`'s idle connections every half idle timeout, from its first connection on.
    private func startSweeping(_ loop: any EventLoop) {
        let id = ObjectIdentifier(loop)
        state.withLock { state in
            guard state.sweeps[id] == nil else { return }
            let interval = TimeAmount.nanoseconds(max(idleTimeout.nanoseconds / 2, 1_000_000))
            state.sweeps[id] = loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [weak self] _ in
                self?.closeIdle(on: id)
            }
        }
    }

    /// Closes the connections of one loop that have waited in the pool for the idle timeout.
    func closeIdle(on loop: ObjectIdentifier, now: NIODeadline = .now()) {
        let cutoff = now - idleTimeout
        let expired = state.withLock { state in
            var expired: [PooledUpstream] = []
            for (key, list) in state.idle where key.loop == loop {
                let stale = list.entries.prefix { $0.since <= cutoff }
                guard !stale.isEmpty else { continue }
                expired.append(contentsOf: stale.map(\.connection))
                list.entries.removeFirst(stale.count)
            }
            return expired
        }
        for connection in expired {
            UpstreamPool.idleClosed.add(1, ordering: .relaxed)
            connection.channel.close(promise: nil)
        }
    }
}

/// A pooled upstream connection and its response handler (so a request finds it without searching the pipeline).
/// Used only on the channel's event loop; the pool only stores and hands it out.
struct PooledUpstream: @unchecked Sendable {
    let channel: any Channel
    let responses: UpstreamResponseHandler
}

/// The last handler of an upstream connection: reads its responses from the bytes (`UpstreamResponseParser`, no
/// `HTTPHeaders` per answer) and hands them to the exchange using the connection.
final class UpstreamResponseHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    /// The exchange the connection serves now; nil while it is idle in the pool.
    var exchange: ProxyExchange?
    /// The current request is a HEAD (its answer has no body).
    var requestIsHead = false
    let pool: UpstreamPool
    let target: UpstreamTarget
    private let parser = UpstreamResponseParser()

    init(pool: UpstreamPool, target: UpstreamTarget) {
        self.pool = pool
        self.target = target
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        guard exchange != nil else {
            // Bytes while no request waits: the connection cannot be trusted with one.
            context.close(promise: nil)
            return
        }
        do {
            try parser.read(bytes, requestIsHead: requestIsHead) { event in
                self.exchange?.upstreamRead(event)
            }
        } catch {
            let current = exchange
            exchange = nil
            current?.upstreamFailed(error)
            context.close(promise: nil)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        exchange?.upstreamReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        // An answer framed by the connection's close ends here.
        if let end = parser.connectionClosed() { exchange?.upstreamRead(end) }
        let current = exchange
        exchange = nil
        pool.forget(context.channel, target: target)
        current?.upstreamFailed(ChannelError.eof)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let current = exchange
        exchange = nil
        current?.upstreamFailed(error)
        context.close(promise: nil)
    }
}
