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
