import Foundation
import Testing
@testable import TroughCore

@Suite("Usage accumulator")
struct UsageAccumulatorTests {
    @Test("every fixture yields its documented usage, fed whole", arguments: UsageFixtures.all)
    func whole(_ fixture: UsageFixture) {
        let accumulator = fixture.accumulate(chunkSize: Int.max)
        #expect(accumulator.usage() == fixture.expected)
        #expect(accumulator.sawEnd == fixture.sawEnd)
    }

    @Test("every fixture gives the same result fed byte by byte and in odd chunks", arguments: UsageFixtures.all)
    func chunked(_ fixture: UsageFixture) {
        for chunkSize in [1, 2, 3, 7, 64] {
            let accumulator = fixture.accumulate(chunkSize: chunkSize)
            #expect(accumulator.usage() == fixture.expected, "chunk size \(chunkSize)")
            #expect(accumulator.sawEnd == fixture.sawEnd, "chunk size \(chunkSize)")
        }
    }

    @Test("an Anthropic stream cut off after message_start still reports the input side")
    func anthropicCutOff() {
        var accumulator = UsageAccumulator(provider: .anthropic, contentType: "text/event-stream", requestModel: "claude-3-7-sonnet-latest")
        let body = sseBody([
            ("message_start", UsageFixtures.anthropicMessageStart),
            ("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}"#),
        ]) + "event: content_block_delta\ndata: {\"type\":\"content_blo"
        for byte in body.utf8 { accumulator.consume(CollectionOfOne(byte)) }
        #expect(accumulator.usage() == Usage(
            model: "claude-3-7-sonnet-20250219", inputTokens: 472, cachedInputTokens: 2048, cacheWriteTokens: 1024, outputTokens: 2
        ))
        #expect(!accumulator.sawEnd)
        // One piece so far (the last event is not complete): fewer than the 2 output tokens reported, no estimate.
        #expect(accumulator.unfinishedStreamDeltas == 1)
    }

    @Test("a stream cut short counts its generated pieces (for the estimate); one that ended, or a document, has none")
    func unfinishedStreamDeltas() {
        let chunk = { (delta: String) in #"data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":\#(delta),"finish_reason":null}]}"# + "\n\n" }
        let cut = chunk(#"{"role":"assistant","content":""}"#) + chunk(#"{"content":"Once"}"#) + chunk(#"{"content":" upon"}"#)
        var accumulator = UsageAccumulator(provider: .openai, contentType: "text/event-stream", requestModel: "gpt-4o")
        accumulator.consume(Array(cut.utf8))
        #expect(accumulator.usage() == nil && accumulator.unfinishedStreamDeltas == 3)
        accumulator.consume(Array((chunk("{}") + "data: [DONE]\n\n").utf8))
        #expect(accumulator.unfinishedStreamDeltas == nil)
        // A background response streamed and cut short goes on at OpenAI and is billed when a later answer reports its
        // usage (`DeferredUsage`): nothing is estimated for it here, or it would be billed twice.
        let background = #"data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_bg1","object":"response","status":"queued","background":true,"model":"o3-2025-04-16","output":[],"usage":null}}"# + "\n\n"
            + #"data: {"type":"response.output_text.delta","sequence_number":1,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Once"}"# + "\n\n"
        var job = UsageAccumulator(provider: .openai, contentType: "text/event-stream", requestModel: "o3", readsJobs: true)
        job.consume(Array(background.utf8))
        #expect(job.usage() == nil && job.unfinishedStreamDeltas == nil)
        var document = UsageAccumulator(provider: .openai, contentType: "application/json", requestModel: "gpt-4o")
        document.consume(Array(#"{"choices":[{"delta":{}}]"#.utf8))
        #expect(document.unfinishedStreamDeltas == nil)
    }

    @Test("usage can be read mid-stream and keeps growing to the final count")
    func readMidStream() {
        var accumulator = UsageAccumulator(provider: .anthropic, contentType: "text/event-stream", requestModel: nil)
        #expect(accumulator.usage() == nil)
        let body = Array(UsageFixtures.anthropicStream.utf8)
        accumulator.consume(body[..<(body.count / 2)])
        #expect(accumulator.usage()?.inputTokens == 472)
        accumulator.consume(body[(body.count / 2)...])
        #expect(accumulator.usage()?.outputTokens == 15)
        #expect(accumulator.sawEnd)
    }

    @Test("an empty body has no usage")
    func emptyBody() {
        for provider in ProviderKind.allCases {
            var accumulator = UsageAccumulator(provider: provider, contentType: "application/json", requestModel: "m")
            accumulator.consume([UInt8]())
            #expect(accumulator.usage() == nil)
        }
    }

    @Test("a final event without its blank line still counts")
    func unterminatedLastEvent() {
        var accumulator = UsageAccumulator(provider: .openai, contentType: "text/event-stream", requestModel: nil)
        accumulator.consume(Array(#"data: {"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":4,"total_tokens":13}}"#.utf8))
        #expect(accumulator.usage() == Usage(model: "gpt-4o", inputTokens: 9, outputTokens: 4))
    }

    @Test("SSE lines end in LF, CRLF or a bare CR; comments, other fields and a data line's value are read whole in any chunking")
    func sseLineEndings() {
        let body = ": keep-alive " + String(repeating: "x", count: 300) + "\r"
            + "event: chunk\r\nid: 7\nretry: 100\r"
            + "data:{\"model\":\"gpt-4o\",\"choices\":[],\r"
            + "data:   \"usage\":{\"prompt_tokens\":9,\"completion_tokens\":4,\"total_tokens\":13}}\r\r"
            + "data: [DONE]\n\n"
        let bytes = Array(body.utf8)
        for chunkSize in [1, 2, 3, 5, 64, bytes.count] {
            var accumulator = UsageAccumulator(provider: .openai, contentType: "text/event-stream", requestModel: nil)
            for start in stride(from: 0, to: bytes.count, by: chunkSize) {
                accumulator.consume(bytes[start..<min(start + chunkSize, bytes.count)])
            }
            // The data lines join with "\n" (one space after "data:" dropped, the rest kept: still JSON).
            #expect(accumulator.usage() == Usage(model: "gpt-4o", inputTokens: 9, outputTokens: 4), "chunk size \(chunkSize)")
            #expect(accumulator.sawEnd, "chunk size \(chunkSize)")
        }
    }

    @Test("an SSE stream served without its Content-Type is recognised")
    func sniffsEventStream() {
        let fixture = UsageFixtures.openAI[1]
        for contentType in [nil, "application/json", "text/plain"] as [String?] {
            var accumulator = UsageAccumulator(provider: .openai, contentType: contentType, requestModel: nil)
            accumulator.consume(Array("\n".utf8))
            for byte in fixture.body.utf8 { accumulator.consume(CollectionOfOne(byte)) }
            #expect(accumulator.usage() == fixture.expected)
            #expect(accumulator.sawEnd)
        }
    }

    @Test("an Ollama stream served as application/json is read line by line")
    func ndjsonAsJSON() {
        let fixture = UsageFixtures.ollama[0]
        var accumulator = UsageAccumulator(provider: .openaiCompatible, contentType: "application/json", requestModel: nil)
        accumulator.consume(Array(fixture.body.utf8))
        #expect(accumulator.usage() == fixture.expected)
    }

    @Test("the request's model is used when the response names none")
    func requestModelFallback() {
        var accumulator = UsageAccumulator(provider: .openai, contentType: "application/json", requestModel: "gpt-4.1")
        accumulator.consume(Array(#"{"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}"#.utf8))
        #expect(accumulator.usage() == Usage(model: "gpt-4.1", inputTokens: 3, outputTokens: 2))
    }

    // MARK: Large bodies

    @Test("a 3 MiB embeddings body fed in 1000-byte chunks yields its usage from the tail")
    func largeEmbeddings() throws {
        let vector = Array(repeating: "-0.0123456789", count: 256).joined(separator: ",")
        var body = #"{"object":"list","data":["#
        for index in 0..<1000 {
            body += (index == 0 ? "" : ",") + #"{"object":"embedding","index":\#(index),"embedding":[\#(vector)]}"#
        }
        // A string after the real usage that looks like usage once its escapes are ignored must not be taken.
        body += #"],"model":"text-embedding-3-large","usage":{"prompt_tokens":98765,"total_tokens":98765},"#
            + #""echo":"not \"usage\":{\"prompt_tokens\":1,\"total_tokens\":1} \\\"usage\": 2"}"#
        let bytes = Array(body.utf8)
        try #require(bytes.count > 3 * 1024 * 1024)

        var accumulator = UsageAccumulator(provider: .openai, contentType: "application/json", requestModel: "text-embedding-3-large")
        var start = 0
        while start < bytes.count {
            let end = min(start + 1000, bytes.count)
            accumulator.consume(bytes[start..<end])
            start = end
        }
        #expect(accumulator.usage() == Usage(model: "text-embedding-3-large", inputTokens: 98765))
        #expect(accumulator.sawEnd)
    }

    @Test("Gemini batchEmbedContents: a 2 MiB answer's usageMetadata from its tail, priced at the embedding model's rate")
    func geminiEmbeddings() throws {
        let vector = Array(repeating: "-0.0123456789", count: 3072).joined(separator: ",")
        let embeddings = Array(repeating: #"{"values":[\#(vector)]}"#, count: 50).joined(separator: ",")
        let body = #"{"embeddings":[\#(embeddings)],"usageMetadata":{"promptTokenCount":4321,"totalTokenCount":4321}}"#
        try #require(body.utf8.count > 2 * 1024 * 1024)
        var accumulator = UsageAccumulator(provider: .gemini, contentType: "application/json; charset=UTF-8", requestModel: "gemini-embedding-001")
        feed(&accumulator, body, chunkSize: 8192)
        let usage = try #require(accumulator.usage())
        #expect(usage == Usage(model: "gemini-embedding-001", inputTokens: 4321))
        // 4,321 × $0.15/M
        let price = try #require(try PriceTable.builtIn().price(provider: "gemini", model: "gemini-embedding-001", at: .now()))
        #expect(price.cost(of: usage).nanos == 648_150)
    }

    @Test("a large Anthropic message takes its model from the head and its usage from the tail")
    func largeAnthropicMessage() {
        let text = String(repeating: #"Quote: \"usage\":{\"input_tokens\":1} — ünïcödé \\ "#, count: 12_000)
        let body = #"{"id":"msg_013Zva2CMHLNnXjNJJKqJ2EF","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"\#(text)"}],"stop_reason":"max_tokens","stop_sequence":null,"usage":{"input_tokens":1500,"cache_creation_input_tokens":0,"cache_read_input_tokens":90000,"output_tokens":64000}}"#
        let bytes = Array(body.utf8)
        #expect(bytes.count > UsageAccumulator.documentLimit)
        var accumulator = UsageAccumulator(provider: .anthropic, contentType: "application/json", requestModel: nil)
        var start = 0
        while start < bytes.count {
            let end = min(start + 4096, bytes.count)
            accumulator.consume(bytes[start..<end])
            start = end
        }
        #expect(accumulator.usage() == Usage(model: "claude-sonnet-4-5-20250929", inputTokens: 1500, cachedInputTokens: 90000, outputTokens: 64000))
    }

    @Test("a Gemini SSE event carrying a 2 MiB image still yields its usage")
    func largeGeminiEvent() throws {
        let image = "iVBORw0KGgoAAAANSUhEUgAA" + String(repeating: "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo+/", count: 56_000)
        let body = sseBody([
            (nil, #"{"candidates": [{"content": {"parts": [{"inlineData": {"mimeType": "image/png","data": "\#(image)"}}],"role": "model"},"finishReason": "STOP","index": 0}],"usageMetadata": {"promptTokenCount": 12,"candidatesTokenCount": 1290,"totalTokenCount": 1302,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 12}],"candidatesTokensDetails": [{"modality": "IMAGE","tokenCount": 1290}]},"modelVersion": "gemini-2.5-flash-image","responseId": "xyz"}"#),
        ], newline: "\r\n")
        let bytes = Array(body.utf8)
        #expect(bytes.count > SSEDataReader.eventLimit)
        var accumulator = UsageAccumulator(provider: .gemini, contentType: "text/event-stream", requestModel: "gemini-2.5-flash-image-preview")
        var start = 0
        while start < bytes.count {
            let end = min(start + 16_384, bytes.count)
            accumulator.consume(bytes[start..<end])
            start = end
        }
        #expect(accumulator.usage() == {
            var expected = Usage(model: "gemini-2.5-flash-image", inputTokens: 12, outputTokens: 1290)
            expected.imageOutputTokens = 1290  // candidatesTokensDetails: IMAGE
            return expected
        }())
        // Gemini 2.5 Flash Image: text in $0.30, image out $30 per M (text out $2.50): one 1,290-token image is
        // $0.0387 (Google's documented $0.039 per image), plus 12 input tokens.
        let price = try #require(try PriceTable.builtIn().price(provider: "gemini", model: "gemini-2.5-flash-image", at: .now()))
        #expect(price.cost(of: try #require(accumulator.usage())).nanos == 12 * 300 + 1_290 * 30_000)
        #expect(accumulator.sawEnd)
    }

    @Test("the key scanner skips escaped keys and null values and cuts balanced values")
    func keyScanner() {
        let tail = Array(#"ng part of a string","usage":{"a":"}\"{","b":[1,{"c":2}]},"x":"\"usage\":{}","usage":null}"#.utf8)
        let value = JSONKeyScanner.lastValue(of: "usage", in: tail)?.object
        #expect(value?["a"]?.string == "}\"{")
        #expect(JSONKeyScanner.firstValue(of: "missing", in: tail) == nil)
        // The key `q"usage` ends like `"usage"`; its opening quote is escaped, so it is not `usage`.
        let lookalike = Array(#"{"usage":{"a":1},"q\"usage":{"a":2}}"#.utf8)
        #expect(JSONKeyScanner.lastValue(of: "usage", in: lookalike)?.object?["a"] == .integer(1))
        let cut = Array(#"{"usage":{"prompt_tokens":12"#.utf8)
        #expect(JSONKeyScanner.lastValue(of: "usage", in: cut) == nil)
    }

    @Test("the one-pass document scan finds what the head-and-tail scan finds, at any depth, never inside strings")
    func onePassScan() {
        let keys: [JSONKeyScanner.Key] = [.first("type"), .first("model"), .last("usage"), .last("missing")]
        let documents = [
            #"{"id":"x","model":"gpt-4o","text":"\"usage\":{\"a\":9}","usage":{"a":1}}"#,
            #"{"type":"response.completed","response":{"model":"m","usage":{"a":2},"output":[{"type":"message"}]}}"#,
            #"{"model":null,"usage":null,"choices":[{"model":"inner"}],"usage":{"a":3}}"#,
            #"[{"model":"a"},{"usage":{"a":4}}]"#,
            #"{"usage" : {"a" : 5} , "model" : "spaced"}"#,
        ]
        for document in documents {
            let bytes = Array(document.utf8)
            let onePass = JSONKeyScanner.flattened(document: bytes, keys: keys)
            let reference = JSONKeyScanner.flattened(head: bytes, tail: bytes, keys: keys)
            #expect(Set(onePass.keys) == Set(reference.keys) && onePass.keys.allSatisfy { onePass[$0] == reference[$0] }, "\(document)")
            #expect(onePass["missing"] == nil)
        }
        #expect(JSONKeyScanner.flattened(document: Array(documents[0].utf8), keys: keys)["usage"]?.object?["a"] == .integer(1))
        #expect(JSONKeyScanner.flattened(document: Array(documents[2].utf8), keys: keys)["model"]?.string == "inner")
    }

    @Test("the small JSON parser reads what JSONSerialization reads and refuses what it refuses")
    func valueParser() throws {
        let good = [
            #"{"prompt_tokens":12,"completion_tokens_details":{"reasoning_tokens":0},"cost":0.5,"ok":true,"no":null}"#,
            #"["a\"b\\c\/d\n\t", "\u00e9\ud83d\ude00", -3, 1e3, 2.5E-1, [], {}]"#,
            #"  "gpt-4o-2024-08-06"  "#,
            #"{"nested":{"deep":[1,[2,[3,{"x":"y"}]]]}}"#,
        ]
        for text in good {
            let parsed = try #require(JSONValueParser.parse(Array(text.utf8)[...]), "\(text)")
            let reference = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
            #expect(NSArray(array: [parsed.foundationValue]) == NSArray(array: [reference]), "\(text)")
        }
        let usage = try #require(JSONValueParser.parse(Array(good[0].utf8)[...])?.object)
        #expect(UsageJSON.count(usage["prompt_tokens"]) == 12 && UsageJSON.count(usage["cost"]) == 1 && UsageJSON.count(usage["ok"]) == nil)
        #expect(UsageJSON.bool(usage["ok"]) == true)
        for bad in [#"{"a":1"#, #"{"a" 1}"#, #"[1,]x"#, #""open"#, #"tru"#, #"{"a":1}}"#, ""] {
            #expect(JSONValueParser.parse(Array(bad.utf8)[...]) == nil, "\(bad)")
        }
    }

    @Test("a value's end is found past strings with escaped quotes and backslashes, brackets inside strings, at any length")
    func valueEnds() {
        func end(_ text: String) -> Int? { JSONKeyScanner.valueEnd(from: 0, in: Array(text.utf8)) }
        #expect(end(#""abc""#) == 5)
        #expect(end(#""a\"b" , 1"#) == 6, "an escaped quote does not end it")
        #expect(end(#""a\\" , 1"#) == 5, "an escaped backslash before the quote: it ends")
        #expect(end(#""a\\\"b"x"#) == 8, "three backslashes: the quote is escaped")
        #expect(end(#""\"""#) == 4)
        #expect(end(#""unterminated\""#) == nil)
        #expect(end(#"{"a":"}]","b":["x\"]"]} tail"#) == 23, "brackets and escaped quotes inside strings")
        #expect(end(#"[{"k":[1,2,{"z":"\\"}]}],"#) == 24)
        let long = "{\"messages\":[{\"content\":\"" + String(repeating: "word \\\" ", count: 5_000) + "\"}],\"model\":\"m\"}"
        let bytes = Array(long.utf8)
        #expect(end(long) == bytes.count)
        #expect(JSONKeyScanner.topLevelValues(of: ["model"], in: bytes)?["model"]?.string == "m")
    }

    @Test("an event's markers are found anywhere (by their rarest byte), and a key marker whose value is null does not count")
    func eventMarkers() {
        func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
        let usage = bytes("\"usage\"")
        #expect(UsageState.contains(bytes(#"{"a":1,"usage":{"x":2}}"#), usage))
        #expect(UsageState.contains(bytes(#""usage""#), usage), "the whole text")
        #expect(!UsageState.contains(bytes(#""usag""#), usage), "shorter than the needle")
        #expect(!UsageState.contains(bytes(#"{"usages":1,"ugagge":2}"#), usage))
        #expect(UsageState.contains(bytes("gggg\"usage\""), usage), "after many false anchors, at the very end")
        #expect(UsageState.contains(bytes("xx"), []), "an empty needle is everywhere")
        #expect(!UsageState.containsWithValue(bytes(#"{"choices":[],"usage":null}"#), usage))
        #expect(!UsageState.containsWithValue(bytes(#"{"usage" :  null, "model":"m"}"#), usage))
        #expect(UsageState.containsWithValue(bytes(#"{"usage":null,"response":{"usage":{"input_tokens":3}}}"#), usage), "a later occurrence with a value")
        #expect(UsageState.containsWithValue(bytes(#"{"usage": {"prompt_tokens":1}}"#), usage))
        #expect(UsageState.containsWithValue(bytes(#"{"type":"usage"}"#), usage), "as a value: counted, to be safe")
        #expect(UsageState.containsWithValue(bytes(#"{"x":"a","eval_count":null}"#), bytes("eval_count")), "markers that are not quoted keys: found as before")
    }

    @Test("a bounded buffer keeps its head and a rolling tail once it overflows")
    func boundedBuffer() {
        var buffer = BoundedBuffer(wholeLimit: BoundedBuffer.headLimit)
        let bytes = (0..<(1024 * 1024)).map { UInt8(truncatingIfNeeded: $0 % 251) }
        for start in stride(from: 0, to: bytes.count, by: 999) {
            buffer.append(contentsOf: bytes[start..<min(start + 999, bytes.count)])
        }
        #expect(buffer.overflowed)
        #expect(buffer.count == bytes.count)
        #expect(buffer.head == Array(bytes.prefix(BoundedBuffer.headLimit)))
        #expect(buffer.tail.count >= BoundedBuffer.tailLimit)
        #expect(buffer.tail.count <= BoundedBuffer.tailLimit + BoundedBuffer.tailSlack)
        #expect(buffer.tail == Array(bytes.suffix(buffer.tail.count)))
    }
}

extension JSONValue {
    /// The value as `JSONSerialization` gives it, to compare the two parsers.
    var foundationValue: Any {
        switch self {
        case .object(let object): Dictionary(object.members.map { ($0.key, $0.value.foundationValue) }, uniquingKeysWith: { _, last in last })
        case .array(let array): array.map(\.foundationValue)
        case .string(let string): string
        case .integer(let integer): integer
        case .number(let number): number
        case .bool(let bool): bool
        case .null: NSNull()
        }
    }
}

@Suite("Stored answers")
struct DeferredUsageTests {
    @Test("only answers on job paths are read as jobs: elsewhere a background flag or a batch object is plain usage")
    func jobsOnlyOnJobPaths() throws {
        let background = try #require(UsageFixtures.all.first { $0.name == "OpenAI background response, completed" })
        var plain = UsageAccumulator(provider: .openai, contentType: "application/json", requestModel: nil)
        feed(&plain, background.body, chunkSize: 5)
        #expect(plain.usage()?.deferredID == nil && plain.usage()?.inputTokens == 16_000)
        #expect(background.accumulate(chunkSize: 5).usage()?.deferredID != nil)
    }

    @Test("a GET is not billed, except a background response's first sighting (per tenant); a POST always is; old ids are forgotten past the capacity")
    func billing() {
        let responses = DeferredUsage(capacity: 2)
        var usage = Usage(inputTokens: 10)
        #expect(responses.bills(usage, fetched: false, tenantID: "ten_1"))
        #expect(!responses.bills(usage, fetched: true, tenantID: "ten_1"))
        usage.deferredID = "resp_a"
        #expect(responses.bills(usage, fetched: true, tenantID: "ten_1"))   // the poll that finds it completed
        #expect(!responses.bills(usage, fetched: true, tenantID: "ten_1"))  // fetched again
        usage.deferredID = "resp_b"
        #expect(responses.bills(usage, fetched: false, tenantID: "ten_1"))  // streamed to completion by its POST…
        #expect(!responses.bills(usage, fetched: true, tenantID: "ten_1"))  // …then fetched
        usage.deferredID = "resp_c"
        #expect(responses.bills(usage, fetched: true, tenantID: "ten_1"))   // resp_a is forgotten now
        usage.deferredID = "resp_a"
        #expect(responses.bills(usage, fetched: true, tenantID: "ten_1"))
        // Kept per tenant: another tenant's upstream naming the same id neither uses up nor takes this tenant's sighting.
        let jobs = DeferredUsage()
        usage.deferredID = "batch_x"
        #expect(jobs.bills(usage, fetched: true, tenantID: "ten_other"))
        #expect(jobs.bills(usage, fetched: true, tenantID: "ten_1"))
        #expect(!jobs.bills(usage, fetched: true, tenantID: "ten_1"))
    }
}
