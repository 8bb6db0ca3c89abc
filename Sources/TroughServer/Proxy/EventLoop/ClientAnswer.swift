import NIOCore
import NIOHTTP1

/// An upstream's answer written to the client as bytes, past NIO's response encoder: the head is the upstream's
/// status line and field lines as they came, minus hop-by-hop fields (RFC 9110 §7.6.1, and those its `Connection`
/// field names), `Date`, `Server` and the fields Trough sets itself, plus Trough's; bodies of unknown length are
/// chunked for HTTP/1.1 clients.
enum ClientAnswer {
    /// Fields of an upstream answer that are not passed on (lower-case, grouped by length): hop-by-hop ones, `Date`,
    /// `Server`, and those Trough sets on the answers it writes.
    private static let droppedByLength: [[[UInt8]]] = {
        let names = ProxyHeaders.hopByHop + ["date", "server"] + troughFields.map { $0.lowercased() }
        var groups = [[[UInt8]]](repeating: [], count: names.map(\.utf8.count).max()! + 1)
        for name in names { groups[name.utf8.count].append(Array(name.utf8)) }
        return groups
    }()

    /// The fields Trough sets on a proxied answer (an upstream's own of these names are dropped).
    static let troughFields = ["X-Request-Id", "X-Trough-Overhead-Ms", "X-Trough-Cost-Usd", "X-Trough-Budget-Remaining-Usd"]

    /// Writes the head up to Trough's own fields: `version`'s status line with the upstream's status and reason, then the
    /// upstream's fields that cross. The caller adds its fields (`HTTP1Bytes.writeField`), then `HTTP1Bytes.endHead`.
    static func startHead(_ response: UpstreamResponseHead, version: HTTPVersion, into output: inout ByteBuffer) {
        output.writeStaticString(version.minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ")
        output.writeString(String(response.status))
        output.writeStaticString(" ")
        if response.reason.isEmpty {
            output.writeString(HTTPResponseStatus(statusCode: response.status).reasonPhrase)
        } else {
            output.writeBytes(response.bytes.readableBytesView[response.bytes.readerIndex + response.reason.lowerBound..<response.bytes.readerIndex + response.reason.upperBound])
        }
        output.writeStaticString("\r\n")
        let options = response.connectionOptions()
        response.forEachField { raw, name, value in
            guard !isDropped(raw[name], connectionOptions: options) else { return }
            // The line as it came, from the name to the value's end (a bare LF becomes CRLF).
            output.writeBytes(UnsafeRawBufferPointer(rebasing: raw[name.lowerBound..<value.upperBound]))
            output.writeStaticString("\r\n")
        }
    }

    private static func isDropped(_ name: Slice<UnsafeRawBufferPointer>, connectionOptions: [[UInt8]]) -> Bool {
        let length = name.count
        if length < droppedByLength.count {
            for candidate in droppedByLength[length] where equalsLowercased(name, candidate) { return true }
        }
        for option in connectionOptions where equalsLowercased(name, option) { return true }
        return false
    }

    private static func equalsLowercased(_ name: Slice<UnsafeRawBufferPointer>, _ lowercased: [UInt8]) -> Bool {
        guard name.count == lowercased.count else { return false }
        var index = name.startIndex
        for expected in lowercased {
            guard ASCIIBytes.lowercased(name[index]) == expected else { return false }
            index += 1
        }
        return true
    }
}

/// Pieces of HTTP/1.1 messages written as bytes (both ways of the event-loop proxy).
enum HTTP1Bytes {
    /// One field line.
    static func writeField(_ name: StaticString, _ value: String, into output: inout ByteBuffer) {
        output.writeStaticString(name)
        output.writeStaticString(": ")
        output.writeString(value)
        output.writeStaticString("\r\n")
    }

    /// The empty line that ends a head.
    static func endHead(into output: inout ByteBuffer) {
        output.writeStaticString("\r\n")
    }

    /// Frames one piece of a chunked body.
    static func writeChunk(_ piece: ByteBuffer, into output: inout ByteBuffer) {
        output.writeString(String(piece.readableBytes, radix: 16))
        output.writeStaticString("\r\n")
        var piece = piece
        output.writeBuffer(&piece)
        output.writeStaticString("\r\n")
    }

    static let lastChunk = ByteBuffer(staticString: "0\r\n\r\n")
}

/// Placed right before NIO's response encoder in a client connection's pipeline (after TLS, when the server has
/// it): the event-loop proxy writes its answers through it as bytes. Everything else passes through.
final class ClientAnswerWriter: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private(set) var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Writes bytes of an answer toward the socket.
    func write(_ bytes: ByteBuffer, flush: Bool) {
        guard let context else { return }
        context.write(NIOAny(bytes), promise: nil)
        if flush { context.flush() }
    }

    func flush() {
        context?.flush()
    }
}
