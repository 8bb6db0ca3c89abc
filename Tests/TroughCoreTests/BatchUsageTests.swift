import Foundation
import Testing
@testable import TroughCore

/// Batches: results summed request by request, at the batch rates, each request at its own context length's rates.
@Suite("Batch usage")
struct BatchUsageTests {
    /// A Gemini `GenerateContentResponse` as a batch returns it (ai.google.dev/api/batch-mode), with text that
    /// mentions the keys looked for.
    static func geminiResponse(prompt: Int, cached: Int = 0, candidates: Int, thoughts: Int = 0) -> String {
        let cache = cached > 0 ? #""cachedContentTokenCount":\#(cached),"# : ""
        let thinking = thoughts > 0 ? #""thoughtsTokenCount":\#(thoughts),"# : ""
        return #"{"candidates":[{"content":{"parts":[{"text":"A \"usageMetadata\": {\"promptTokenCount\": 9} joke, [\\] and }"}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":\#(prompt),\#(cache)"candidatesTokenCount":\#(candidates),\#(thinking)"totalTokenCount":\#(prompt + candidates + thoughts),"promptTokensDetails":[{"modality":"TEXT","tokenCount":\#(prompt)}]},"modelVersion":"gemini-2.5-flash","responseId":"mAitaLmkHPPlz7IPvtfUqQ4"}"#
    }

    /// A finished batch operation with inlined results (`GET /v1beta/batches/{id}`): two requests succeeded, one failed.
    static func geminiBatchOperation(outputInMetadata: Bool = false) -> String {
        let inlined = #"{"inlinedResponses":{"inlinedResponses":[{"response":\#(geminiResponse(prompt: 1000, candidates: 200, thoughts: 300)),"metadata":{"key":"request-1"}},{"error":{"code":400,"message":"Request contains an invalid argument.","status":"INVALID_ARGUMENT"},"metadata":{"key":"request-2"}},{"response":\#(geminiResponse(prompt: 3000, cached: 2000, candidates: 500)),"metadata":{"key":"request-3"}}]}}"#
        let output = outputInMetadata ? #","output":\#(inlined)"# : ""
        return #"{"name":"batches/123456","metadata":{"@type":"type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch","model":"models/gemini-2.5-flash","displayName":"inlined-requests-job-1","createTime":"2025-07-01T10:00:00.000000Z","endTime":"2025-07-01T10:12:00.000000Z","updateTime":"2025-07-01T10:12:00.000000Z","batchStats":{"requestCount":"3","successfulRequestCount":"2","failedRequestCount":"1"},"state":"BATCH_STATE_SUCCEEDED","name":"batches/123456"\#(output)},"done":true,"response":{"@type":"type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput",\#(inlined.dropFirst().dropLast())}}"#
    }

    /// The same results as a batch's results file (one line per request, `key` and `response` or `error`).
    static let geminiResultsFile = [
        #"{"key":"request-1","response":\#(geminiResponse(prompt: 1000, candidates: 200, thoughts: 300))}"#,
        #"{"key":"request-2","error":{"code":400,"message":"Request contains an invalid argument.","status":"INVALID_ARGUMENT"}}"#,
        #"{"key":"request-3","response":\#(geminiResponse(prompt: 3000, cached: 2000, candidates: 500))}"#,
    ].joined(separator: "\n") + "\n"

    /// 1,000 + 3,000 prompt tokens of which 2,000 cached; 200 + 500 out and 300 thinking.
    static let geminiBatchUsage = Usage(model: "gemini-2.5-flash", inputTokens: 2_000, cachedInputTokens: 2_000, outputTokens: 1_000,
                                        reasoningTokens: 300, serviceTier: "batch")

    @Test("a Gemini batch operation: its inlined results' usage summed at the batch tier, in any chunking, the failed request free; billed by the batch's name")
    func geminiInlined() throws {
        for outputInMetadata in [false, true] {
            let body = Self.geminiBatchOperation(outputInMetadata: outputInMetadata)
            #expect((try? JSONSerialization.jsonObject(with: Data(body.utf8))) != nil, "the fixture is JSON")
            for chunk in [1, 2, 7, 64, body.utf8.count] {
                var accumulator = UsageAccumulator(provider: .gemini, contentType: "application/json", requestModel: nil, batchOperationOf: "batches/123456")
                feed(&accumulator, body, chunkSize: chunk)
                #expect(accumulator.usage() == Self.geminiBatchUsage.deferred("batches/123456").summed(largestRequestPrompt: 3_000),
                        "chunk \(chunk), output in metadata too: \(outputInMetadata)")
            }
        }
        // 500 requests with 2 KB of text each (1 MB, past what a document is kept whole for): every one is counted.
        let text = String(repeating: "lorem ipsum \\\"usageMetadata\\\": ", count: 64)
        let many = (0..<500).map { index in
            #"{"response":{"candidates":[{"content":{"parts":[{"text":"\#(text)"}]}}],"usageMetadata":{"promptTokenCount":\#(1_000 + index),"candidatesTokenCount":10},"modelVersion":"gemini-2.5-flash"}}"#
        }.joined(separator: ",")
        let large = #"{"name":"batches/big","metadata":{"model":"models/gemini-2.5-flash"},"done":true,"response":{"inlinedResponses":{"inlinedResponses":[\#(many)]}}}"#
        #expect(large.utf8.count > UsageAccumulator.documentLimit)
        var big = UsageAccumulator(provider: .gemini, contentType: "application/json", requestModel: nil, batchOperationOf: "batches/big")
        feed(&big, large, chunkSize: 65_536)
        #expect(big.usage()?.inputTokens == 500 * 1_000 + 499 * 250 && big.usage()?.outputTokens == 5_000 && big.usage()?.largestRequestPrompt == 1_499)

        // Still running, or with its results in a file: nothing to bill here.
        let running = #"{"name":"batches/123456","metadata":{"@type":"type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch","model":"models/gemini-2.5-flash","state":"BATCH_STATE_RUNNING"}}"#
        let inFile = #"{"name":"batches/9","metadata":{"model":"models/gemini-2.5-flash","state":"BATCH_STATE_SUCCEEDED"},"done":true,"response":{"@type":"type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput","responsesFile":"files/batch-9"}}"#
        for body in [running, inFile] {
            var accumulator = UsageAccumulator(provider: .gemini, contentType: "application/json", requestModel: nil, batchOperationOf: "batches/9")
            feed(&accumulator, body, chunkSize: 5)
            #expect(accumulator.usage() == nil)
        }
        // Without a modelVersion in the responses, the batch's model names them.
        var unnamed = UsageAccumulator(provider: .gemini, contentType: "application/json", requestModel: nil, batchOperationOf: "batches/123456")
        feed(&unnamed, Self.geminiBatchOperation().replacingOccurrences(of: #""modelVersion":"gemini-2.5-flash","#, with: ""), chunkSize: 100)
        #expect(unnamed.usage()?.model == "gemini-2.5-flash" && unnamed.usage()?.inputTokens == 2_000)
    }

    @Test("a Gemini batch's results file: each succeeded line's usage summed at the batch tier, by its own model")
    func geminiResultsFile() {
        for chunk in [1, 3, 64, Self.geminiResultsFile.utf8.count] {
            var accumulator = UsageAccumulator(provider: .gemini, contentType: "application/octet-stream", requestModel: nil, batchResultsOf: "files/batch-abc")
            feed(&accumulator, Self.geminiResultsFile, chunkSize: chunk)
            #expect(accumulator.usage() == Self.geminiBatchUsage.deferred("files/batch-abc").summed(largestRequestPrompt: 3_000), "chunk \(chunk)")
        }
    }

    @Test("a Gemini batch is found by its path: the operation, the results file's download (the SDK's path and the REST docs'); not creation, listing or cancelling")
    func geminiPaths() {
        func inspect(_ path: String, _ method: String = "GET") -> RequestInspection {
            RequestInspector.inspect(body: nil, path: path, kind: .gemini, injectStreamUsage: false, method: method)
        }
        #expect(inspect("/v1beta/batches/123456").batchOperationOf == "batches/123456")
        // As the google-genai SDK downloads it (`files/{name}:download?alt=media` under its base_url), and as the REST docs do.
        #expect(inspect("/v1beta/files/batch-abc:download").batchResultsOf == "files/batch-abc")
        #expect(inspect("/download/v1beta/files/batch-abc:download").batchResultsOf == "files/batch-abc")
        #expect(inspect("/download/v1beta/files/batch-abc%3Adownload").batchResultsOf == "files/batch-abc")
        for path in ["/v1beta/batches", "/v1beta/batches/123456:cancel", "/v1beta/files/abc", "/v1beta/files", "/v1beta/files/:download"] {
            let inspection = inspect(path)
            #expect(inspection.batchOperationOf == nil && inspection.batchResultsOf == nil, "\(path)")
        }
        #expect(inspect("/v1beta/batches/123456", "DELETE").batchOperationOf == nil)
        #expect(RequestInspector.inspect(body: nil, path: "/v1beta/batches/1", kind: .openaiCompatible, injectStreamUsage: false, method: "GET").batchOperationOf == nil)
    }

    @Test("long-context rates apply request by request in a batch: short requests summed past the threshold stay at the short rates")
    func longContextPerRequest() throws {
        let table = try PriceTable.builtIn()
        let haiku = try #require(table.price(provider: "anthropic", model: "claude-haiku-5-5", at: .now()))
        func line(_ input: Int) -> String {
            #"{"custom_id":"r","result":{"type":"succeeded","message":{"model":"claude-haiku-5-5","usage":{"input_tokens":\#(input),"output_tokens":1000,"service_tier":"batch"}}}}"#
        }
        var accumulator = UsageAccumulator(provider: .anthropic, contentType: nil, requestModel: nil, batchResultsOf: "msgbatch_long")
        feed(&accumulator, [line(60_000), line(150_000), line(60_000)].joined(separator: "\n"), chunkSize: 50)
        let usage = try #require(accumulator.usage())
        #expect(usage.inputTokens == 270_000 && usage.largestRequestPrompt == 150_000)
        // Two parts: the short requests (120k in, 2k out at the batch rates $0.05 / $0.25 per M) and the long one
        // (150k in, 1k out at the batch tier's long-context rates $0.25 / $1.25).
        #expect(usage.parts.map(\.inputTokens) == [120_000, 150_000] && usage.parts.map(\.largestRequestPrompt) == [60_000, 150_000])
        let costs = usage.parts.map { part in
            var part = part
            part.serviceTier = "batch"
            return haiku.cost(of: part).nanos
        }
        #expect(costs == [6_000_000 + 500_000, 37_500_000 + 1_250_000])
        // A total whose requests' sizes are unknown (an OpenAI batch object) is billed at the short rates.
        var total = Usage(inputTokens: 300_000, outputTokens: 1_000, serviceTier: "batch")
        #expect(haiku.cost(of: total).nanos == 75_000_000 + 1_250_000)
        total.largestRequestPrompt = 0
        #expect(haiku.cost(of: total).nanos == 15_000_000 + 250_000)
    }

    @Test("a batch tier without long-context rates bills a long prompt at the long-context rates scaled as the tier scales the base ones")
    func batchLongContext() throws {
        let table = try PriceTable.builtIn()
        // Gemini 2.5 Pro: 1.25 / 10.00 / cached 0.125, above 200k 2.50 / 15.00 / 0.25; batch 0.625 / 5.00 / 0.125 and no
        // long-context rates: a long batch request is billed at 1.25 / 7.50 / cached 0.25 (the tier keeps cached reads).
        let pro = try #require(table.price(provider: "gemini", model: "gemini-2.5-pro", at: .now()))
        #expect(pro.cost(of: Usage(inputTokens: 250_000, cachedInputTokens: 10_000, outputTokens: 2_000, serviceTier: "batch")).nanos
                == 312_500_000 + 2_500_000 + 15_000_000)
        #expect(pro.cost(of: Usage(inputTokens: 150_000, outputTokens: 2_000, serviceTier: "batch")).nanos == 93_750_000 + 10_000_000)
        // Not another tier: priority has its own long-context rates (4.50 / 27.00), flex none (standard long-context rates).
        #expect(pro.cost(of: Usage(inputTokens: 250_000, outputTokens: 2_000, serviceTier: "priority")).nanos == 1_125_000_000 + 54_000_000)
        #expect(pro.cost(of: Usage(inputTokens: 250_000, outputTokens: 2_000, serviceTier: "flex")).nanos == 625_000_000 + 30_000_000)
        // Claude Haiku 5.5's batch tier has long-context rates of its own: they are used as they are.
        let haiku = try #require(table.price(provider: "anthropic", model: "claude-haiku-5-5", at: .now()))
        #expect(haiku.cost(of: Usage(inputTokens: 150_000, outputTokens: 1_000, serviceTier: "batch")).nanos == 37_500_000 + 1_250_000)
    }

    @Test("the prompt size classes batches are summed by are the built-in table's long-context thresholds")
    func thresholdsMatchTable() throws {
        var thresholds = Set<Int64>()
        for price in try PriceTable.builtIn().prices {
            if let long = price.longContext { thresholds.insert(long.aboveTokens) }
            for tier in price.serviceTiers.values {
                if let long = tier.longContext { thresholds.insert(long.aboveTokens) }
            }
        }
        #expect(thresholds.sorted() == LongContextPrice.knownThresholds)
    }

    @Test("the path collector keeps only the values at its paths, never a key or bracket inside a string, whatever the chunking")
    func pathCollector() {
        let body = #"{"a\"b":{"x":1},"list":[{"x":{"deep":[1,2,{"x":3}]},"y":"}]\"x\":"},{"x":-2.5e3},{"z":{"x":4}},{"x":"s"},{"x":null},{"x":true}],"x":[7]}"#
        for chunk in [1, 2, 5, body.utf8.count] {
            var collector = JSONPathCollector(paths: ["list[].x", "x"])
            for start in stride(from: 0, to: body.utf8.count, by: chunk) {
                collector.consume(Array(body.utf8)[start..<min(start + chunk, body.utf8.count)])
            }
            #expect(collector.found.map(\.path) == [0, 0, 0, 0, 0, 1], "chunk \(chunk)")
            let values = collector.found.map(\.value)
            #expect(values[0].object?["deep"]?.array?.count == 3)
            #expect(values[1] == .number(-2500) && values[2] == .string("s") && values[3] == .null && values[4] == .bool(true))
            #expect(values[5].array == [.integer(7)])
        }
    }
}
