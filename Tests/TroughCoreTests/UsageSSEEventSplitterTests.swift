import Testing
@testable import TroughCore

@Suite("SSE event splitter")
struct UsageSSEEventSplitterTests {
    private func split(_ text: String, chunkSize: Int = Int.max) -> (events: [SSEEventSplitter.Event], pending: [UInt8]) {
        var splitter = SSEEventSplitter()
        let bytes = Array(text.utf8)
        var events: [SSEEventSplitter.Event] = []
        var start = 0
        while start < bytes.count {
            let end = min(start + chunkSize, bytes.count)
            events += splitter.push(bytes[start..<end])
            start = end
        }
        return (events, splitter.pending())
    }

    @Test("splits \\n-terminated events with their names and data")
    func lineFeeds() throws {
        let text = "event: message_start\ndata: {\"type\":\"message_start\"}\n\nevent: ping\ndata: {\"type\": \"ping\"}\n\n"
        let (events, pending) = split(text)
        try #require(events.count == 2)
        #expect(events.map(\.event) == ["message_start", "ping"])
        #expect(events.map(\.data) == [#"{"type":"message_start"}"#, #"{"type": "ping"}"#])
        #expect(events.map { String(decoding: $0.raw, as: UTF8.self) } == [
            "event: message_start\ndata: {\"type\":\"message_start\"}\n\n",
            "event: ping\ndata: {\"type\": \"ping\"}\n\n",
        ])
        #expect(pending.isEmpty)
    }

    @Test("\\r\\n and lone \\r end lines too")
    func carriageReturns() {
        let crlf = split("data: one\r\n\r\ndata: two\r\n\r\n")
        #expect(crlf.events.map(\.data) == ["one", "two"])
        #expect(crlf.events.map { String(decoding: $0.raw, as: UTF8.self) } == ["data: one\r\n\r\n", "data: two\r\n\r\n"])
        let cr = split("event: a\rdata: one\r\rdata: two\r\rdata: three")
        #expect(cr.events.map(\.data) == ["one", "two"])
        #expect(cr.events.map(\.event) == ["a", nil])
        #expect(cr.events.map { String(decoding: $0.raw, as: UTF8.self) } == ["event: a\rdata: one\r\r", "data: two\r\r"])
        #expect(cr.pending == Array("data: three".utf8))
    }

    @Test("a \\r at the end of a push waits for the next byte, which may be its \\n")
    func trailingCarriageReturn() {
        var splitter = SSEEventSplitter()
        #expect(splitter.push(Array("data: x\r\r".utf8)).isEmpty)
        #expect(splitter.pending() == Array("data: x\r\r".utf8))
        let events = splitter.push(Array("data: y".utf8))
        #expect(events.map { String(decoding: $0.raw, as: UTF8.self) } == ["data: x\r\r"])
        #expect(splitter.pending() == Array("data: y".utf8))
    }

    @Test("comments are kept in raw but not parsed; comment-only blocks come back with empty data")
    func comments() {
        let (events, pending) = split(": keep-alive\n\ndata: x\n: in the middle\ndata: y\n\n")
        #expect(events.count == 2)
        #expect(events.first?.data == "")
        #expect(events.first?.event == nil)
        #expect(events.first.map { String(decoding: $0.raw, as: UTF8.self) } == ": keep-alive\n\n")
        #expect(events.last?.data == "x\ny")
        #expect(events.last.map { String(decoding: $0.raw, as: UTF8.self) } == "data: x\n: in the middle\ndata: y\n\n")
        #expect(pending.isEmpty)
    }

    @Test("multi-line data joins with \\n and only one leading space is removed")
    func multiLineData() {
        let (events, _) = split("data:no-space\ndata:  two-spaces\ndata\nid: 7\nretry: 1000\n\n")
        #expect(events.map(\.data) == ["no-space\n two-spaces\n"])
    }

    @Test("an event split across pushes comes out once it is complete")
    func splitAcrossPushes() {
        var splitter = SSEEventSplitter()
        #expect(splitter.push(Array("data: hel".utf8)).isEmpty)
        #expect(splitter.pending() == Array("data: hel".utf8))
        #expect(splitter.push(Array("lo\n".utf8)).isEmpty)
        let events = splitter.push(Array("\ndata: next".utf8))
        #expect(events.map(\.data) == ["hello"])
        #expect(events.first?.raw == Array("data: hello\n\n".utf8))
        #expect(splitter.pending() == Array("data: next".utf8))
    }

    @Test("a \\r\\n split between pushes stays with its event")
    func crlfAcrossPushes() {
        var splitter = SSEEventSplitter()
        #expect(splitter.push(Array("data: a\r\n\r".utf8)).isEmpty)
        let events = splitter.push(Array("\ndata: b\r\n\r\n".utf8))
        #expect(events.map { String(decoding: $0.raw, as: UTF8.self) } == ["data: a\r\n\r\n", "data: b\r\n\r\n"])
        #expect(splitter.pending().isEmpty)
    }

    @Test("byte by byte, every byte comes back once and in order", arguments: [1, 2, 5, 13])
    func byteByByte(chunkSize: Int) {
        let text = UsageFixtures.anthropicStream + ": comment\r\n\r\n" + "data: ¡hola 👋\r" + "\rdata: [DONE]\n\ndata: tail"
        let whole = split(text)
        let chunked = split(text, chunkSize: chunkSize)
        #expect(chunked.events.map(\.data) == whole.events.map(\.data))
        #expect(chunked.events.map(\.event) == whole.events.map(\.event))
        #expect(chunked.events.flatMap(\.raw) + chunked.pending == Array(text.utf8))
        #expect(chunked.events.contains { $0.data == "¡hola 👋" })
        #expect(chunked.pending == Array("data: tail".utf8))
    }
}
