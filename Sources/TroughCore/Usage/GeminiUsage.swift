/// Gemini `generateContent` and `streamGenerateContent` (SSE with `alt=sse`, else a streamed JSON array):
/// every chunk carries the cumulative `usageMetadata`, so the last one counts.
enum GeminiUsage {
    static let markers: [[UInt8]] = ["usageMetadata", "finishReason"].map { Array($0.utf8) }
    static let modelMarker = Array("\"modelVersion\"".utf8)

    static let scanKeys: [JSONKeyScanner.Key] = [.first("modelVersion"), .last("usageMetadata"), .last("finishReason")]

    /// The AUDIO entries of a `[{"modality": …, "tokenCount": …}]` breakdown.
    private static func audioTokens(_ details: JSONValue?) -> Int64 {
        (details?.array ?? []).reduce(0) { total, entry in
            guard let entry = entry.object, UsageJSON.string(entry["modality"]) == "AUDIO" else { return total }
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
            let audio = audioTokens(metadata["promptTokensDetails"]) - audioTokens(metadata["cacheTokensDetails"])
            counts.audioInputTokens = min(counts.inputTokens, max(0, audio))
            counts.audioOutputTokens = audioTokens(metadata["candidatesTokensDetails"])
            state.record(counts)
        }
        let candidates = object["candidates"]?.array ?? []
        let finished = candidates.contains { UsageJSON.string($0.object?["finishReason"]) != nil }
        if finished || UsageJSON.string(object["finishReason"]) != nil { state.sawEnd = true }
    }
}
