/// Splits an SSE byte stream into complete events, keeping each event's exact bytes so a proxy can forward or drop it.
///
/// Lines end with `\n`, `\r\n` or `\r` (per the SSE spec); an event ends with a blank line. Every byte pushed comes
/// back exactly once, in order, in some event's `raw` or in `pending()`: comment-only blocks and stray blank lines
/// are returned as events with empty `data`, so nothing is lost when the caller forwards `raw`.
public struct SSEEventSplitter: Sendable {
    /// One event as it appeared on the wire.
    public struct Event: Sendable {
        /// The exact bytes of the event including its terminating blank line.
        public var raw: [UInt8]
        /// The `event:` field.
        public var event: String?
        /// `data:` lines joined with "\n" (the leading single space after "data:" removed).
        public var data: String

        public init(raw: [UInt8], event: String?, data: String) {
            self.raw = raw
            self.event = event
            self.data = data
        }
    }

    /// Bytes of the current, incomplete event.
    private var buffer: [UInt8] = []
    /// How far `buffer` has been split into lines.
    private var scanned = 0
    private var lineStart = 0
    private var eventName: String?
    private var dataLines: [String] = []
    private var atStreamStart = true

    public init() {}

    /// Returns the events completed by these bytes.
    public mutating func push(_ bytes: some Collection<UInt8>) -> [Event] {
        buffer.append(contentsOf: bytes)
        var events: [Event] = []
        var eventStart = 0
        while scanned < buffer.count {
            let byte = buffer[scanned]
            guard byte == ASCII.lf || byte == ASCII.cr else {
                scanned += 1
                continue
            }
            var next = scanned + 1
            if byte == ASCII.cr {
                // Wait for the next byte: a following "\n" belongs to this line ending.
                guard next < buffer.count else { break }
                if buffer[next] == ASCII.lf { next += 1 }
            }
            if lineStart == scanned {
                events.append(Event(raw: Array(buffer[eventStart..<next]), event: eventName, data: dataLines.joined(separator: "\n")))
                eventName = nil
                dataLines.removeAll()
                eventStart = next
            } else {
                interpret(buffer[lineStart..<scanned])
            }
            scanned = next
            lineStart = next
        }
        if eventStart > 0 {
            buffer.removeFirst(eventStart)
            scanned -= eventStart
            lineStart -= eventStart
        }
        return events
    }

    /// Bytes of an incomplete trailing event.
    public func pending() -> [UInt8] {
        buffer
    }

    private mutating func interpret(_ line: ArraySlice<UInt8>) {
        var line = line
        if atStreamStart {
            atStreamStart = false
            if line.starts(with: ASCII.byteOrderMark) { line = line.dropFirst(ASCII.byteOrderMark.count) }
        }
        guard let field = SSEField(line: line) else { return }
        switch field.name {
        case .data: dataLines.append(String(decoding: field.value, as: UTF8.self))
        case .event: eventName = String(decoding: field.value, as: UTF8.self)
        case .other: break
        }
    }
}
