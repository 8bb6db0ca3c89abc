import Testing
@testable import TroughCore

/// A provider response body, as documented, and the usage it must yield.
struct UsageFixture: Sendable, CustomTestStringConvertible {
    var name: String
    var provider: ProviderKind
    var contentType: String?
    var requestModel: String?
    var body: String
    var expected: Usage?
    var sawEnd: Bool
    /// The request's path may answer with an OpenAI job (`RequestInspection.readsJobs`).
    var readsJobs = false

    var testDescription: String { name }

    /// Feeds the body in chunks of `chunkSize` bytes.
    func accumulate(chunkSize: Int) -> UsageAccumulator {
        var accumulator = UsageAccumulator(provider: provider, contentType: contentType, requestModel: requestModel, readsJobs: readsJobs)
        feed(&accumulator, body, chunkSize: chunkSize)
        return accumulator
    }
}

/// Feeds `body` to the accumulator in chunks of `chunkSize` bytes.
func feed(_ accumulator: inout UsageAccumulator, _ body: String, chunkSize: Int) {
    let bytes = Array(body.utf8)
    var start = 0
    while start < bytes.count {
        let end = min(start + chunkSize, bytes.count)
        accumulator.consume(bytes[start..<end])
        start = end
    }
}

extension Usage {
    /// This usage, billed once by the job id it belongs to (`Usage.deferredID`).
    func deferred(_ id: String) -> Usage {
        var usage = self
        usage.deferredID = id
        return usage
    }

    /// This usage as a sum over requests whose largest prompt was `largestRequestPrompt` tokens.
    func summed(largestRequestPrompt: Int64) -> Usage {
        var usage = self
        usage.largestRequestPrompt = largestRequestPrompt
        return usage
    }
}

/// Builds SSE bodies: each event an optional `event:` line and one `data:` line, ended by a blank line.
func sseBody(_ events: [(event: String?, data: String)], newline: String = "\n") -> String {
    events.map { item in
        (item.event.map { "event: \($0)\(newline)" } ?? "") + "data: \(item.data)\(newline)\(newline)"
    }.joined()
}

/// Fixtures built from the providers' documented examples (numbers changed so every field is distinct).
enum UsageFixtures {
    static let all: [UsageFixture] = openAI + anthropic + gemini + cohere + ollama + noUsage

    // MARK: OpenAI, Mistral, Groq

    static let openAI: [UsageFixture] = [
        // platform.openai.com/docs/api-reference/chat/object, with prompt caching and reasoning details.
        UsageFixture(
            name: "OpenAI chat completion with cached and reasoning tokens",
            provider: .openai, contentType: "application/json", requestModel: "o3-mini",
            body: #"{"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion","created":1741570283,"model":"o3-mini-2025-01-31","choices":[{"index":0,"message":{"role":"assistant","content":"The answer is 42. \"Quoted\" and ünïcödé.","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":1117,"completion_tokens":946,"total_tokens":2063,"prompt_tokens_details":{"cached_tokens":1024,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":704,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"service_tier":"default","system_fingerprint":"fp_fc9f1d7035"}"#,
            expected: Usage(model: "o3-mini-2025-01-31", inputTokens: 93, cachedInputTokens: 1024, outputTokens: 946, reasoningTokens: 704, serviceTier: "default"),
            sawEnd: true
        ),
        // stream_options.include_usage: every chunk has "usage":null, then a last chunk with "choices":[] and the usage.
        UsageFixture(
            name: "OpenAI chat stream with include_usage final chunk",
            provider: .openai, contentType: "text/event-stream; charset=utf-8", requestModel: "gpt-4o-mini",
            body: sseBody([
                (nil, #"{"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}"#),
                (nil, #"{"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{"content":"¡Hola, mundo! 👋"},"logprobs":null,"finish_reason":null}],"usage":null}"#),
                (nil, #"{"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}"#),
                (nil, #"{"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_44709d6fcb","choices":[],"usage":{"prompt_tokens":2006,"completion_tokens":300,"total_tokens":2306,"prompt_tokens_details":{"cached_tokens":1920,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}"#),
                (nil, "[DONE]"),
            ]),
            expected: Usage(model: "gpt-4o-mini-2024-07-18", inputTokens: 86, cachedInputTokens: 1920, outputTokens: 300),
            sawEnd: true
        ),
        // platform.openai.com/docs/api-reference/completions/object (legacy completions).
        UsageFixture(
            name: "OpenAI legacy completion",
            provider: .openai, contentType: "application/json", requestModel: nil,
            body: #"{"id":"cmpl-uqkvlQyYK7bGYrRHQ0eXlWi7","object":"text_completion","created":1589478378,"model":"gpt-3.5-turbo-instruct","system_fingerprint":"fp_44709d6fcb","choices":[{"text":"\n\nThis is indeed a test","index":0,"logprobs":null,"finish_reason":"length"}],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}"#,
            expected: Usage(model: "gpt-3.5-turbo-instruct", inputTokens: 5, outputTokens: 7),
            sawEnd: true
        ),
        // platform.openai.com/docs/api-reference/embeddings/object: model and usage come after the data.
        UsageFixture(
            name: "OpenAI embeddings",
            provider: .openai, contentType: "application/json", requestModel: "text-embedding-3-small",
            body: #"{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.0023064255,-0.009327292,-0.0028842222,0.0012345]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}"#,
            expected: Usage(model: "text-embedding-3-small", inputTokens: 8),
            sawEnd: true
        ),
        // platform.openai.com/docs/api-reference/responses/object
        UsageFixture(
            name: "OpenAI Responses API body",
            provider: .openai, contentType: "application/json", requestModel: "o3-mini",
            body: #"{"id":"resp_67ccd3a9da748190baa7f1570fe91ac604becb25c45c1d41","object":"response","created_at":1741476777,"status":"completed","error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":"o3-mini-2025-01-31","output":[{"type":"reasoning","id":"rs_67ccd3acc8d48190a77525dc6de64b4104becb25c45c1d41","summary":[]},{"type":"message","id":"msg_67ccd3acc8d48190a77525dc6de64b4104becb25c45c1d41","status":"completed","role":"assistant","content":[{"type":"output_text","text":"The classic tongue twister...","annotations":[]}]}],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":"medium","summary":null},"store":true,"temperature":1.0,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1.0,"truncation":"disabled","usage":{"input_tokens":81,"input_tokens_details":{"cached_tokens":0},"output_tokens":1035,"output_tokens_details":{"reasoning_tokens":832},"total_tokens":1116},"user":null,"metadata":{}}"#,
            expected: Usage(model: "o3-mini-2025-01-31", inputTokens: 81, outputTokens: 1035, reasoningTokens: 832),
            sawEnd: true
        ),
        // platform.openai.com/docs/guides/background: a background response fetched once it completed.
        UsageFixture(
            name: "OpenAI background response, completed",
            provider: .openai, contentType: "application/json", requestModel: nil,
            body: #"{"id":"resp_68a4c2b8f4e88190b7b4f25ea4a4b7a20e4b3b4e8b3c5d21","object":"response","created_at":1755628216,"status":"completed","background":true,"error":null,"model":"o3-deep-research-2025-06-26","output":[],"service_tier":"default","store":true,"usage":{"input_tokens":20000,"input_tokens_details":{"cached_tokens":4000},"output_tokens":9000,"output_tokens_details":{"reasoning_tokens":7000},"total_tokens":29000}}"#,
            expected: Usage(model: "o3-deep-research-2025-06-26", inputTokens: 16000, cachedInputTokens: 4000, outputTokens: 9000, reasoningTokens: 7000,
                            serviceTier: "default").deferred("resp_68a4c2b8f4e88190b7b4f25ea4a4b7a20e4b3b4e8b3c5d21"),
            sawEnd: true, readsJobs: true
        ),
        // platform.openai.com/docs/api-reference/batch/object: a finished batch's usage in total, billed at the batch
        // rates; the requests' own sizes are unknown, so the total never reaches long-context rates (largest prompt 0).
        UsageFixture(
            name: "OpenAI batch, completed",
            provider: .openai, contentType: "application/json", requestModel: nil,
            body: #"{"id":"batch_abc123","object":"batch","endpoint":"/v1/chat/completions","model":"gpt-5-2025-08-07","errors":null,"input_file_id":"file-abc123","completion_window":"24h","status":"completed","output_file_id":"file-cvaTdG","error_file_id":"file-HOWS94","created_at":1711471533,"completed_at":1711493133,"request_counts":{"total":100,"completed":95,"failed":5},"usage":{"input_tokens":1500,"input_tokens_details":{"cached_tokens":1024},"output_tokens":500,"output_tokens_details":{"reasoning_tokens":300},"total_tokens":2000},"metadata":{"customer_id":"user_123456789"}}"#,
            expected: Usage(model: "gpt-5-2025-08-07", inputTokens: 476, cachedInputTokens: 1024, outputTokens: 500, reasoningTokens: 300,
                            serviceTier: "batch").deferred("batch_abc123").summed(largestRequestPrompt: 0),
            sawEnd: true, readsJobs: true
        ),
        // Still running (or being cancelled: the answer to POST /v1/batches/{id}/cancel): its usage is not final
        // and is not taken; the GET that finds it finished bills it.
        UsageFixture(
            name: "OpenAI batch, in progress",
            provider: .openai, contentType: "application/json", requestModel: nil,
            body: #"{"id":"batch_abc124","object":"batch","endpoint":"/v1/responses","model":"gpt-5-2025-08-07","status":"in_progress","request_counts":{"total":100,"completed":40,"failed":0},"usage":{"input_tokens":600,"input_tokens_details":{"cached_tokens":0},"output_tokens":200,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":800}}"#,
            expected: nil,
            sawEnd: true, readsJobs: true
        ),
        // platform.openai.com/docs/api-reference/responses-streaming: usage only in response.completed.
        UsageFixture(
            name: "OpenAI Responses API stream",
            provider: .openai, contentType: "text/event-stream", requestModel: "o4-mini",
            body: sseBody([
                ("response.created", #"{"type":"response.created","sequence_number":0,"response":{"id":"resp_67c9fdcecf488190bdd9a0409de3a1ec07b8b0ad4e5eb654","object":"response","created_at":1741290958,"status":"in_progress","error":null,"model":"o4-mini-2025-04-16","output":[],"usage":null}}"#),
                ("response.in_progress", #"{"type":"response.in_progress","sequence_number":1,"response":{"id":"resp_67c9fdcecf488190bdd9a0409de3a1ec07b8b0ad4e5eb654","object":"response","status":"in_progress","model":"o4-mini-2025-04-16","output":[],"usage":null}}"#),
                ("response.output_text.delta", #"{"type":"response.output_text.delta","sequence_number":5,"item_id":"msg_67c9fdcf37fc8190ba82116e33fb28c507b8b0ad4e5eb654","output_index":1,"content_index":0,"delta":"Hi there — ça va?"}"#),
                ("response.output_text.done", #"{"type":"response.output_text.done","sequence_number":6,"item_id":"msg_67c9fdcf37fc8190ba82116e33fb28c507b8b0ad4e5eb654","output_index":1,"content_index":0,"text":"Hi there — ça va?"}"#),
                ("response.completed", #"{"type":"response.completed","sequence_number":9,"response":{"id":"resp_67c9fdcecf488190bdd9a0409de3a1ec07b8b0ad4e5eb654","object":"response","created_at":1741290958,"status":"completed","error":null,"model":"o4-mini-2025-04-16","output":[{"id":"rs_1","type":"reasoning","summary":[]},{"id":"msg_67c9fdcf37fc8190ba82116e33fb28c507b8b0ad4e5eb654","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hi there — ça va?","annotations":[]}]}],"usage":{"input_tokens":2048,"input_tokens_details":{"cached_tokens":1536},"output_tokens":1210,"output_tokens_details":{"reasoning_tokens":1024},"total_tokens":3258}}}"#),
            ]),
            expected: Usage(model: "o4-mini-2025-04-16", inputTokens: 512, cachedInputTokens: 1536, outputTokens: 1210, reasoningTokens: 1024),
            sawEnd: true
        ),
        // Service tiers: every chat chunk names the tier that served the request (Fast mode reports `priority`).
        UsageFixture(
            name: "OpenAI chat stream served at the priority tier",
            provider: .openai, contentType: "text/event-stream", requestModel: "gpt-5",
            body: sseBody([
                (nil, #"{"id":"chatcmpl-9","object":"chat.completion.chunk","created":1694268190,"model":"gpt-5-2025-08-07","service_tier":"priority","system_fingerprint":null,"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"usage":null}"#),
                (nil, #"{"id":"chatcmpl-9","object":"chat.completion.chunk","created":1694268190,"model":"gpt-5-2025-08-07","service_tier":"priority","system_fingerprint":null,"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}"#),
                (nil, #"{"id":"chatcmpl-9","object":"chat.completion.chunk","created":1694268190,"model":"gpt-5-2025-08-07","service_tier":"priority","system_fingerprint":null,"choices":[],"usage":{"prompt_tokens":3000,"completion_tokens":700,"total_tokens":3700,"prompt_tokens_details":{"cached_tokens":2048,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":512,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}"#),
                (nil, "[DONE]"),
            ]),
            expected: Usage(model: "gpt-5-2025-08-07", inputTokens: 952, cachedInputTokens: 2048, outputTokens: 700, reasoningTokens: 512, serviceTier: "priority"),
            sawEnd: true
        ),
        // The web search tool: one `response.web_search_call.completed` event per search the request ran.
        UsageFixture(
            name: "OpenAI Responses API stream with web searches",
            provider: .openai, contentType: "text/event-stream", requestModel: "gpt-5",
            body: sseBody([
                ("response.created", #"{"type":"response.created","sequence_number":0,"response":{"id":"resp_4","object":"response","status":"in_progress","model":"gpt-5-2025-08-07","output":[],"usage":null}}"#),
                ("response.web_search_call.in_progress", #"{"type":"response.web_search_call.in_progress","sequence_number":2,"output_index":0,"item_id":"ws_1"}"#),
                ("response.web_search_call.completed", #"{"type":"response.web_search_call.completed","sequence_number":4,"output_index":0,"item_id":"ws_1"}"#),
                ("response.web_search_call.completed", #"{"type":"response.web_search_call.completed","sequence_number":7,"output_index":1,"item_id":"ws_2"}"#),
                ("response.completed", #"{"type":"response.completed","sequence_number":12,"response":{"id":"resp_4","object":"response","status":"completed","model":"gpt-5-2025-08-07","output":[{"type":"web_search_call","id":"ws_1","status":"completed"},{"type":"web_search_call","id":"ws_2","status":"completed"}],"usage":{"input_tokens":5000,"input_tokens_details":{"cached_tokens":0},"output_tokens":400,"output_tokens_details":{"reasoning_tokens":128},"total_tokens":5400}}}"#),
            ]),
            expected: Usage(model: "gpt-5-2025-08-07", inputTokens: 5000, outputTokens: 400, reasoningTokens: 128, webSearches: 2),
            sawEnd: true
        ),
        // Audio in and out (gpt-audio): the audio parts of the prompt and completion are billed at audio rates.
        UsageFixture(
            name: "OpenAI chat completion with audio input and output",
            provider: .openai, contentType: "application/json", requestModel: "gpt-audio",
            body: #"{"id":"chatcmpl-A","object":"chat.completion","created":1,"model":"gpt-audio-2025-08-28","choices":[{"index":0,"message":{"role":"assistant","content":null,"audio":{"id":"audio_1","data":"UklGRg==","expires_at":1,"transcript":"Hi"}},"finish_reason":"stop"}],"usage":{"prompt_tokens":100,"completion_tokens":300,"total_tokens":400,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":80,"text_tokens":20,"image_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":250,"text_tokens":50,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"service_tier":"default"}"#,
            expected: Usage(model: "gpt-audio-2025-08-28", inputTokens: 100, outputTokens: 300, audioInputTokens: 80, audioOutputTokens: 250, serviceTier: "default"),
            sawEnd: true
        ),
        // The Responses API names the requested tier (`auto`) when it starts and the tier that served it at the end.
        UsageFixture(
            name: "OpenAI Responses API stream served at the flex tier",
            provider: .openai, contentType: "text/event-stream", requestModel: "o3",
            body: sseBody([
                ("response.created", #"{"type":"response.created","sequence_number":0,"response":{"id":"resp_3","object":"response","status":"in_progress","model":"o3-2025-04-16","service_tier":"auto","output":[],"usage":null}}"#),
                ("response.completed", #"{"type":"response.completed","sequence_number":4,"response":{"id":"resp_3","object":"response","status":"completed","model":"o3-2025-04-16","service_tier":"flex","output":[],"usage":{"input_tokens":1000,"input_tokens_details":{"cached_tokens":0},"output_tokens":200,"output_tokens_details":{"reasoning_tokens":128},"total_tokens":1200}}}"#),
            ]),
            expected: Usage(model: "o3-2025-04-16", inputTokens: 1000, outputTokens: 200, reasoningTokens: 128, serviceTier: "flex"),
            sawEnd: true
        ),
        UsageFixture(
            name: "OpenAI Responses API stream ending in response.incomplete",
            provider: .openai, contentType: "text/event-stream", requestModel: "o4-mini",
            body: sseBody([
                ("response.created", #"{"type":"response.created","sequence_number":0,"response":{"id":"resp_2","object":"response","status":"in_progress","model":"o4-mini-2025-04-16","output":[],"usage":null}}"#),
                ("response.incomplete", #"{"type":"response.incomplete","sequence_number":3,"response":{"id":"resp_2","object":"response","status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},"model":"o4-mini-2025-04-16","output":[{"id":"rs_2","type":"reasoning","summary":[]}],"usage":{"input_tokens":37,"input_tokens_details":{"cached_tokens":0},"output_tokens":64,"output_tokens_details":{"reasoning_tokens":64},"total_tokens":101}}}"#),
            ]),
            expected: Usage(model: "o4-mini-2025-04-16", inputTokens: 37, outputTokens: 64, reasoningTokens: 64),
            sawEnd: true
        ),
        // docs.mistral.ai: the last chunk carries usage next to finish_reason.
        UsageFixture(
            name: "Mistral chat stream",
            provider: .mistral, contentType: "text/event-stream", requestModel: "mistral-small-latest",
            body: sseBody([
                (nil, #"{"id":"cmpl-e5cc70bb28c444948073e77776eb30ef","object":"chat.completion.chunk","created":1702256327,"model":"mistral-small-latest","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"#),
                (nil, #"{"id":"cmpl-e5cc70bb28c444948073e77776eb30ef","object":"chat.completion.chunk","created":1702256327,"model":"mistral-small-latest","choices":[{"index":0,"delta":{"content":"Bonjour !"},"finish_reason":null}]}"#),
                (nil, #"{"id":"cmpl-e5cc70bb28c444948073e77776eb30ef","object":"chat.completion.chunk","created":1702256327,"model":"mistral-small-latest","choices":[{"index":0,"delta":{"content":""},"finish_reason":"stop","logprobs":null}],"usage":{"prompt_tokens":10,"total_tokens":35,"completion_tokens":25}}"#),
                (nil, "[DONE]"),
            ]),
            expected: Usage(model: "mistral-small-latest", inputTokens: 10, outputTokens: 25),
            sawEnd: true
        ),
        // console.groq.com: the last chunk carries `x_groq.usage` (with timings).
        UsageFixture(
            name: "Groq stream with x_groq.usage",
            provider: .openaiCompatible, contentType: "text/event-stream", requestModel: "llama-3.3-70b-versatile",
            body: sseBody([
                (nil, #"{"id":"chatcmpl-bc4c2b5f-ad1c-4152-831f-a0885de968a3","object":"chat.completion.chunk","created":1729000000,"model":"llama-3.3-70b-versatile","system_fingerprint":"fp_c06d5113ec","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],"x_groq":{"id":"req_01jbd6g2qdfw2adyrt2az8hz4w"}}"#),
                (nil, #"{"id":"chatcmpl-bc4c2b5f-ad1c-4152-831f-a0885de968a3","object":"chat.completion.chunk","created":1729000000,"model":"llama-3.3-70b-versatile","system_fingerprint":"fp_c06d5113ec","choices":[{"index":0,"delta":{"content":"Hello World!"},"logprobs":null,"finish_reason":null}]}"#),
                (nil, #"{"id":"chatcmpl-bc4c2b5f-ad1c-4152-831f-a0885de968a3","object":"chat.completion.chunk","created":1729000000,"model":"llama-3.3-70b-versatile","system_fingerprint":"fp_c06d5113ec","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"x_groq":{"id":"req_01jbd6g2qdfw2adyrt2az8hz4w","usage":{"queue_time":0.017884,"prompt_tokens":38,"prompt_time":0.00242,"completion_tokens":5,"completion_time":0.020833,"total_tokens":43,"total_time":0.023253}}}"#),
                (nil, "[DONE]"),
            ]),
            expected: Usage(model: "llama-3.3-70b-versatile", inputTokens: 38, outputTokens: 5),
            sawEnd: true
        ),
    ]

    // MARK: Anthropic

    static let anthropic: [UsageFixture] = [
        // docs.anthropic.com prompt caching: cache_creation splits writes by TTL.
        UsageFixture(
            name: "Anthropic message with 5m and 1h cache writes",
            provider: .anthropic, contentType: "application/json", requestModel: "claude-sonnet-4-0",
            body: #"{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-sonnet-4-20250514","content":[{"type":"text","text":"Hello! \"Bonjour\" — 你好"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":21,"cache_creation_input_tokens":3000,"cache_read_input_tokens":1800,"cache_creation":{"ephemeral_5m_input_tokens":1000,"ephemeral_1h_input_tokens":2000},"output_tokens":393,"service_tier":"standard"}}"#,
            expected: Usage(model: "claude-sonnet-4-20250514", inputTokens: 21, cachedInputTokens: 1800, cacheWriteTokens: 1000, cacheWrite1hTokens: 2000, outputTokens: 393, serviceTier: "standard"),
            sawEnd: true
        ),
        UsageFixture(
            name: "Anthropic message without cache_creation breakdown",
            provider: .anthropic, contentType: "application/json", requestModel: nil,
            body: #"{"id":"msg_01EcyWo6m4hyW8KHs2y2pei5","type":"message","role":"assistant","model":"claude-3-5-sonnet-20241022","content":[{"type":"text","text":"Sure."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":2095,"output_tokens":503,"cache_creation_input_tokens":2051,"cache_read_input_tokens":0}}"#,
            expected: Usage(model: "claude-3-5-sonnet-20241022", inputTokens: 2095, cacheWriteTokens: 2051, outputTokens: 503),
            sawEnd: true
        ),
        // docs.anthropic.com/en/docs/build-with-claude/streaming: output_tokens in message_delta is cumulative.
        UsageFixture(
            name: "Anthropic stream with thinking, cache read and write",
            provider: .anthropic, contentType: "text/event-stream", requestModel: "claude-3-7-sonnet-latest",
            body: anthropicStream,
            expected: Usage(model: "claude-3-7-sonnet-20250219", inputTokens: 472, cachedInputTokens: 2048, cacheWriteTokens: 1024, outputTokens: 15),
            sawEnd: true
        ),
        // Newer API versions repeat input and cache fields in message_delta (null where unknown).
        UsageFixture(
            name: "Anthropic stream with input fields repeated in message_delta",
            provider: .anthropic, contentType: "text/event-stream", requestModel: nil,
            body: sseBody([
                ("message_start", #"{"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","content":[],"model":"claude-opus-4-1-20250805","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":500,"cache_read_input_tokens":0,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":500},"output_tokens":1,"service_tier":"standard"}}}"#),
                ("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"server_tool_use","id":"srvtoolu_014hJH82Qum7Td6UV8gDXThB","name":"web_search","input":{}}}"#),
                ("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
                ("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":3480,"cache_creation_input_tokens":null,"cache_read_input_tokens":1200,"output_tokens":310,"server_tool_use":{"web_search_requests":1}}}"#),
                ("message_stop", #"{"type":"message_stop"}"#),
            ]),
            // One web search (server_tool_use), billed per search on top of the tokens.
            expected: Usage(model: "claude-opus-4-1-20250805", inputTokens: 3480, cachedInputTokens: 1200, cacheWrite1hTokens: 500, outputTokens: 310,
                            webSearches: 1, serviceTier: "standard"),
            sawEnd: true
        ),
        // platform.claude.com fast mode: `usage.speed` says which speed served the request (the tier it is billed at).
        UsageFixture(
            name: "Anthropic message served in fast mode",
            provider: .anthropic, contentType: "application/json", requestModel: "claude-opus-5-5",
            body: #"{"id":"msg_01FastMode","type":"message","role":"assistant","model":"claude-opus-5-5","content":[{"type":"text","text":"Done."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":1200,"cache_creation_input_tokens":0,"cache_read_input_tokens":30000,"output_tokens":800,"service_tier":"standard","speed":"fast"}}"#,
            expected: Usage(model: "claude-opus-5-5", inputTokens: 1200, cachedInputTokens: 30000, outputTokens: 800, serviceTier: "fast_mode"),
            sawEnd: true
        ),
        // Streamed: the speed comes with message_start's usage; message_delta's usage does not repeat it.
        UsageFixture(
            name: "Anthropic stream served in fast mode",
            provider: .anthropic, contentType: "text/event-stream", requestModel: nil,
            body: sseBody([
                ("message_start", #"{"type":"message_start","message":{"id":"msg_02","type":"message","role":"assistant","content":[],"model":"claude-opus-4-6","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":40,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1,"service_tier":"standard","speed":"fast"}}}"#),
                ("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":120}}"#),
                ("message_stop", #"{"type":"message_stop"}"#),
            ]),
            expected: Usage(model: "claude-opus-4-6", inputTokens: 40, outputTokens: 120, serviceTier: "fast_mode"),
            sawEnd: true
        ),
        // Fast mode asked for but served at standard speed (a model without it, or the fallback): standard rates.
        UsageFixture(
            name: "Anthropic message asked fast, served standard",
            provider: .anthropic, contentType: "application/json", requestModel: nil,
            body: #"{"id":"msg_03","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":10,"output_tokens":20,"service_tier":"priority","speed":"standard"}}"#,
            expected: Usage(model: "claude-sonnet-4-5-20250929", inputTokens: 10, outputTokens: 20, serviceTier: "priority"),
            sawEnd: true
        ),
    ]

    static let anthropicMessageStart = #"{"type":"message_start","message":{"id":"msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY","type":"message","role":"assistant","content":[],"model":"claude-3-7-sonnet-20250219","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":472,"cache_creation_input_tokens":1024,"cache_read_input_tokens":2048,"cache_creation":{"ephemeral_5m_input_tokens":1024,"ephemeral_1h_input_tokens":0},"output_tokens":2}}}"#

    static let anthropicStream = sseBody([
        ("message_start", anthropicMessageStart),
        ("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}"#),
        ("ping", #"{"type": "ping"}"#),
        ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me solve this step by step: 27 × 453 = 12 231 ✓"}}"#),
        ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"}}"#),
        ("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
        ("content_block_start", #"{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}"#),
        ("content_block_delta", #"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"27 × 453 = 12,231"}}"#),
        ("content_block_stop", #"{"type":"content_block_stop","index":1}"#),
        ("message_delta", #"{"type":"message_delta","delta":{"stop_reason":null,"stop_sequence":null},"usage":{"output_tokens":8}}"#),
        ("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}"#),
        ("message_stop", #"{"type":"message_stop"}"#),
    ])

    // MARK: Gemini

    static let gemini: [UsageFixture] = [
        // Audio in the prompt (and some of it from the cache) is billed at the audio rate.
        UsageFixture(
            name: "Gemini generateContent with audio input",
            provider: .gemini, contentType: "application/json", requestModel: "gemini-2.5-flash",
            body: #"{"candidates":[{"content":{"parts":[{"text":"A dog barks."}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":1000,"candidatesTokenCount":100,"totalTokenCount":1100,"cachedContentTokenCount":300,"promptTokensDetails":[{"modality":"TEXT","tokenCount":100},{"modality":"AUDIO","tokenCount":900}],"cacheTokensDetails":[{"modality":"AUDIO","tokenCount":300}],"candidatesTokensDetails":[{"modality":"TEXT","tokenCount":100}]},"modelVersion":"gemini-2.5-flash","responseId":"r"}"#,
            expected: Usage(model: "gemini-2.5-flash", inputTokens: 700, cachedInputTokens: 300, outputTokens: 100, audioInputTokens: 600),
            sawEnd: true
        ),
        // ai.google.dev streamGenerateContent?alt=sse: "\r\n" line endings, cumulative usageMetadata in every chunk.
        UsageFixture(
            name: "Gemini SSE stream with thoughts and cached tokens",
            provider: .gemini, contentType: "text/event-stream", requestModel: "gemini-2.5-flash",
            body: sseBody([
                (nil, #"{"candidates": [{"content": {"parts": [{"text": "The sky"}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 4150,"totalTokenCount": 4578,"cachedContentTokenCount": 4096,"thoughtsTokenCount": 428,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 4150}],"cacheTokensDetails": [{"modality": "TEXT","tokenCount": 4096}]},"modelVersion": "gemini-2.5-flash","responseId": "mKbXaOv9Dc6qkdUPg4TY-QM"}"#),
                (nil, #"{"candidates": [{"content": {"parts": [{"text": " is blue — très bleu."}],"role": "model"},"finishReason": "STOP","index": 0}],"usageMetadata": {"promptTokenCount": 4150,"candidatesTokenCount": 12,"totalTokenCount": 4590,"cachedContentTokenCount": 4096,"thoughtsTokenCount": 428,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 4150}],"cacheTokensDetails": [{"modality": "TEXT","tokenCount": 4096}]},"modelVersion": "gemini-2.5-flash","responseId": "mKbXaOv9Dc6qkdUPg4TY-QM"}"#),
            ], newline: "\r\n"),
            expected: Usage(model: "gemini-2.5-flash", inputTokens: 54, cachedInputTokens: 4096, outputTokens: 440, reasoningTokens: 428),
            sawEnd: true
        ),
        // streamGenerateContent without alt=sse: one JSON array, served as application/json, written element by element.
        UsageFixture(
            name: "Gemini JSON array stream with thoughts and cached tokens",
            provider: .gemini, contentType: "application/json; charset=UTF-8", requestModel: "gemini-2.5-pro",
            body: "[" + #"{"candidates": [{"content": {"parts": [{"text": "Once"}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 1033,"totalTokenCount": 2033,"cachedContentTokenCount": 1024,"thoughtsTokenCount": 1000},"modelVersion": "gemini-2.5-pro","responseId": "a1"}"#
                + "\n,\r\n"
                + #"{"candidates": [{"content": {"parts": [{"text": " upon a time…"}],"role": "model"},"finishReason": "STOP","index": 0}],"usageMetadata": {"promptTokenCount": 1033,"candidatesTokenCount": 210,"totalTokenCount": 2243,"cachedContentTokenCount": 1024,"thoughtsTokenCount": 1000},"modelVersion": "gemini-2.5-pro","responseId": "a1"}"#
                + "\n]",
            expected: Usage(model: "gemini-2.5-pro", inputTokens: 9, cachedInputTokens: 1024, outputTokens: 1210, reasoningTokens: 1000),
            sawEnd: true
        ),
        // generateContent with a tool (toolUsePromptTokenCount is input too); no modelVersion, so the request's model.
        UsageFixture(
            name: "Gemini generateContent with tool-use prompt tokens",
            provider: .gemini, contentType: "application/json", requestModel: "gemini-2.0-flash",
            body: #"{"candidates":[{"content":{"parts":[{"text":"It is 22°C in Paris."}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":120,"candidatesTokenCount":95,"toolUsePromptTokenCount":380,"totalTokenCount":595}}"#,
            expected: Usage(model: "gemini-2.0-flash", inputTokens: 500, outputTokens: 95),
            sawEnd: true
        ),
    ]

    // MARK: Cohere

    static let cohere: [UsageFixture] = [
        // docs.cohere.com/reference/chat (v2): billed_units is what is charged; tokens include the prompt template.
        UsageFixture(
            name: "Cohere v2 chat",
            provider: .cohere, contentType: "application/json", requestModel: "command-a-03-2025",
            body: #"{"id":"c14c80c3-18eb-4519-9460-6c92edd8cfb4","finish_reason":"COMPLETE","message":{"role":"assistant","content":[{"type":"text","text":"LLMs stand for Large Language Models."}]},"usage":{"billed_units":{"input_tokens":5,"output_tokens":418},"tokens":{"input_tokens":71,"output_tokens":418}}}"#,
            expected: Usage(model: "command-a-03-2025", inputTokens: 5, outputTokens: 418),
            sawEnd: true
        ),
        // docs.cohere.com/v2/docs/streaming: usage in message-end's delta.
        UsageFixture(
            name: "Cohere v2 chat stream with message-end",
            provider: .cohere, contentType: "text/event-stream", requestModel: "command-a-03-2025",
            body: sseBody([
                ("message-start", #"{"id":"29f14a5a-11de-4cae-9800-25e4747408ea","type":"message-start","delta":{"message":{"role":"assistant","content":[],"tool_plan":"","tool_calls":[],"citations":[]}}}"#),
                ("content-start", #"{"type":"content-start","index":0,"delta":{"message":{"content":{"type":"text","text":""}}}}"#),
                ("content-delta", #"{"type":"content-delta","index":0,"delta":{"message":{"content":{"text":"Hallo Welt — grüß dich"}}}}"#),
                ("content-end", #"{"type":"content-end","index":0}"#),
                ("message-end", #"{"type":"message-end","delta":{"finish_reason":"COMPLETE","usage":{"billed_units":{"input_tokens":3,"output_tokens":164},"tokens":{"input_tokens":198,"output_tokens":164}}}}"#),
            ]),
            expected: Usage(model: "command-a-03-2025", inputTokens: 3, outputTokens: 164),
            sawEnd: true
        ),
        // docs.cohere.com/v1/reference/chat: meta.billed_units.
        UsageFixture(
            name: "Cohere v1 chat",
            provider: .cohere, contentType: "application/json", requestModel: "command-r-plus",
            body: #"{"response_id":"d6e7ff8a-d1d3-4ad7-8c5e-4dd8d1bd6b87","text":"Isaac Newton was born in 1643.","generation_id":"0d3f7c2b-5b3a-4c8e-9a6b-1f2e3d4c5b6a","chat_history":[{"role":"USER","message":"What year was he born?"},{"role":"CHATBOT","message":"Isaac Newton was born in 1643."}],"finish_reason":"COMPLETE","meta":{"api_version":{"version":"1"},"billed_units":{"input_tokens":17,"output_tokens":52},"tokens":{"input_tokens":83,"output_tokens":52}}}"#,
            expected: Usage(model: "command-r-plus", inputTokens: 17, outputTokens: 52),
            sawEnd: true
        ),
        // v1 streams newline-delimited JSON; the stream-end event repeats the response with its meta.
        UsageFixture(
            name: "Cohere v1 chat stream with stream-end",
            provider: .cohere, contentType: "application/stream+json", requestModel: "command-r",
            body: [
                #"{"is_finished":false,"event_type":"stream-start","generation_id":"0d3f7c2b-5b3a-4c8e-9a6b-1f2e3d4c5b6a"}"#,
                #"{"is_finished":false,"event_type":"text-generation","text":"Hi"}"#,
                #"{"is_finished":false,"event_type":"text-generation","text":" there!"}"#,
                #"{"is_finished":true,"event_type":"stream-end","response":{"response_id":"d6e7ff8a","text":"Hi there!","generation_id":"0d3f7c2b-5b3a-4c8e-9a6b-1f2e3d4c5b6a","chat_history":[{"role":"USER","message":"Hello"},{"role":"CHATBOT","message":"Hi there!"}],"finish_reason":"COMPLETE","meta":{"api_version":{"version":"1"},"billed_units":{"input_tokens":12,"output_tokens":9},"tokens":{"input_tokens":78,"output_tokens":9}}},"finish_reason":"COMPLETE"}"#,
            ].joined(separator: "\n") + "\n",
            expected: Usage(model: "command-r", inputTokens: 12, outputTokens: 9),
            sawEnd: true
        ),
    ]

    // MARK: Ollama

    static let ollama: [UsageFixture] = [
        // github.com/ollama/ollama/blob/main/docs/api.md: NDJSON, the final line has done:true and the counts.
        UsageFixture(
            name: "Ollama /api/chat NDJSON stream",
            provider: .openaiCompatible, contentType: "application/x-ndjson", requestModel: "llama3.2",
            body: [
                #"{"model":"llama3.2","created_at":"2023-08-04T08:52:19.385406455-07:00","message":{"role":"assistant","content":"The"},"done":false}"#,
                #"{"model":"llama3.2","created_at":"2023-08-04T08:52:19.585406455-07:00","message":{"role":"assistant","content":" sky ☁️"},"done":false}"#,
                #"{"model":"llama3.2","created_at":"2023-08-04T19:22:45.499127Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","total_duration":4883583458,"load_duration":1334875,"prompt_eval_count":26,"prompt_eval_duration":342546000,"eval_count":282,"eval_duration":4535599000}"#,
            ].joined(separator: "\n") + "\n",
            expected: Usage(model: "llama3.2", inputTokens: 26, outputTokens: 282),
            sawEnd: true
        ),
        UsageFixture(
            name: "Ollama /api/generate without streaming",
            provider: .openaiCompatible, contentType: "application/json; charset=utf-8", requestModel: "llama3.2",
            body: #"{"model":"llama3.2","created_at":"2023-08-04T19:22:45.499127Z","response":"The sky is blue because it is the color of the sky.","done":true,"done_reason":"stop","context":[1,2,3],"total_duration":5043500667,"load_duration":5025959,"prompt_eval_count":26,"prompt_eval_duration":325953000,"eval_count":290,"eval_duration":4709213000}"#,
            expected: Usage(model: "llama3.2", inputTokens: 26, outputTokens: 290),
            sawEnd: true
        ),
    ]

    // MARK: No usage

    static let noUsage: [UsageFixture] = [
        UsageFixture(
            name: "OpenAI error body",
            provider: .openai, contentType: "application/json", requestModel: "gpt-4o",
            body: #"{"error":{"message":"Incorrect API key provided: sk-abc. You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#,
            expected: nil,
            sawEnd: true
        ),
        UsageFixture(
            name: "Generic service with a usage-like body",
            provider: .generic, contentType: "application/json", requestModel: nil,
            body: #"{"model":"x","usage":{"prompt_tokens":10,"completion_tokens":5}}"#,
            expected: nil,
            sawEnd: false
        ),
        UsageFixture(
            name: "OpenAI stream cut off before the usage chunk",
            provider: .openai, contentType: "text/event-stream", requestModel: "gpt-4o",
            body: sseBody([
                (nil, #"{"id":"chatcmpl-9","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}],"usage":null}"#),
            ]),
            expected: nil,
            sawEnd: false
        ),
    ]
}
