import Foundation
import HTTPTypes
import Testing
import TroughCore
@testable import TroughServer

extension ServerSuites.ProxyTests {
    /// An answer's usage: 1,000 input and 500 output tokens of gpt-4o-mini ($0.15 and $0.60 per million) = $0.00045.
    static let framedAnswer = #"{"id":"c1","object":"chat.completion","model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1000,"completion_tokens":500,"total_tokens":1500}}"#
    static let framedStream = #"data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"Hi"}}]}"# + "\n\n"
        + #"data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":1000,"completion_tokens":500,"total_tokens":1500}}"# + "\n\n"
        + "data: [DONE]\n\n"

    static func chunked(_ text: String, pieces: Int) -> String {
        let bytes = Array(text.utf8)
        let size = (bytes.count + pieces - 1) / pieces
        var wire = ""
        for start in stride(from: 0, to: bytes.count, by: size) {
            let piece = bytes[start..<min(start + size, bytes.count)]
            wire += String(piece.count, radix: 16) + ";piece=\(start)\r\n" + String(decoding: piece, as: UTF8.self) + "\r\n"
        }
        return wire + "0\r\nX-Checksum: none\r\n\r\n"
    }

    @Test("upstream answers framed every way HTTP/1.1 allows (1xx first, bare LF lines, ended by the close, chunk extensions and trailers) reach the client whole and priced; an invalid one is a 502",
          .enabled(if: ProcessInfo.processInfo.environment["TROUGH_TEST_PROXY_PATH"] != "router"))
    func upstreamFramings() async throws {
        let answer = Self.framedAnswer
        let upstream = try await ScriptedUpstream(answers: [
            "close": .init(bytes: "HTTP/1.1 200 OK\r\nServer: raw\r\nDate: today\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n" + answer, closes: true),
            "early": .init(bytes: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\nContent-Type: application/json\nX-Upstream:  kept \nContent-Length: \(answer.utf8.count)\n\n" + answer),
            "chunked": .init(bytes: "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n" + Self.chunked(Self.framedStream, pieces: 3)),
            "invalid": .init(bytes: "HTTP/1.1 200 OK\r\nX-Bad: a\u{1}b\r\nContent-Length: 2\r\n\r\nok"),
        ])
        defer { Task { await upstream.stop() } }
        try await ProxySetup.with(.sqlite, environment: ["TROUGH_ALLOW_PRIVATE_UPSTREAMS": "true"]) { app, setup, _ in
            try await setup.addService(app, name: "raw", kind: "openai", baseURL: upstream.baseURL + "/v1")
            let body = #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}]}"#
            func call(_ scenario: String, stream: Bool = false) async throws -> (status: Int, headers: HTTPFields, body: String) {
                let payload = stream ? #"{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"messages":[]}"# : body
                return try await Self.call(app, .post, "/proxy/raw/chat/completions", token: setup.token, body: payload,
                                           headers: [HTTPField.Name("X-Case")!: scenario])
            }

            // Ended by the close: a JSON answer of unknown length, held whole for its cost header.
            let closed = try await call("close")
            #expect(closed.status == 200 && closed.body == answer)
            #expect(closed.headers[HTTPField.Name("X-Trough-Cost-Usd")!] == "0.00045")
            #expect(closed.headers[HTTPField.Name("Server")!] == nil && closed.headers[.date] == nil, "Server and Date stay behind")
            #expect(closed.headers[HTTPField.Name("X-Request-Id")!] != nil && closed.headers[.connection] == nil)

            // A 1xx first, lines ending in LF: held, so the cost comes in a header; the connection is then reused.
            for _ in 0..<2 {
                let early = try await call("early")
                #expect(early.status == 200 && early.body == answer)
                #expect(early.headers[HTTPField.Name("X-Trough-Cost-Usd")!] == "0.00045")
                #expect(early.headers[HTTPField.Name("X-Upstream")!] == "kept")
            }
            #expect(upstream.connectionCount == 2, "a new connection after the close, then one kept alive")

            // Chunks with extensions and a trailer: the client gets the stream's bytes, in order.
            let streamed = try await call("chunked", stream: true)
            #expect(streamed.status == 200 && streamed.body == Self.framedStream)

            // Not HTTP: 502, recorded, and the connection is not reused.
            let invalid = try await call("invalid")
            #expect(invalid.status == 502 && invalid.body.contains("upstream_unavailable"))
            let reused = try await call("early")
            #expect(reused.status == 200)

            // An HTTP/1.0 client gets an answer of unknown length ended by the close, not chunked.
            let port = try #require(app.client.port)
            let raw = try await RawHTTP.exchange(
                port: port, "POST /proxy/raw/chat/completions HTTP/1.0\r\nHost: 127.0.0.1\r\nX-Project-Token: \(setup.token)\r\nX-Case: close\r\n"
                    + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body, wait: .seconds(10))
            #expect(raw.response.hasPrefix("HTTP/1.0 200 OK\r\n") && raw.response.hasSuffix("\r\n\r\n" + answer), "\(raw.response)")
            #expect(!raw.response.lowercased().contains("transfer-encoding") && raw.serverClosed)

            let events = try await app.events(projectID: setup.projectID, tenantID: setup.owner.tenantID, count: 7)
            #expect(events.count == 7)
            let priced = events.filter { $0.status == 200 }
            #expect(priced.count == 6 && priced.allSatisfy { $0.cost.nanos == 450_000 && $0.costSource == .usage })
            #expect(events.filter { $0.status == 502 }.count == 1)
        }
    }

    @Test("a JSON answer of unknown length (chunked) is held for its cost header, up to TROUGH_COST_HEADER_MAX_BYTES; a longer one, NDJSON and the JSON answering a streamed request go on as they come; all priced")
    func chunkedJSONAnswers() async throws {
        let answer = Self.framedAnswer
        // The same usage after 3,000 bytes of content: past the 1,024-byte hold limit below.
        let long = answer.replacingOccurrences(of: #""content":"Hi""#, with: #""content":""# + String(repeating: "x", count: 3_000) + #"""#)
        let chunkedHead = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: "
        let upstream = try await ScriptedUpstream(answers: [
            "json": .init(bytes: chunkedHead + "application/json; charset=utf-8\r\n\r\n" + Self.chunked(answer, pieces: 3)),
            "long": .init(bytes: chunkedHead + "application/json\r\n\r\n" + Self.chunked(long, pieces: 5)),
            "ndjson": .init(bytes: chunkedHead + "application/x-ndjson\r\n\r\n" + Self.chunked(answer + "\n", pieces: 2)),
            "empty": .init(bytes: "HTTP/1.1 204 No Content\r\nContent-Type: application/json\r\n\r\n"),
        ])
        defer { Task { await upstream.stop() } }
        try await ProxySetup.with(.sqlite, environment: ["TROUGH_ALLOW_PRIVATE_UPSTREAMS": "true", "TROUGH_COST_HEADER_MAX_BYTES": "1024"]) { app, setup, _ in
            try await setup.addService(app, name: "raw", kind: "openai", baseURL: upstream.baseURL + "/v1")
            func call(_ scenario: String, stream: Bool = false) async throws -> (status: Int, headers: HTTPFields, body: String) {
                let payload = #"{"model":"gpt-4o-mini","stream":\#(stream),"messages":[{"role":"user","content":"Hi"}]}"#
                return try await Self.call(app, .post, "/proxy/raw/chat/completions", token: setup.token, body: payload,
                                           headers: [HTTPField.Name("X-Case")!: scenario])
            }
            let cost = HTTPField.Name("X-Trough-Cost-Usd")!

            let held = try await call("json")
            #expect(held.status == 200 && held.body == answer)
            #expect(held.headers[cost] == "0.00045")
            #expect(held.headers[.contentLength] == String(answer.utf8.count) && held.headers[.transferEncoding] == nil)

            for (scenario, stream, body) in [("long", false, long), ("ndjson", false, answer + "\n"), ("json", true, answer)] {
                let passed = try await call(scenario, stream: stream)
                #expect(passed.status == 200 && passed.body == body, "\(scenario)")
                #expect(passed.headers[cost] == nil, "\(scenario) is not held")
            }

            // A 204 that names a JSON type: no body to hold, and no length or cost header on it.
            let empty = try await call("empty")
            #expect(empty.status == 204 && empty.body.isEmpty && empty.headers[cost] == nil)
            #expect(empty.headers[.contentLength] == nil && empty.headers[.transferEncoding] == nil)

            let events = try await app.events(projectID: setup.projectID, tenantID: setup.owner.tenantID, count: 5)
            #expect(events.count == 5)
            #expect(events.filter { $0.status == 200 }.allSatisfy { $0.cost.nanos == 450_000 && $0.costSource == .usage })
        }
    }
}
