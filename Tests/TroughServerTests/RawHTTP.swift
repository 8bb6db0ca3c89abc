import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// HTTP written by hand on a plain TCP connection, for what HTTP clients do not send (HTTP/1.0, odd framing).
enum RawHTTP {
    /// Sends `request` on a new connection to `127.0.0.1:port`; returns what came back and whether the server
    /// closed the connection within `wait` (if not, the connection is closed here after `wait`).
    static func exchange(port: Int, _ request: String, wait: Duration) async throws -> (response: String, serverClosed: Bool) {
        let collector = Collector()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        try await channel.writeAndFlush(ByteBuffer(string: request))
        let serverClosed = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                _ = try? await channel.closeFuture.get()
                return true
            }
            group.addTask {
                try? await Task.sleep(for: wait)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            if !first { try? await channel.close() }
            return first
        }
        return (String(decoding: collector.bytes.withLock { $0 }, as: UTF8.self), serverClosed)
    }

    /// One keep-alive connection on which requests are sent one after another, each answer read whole (by its
    /// `Content-Length`) before the next request.
    final class Connection: Sendable {
        private let channel: any Channel
        private let collector = Collector()

        init(port: Int) async throws {
            let collector = self.collector
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
                }
                .connect(host: "127.0.0.1", port: port).get()
        }

        /// Sends `bytes` (part of a request) without waiting for an answer; what came before is forgotten.
        func write(_ bytes: String) async throws {
            collector.bytes.withLock { $0.removeAll() }
            try await channel.writeAndFlush(ByteBuffer(string: bytes))
        }

        /// Sends `request` and returns the answer's head and body, or what came within `timeout` if it is not whole.
        func send(_ request: String, timeout: Duration = .seconds(10)) async throws -> String {
            collector.bytes.withLock { $0.removeAll() }
            try await channel.writeAndFlush(ByteBuffer(string: request))
            return try await answer(timeout: timeout)
        }

        /// The answer's head and body once whole (by its `Content-Length`), or what came within `timeout`.
        func answer(timeout: Duration = .seconds(10)) async throws -> String {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                let text = String(decoding: collector.bytes.withLock { $0 }, as: UTF8.self)
                if let headEnd = text.range(of: "\r\n\r\n") {
                    let length = text[..<headEnd.lowerBound].split(separator: "\r\n")
                        .first { $0.lowercased().hasPrefix("content-length:") }
                        .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                    if text.utf8.count - text[..<headEnd.upperBound].utf8.count >= length { return text }
                }
                try await Task.sleep(for: .milliseconds(5))
            }
            return String(decoding: collector.bytes.withLock { $0 }, as: UTF8.self)
        }

        func close() async {
            try? await channel.close()
        }
    }

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let bytes = Mutex<[UInt8]>([])

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            bytes.withLock { $0.append(contentsOf: buffer.readableBytesView) }
        }
    }
}

/// An upstream that answers each request with bytes written by hand (framings HTTP servers rarely send: 1xx
/// first, bare LF lines, a body ended by the close, chunk extensions and trailers, invalid answers). The answer is
/// `answers[X-Case]` of the request; an answer ending with the close closes the connection after it.
final class ScriptedUpstream: Sendable {
    struct Answer: Sendable {
        let bytes: String
        var closes = false
    }

    let port: Int
    private let channel: any Channel

    init(answers: [String: Answer]) async throws {
        let connections = Connections()
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                connections.count.add(1, ordering: .relaxed)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ScriptedHandler(answers: answers))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
        self.connections = connections
    }

    private final class Connections: Sendable {
        let count = Atomic<Int>(0)
    }

    private let connections: Connections
    /// Connections the proxy opened so far.
    var connectionCount: Int { connections.count.load(ordering: .relaxed) }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    func stop() async {
        try? await channel.close()
    }

    private final class ScriptedHandler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let answers: [String: Answer]
        var received: [UInt8] = []

        init(answers: [String: Answer]) {
            self.answers = answers
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            received += Array(unwrapInboundIn(data).readableBytesView)
            let text = String(decoding: received, as: UTF8.self)
            guard let headEnd = text.range(of: "\r\n\r\n") else { return }
            let lines = text[..<headEnd.lowerBound].split(separator: "\r\n")
            func field(_ name: String) -> String? {
                lines.first { $0.lowercased().hasPrefix(name + ":") }.map { $0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces) }
            }
            let length = field("content-length").flatMap(Int.init) ?? 0
            guard received.count - text[..<headEnd.upperBound].utf8.count >= length else { return }
            received.removeAll()
            let answer = answers[field("x-case") ?? ""] ?? Answer(bytes: "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            let write = context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: answer.bytes)))
            if answer.closes {
                let channel = context.channel
                write.whenComplete { _ in channel.close(promise: nil) }
            }
        }
    }
}
