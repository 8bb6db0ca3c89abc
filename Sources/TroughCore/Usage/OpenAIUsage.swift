/// OpenAI chat completions, legacy completions, embeddings and the Responses API; Mistral, Groq (`x_groq.usage`),
/// other OpenAI-compatible servers, and Ollama's native API (`prompt_eval_count`, `eval_count`); audio transcriptions
/// (`usage` of type `duration`, `verbose_json`'s `duration`, Mistral's `prompt_audio_seconds`); Mistral OCR's pages
/// (`usage_info.pages_processed`) and annotated pages (`pages_processed_annotation`).
enum OpenAIUsage {
    static let markers: [[UInt8]] = ["\"usage\"", "eval_count", "web_search_call.completed", "file_search_call.completed"].map { Array($0.utf8) }

    static let scanKeys: [JSONKeyScanner.Key] = [
        .first("type"), .first("model"), .last("usage"), .last("x_groq"),
        .last("prompt_eval_count"), .last("eval_count"), .last("done"), .last("service_tier"), .last("duration"),
    ]
    /// Mistral's answers also name OCR pages (`usage_info`, a whole document: never streamed).
    static let mistralScanKeys = scanKeys + [.last("usage_info")]
    /// With what tells a job apart, for answers that may be one (`UsageState.readsJobs`: Responses API objects and
    /// batches), and a Responses object's hosted-tool usage (`noteToolUsage`). Not its `tools`, function schemas and
    /// all: a scanned answer looks them up only when it used the image generation tool (`UsageState.nameImageTool`).
    static let jobScanKeys = scanKeys + [.first("id"), .first("object"), .first("status"), .first("background"), .last("tool_usage")]
    static let toolsKey = JSONKeyScanner.Key.first("tools")

    /// The image model of the Responses API's `image_generation` tool when the tool names none (the openai SDK's
    /// `ImageGeneration.model` default).
    static let defaultImageGenerationModel = "gpt-image-2.6-sunburst"

    /// A batch in one of these has all the usage it will have.
    private static let finishedBatchStatuses: Set<String> = ["completed", "expired", "cancelled", "failed"]

    /// Responses API stream events that end a response; each carries the final `response.usage`.
    private static let terminalEvents: Set<String> = ["response.completed", "response.incomplete", "response.failed"]

    static func apply(_ object: JSONObject, to state: inout UsageState) {
        var body = object
        if let type = UsageJSON.string(object["type"]), type.hasPrefix("response.") {
            if terminalEvents.contains(type) { state.sawEnd = true }
            if type == "response.web_search_call.completed" { state.webSearchCalls += 1 }
            if type == "response.file_search_call.completed" { state.fileSearchCalls += 1 }
            if let response = UsageJSON.object(object["response"]) { body = response }
        }
        if let model = UsageJSON.string(body["model"]) { state.model = model }
        // The tier that served the request: every chat chunk and the final Responses object carry it.
        if let tier = UsageJSON.string(body["service_tier"]) { state.serviceTier = tier }
        if state.readsJobs, !noteJob(body, in: &state) { return }
        let usage = UsageJSON.object(body["usage"]) ?? UsageJSON.object(UsageJSON.path(body, "x_groq", "usage"))
        if let usage, let counts = counts(usage) {
            state.record(counts)
        } else if body["prompt_eval_count"] != nil || body["eval_count"] != nil {
            state.record(Usage(
                inputTokens: UsageJSON.count(body["prompt_eval_count"]) ?? 0,
                outputTokens: UsageJSON.count(body["eval_count"]) ?? 0
            ))
        } else if let milliseconds = UsageJSON.milliseconds(body["duration"]) {
            var usage = Usage()
            usage.audioMilliseconds = milliseconds
            state.record(usage)
        } else if let info = UsageJSON.object(body["usage_info"]),
                  info["pages_processed"] != nil || info["pages_processed_annotation"] != nil {
            var usage = Usage()
            usage.pages = UsageJSON.count(info["pages_processed"]) ?? 0
            usage.annotatedPages = UsageJSON.count(info["pages_processed_annotation"]) ?? 0
            state.record(usage)
        }
        if let toolUsage = UsageJSON.object(body["tool_usage"]) { noteToolUsage(toolUsage, tools: body["tools"], in: &state) }
        if UsageJSON.bool(body["done"]) == true { state.sawEnd = true }
    }

    /// A Responses API object's hosted-tool usage (`tool_usage`), which its `usage` leaves out: the billable web
    /// searches (`web_search.num_requests`: discounted searches and page opens are not in it), and the image
    /// generation tool's tokens (`image_gen`), billed at the image model the object's `image_generation` tool names.
    private static func noteToolUsage(_ toolUsage: JSONObject, tools: JSONValue?, in state: inout UsageState) {
        if let searches = UsageJSON.count(UsageJSON.path(toolUsage, "web_search", "num_requests")) { state.billableWebSearches = searches }
        guard let image = UsageJSON.object(toolUsage["image_gen"]) else { return }
        let input = UsageJSON.count(image["input_tokens"]) ?? 0
        let output = UsageJSON.count(image["output_tokens"]) ?? 0
        guard input > 0 || output > 0 else {
            state.iterations = []
            return
        }
        let cached = min(input, UsageJSON.count(image["cached_tokens"]) ?? 0)
        var part = Usage(model: imageToolModel(tools), inputTokens: input - cached, cachedInputTokens: cached, outputTokens: output)
        let imageInput = UsageJSON.count(UsageJSON.path(image, "input_tokens_details", "image_tokens")) ?? 0
        let cachedImage = UsageJSON.count(UsageJSON.path(image, "cached_tokens_details", "cached_image_tokens")) ?? 0
        part.imageInputTokens = min(part.inputTokens, max(0, imageInput - cachedImage))
        part.imageOutputTokens = UsageJSON.count(UsageJSON.path(image, "output_tokens_details", "image_tokens")) ?? output
        state.iterations = [part]
    }

    /// The model of the `image_generation` tool among a Responses object's `tools`, else the tool's default.
    static func imageToolModel(_ tools: JSONValue?) -> String {
        let imageTool = tools?.array?.lazy.compactMap(\.object).first { UsageJSON.string($0["type"]) == "image_generation" }
        return imageTool.flatMap { UsageJSON.string($0["model"]) } ?? defaultImageGenerationModel
    }

    /// A background response, or a batch that has finished (its usage in total, at the batch rates): its id, so it
    /// is billed once however often it is fetched. False for a batch still running (or being created or
    /// cancelled), whose usage is not final: none is taken.
    private static func noteJob(_ body: JSONObject, in state: inout UsageState) -> Bool {
        if UsageJSON.string(body["object"]) == "batch" {
            guard let status = UsageJSON.string(body["status"]), finishedBatchStatuses.contains(status) else { return false }
            state.serviceTier = ServiceTier.batch.rawValue
            state.deferredID = UsageJSON.string(body["id"])
            state.summedRequests = true
        } else if UsageJSON.bool(body["background"]) == true {
            state.deferredID = UsageJSON.string(body["id"]) ?? state.deferredID
        }
        return true
    }

    /// A chat-completions `usage` (`prompt_tokens`…) or a Responses API `usage` (`input_tokens`…), with the audio
    /// seconds of a transcription (`seconds` of a `duration` usage, Mistral's `prompt_audio_seconds`).
    static func counts(_ usage: JSONObject) -> Usage? {
        let audio = UsageJSON.milliseconds(usage["seconds"] ?? usage["prompt_audio_seconds"])
        guard var counts = tokenCounts(usage) ?? audio.map({ _ in Usage() }) else { return nil }
        counts.audioMilliseconds = audio ?? 0
        return counts
    }

    private static func tokenCounts(_ usage: JSONObject) -> Usage? {
        if usage["prompt_tokens"] != nil || usage["completion_tokens"] != nil {
            let prompt = UsageJSON.count(usage["prompt_tokens"]) ?? 0
            // DeepSeek reports cache hits as `prompt_cache_hit_tokens`.
            let cached = min(prompt, UsageJSON.count(UsageJSON.path(usage, "prompt_tokens_details", "cached_tokens"))
                ?? UsageJSON.count(usage["prompt_cache_hit_tokens"]) ?? 0)
            let written = cacheWrites(usage, details: "prompt_tokens_details", of: prompt - cached)
            let completion = UsageJSON.count(usage["completion_tokens"])
                ?? max(0, (UsageJSON.count(usage["total_tokens"]) ?? prompt) - prompt)
            var counts = Usage(
                inputTokens: prompt - cached - written,
                cachedInputTokens: cached,
                cacheWriteTokens: written,
                outputTokens: completion,
                reasoningTokens: UsageJSON.count(UsageJSON.path(usage, "completion_tokens_details", "reasoning_tokens")) ?? 0
            )
            counts.audioInputTokens = uncachedAudio(usage, details: "prompt_tokens_details", of: counts)
            counts.audioOutputTokens = UsageJSON.count(UsageJSON.path(usage, "completion_tokens_details", "audio_tokens")) ?? 0
            return counts
        }
        if usage["input_tokens"] != nil || usage["output_tokens"] != nil {
            let input = UsageJSON.count(usage["input_tokens"]) ?? 0
            let cached = min(input, UsageJSON.count(UsageJSON.path(usage, "input_tokens_details", "cached_tokens")) ?? 0)
            let written = cacheWrites(usage, details: "input_tokens_details", of: input - cached)
            var counts = Usage(
                inputTokens: input - cached - written,
                cachedInputTokens: cached,
                cacheWriteTokens: written,
                outputTokens: UsageJSON.count(usage["output_tokens"]) ?? 0,
                reasoningTokens: UsageJSON.count(UsageJSON.path(usage, "output_tokens_details", "reasoning_tokens")) ?? 0
            )
            // Transcriptions say `input_token_details`.
            let details = usage["input_token_details"] != nil ? "input_token_details" : "input_tokens_details"
            counts.audioInputTokens = uncachedAudio(usage, details: details, of: counts)
            counts.audioOutputTokens = UsageJSON.count(UsageJSON.path(usage, "output_tokens_details", "audio_tokens")) ?? 0
            // Image generation: the images given to an edit, and the generated images when the output is broken down.
            counts.imageInputTokens = min(counts.inputTokens, UsageJSON.count(UsageJSON.path(usage, details, "image_tokens")) ?? 0)
            counts.imageOutputTokens = UsageJSON.count(UsageJSON.path(usage, "output_tokens_details", "image_tokens")) ?? 0
            return counts
        }
        return nil
    }

    /// The prompt tokens written to the cache (`cache_write_tokens`, GPT-5.6 and later: part of the prompt, billed at
    /// the model's cache-write rate), at most the `uncached` ones.
    private static func cacheWrites(_ usage: JSONObject, details: String, of uncached: Int64) -> Int64 {
        min(max(0, uncached), UsageJSON.count(UsageJSON.path(usage, details, "cache_write_tokens")) ?? 0)
    }

    /// The prompt's audio tokens that were not read from the cache (`cached_tokens_details.audio_tokens`).
    private static func uncachedAudio(_ usage: JSONObject, details: String, of counts: Usage) -> Int64 {
        let audio = UsageJSON.count(UsageJSON.path(usage, details, "audio_tokens")) ?? 0
        let cachedAudio = UsageJSON.count(UsageJSON.path(usage, details, "cached_tokens_details", "audio_tokens")) ?? 0
        return min(counts.inputTokens, max(0, audio - cachedAudio))
    }
}
