import HTTPTypes
import NIOHTTP1
import Testing
@testable import TroughServer

/// Which headers cross the proxy: hop-by-hop ones (RFC 9110 §7.6.1), those a `Connection` header names, and Trough's own stay behind.
@Suite("Proxy headers")
struct ProxyHeadersTests {
    @Test("headers named by Connection are dropped both ways; keep-alive and close name nothing more")
    func connectionOptions() throws {
        var fields = HTTPFields()
        fields[.connection] = "keep-alive, X-Secret-Hop"
        fields[HTTPField.Name("X-Secret-Hop")!] = "1"
        fields[HTTPField.Name("X-Kept")!] = "2"
        fields[HTTPField.Name("Keep-Alive")!] = "timeout=5"
        fields[.projectToken] = "trough_pt_x"
        fields[.authorization] = "Bearer sk-client"
        let upstream = ProxyHeaders.upstream(from: fields, kind: .openai) { "sk-stored" }
        #expect(upstream["X-Secret-Hop"].isEmpty)
        #expect(upstream["Keep-Alive"].isEmpty && upstream["Connection"].isEmpty && upstream["X-Project-Token"].isEmpty)
        #expect(upstream["X-Kept"] == ["2"])
        #expect(upstream["Authorization"] == ["Bearer sk-client"], "the client's own credential wins over the stored key")

        let plain = ProxyHeaders.downstream(from: HTTPHeaders([("Connection", "Keep-Alive"), ("X-Other", "1"), ("Date", "x"), ("Content-Length", "5")]))
        #expect(plain.map(\.name) == ["X-Other"])
        let closing = ProxyHeaders.downstream(from: HTTPHeaders([("Connection", "close"), ("X-Other", "1")]))
        #expect(closing.map(\.name) == ["X-Other"])
        let named = ProxyHeaders.downstream(from: HTTPHeaders([("Connection", "close, X-Drop"), ("x-drop", "1"), ("X-Kept", "2")]))
        #expect(named.map(\.name) == ["X-Kept"])
    }

    @Test("a stored key with a control character is not sent (it would break the request's framing)")
    func unsafeStoredKey() {
        let fields = HTTPFields([HTTPField(name: .projectToken, value: "trough_pt_x")])
        #expect(ProxyHeaders.upstream(from: fields, kind: .openai) { "sk-stored\tpart" }["Authorization"] == ["Bearer sk-stored\tpart"])
        #expect(ProxyHeaders.upstream(from: fields, kind: .openai) { "sk-stored\r\nX-Injected: 1" }["Authorization"].isEmpty)
        #expect(ProxyHeaders.upstream(from: fields, kind: .anthropic) { "sk-ant\u{0}" }["x-api-key"].isEmpty)
        #expect(ProxyHeaders.upstream(from: fields, kind: .gemini) { "AIza-key" }["x-goog-api-key"] == ["AIza-key"])
    }
}

@Suite("Answers held for the cost header")
struct HeldAnswerTests {
    @Test("a JSON document of unknown length is held; event streams, newline-delimited JSON and streamed requests' answers are not")
    func holdsAnswer() {
        var settings = ProxySettings()
        settings.costHeaderMaxBytes = 1024
        #expect(settings.holdsAnswer(contentType: "application/json; charset=utf-8", length: nil, requestStreams: false))
        #expect(settings.holdsAnswer(contentType: "Application/Problem+JSON", length: nil, requestStreams: false))
        #expect(!settings.holdsAnswer(contentType: "application/json", length: nil, requestStreams: true))
        #expect(!settings.holdsAnswer(contentType: "application/x-ndjson", length: nil, requestStreams: false))
        // The usage reader takes `stream+json` as newline-delimited JSON, so it is not held as one document either.
        #expect(!settings.holdsAnswer(contentType: "application/stream+json", length: nil, requestStreams: false))
        #expect(!settings.holdsAnswer(contentType: "text/event-stream", length: 10, requestStreams: false))
        #expect(settings.holdsAnswer(contentType: "text/plain", length: 1024, requestStreams: false))
        #expect(!settings.holdsAnswer(contentType: "application/json", length: 1025, requestStreams: false))
        #expect(settings.holdsNoLonger(heldBytes: 1025, length: nil) && !settings.holdsNoLonger(heldBytes: 1025, length: 2000))
    }
}
