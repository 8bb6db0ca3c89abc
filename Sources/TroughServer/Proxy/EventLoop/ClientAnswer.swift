import NIOCore
import NIOHTTP1

/// An upstream's answer written to the client as bytes, past NIO's response encoder: the head is the upstream's
/// status line and field lines as they came, minus hop-by-hop fields (RFC 9110 §7.6.1, and those its `Connection`
/// field names), `Date`, `Server` and the fields Trough sets itself, plus Trough's; bodies of unknown length are
/// chunked for HTTP/1.1 clients.
enum ClientAnswer {
    /// Fields of an upstream answer that are not passed on (lower-case, grouped by length).
    private static let droppedByLength: [[[UInt8]]] = {
        let names = ProxyHeaders.hopByHop + ["date", "server"]
        var groups = [[[UInt8]]](repeating: [], count: names.map(\.utf8.count).max()! + 1)
        for name in names { groups[name.utf8.count].append(Array(name.utf8)) }
        return groups
    }()

    /// Writes the head: `version`'s status line with the upstream's status and reason, the upstream's fields that
    /// cross, then `added` (which replace upstream fields of the same names).
    static func writeHead(_ response: UpstreamResponseHead, version: HTTPVersion, added: [(name: String, value: String)], into output: inout ByteBuffer) {
        output.reserveCapacity(minimumWritableBytes: response.bytes.readableBytes + 160)
        output.writeStaticString(version.minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ")
        output.writeString(String(response.status))
        output.writeStaticString(" ")
        response.bytes.withUnsafeReadableBytes { raw in
            if response.reason.isEmpty {
                output.writeString(HTTPResponseStatus(statusCode: response.status).reasonPhrase)
            } else {
                output.writeBytes(UnsafeRawBufferPointer(rebasing: raw[response.reason]))
            }
            output.writeStaticString("\r\n")
            for field in response.fields where !isDropped(raw[field.name], response: response, added: added) {
                // The line as it came, from the name to the value's end (a bare LF becomes CRLF).
                output.writeBytes(UnsafeRawBufferPointer(rebasing: raw[field.name.lowerBound..<field.value.upperBound]))
                output.writeStaticString("\r\n")
            }
        }
        for (name, value) in added {
            output.writeString(name)
            output.writeStaticString(": ")
            output.writeString(value)
            output.writeStaticString("\r\n")
        }
        output.writeStaticString("\r\n")
    }

    private static func isDropped(_ name: Slice<UnsafeRawBufferPointer>, response: UpstreamResponseHead, added: [(name: String, value: String)]) -> Bool {
        let length = name.count
        if length < droppedByLength.count {
            for candidate in droppedByLength[length] where equalsLowercased(name, candidate) { return true }
        }
        for option in response.connectionOptions where equalsLowercased(name, option) { return true }
        for field in added where field.name.utf8.count == length && equalsIgnoringCase(name, field.name) { return true }
        return false
    }

    private static func equalsLowercased(_ name: Slice<UnsafeRawBufferPointer>, _ lowercased: [UInt8]) -> Bool {
        name.count == lowercased.count && zip(name, lowercased).allSatisfy { ASCIIBytes.lowercased($0) == $1 }
    }

    private static func equalsIgnoringCase(_ name: Slice<UnsafeRawBufferPointer>, _ other: String) -> Bool {
        zip(name, other.utf8).allSatisfy { ASCIIBytes.lowercased($0) == ASCIIBytes.lowercased($1) }
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
        context.write(NIOAny(IOData.byteBuffer(bytes)), promise: nil)
        if flush { context.flush() }
    }

    func flush() {
        context?.flush()
    }
}
