/// Anthropic Messages: a `message` body, or a stream of `message_start` (input, cache and a first output count),
/// `message_delta` (cumulative output; newer versions repeat the input and cache fields) and `message_stop`.
enum AnthropicUsage {
    static let markers: [[UInt8]] = ["\"usage\"", "message_stop"].map { Array($0.utf8) }

    static let scanKeys: [JSONKeyScanner.Key] = [.first("type"), .first("model"), .last("usage")]

    /// Anthropic's usage fields as last reported; a field absent or null in a later event keeps its earlier value.
    struct Counts: Hashable, Sendable {
        var input: Int64?
        var cacheRead: Int64?
        var cacheCreation: Int64?
        var cacheCreation5m: Int64?
        var cacheCreation1h: Int64?
        var output: Int64?
        /// `usage.output_tokens_details.thinking_tokens`: the reasoning part of `output`, kept apart for reporting.
        var thinking: Int64?
        var webSearches: Int64?
        /// `usage.service_tier` (`standard`, `priority`, `batch`) and `usage.speed` (`standard`, `fast`).
        var serviceTier: String?
        var speed: String?
        /// `usage.inference_geo` (`global`, `us`).
        var inferenceGeo: String?

        mutating func merge(_ usage: JSONObject) {
            input = UsageJSON.count(usage["input_tokens"]) ?? input
            cacheRead = UsageJSON.count(usage["cache_read_input_tokens"]) ?? cacheRead
            cacheCreation = UsageJSON.count(usage["cache_creation_input_tokens"]) ?? cacheCreation
            output = UsageJSON.count(usage["output_tokens"]) ?? output
            thinking = UsageJSON.count(UsageJSON.path(usage, "output_tokens_details", "thinking_tokens")) ?? thinking
            webSearches = UsageJSON.count(UsageJSON.path(usage, "server_tool_use", "web_search_requests")) ?? webSearches
            serviceTier = UsageJSON.string(usage["service_tier"]) ?? serviceTier
            speed = UsageJSON.string(usage["speed"]) ?? speed
            inferenceGeo = UsageJSON.string(usage["inference_geo"]) ?? inferenceGeo
            if let split = UsageJSON.object(usage["cache_creation"]) {
                cacheCreation5m = UsageJSON.count(split["ephemeral_5m_input_tokens"]) ?? cacheCreation5m
                cacheCreation1h = UsageJSON.count(split["ephemeral_1h_input_tokens"]) ?? cacheCreation1h
            }
        }

        var isEmpty: Bool {
            input == nil && cacheRead == nil && cacheCreation == nil && cacheCreation5m == nil && cacheCreation1h == nil && output == nil
        }

        /// Cache writes split by `cache_creation` when present (any part of the total it does not explain is billed
        /// at the 5-minute rate), else all of `cache_creation_input_tokens` at the 5-minute rate.
        var normalized: Usage {
            var write5m = cacheCreation ?? 0
            var write1h: Int64 = 0
            if cacheCreation5m != nil || cacheCreation1h != nil {
                write1h = cacheCreation1h ?? 0
                let split5m = cacheCreation5m ?? 0
                write5m = split5m + max(0, (cacheCreation ?? 0) - split5m - write1h)
            }
            return Usage(
                inputTokens: input ?? 0,
                cachedInputTokens: cacheRead ?? 0,
                cacheWriteTokens: write5m,
                cacheWrite1hTokens: write1h,
                outputTokens: output ?? 0,
                reasoningTokens: min(output ?? 0, thinking ?? 0),
                webSearches: webSearches ?? 0,
                serviceTier: speed == "fast" ? ServiceTier.fastMode.rawValue : serviceTier,
                inferenceGeo: inferenceGeo
            )
        }
    }

    static func apply(_ object: JSONObject, to state: inout UsageState) {
        if state.sumsBatchResults {
            applyBatchResult(object, to: &state)
            return
        }
        let type = UsageJSON.string(object["type"])
        if type == "message_stop" {
            state.sawEnd = true
            return
        }
        let body = type == "message_start" ? UsageJSON.object(object["message"]) ?? JSONObject() : object
        if type != "message_delta", let model = UsageJSON.string(body["model"]) { state.model = model }
        guard let usage = UsageJSON.object(body["usage"]) else { return }
        state.anthropic.merge(usage)
        // Streams repeat the cumulative usage: the latest iterations replace the earlier ones.
        if let reported = usage["iterations"]?.array { state.iterations = billedApart(reported) }
        if !state.anthropic.isEmpty {
            let usage = state.anthropic.normalized
            state.serviceTier = usage.serviceTier
            state.record(usage)
        }
    }

    /// The sampling iterations of `usage.iterations` that the top-level counts leave out, each billed on its own: a
    /// `compaction` (the summary of a context being closed, by the request's model: `model` nil) and an
    /// `advisor_message` (the advisor tool's sub-inference, at the advisor `model`'s rates). `message` and
    /// `fallback_message` iterations are the turns the top-level counts already sum.
    static func billedApart(_ reported: [JSONValue]) -> [Usage] {
        reported.compactMap { value in
            guard let iteration = value.object else { return nil }
            let type = UsageJSON.string(iteration["type"])
            guard type == "compaction" || type == "advisor_message" else { return nil }
            var counts = Counts()
            counts.merge(iteration)
            var usage = counts.normalized
            usage.serviceTier = nil
            usage.model = type == "advisor_message" ? UsageJSON.string(iteration["model"]) : nil
            return usage
        }
    }

    /// One line of a Message Batch's results (`{"custom_id", "result": {"type": "succeeded", "message": {…}}}`): a
    /// succeeded request's usage is added to the batch's total; errored, canceled and expired requests are not
    /// billed. A line too large to parse whole comes flattened to its first `type`, first `model` and last `usage`.
    static func applyBatchResult(_ line: JSONObject, to state: inout UsageState) {
        let result = UsageJSON.object(line["result"]) ?? line
        guard UsageJSON.string(result["type"]) == "succeeded" else { return }
        let message = UsageJSON.object(result["message"]) ?? result
        guard let usage = UsageJSON.object(message["usage"]) else { return }
        var counts = Counts()
        counts.merge(usage)
        var normalized = counts.normalized
        normalized.serviceTier = nil
        let model = UsageJSON.string(message["model"])
        state.add(normalized, model: model)
        for iteration in billedApart(usage["iterations"]?.array ?? []) {
            state.add(iteration, model: iteration.model ?? model)
        }
    }
}
