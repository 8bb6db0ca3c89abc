import NIOCore
import NIOHTTP1
import Testing
@testable import TroughServer

/// The event-loop proxy reads upstream answers from the bytes (RFC 9112) and writes them to the client as bytes: every
/// framing, split anywhere across reads, gives the same head and body; what is not a valid answer is refused.
@Suite("Upstream response parser")
struct UpstreamResponseParserTests {
    /// What a parser made of `wire` read in pieces of `piece` bytes (0: all at once), plus the close when `closes`.
    struct Parsed {
        var heads: [UpstreamResponseHead] = []
        var body: [UInt8] = []
        var ends = 0
    }

    static func parse(_ wire: String, piece: Int = 0, requestIsHead: Bool = false, closes: Bool = false) throws -> Parsed {
        let parser = UpstreamResponseParser()
        var parsed = Parsed()
        let bytes = Array(wire.utf8)
        let size = piece == 0 ? max(bytes.count, 1) : piece
        for start in stride(from: 0, to: bytes.count, by: size) {
            try parser.read(ByteBuffer(bytes: bytes[start..<min(start + size, bytes.count)]), requestIsHead: requestIsHead) { event in
                switch event {
                case .head(let head): parsed.heads.append(head)
                case .body(let body): parsed.body += Array(body.readableBytesView)
                case .end: parsed.ends += 1
                }
            }
        }
        if closes, parser.connectionClosed() != nil { parsed.ends += 1 }
        return parsed
    }

    @Test("Content-Length, chunked (with extensions and trailers), close-delimited and bodiless answers, split at every byte")
    func framings() throws {
        let fixed = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\nX-Request-Id: up\r\n\r\n{\"ok\":true}"
        let chunked = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "6;ext=1\r\ndata: \r\n9\r\n{\"a\":1}\n\n\r\n0\r\nX-Trailer: t\r\n\r\n"
        let untilClose = "HTTP/1.0 200 OK\nContent-Type: text/plain\n\nall of it"
        for piece in [0, 1, 2, 3, 7] {
            let a = try Self.parse(fixed, piece: piece)
            #expect(a.heads.count == 1 && a.ends == 1 && String(decoding: a.body, as: UTF8.self) == "{\"ok\":true}")
            #expect(a.heads.first?.status == 200 && a.heads.first?.contentLength == 11 && a.heads.first?.keepAlive == true)
            #expect(a.heads.first?.contentType == "application/json" && a.heads.first?.value(of: "x-request-id") == "up")

            let b = try Self.parse(chunked, piece: piece)
            #expect(b.heads.count == 1 && b.ends == 1, "piece \(piece)")
            #expect(String(decoding: b.body, as: UTF8.self) == "data: {\"a\":1}\n\n")
            #expect(b.heads.first?.chunked == true && b.heads.first?.keepAlive == true && b.heads.first?.contentType == "text/event-stream")

            let c = try Self.parse(untilClose, piece: piece, closes: true)
            #expect(c.ends == 1 && String(decoding: c.body, as: UTF8.self) == "all of it" && c.heads.first?.keepAlive == false)
        }
        // 1xx answers are skipped; HEAD, 204 and 304 answers have no body whatever their length says.
        let informational = try Self.parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok")
        #expect(informational.heads.map(\.status) == [201] && informational.body == Array("ok".utf8))
        let head = try Self.parse("HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n", requestIsHead: true)
        #expect(head.ends == 1 && head.body.isEmpty)
        let noContent = try Self.parse("HTTP/1.1 204 No Content\r\n\r\n")
        #expect(noContent.ends == 1 && noContent.heads.first?.keepAlive == true)
        // Transfer-Encoding wins over Content-Length, and such a connection is not reused.
        let both = try Self.parse("HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n")
        #expect(both.body == Array("hi".utf8) && both.heads.first?.contentLength == nil && both.heads.first?.keepAlive == false)
        let closing = try Self.parse("HTTP/1.1 200 OK\r\nConnection: close, X-Hop\r\nX-Hop: 1\r\nContent-Length: 0\r\n\r\n")
        #expect(closing.heads.first?.keepAlive == false && closing.heads.first?.connectionOptions() == [Array("x-hop".utf8)])
    }

    @Test("what is not a valid answer is refused: folded or malformed fields, control characters, bad lengths and chunks, extra bytes")
    func refused() {
        let invalid = [
            "HTTP/2 200 OK\r\n\r\n",
            "HTTP/1.1 20 OK\r\n\r\n",
            "HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nX-A : 1\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nX-A: a\u{1}b\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhello\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA",
            "HTTP/1.1 101 Switching Protocols\r\n\r\n",
        ]
        for wire in invalid {
            #expect(throws: UpstreamResponseInvalid.self, "\(wire.debugDescription)") { try Self.parse(wire) }
        }
    }

    @Test("the client's head: the upstream's status and fields minus hop-by-hop ones, Date, Server and those Trough sets, plus Trough's")
    func clientHead() throws {
        let wire = "HTTP/1.1 429 Too Many Requests\r\nDate: x\r\nServer: up\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\n"
            + "Retry-After:  3 \r\nX-Request-Id: upstream\r\nKeep-Alive: timeout=5\r\nContent-Length: 2\r\n\r\nno"
        let head = try #require(try Self.parse(wire).heads.first)
        var output = ByteBuffer()
        ClientAnswer.startHead(head, version: .http1_1, into: &output)
        HTTP1Bytes.writeField("X-Request-Id", "req_1", into: &output)
        HTTP1Bytes.writeField("Content-Length", "2", into: &output)
        HTTP1Bytes.endHead(into: &output)
        #expect(String(buffer: output) == "HTTP/1.1 429 Too Many Requests\r\nRetry-After:  3\r\nX-Request-Id: req_1\r\nContent-Length: 2\r\n\r\n")
        let bare = try #require(try Self.parse("HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n").heads.first)
        output.clear()
        ClientAnswer.startHead(bare, version: .http1_0, into: &output)
        HTTP1Bytes.endHead(into: &output)
        #expect(String(buffer: output) == "HTTP/1.0 404 Not Found\r\n\r\n")
        output.clear()
        HTTP1Bytes.writeChunk(ByteBuffer(string: String(repeating: "x", count: 26)), into: &output)
        #expect(String(buffer: output) == "1a\r\n" + String(repeating: "x", count: 26) + "\r\n")
    }
}
