import NIOCore

/// An upstream's HTTP/1.x response head as it came: the status, the header section kept as bytes (forwarded to the
/// client line by line, no `HTTPHeaders` built per answer), and the few values the proxy reads.
struct UpstreamResponseHead {
    /// The whole head as received, status line to the empty line.
    let bytes: ByteBuffer
    let status: Int
    /// The reason phrase's place in `bytes` (may be empty).
    let reason: Range<Int>
    /// Where the field lines are in `bytes` (checked when the head was parsed; `forEachField` walks them).
    let fieldSection: Range<Int>
    let contentType: String?
    let contentLength: Int?
    let chunked: Bool
    /// The connection may carry another request after this answer.
    let keepAlive: Bool
    /// The `Connection` field names other fields (hop-by-hop for this message), besides `close` and `keep-alive`.
    let hasConnectionOptions: Bool

    /// Calls `body` with each field's name and value (without surrounding spaces) and the raw buffer they are in.
    func forEachField(_ body: (UnsafeRawBufferPointer, _ name: Range<Int>, _ value: Range<Int>) -> Void) {
        bytes.withUnsafeReadableBytes { raw in
            UpstreamResponseParser.forEachLine(raw, in: fieldSection) { line in
                let colon = raw[line].firstIndex(of: UInt8(ascii: ":"))!
                body(raw, line.lowerBound..<colon, UpstreamResponseParser.trimmedValue(raw, colon + 1..<line.upperBound))
            }
        }
    }

    /// The first value of the field `name` (lower-case ASCII), as a string.
    func value(of name: String) -> String? {
        var found: String?
        forEachField { raw, fieldName, value in
            if found == nil, ASCIIBytes.equalsLowercased(raw[fieldName], name) { found = String(decoding: raw[value], as: UTF8.self) }
        }
        return found
    }

    /// The field names the `Connection` fields list, lower-cased (empty unless `hasConnectionOptions`).
    func connectionOptions() -> [[UInt8]] {
        guard hasConnectionOptions else { return [] }
        var options: [[UInt8]] = []
        forEachField { raw, name, value in
            guard ASCIIBytes.equalsLowercased(raw[name], "connection") else { return }
            UpstreamResponseParser.forEachListItem(raw, in: value) { item in
                let option = raw[item]
                if !ASCIIBytes.equalsLowercased(option, "close"), !ASCIIBytes.equalsLowercased(option, "keep-alive") {
                    options.append(option.map(ASCIIBytes.lowercased))
                }
            }
        }
        return options
    }
}

/// One event of an upstream response, in order: a head (informational 1xx answers are skipped), body bytes (de-chunked),
/// the end.
enum UpstreamResponseEvent {
    case head(UpstreamResponseHead)
    case body(ByteBuffer)
    case end
}

/// What made an upstream's response unreadable (the exchange answers 502; the connection is closed).
struct UpstreamResponseInvalid: Error, CustomStringConvertible {
    let reason: String
    var description: String { "invalid upstream response: \(reason)" }
}

/// Reads HTTP/1.x responses from an upstream connection's bytes (RFC 9112): the head (up to `maxHeadBytes`), then the
/// body framed by `Transfer-Encoding: chunked`, `Content-Length` or the connection's close. Bodies come out as slices
/// of the bytes read, without copies; chunked bodies without their framing. Lines may end in CRLF or a bare LF
/// (RFC 9112 §2.2); folded fields, fields with a space before the colon and control characters in a field are refused.
final class UpstreamResponseParser {
    static let maxHeadBytes = 64 * 1024

    private enum State {
        /// Waiting for a head.
        case head
        /// A `Content-Length` body with this many bytes to come.
        case fixed(Int)
        /// A chunked body: a chunk-size line next.
        case chunkSize
        /// Inside a chunk, with this many bytes to come.
        case chunkData(Int)
        /// The line break after a chunk's data.
        case chunkDataEnd
        /// Trailer fields after the last chunk, up to an empty line.
        case trailers
        /// A body that ends when the connection closes.
        case untilClose
    }

    private var state = State.head
    /// Bytes kept from a read that ended inside a head, a chunk-size line or trailers.
    private var pending = ByteBuffer()
    /// Whether a response is in the middle of its body (or head).
    var isIdle: Bool {
        if case .head = state { return pending.readableBytes == 0 }
        return false
    }

    /// A body that ends with the connection: its end, when the connection closes.
    func connectionClosed() -> UpstreamResponseEvent? {
        guard case .untilClose = state else { return nil }
        state = .head
        return .end
    }

    /// Reads `input`, calling `emit` for each event; throws on bytes that are not a valid response, and on bytes after
    /// a response's end (no request was sent for them). `requestIsHead`: the answer has no body (a HEAD request's).
    func read(_ input: ByteBuffer, requestIsHead: Bool, emit: (UpstreamResponseEvent) -> Void) throws {
        var buffer: ByteBuffer
        if pending.readableBytes > 0 {
            var input = input
            pending.writeBuffer(&input)
            buffer = pending
            pending = ByteBuffer()
        } else {
            buffer = input
        }
        while buffer.readableBytes > 0 {
            switch state {
            case .head:
                guard let head = try readHead(&buffer) else { return keep(buffer) }
                // 1xx answers (but 101, which this proxy never asks for) precede the real one.
                if (100..<200).contains(head.status) {
                    guard head.status != 101 else { throw UpstreamResponseInvalid(reason: "unexpected protocol switch") }
                    continue
                }
                emit(.head(head))
                if requestIsHead || head.status == 204 || head.status == 304 || head.contentLength == 0 && !head.chunked {
                    return try ended(buffer, emit)
                } else if head.chunked {
                    state = .chunkSize
                } else if let length = head.contentLength {
                    state = .fixed(length)
                } else {
                    state = .untilClose
                }
            case .fixed(let remaining):
                let slice = buffer.readSlice(length: min(remaining, buffer.readableBytes))!
                emit(.body(slice))
                if slice.readableBytes == remaining {
                    state = .head
                    return try ended(buffer, emit)
                } else {
                    state = .fixed(remaining - slice.readableBytes)
                }
            case .chunkSize:
                guard let line = try readLine(&buffer) else { return keep(buffer) }
                let size = try Self.chunkSize(line)
                state = size == 0 ? .trailers : .chunkData(size)
            case .chunkData(let remaining):
                let slice = buffer.readSlice(length: min(remaining, buffer.readableBytes))!
                emit(.body(slice))
                state = slice.readableBytes == remaining ? .chunkDataEnd : .chunkData(remaining - slice.readableBytes)
            case .chunkDataEnd:
                guard let line = try readLine(&buffer) else { return keep(buffer) }
                guard line.readableBytes == 0 else { throw UpstreamResponseInvalid(reason: "chunk longer than its size") }
                state = .chunkSize
            case .trailers:
                guard let line = try readLine(&buffer) else { return keep(buffer) }
                if line.readableBytes == 0 {
                    state = .head
                    return try ended(buffer, emit)
                }
            case .untilClose:
                emit(.body(buffer))
                return
            }
        }
    }

    /// The response ended: nothing may follow it in this read.
    private func ended(_ rest: ByteBuffer, _ emit: (UpstreamResponseEvent) -> Void) throws {
        emit(.end)
        guard rest.readableBytes == 0 else { throw UpstreamResponseInvalid(reason: "bytes after the response") }
    }

    private func keep(_ buffer: ByteBuffer) {
        guard buffer.readableBytes > 0 else { return }
        var rest = buffer
        pending.clear()
        pending.writeBuffer(&rest)
    }

    /// The next line (without its line break), or nil when it has not all come yet.
    private func readLine(_ buffer: inout ByteBuffer) throws -> ByteBuffer? {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            guard buffer.readableBytes < 4_096 else { throw UpstreamResponseInvalid(reason: "line too long") }
            return nil
        }
        let length = newline - buffer.readerIndex
        var line = buffer.readSlice(length: length)!
        buffer.moveReaderIndex(forwardBy: 1)
        if line.readableBytesView.last == UInt8(ascii: "\r") { line.moveWriterIndex(to: line.writerIndex - 1) }
        return line
    }

    /// A chunk-size line: hex digits, then optional extensions (ignored).
    static func chunkSize(_ line: ByteBuffer) throws -> Int {
        var size = 0
        var digits = 0
        for byte in line.readableBytesView {
            let digit: Int
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = Int(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = Int(byte - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = Int(byte - UInt8(ascii: "A")) + 10
            case UInt8(ascii: ";"), UInt8(ascii: " "), UInt8(ascii: "\t"):
                guard digits > 0 else { throw UpstreamResponseInvalid(reason: "bad chunk size") }
                return size
            default: throw UpstreamResponseInvalid(reason: "bad chunk size")
            }
            digits += 1
            guard digits <= 15 else { throw UpstreamResponseInvalid(reason: "chunk too large") }
            size = size * 16 + digit
        }
        guard digits > 0 else { throw UpstreamResponseInvalid(reason: "bad chunk size") }
        return size
    }

    /// The head at the front of `buffer` once all of it is there (moving the reader past it), else nil.
    private func readHead(_ buffer: inout ByteBuffer) throws -> UpstreamResponseHead? {
        guard let length = Self.headLength(buffer) else {
            guard buffer.readableBytes <= Self.maxHeadBytes else { throw UpstreamResponseInvalid(reason: "head too large") }
            return nil
        }
        guard length <= Self.maxHeadBytes else { throw UpstreamResponseInvalid(reason: "head too large") }
        let bytes = buffer.readSlice(length: length)!
        return try Self.parseHead(bytes)
    }

    /// The length of the head at the front of `buffer` (through its empty line), if it has all come.
    static func headLength(_ buffer: ByteBuffer) -> Int? {
        buffer.withUnsafeReadableBytes { raw -> Int? in
            var index = 0
            while index < raw.count {
                guard let newline = raw[index...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
                // An empty line: LF right after the previous LF, or after CR right after it.
                let next = newline + 1
                if next < raw.count, raw[next] == UInt8(ascii: "\n") { return next + 1 }
                if next + 1 < raw.count, raw[next] == UInt8(ascii: "\r"), raw[next + 1] == UInt8(ascii: "\n") { return next + 2 }
                index = next
            }
            return nil
        }
    }

    /// Parses a complete head (status line, fields, empty line).
    static func parseHead(_ bytes: ByteBuffer) throws -> UpstreamResponseHead {
        try bytes.withUnsafeReadableBytes { raw in
            // The status line: HTTP/1.x SSS[ reason]
            guard let firstNewline = raw.firstIndex(of: UInt8(ascii: "\n")) else { throw UpstreamResponseInvalid(reason: "no status line") }
            let statusEnd = firstNewline > 0 && raw[firstNewline - 1] == UInt8(ascii: "\r") ? firstNewline - 1 : firstNewline
            guard statusEnd >= 12, raw[0] == UInt8(ascii: "H"), raw[1] == UInt8(ascii: "T"), raw[2] == UInt8(ascii: "T"), raw[3] == UInt8(ascii: "P"),
                  raw[4] == UInt8(ascii: "/"), raw[5] == UInt8(ascii: "1"), raw[6] == UInt8(ascii: "."),
                  raw[7] == UInt8(ascii: "0") || raw[7] == UInt8(ascii: "1"), raw[8] == UInt8(ascii: " ")
            else { throw UpstreamResponseInvalid(reason: "bad status line") }
            let minorVersion = Int(raw[7] - UInt8(ascii: "0"))
            var status = 0
            for index in 9..<12 {
                let byte = raw[index]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { throw UpstreamResponseInvalid(reason: "bad status code") }
                status = status * 10 + Int(byte - UInt8(ascii: "0"))
            }
            guard status >= 100 else { throw UpstreamResponseInvalid(reason: "bad status code") }
            var reason = statusEnd..<statusEnd
            if statusEnd > 12 {
                guard raw[12] == UInt8(ascii: " ") else { throw UpstreamResponseInvalid(reason: "bad status line") }
                reason = 13..<statusEnd
                guard !raw[reason].contains(where: isControl) else { throw UpstreamResponseInvalid(reason: "bad reason phrase") }
            }

            let fieldSection = firstNewline + 1..<raw.count
            var contentType: String?
            var contentLength: Int?
            var transferEncoding = false
            var chunked = false
            var close = false
            var keepAliveOption = false
            var connectionOptions = false
            var invalid: String?
            forEachLine(raw, in: fieldSection) { line in
                guard invalid == nil else { return }
                guard raw[line.lowerBound] != UInt8(ascii: " "), raw[line.lowerBound] != UInt8(ascii: "\t") else {
                    invalid = "folded field"
                    return
                }
                guard let colon = raw[line].firstIndex(of: UInt8(ascii: ":")), colon > line.lowerBound,
                      raw[line.lowerBound..<colon].allSatisfy(isTokenByte)
                else {
                    invalid = "bad field"
                    return
                }
                let value = trimmedValue(raw, colon + 1..<line.upperBound)
                guard !raw[value].contains(where: isControl) else {
                    invalid = "control character in a field"
                    return
                }
                let name = raw[line.lowerBound..<colon]
                switch name.count {
                case 12 where ASCIIBytes.equalsLowercased(name, "content-type"):
                    if contentType == nil { contentType = mediaType(raw[value]) }
                case 14 where ASCIIBytes.equalsLowercased(name, "content-length"):
                    guard let length = decimal(raw, value), contentLength == nil || contentLength == length else {
                        invalid = "bad content length"
                        return
                    }
                    contentLength = length
                case 17 where ASCIIBytes.equalsLowercased(name, "transfer-encoding"):
                    // Chunked when it is the last coding of all the Transfer-Encoding fields.
                    transferEncoding = true
                    var last: Range<Int>?
                    forEachListItem(raw, in: value) { last = $0 }
                    chunked = last.map { ASCIIBytes.equalsLowercased(raw[$0], "chunked") } ?? false
                case 10 where ASCIIBytes.equalsLowercased(name, "connection"):
                    forEachListItem(raw, in: value) { item in
                        if ASCIIBytes.equalsLowercased(raw[item], "close") {
                            close = true
                        } else if ASCIIBytes.equalsLowercased(raw[item], "keep-alive") {
                            keepAliveOption = true
                        } else {
                            connectionOptions = true
                        }
                    }
                default: break
                }
            }
            if let invalid { throw UpstreamResponseInvalid(reason: invalid) }
            if transferEncoding {
                // RFC 9112 §6.3: Transfer-Encoding overrides Content-Length (and a message with both closes its connection:
                // it may be an attempt at request smuggling); a body not chunked ends with the connection.
                if contentLength != nil || !chunked { close = true }
                contentLength = nil
            }
            let keepAlive = !close && (minorVersion == 1 || keepAliveOption) && (chunked || contentLength != nil || status == 204 || status == 304)
            return UpstreamResponseHead(bytes: bytes, status: status, reason: reason, fieldSection: fieldSection, contentType: contentType,
                                        contentLength: contentLength, chunked: chunked, keepAlive: keepAlive, hasConnectionOptions: connectionOptions)
        }
    }

    /// Calls `body` with each non-empty line of `range` (without its line break), up to the first empty line.
    static func forEachLine(_ raw: UnsafeRawBufferPointer, in range: Range<Int>, _ body: (Range<Int>) -> Void) {
        var start = range.lowerBound
        while start < range.upperBound, let newline = raw[start..<range.upperBound].firstIndex(of: UInt8(ascii: "\n")) {
            let end = newline > start && raw[newline - 1] == UInt8(ascii: "\r") ? newline - 1 : newline
            if end == start { return }
            body(start..<end)
            start = newline + 1
        }
    }

    /// Calls `body` with each comma-separated item of a field value, without surrounding spaces (empty items skipped).
    static func forEachListItem(_ raw: UnsafeRawBufferPointer, in range: Range<Int>, _ body: (Range<Int>) -> Void) {
        var start = range.lowerBound
        while start <= range.upperBound {
            let end = raw[start..<range.upperBound].firstIndex(of: UInt8(ascii: ",")) ?? range.upperBound
            let item = trimmedValue(raw, start..<end)
            if !item.isEmpty { body(item) }
            start = end + 1
        }
    }

    /// `range` without spaces and tabs at either end.
    static func trimmedValue(_ raw: UnsafeRawBufferPointer, _ range: Range<Int>) -> Range<Int> {
        var start = range.lowerBound
        var end = range.upperBound
        while start < end, raw[start] == UInt8(ascii: " ") || raw[start] == UInt8(ascii: "\t") { start += 1 }
        while end > start, raw[end - 1] == UInt8(ascii: " ") || raw[end - 1] == UInt8(ascii: "\t") { end -= 1 }
        return start..<end
    }

    /// A Content-Type value as a string; the usual ones without building a new string.
    private static func mediaType(_ value: Slice<UnsafeRawBufferPointer>) -> String {
        for common in commonMediaTypes where value.elementsEqual(common.utf8) { return common }
        return String(decoding: value, as: UTF8.self)
    }

    private static let commonMediaTypes = ["application/json", "text/event-stream", "application/json; charset=utf-8", "text/event-stream; charset=utf-8"]

    private static func isControl(_ byte: UInt8) -> Bool {
        (byte < 0x20 && byte != 0x09) || byte == 0x7F
    }

    /// RFC 9110 token characters (field names).
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "*"),
             UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"),
             UInt8(ascii: "~"): true
        default: false
        }
    }


    /// A non-negative decimal of at most 18 digits.
    private static func decimal(_ raw: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int? {
        guard !range.isEmpty, range.count <= 18 else { return nil }
        var result = 0
        for byte in raw[range] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            result = result * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return result
    }
}

/// ASCII case for header names as bytes.
enum ASCIIBytes {
    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte &- 0x41 < 26 ? byte | 0x20 : byte
    }

    /// Whether `bytes` spell `lowercased` (lower-case ASCII), ignoring ASCII case.
    static func equalsLowercased(_ bytes: Slice<UnsafeRawBufferPointer>, _ lowercased: String) -> Bool {
        guard bytes.count == lowercased.utf8.count else { return false }
        var index = bytes.startIndex
        for expected in lowercased.utf8 {
            guard Self.lowercased(bytes[index]) == expected else { return false }
            index += 1
        }
        return true
    }
}
