/// Reads an SSE stream for the usage accumulator: keeps only the current line's field name and the current
/// event's `data` (bounded: an event over 1 MiB keeps just its head and tail), never the stream.
struct SSEDataReader: Sendable {
    static let eventLimit = 1024 * 1024

    private enum LineState: Sendable {
        /// Reading the field name (up to the first colon).
        case name
        /// Streaming a `data` value into the event's data.
        case data
        /// Anything else: comments, `event`, `id`, `retry`, unknown fields.
        case ignore
    }

    private var lineState = LineState.name
    private var name: [UInt8] = []
    private var skipSpace = false
    private var afterCR = false
    private var lineHasBytes = false
    private var data = BoundedBuffer(wholeLimit: SSEDataReader.eventLimit)
    private var hasData = false

    mutating func consume(_ bytes: UnsafeBufferPointer<UInt8>, into state: inout UsageState) {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if afterCR {
                afterCR = false
                if byte == ASCII.lf { continue }
            }
            if byte == ASCII.lf || byte == ASCII.cr {
                afterCR = byte == ASCII.cr
                endLine(into: &state)
                continue
            }
            lineHasBytes = true
            switch lineState {
            case .name:
                if byte == ASCII.colon {
                    if name.elementsEqual(ASCII.data) {
                        startDataLine()
                        lineState = .data
                        skipSpace = true
                    } else {
                        lineState = .ignore
                    }
                } else if name.count < 8 {
                    name.append(byte)
                } else {
                    lineState = .ignore
                }
            case .data:
                if skipSpace {
                    skipSpace = false
                    if byte == ASCII.space { continue }
                }
                // The rest of the line goes in at once.
                let end = Self.lineEnd(from: index, in: bytes)
                data.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[(index - 1)..<end]))
                index = end
            case .ignore:
                index = Self.lineEnd(from: index, in: bytes)
            }
        }
    }

    /// Where the line going on at `index` ends in `bytes` (at its CR or LF, or the end of the bytes): the first LF
    /// by memchr, then the first CR before it (CRLF endings, or a bare CR), by memchr too.
    private static func lineEnd(from index: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        let lf = ASCIIBytes.firstOffset(of: ASCII.lf, in: bytes, from: index) ?? bytes.count
        return ASCIIBytes.firstOffset(of: ASCII.cr, in: bytes, from: index, to: lf) ?? lf
    }

    /// The body ended: an unterminated last line and event are read as if complete.
    mutating func finish(into state: inout UsageState) {
        if lineHasBytes { endLine(into: &state) }
        dispatch(into: &state)
    }

    private mutating func startDataLine() {
        if hasData { data.append(ASCII.lf) }
        hasData = true
    }

    private mutating func endLine(into state: inout UsageState) {
        if !lineHasBytes {
            dispatch(into: &state)
        } else if lineState == .name, name.elementsEqual(ASCII.data) {
            startDataLine()
        }
        lineState = .name
        name.removeAll(keepingCapacity: true)
        skipSpace = false
        lineHasBytes = false
    }

    private mutating func dispatch(into state: inout UsageState) {
        guard hasData else { return }
        state.handle(data)
        data.reset()
        hasData = false
    }
}
