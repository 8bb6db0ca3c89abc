/// Gemini `generateContent` and `streamGenerateContent` (SSE with `alt=sse`, else a streamed JSON array):
/// every chunk carries the cumulative `usageMetadata`, so the last one counts.
enum GeminiUsage {
    static let markers: [[UInt8]] = ["usageMetadata", "finishReason"].map { Array($0.utf8) }
    static let modelMarker = Array("\"modelVersion\"".utf8)

    static let scanKeys: [JSONKeyScanner.Key] = [.first("modelVersion"), .last("usageMetadata"), .last("finishReason")]

    /// The tokens of one modality (`AUDIO`, `IMAGE`) in a `[{"modality": …, "tokenCount": …}]` breakdown.
    private static func tokens(_ modality: String, in details: JSONValue?) -> Int64 {
        (details?.array ?? []).reduce(0) { total, entry in
            guard let entry = entry.object, UsageJSON.string(entry["modality"]) == modality else { return total }
            return total + (UsageJSON.count(entry["tokenCount"]) ?? 0)
        }
    }

    static func apply(_ object: JSONObject, to state: inout UsageState) {
        if let model = UsageJSON.string(object["modelVersion"]) { state.model = model }
        if let metadata = UsageJSON.object(object["usageMetadata"]) {
            let prompt = UsageJSON.count(metadata["promptTokenCount"]) ?? 0
            let toolUsePrompt = UsageJSON.count(metadata["toolUsePromptTokenCount"]) ?? 0
            let cached = min(prompt + toolUsePrompt, UsageJSON.count(metadata["cachedContentTokenCount"]) ?? 0)
            let candidates = UsageJSON.count(metadata["candidatesTokenCount"]) ?? 0
            let thoughts = UsageJSON.count(metadata["thoughtsTokenCount"]) ?? 0
            var counts = Usage(
                inputTokens: prompt + toolUsePrompt - cached,
                cachedInputTokens: cached,
                outputTokens: candidates + thoughts,
                reasoningTokens: thoughts
            )
            let audio = tokens("AUDIO", in: metadata["promptTokensDetails"]) - tokens("AUDIO", in: metadata["cacheTokensDetails"])
            counts.audioInputTokens = min(counts.inputTokens, max(0, audio))
            counts.audioOutputTokens = tokens("AUDIO", in: metadata["candidatesTokensDetails"])
            // Images given and generated (Gemini's image models bill generated images' tokens at their own rate).
            let image = tokens("IMAGE", in: metadata["promptTokensDetails"]) - tokens("IMAGE", in: metadata["cacheTokensDetails"])
            counts.imageInputTokens = min(counts.inputTokens - counts.audioInputTokens, max(0, image))
            counts.imageOutputTokens = tokens("IMAGE", in: metadata["candidatesTokensDetails"])
            state.record(counts)
        }
        let candidates = object["candidates"]?.array ?? []
        let finished = candidates.contains { UsageJSON.string($0.object?["finishReason"]) != nil }
        if finished || UsageJSON.string(object["finishReason"]) != nil { state.sawEnd = true }
    }
}
