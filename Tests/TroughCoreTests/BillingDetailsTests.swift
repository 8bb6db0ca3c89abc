import Foundation
import Testing
@testable import TroughCore

/// Usage the providers report beside the plain token counts, and the rates that bill it: Anthropic's compaction and
/// advisor iterations and US-only inference, OpenAI's cache writes, 1-hour cache writes in a batch; and a caller's
/// own `metadata` keys that share a name with the usage.
@Suite("Billing details")
struct BillingDetailsTests {
    /// A Claude Sonnet 4.6 answer that compacted its context first and consulted an Opus 4.8 advisor; the top-level
    /// counts are the two `message` iterations' sums, as the API reports them (the compaction is not in them).
    static let iterations = #"[{"type":"compaction","input_tokens":180000,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":3500},"#
        + #"{"type":"message","input_tokens":20000,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":600},"#
        + #"{"type":"advisor_message","model":"claude-opus-4-8","input_tokens":12000,"cache_creation_input_tokens":0,"cache_read_input_tokens":2000,"output_tokens":1500},"#
        + #"{"type":"message","input_tokens":3000,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":400}]"#
    static let compactedMessage = #"{"id":"msg_01C","type":"message","role":"assistant","model":"claude-sonnet-4-6","content":[{"type":"compaction","content":"Summary of the conversation so far."},{"type":"text","text":"Done."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":23000,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1000,"iterations":\#(iterations)}}"#
    static let compactedStream = sseBody([
        ("message_start", #"{"type":"message_start","message":{"id":"msg_01C","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-6","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":23000,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}"#),
        ("content_block_delta", #"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Done."}}"#),
        ("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":23000,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1000,"iterations":\#(iterations)}}"#),
        ("message_stop", #"{"type":"message_stop"}"#),
    ])

    func readUsage(_ body: String, provider: ProviderKind, contentType: String, model: String?, chunkSize: Int = Int.max) -> Usage? {
        var accumulator = UsageAccumulator(provider: provider, contentType: contentType, requestModel: model)
        let bytes = Array(body.utf8)
        for start in stride(from: 0, to: bytes.count, by: min(chunkSize, bytes.count)) {
            accumulator.consume(bytes[start..<min(start + chunkSize, bytes.count)])
        }
        return accumulator.usage()
    }

    /// A Responses API answer's usage, read as the proxy reads one (`/v1/responses`: hosted tools and jobs), in
    /// pieces of `chunkSize` bytes.
    func readResponses(_ body: String, contentType: String = "application/json", model: String, chunkSize: Int = Int.max) -> Usage? {
        var accumulator = UsageAccumulator(provider: .openai, contentType: contentType, requestModel: model, countsWebSearches: true, readsJobs: true)
        let bytes = Array(body.utf8)
        for start in stride(from: 0, to: bytes.count, by: min(chunkSize, bytes.count)) {
            accumulator.consume(bytes[start..<min(start + chunkSize, bytes.count)])
        }
        return accumulator.usage()
    }

    @Test("Anthropic: a compaction and an advisor's sub-inference are billed besides the top-level counts, each at its model's rates, streamed or not")
    func anthropicIterations() throws {
        let table = try PriceTable.builtIn()
        let now = Timestamp.now()
        for (body, contentType) in [(Self.compactedMessage, "application/json"), (Self.compactedStream, "text/event-stream")] {
            for chunkSize in [Int.max, 7] {
                let usage = try #require(readUsage(body, provider: .anthropic, contentType: contentType, model: "claude-sonnet-4-6", chunkSize: chunkSize))
                // Totals: the request's own counts, the compaction's and the advisor's.
                #expect(usage.model == "claude-sonnet-4-6")
                #expect(usage.inputTokens == 23_000 + 180_000 + 12_000 && usage.cachedInputTokens == 2_000 && usage.outputTokens == 1_000 + 3_500 + 1_500)
                #expect(usage.parts.map(\.model) == ["claude-sonnet-4-6", "claude-sonnet-4-6", "claude-opus-4-8"], "\(contentType) \(chunkSize)")
                #expect(usage.parts.map(\.inputTokens) == [23_000, 180_000, 12_000] && usage.parts.map(\.outputTokens) == [1_000, 3_500, 1_500])
                // Sonnet 4.6 ($3 / $15): 23,000 in + 1,000 out = $0.084, the compaction 180,000 + 3,500 = $0.5925; Opus 4.8
                // ($5 / $25, cache reads $0.50): 12,000 + 2,000 read + 1,500 out = $0.0985. $0.775 in all (the top-level
                // counts alone: $0.084).
                let costs = usage.parts.map { part in
                    table.price(provider: "anthropic", model: part.model ?? "", at: now)?.cost(of: part).nanos
                }
                #expect(costs == [84_000_000, 592_500_000, 98_500_000])
            }
        }
        // Without iterations there are no parts (the plain answer prices as before).
        let plain = try #require(readUsage(#"{"type":"message","model":"claude-sonnet-4-6","usage":{"input_tokens":10,"output_tokens":5,"iterations":[{"type":"message","input_tokens":10,"output_tokens":5}]}}"#,
                                       provider: .anthropic, contentType: "application/json", model: nil))
        #expect(plain.parts.isEmpty && plain.inputTokens == 10 && plain.outputTokens == 5)
    }

    @Test("Anthropic thinking tokens (usage.output_tokens_details.thinking_tokens) are kept apart as reasoning, part of the output billed, streamed or not")
    func anthropicThinkingTokens() throws {
        let table = try PriceTable.builtIn()
        let sonnet = try #require(table.price(provider: "anthropic", model: "claude-sonnet-4-6", at: .now()))
        let document = #"{"type":"message","model":"claude-sonnet-4-6","content":[{"type":"thinking","thinking":"…","signature":"s"},{"type":"text","text":"42"}],"usage":{"input_tokens":50,"output_tokens":900,"output_tokens_details":{"thinking_tokens":850}}}"#
        let stream = sseBody([
            ("message_start", #"{"type":"message_start","message":{"id":"m","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-6","usage":{"input_tokens":50,"output_tokens":1}}}"#),
            ("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":900,"output_tokens_details":{"thinking_tokens":850}}}"#),
        ])
        for (body, contentType) in [(document, "application/json"), (stream, "text/event-stream")] {
            let usage = try #require(readUsage(body, provider: .anthropic, contentType: contentType, model: nil, chunkSize: 9))
            #expect(usage.reasoningTokens == 850 && usage.outputTokens == 900, "\(contentType)")
            // 50 × $3/M + 900 × $15/M: thinking is billed as the output it is part of.
            #expect(sonnet.cost(of: usage).nanos == 50 * 3_000 + 900 * 15_000)
        }
    }

    @Test("Anthropic Message Batch results: a request's compaction is billed too, at the batch rates")
    func anthropicBatchIterations() throws {
        let line = #"{"custom_id":"a","result":{"type":"succeeded","message":{"id":"msg_1","type":"message","model":"claude-sonnet-4-6","usage":{"input_tokens":23000,"output_tokens":1000,"iterations":\#(Self.iterations)}}}}"#
        var accumulator = UsageAccumulator(provider: .anthropic, contentType: "application/binary", requestModel: nil, batchResultsOf: "msgbatch_1")
        accumulator.consume(Array((line + "\n").utf8))
        let usage = try #require(accumulator.usage())
        #expect(usage.inputTokens == 215_000 && usage.outputTokens == 6_000 && usage.cachedInputTokens == 2_000)
        #expect(Set(usage.parts.map(\.model)) == ["claude-sonnet-4-6", "claude-opus-4-8"])
    }

    @Test("Anthropic US-only inference (usage.inference_geo \"us\") bills every token rate at 1.1x, fast mode too; global is standard")
    func usOnlyInference() throws {
        let table = try PriceTable.builtIn()
        let opus = try #require(table.price(provider: "anthropic", model: "claude-opus-4-6", at: .now()))
        let us = try #require(readUsage(#"{"type":"message","model":"claude-opus-4-6","usage":{"input_tokens":25,"output_tokens":150,"inference_geo":"us"}}"#,
                                    provider: .anthropic, contentType: "application/json", model: nil))
        #expect(us.inferenceGeo == "us")
        // $5.50 / $27.50 per M: 25 × 5,500 + 150 × 27,500 nano-dollars = $0.0042625 (standard $0.003875).
        #expect(opus.cost(of: us).nanos == 4_262_500)
        var global = us
        global.inferenceGeo = "global"
        #expect(opus.cost(of: global).nanos == 3_875_000)
        // Fast mode (6x: $30 / $150) in the US: $33 / $165.
        var fast = us
        fast.serviceTier = "fast_mode"
        #expect(opus.cost(of: fast).nanos == 25 * 33_000 + 150 * 165_000)
        // Streamed: the geo comes with the usage of message_start or message_delta.
        let stream = sseBody([
            ("message_start", #"{"type":"message_start","message":{"id":"m","type":"message","role":"assistant","content":[],"model":"claude-opus-4-6","usage":{"input_tokens":25,"output_tokens":1,"inference_geo":"us"}}}"#),
            ("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":150}}"#),
        ])
        let streamed = try #require(readUsage(stream, provider: .anthropic, contentType: "text/event-stream", model: nil, chunkSize: 5))
        #expect(opus.cost(of: streamed).nanos == 4_262_500)
        // Budgets reserve at the US rates when the request asks for them: 10 in at the dearest input rate (1-hour
        // writes, $10 → $11) and 10 out ($25 → $27.50).
        let inspection = RequestInspector.inspect(body: Array(#"{"model":"claude-opus-4-6","max_tokens":10,"inference_geo":"us","messages":[]}"#.utf8),
                                                  path: "/v1/messages", kind: .anthropic, injectStreamUsage: false)
        #expect(inspection.inferenceGeo == "us")
        #expect(opus.worstCase(inputTokens: 10, outputTokens: 10, inferenceGeo: inspection.inferenceGeo).nanos == 10 * 11_000 + 10 * 27_500)
        #expect(opus.worstCase(inputTokens: 10, outputTokens: 10).nanos == 10 * 10_000 + 10 * 25_000)
    }

    @Test("a batch bills 1-hour cache writes at the batch discount, as it bills 5-minute ones")
    func batchOneHourWrites() throws {
        let table = try PriceTable.builtIn()
        let haiku = try #require(table.price(provider: "anthropic", model: "claude-haiku-4-5", at: .now()))
        // Haiku 4.5: 1-hour writes $2.00 per M, batch 5-minute writes $0.625 of $1.25: 1-hour ones $1.00 in a batch.
        #expect(haiku.cost(of: Usage(cacheWrite1hTokens: 2_000, serviceTier: "batch")).nanos == 2_000_000)
        #expect(haiku.cost(of: Usage(cacheWrite1hTokens: 2_000)).nanos == 4_000_000)
        #expect(haiku.cost(of: Usage(cacheWriteTokens: 2_000, serviceTier: "batch")).nanos == 1_250_000)
    }

    @Test("OpenAI cache writes (GPT-5.6 and later: cache_write_tokens, part of the prompt) are billed at the cache-write rate, chat and Responses, streamed or not")
    func openAICacheWrites() throws {
        let table = try PriceTable.builtIn()
        let gpt = try #require(table.price(provider: "openai", model: "gpt-5.6", at: .now()))
        let chat = #"{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-5.6","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":2600,"completion_tokens":100,"total_tokens":2700,"prompt_tokens_details":{"cached_tokens":2000,"cache_write_tokens":400,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}"#
        let responses = #"{"id":"resp_1","object":"response","status":"completed","model":"gpt-5.6","output":[],"usage":{"input_tokens":2600,"input_tokens_details":{"cached_tokens":2000,"cache_write_tokens":400,"cache_write_tokens_details":{"ttl_30m_tokens":400,"ttl_12h_tokens":0}},"output_tokens":100,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":2700}}"#
        let streamed = sseBody([
            (nil, #"{"id":"chatcmpl-1","object":"chat.completion.chunk","model":"gpt-5.6","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}],"usage":null}"#),
            (nil, #"{"id":"chatcmpl-1","object":"chat.completion.chunk","model":"gpt-5.6","choices":[],"usage":{"prompt_tokens":2600,"completion_tokens":100,"total_tokens":2700,"prompt_tokens_details":{"cached_tokens":2000,"cache_write_tokens":400}}}"#),
            (nil, "[DONE]"),
        ])
        for (body, contentType) in [(chat, "application/json"), (responses, "application/json"), (streamed, "text/event-stream")] {
            let usage = try #require(readUsage(body, provider: .openai, contentType: contentType, model: nil))
            #expect(usage.inputTokens == 200 && usage.cachedInputTokens == 2_000 && usage.cacheWriteTokens == 400 && usage.outputTokens == 100)
            // $4 in, $0.40 cache reads, $5 cache writes, $20 out per M: 200 × 4,000 + 2,000 × 400 + 400 × 5,000 + 100 × 20,000
            // nano-dollars = $0.0056 (with the writes billed as plain input: $0.0052).
            #expect(gpt.cost(of: usage).nanos == 5_600_000)
        }
        // A count past the uncached prompt is held to it.
        let odd = try #require(readUsage(#"{"model":"gpt-5.6","usage":{"prompt_tokens":100,"completion_tokens":1,"prompt_tokens_details":{"cached_tokens":90,"cache_write_tokens":50}}}"#,
                                     provider: .openai, contentType: "application/json", model: nil))
        #expect(odd.inputTokens == 0 && odd.cacheWriteTokens == 10 && odd.cachedInputTokens == 90)
    }

    @Test("OpenAI Responses: the image generation tool's tokens (tool_usage.image_gen) at the image model's rates, and tool_usage's billable web searches instead of every web_search_call item")
    func responsesToolUsage() throws {
        let table = try PriceTable.builtIn()
        let now = Timestamp.now()
        func response(tools: String, toolUsage: String) -> String {
            #"{"id":"resp_img","object":"response","status":"completed","model":"gpt-5.6","output":[{"type":"web_search_call","id":"ws_1","status":"completed","action":{"type":"search","query":"cats"}},{"type":"web_search_call","id":"ws_2","status":"completed","action":{"type":"open_page","url":"https://example.com"}},{"type":"image_generation_call","id":"ig_1","status":"completed","result":"iVBORw0KGgo="}],"tools":\#(tools),"usage":{"input_tokens":1000,"input_tokens_details":{"cached_tokens":0},"output_tokens":200,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":1200}\#(toolUsage)}"#
        }
        let toolUsage = #","tool_usage":{"image_gen":{"input_tokens":300,"input_tokens_details":{"image_tokens":0,"text_tokens":300},"output_tokens":4000,"total_tokens":4300,"output_tokens_details":{"image_tokens":4000,"text_tokens":0}},"web_search":{"num_requests":1}}"#
        let tools = #"[{"type":"web_search"},{"type":"image_generation","model":"gpt-image-2","quality":"high"}]"#
        let document = response(tools: tools, toolUsage: toolUsage)
        let stream = sseBody([
            ("response.web_search_call.completed", #"{"type":"response.web_search_call.completed","sequence_number":1,"output_index":0,"item_id":"ws_1"}"#),
            ("response.web_search_call.completed", #"{"type":"response.web_search_call.completed","sequence_number":2,"output_index":1,"item_id":"ws_2"}"#),
            ("response.completed", #"{"type":"response.completed","sequence_number":3,"response":\#(document)}"#),
        ])
        for (body, contentType) in [(document, "application/json"), (stream, "text/event-stream")] {
            let usage = try #require(readResponses(body, contentType: contentType, model: "gpt-5.6"))
            #expect(usage.model == "gpt-5.6" && usage.parts.map(\.model) == ["gpt-5.6", "gpt-image-2"], "\(contentType)")
            #expect(usage.inputTokens == 1_300 && usage.outputTokens == 4_200 && usage.webSearches == 1 && usage.parts.first?.webSearches == 1)
            // GPT-5.6: 1,000 × $4/M + 200 × $20/M + one billable search × $0.01 = $0.018; gpt-image-2: 300 text in × $5/M
            // + 4,000 image out × $30/M = $0.1215 (the web_search_call items alone, two, with no image tokens: $0.028).
            let costs = usage.parts.map { table.price(provider: "openai", model: $0.model ?? "", at: now)?.cost(of: $0).nanos }
            #expect(costs == [18_000_000, 121_500_000], "\(contentType)")
        }
        // A 2 MiB answer (the image's base64 in the output): read from its head and tail, the same parts and costs.
        let large = document.replacingOccurrences(of: "iVBORw0KGgo=", with: String(repeating: "A", count: 2 << 20))
        let largeUsage = try #require(readResponses(large, model: "gpt-5.6", chunkSize: 65_536))
        #expect(largeUsage.parts.map(\.model) == ["gpt-5.6", "gpt-image-2"] && largeUsage.webSearches == 1)
        #expect(largeUsage.parts.map { table.price(provider: "openai", model: $0.model ?? "", at: now)?.cost(of: $0).nanos } == [18_000_000, 121_500_000])
        // An image tool that names no model: the tool's default model.
        #expect(readResponses(response(tools: #"[{"type":"image_generation"}]"#, toolUsage: toolUsage), model: "gpt-5.6")?.parts.last?.model
                == OpenAIUsage.defaultImageGenerationModel)
        // Without tool_usage, the web_search_call items count as before.
        let counted = readResponses(response(tools: "[]", toolUsage: ""), model: "gpt-5.6")
        #expect(counted?.webSearches == 2 && counted?.parts.isEmpty == true)
    }

    @Test("OpenAI Responses file search: each file_search_call is billed at $2.50 per 1,000 calls on top of the tokens, streamed or not")
    func responsesFileSearch() throws {
        let table = try PriceTable.builtIn()
        let gpt = try #require(table.price(provider: "openai", model: "gpt-5", at: .now()))
        #expect(gpt.perFileSearch == 2_500_000)
        let item = { (id: String) in #"{"type":"file_search_call","id":"\#(id)","status":"completed","queries":["refund policy"],"results":null}"# }
        let document = #"{"id":"resp_fs","object":"response","status":"completed","model":"gpt-5-2025-08-07","output":[\#(item("fs_1")),\#(item("fs_2")),{"type":"message","id":"m","role":"assistant","content":[{"type":"output_text","text":"30 days."}]}],"tools":[{"type":"file_search","vector_store_ids":["vs_1"]}],"usage":{"input_tokens":2000,"input_tokens_details":{"cached_tokens":0},"output_tokens":100,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":2100}}"#
        let stream = sseBody([
            ("response.file_search_call.in_progress", #"{"type":"response.file_search_call.in_progress","sequence_number":1,"output_index":0,"item_id":"fs_1"}"#),
            ("response.file_search_call.completed", #"{"type":"response.file_search_call.completed","sequence_number":2,"output_index":0,"item_id":"fs_1"}"#),
            ("response.file_search_call.completed", #"{"type":"response.file_search_call.completed","sequence_number":3,"output_index":1,"item_id":"fs_2"}"#),
            ("response.completed", #"{"type":"response.completed","sequence_number":4,"response":\#(document)}"#),
        ])
        for (body, contentType) in [(document, "application/json"), (stream, "text/event-stream")] {
            let usage = try #require(readResponses(body, contentType: contentType, model: "gpt-5", chunkSize: 11))
            #expect(usage.fileSearches == 2 && usage.webSearches == 0, "\(contentType)")
            // 2,000 × $1.25/M + 100 × $10/M + 2 × $0.0025 = $0.0075
            #expect(gpt.cost(of: usage).nanos == 2_500_000 + 1_000_000 + 5_000_000, "\(contentType)")
        }
    }

    @Test("a caller's metadata named usage or service_tier, after the answer's own, does not hide or replace them")
    func metadataKeysNamedLikeUsage() throws {
        let body = #"{"id":"resp_1","object":"response","model":"gpt-5.6","usage":{"input_tokens":10,"output_tokens":5},"service_tier":"default","metadata":{"usage":"team-a","service_tier":"priority","model":"x"}}"#
        let usage = try #require(readUsage(body, provider: .openai, contentType: "application/json", model: nil))
        #expect(usage.model == "gpt-5.6" && usage.inputTokens == 10 && usage.outputTokens == 5 && usage.serviceTier == "default")
        // The document's own field wins at any place; a nested one still counts when the document has none.
        let keys: [JSONKeyScanner.Key] = [.first("model"), .last("usage")]
        let nestedFirst = JSONKeyScanner.flattened(document: Array(#"{"metadata":{"model":"x"},"model":"m","usage":{"a":1},"data":[{"usage":{"a":2}}]}"#.utf8), keys: keys)
        #expect(nestedFirst["model"]?.string == "m" && nestedFirst["usage"]?.object?["a"] == .integer(1))
        let onlyNested = JSONKeyScanner.flattened(document: Array(#"{"usage":null,"data":{"usage":{"a":3}}}"#.utf8), keys: keys)
        #expect(onlyNested["usage"]?.object?["a"] == .integer(3))
    }
}
