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
        if state.sumsBatchResults {
            applyBatchResult(object, to: &state)
            return
        }
        if let model = UsageJSON.string(object["modelVersion"]) { state.model = model }
        if let metadata = UsageJSON.object(object["usageMetadata"]) { state.record(counts(metadata)) }
        let candidates = object["candidates"]?.array ?? []
        let finished = candidates.contains { UsageJSON.string($0.object?["finishReason"]) != nil }
        if finished || UsageJSON.string(object["finishReason"]) != nil { state.sawEnd = true }
    }

    /// One line of a batch's results file (`{"key": …, "response": {…}}`, or the `GenerateContentResponse` alone; a
    /// request that failed has an `error` or status instead, and is not billed): its usage added to the batch's total.
    static func applyBatchResult(_ line: JSONObject, to state: inout UsageState) {
        let response = UsageJSON.object(line["response"]) ?? line
        guard let metadata = UsageJSON.object(response["usageMetadata"]) else { return }
        state.add(counts(metadata), model: UsageJSON.string(response["modelVersion"]))
    }

    /// Where a batch operation (`GET …/batches/{id}`) keeps its inlined results' usage and model: under
    /// `response`, or (some versions) under the batch's `metadata.output`; and the batch's model.
    static let batchOperationPaths = [
        "response.inlinedResponses.inlinedResponses[].response.usageMetadata",
        "metadata.output.inlinedResponses.inlinedResponses[].response.usageMetadata",
        "response.inlinedResponses.inlinedResponses[].response.modelVersion",
        "metadata.output.inlinedResponses.inlinedResponses[].response.modelVersion",
        "metadata.model",
    ]

    /// A batch operation's inlined results (what `batchOperationPaths` found): every request's usage summed, at the
    /// batch's model. A batch whose results are in a file has none here; the file's download is billed instead.
    static func applyBatchOperation(_ found: [(path: Int, value: JSONValue)], to state: inout UsageState) {
        let usageAt = found.contains { $0.path == 0 } ? 0 : 1
        let batchModel = found.first { $0.path == 4 }.flatMap { UsageJSON.string($0.value) }.map { name in
            name.hasPrefix("models/") ? String(name.dropFirst("models/".count)) : name
        }
        let model = found.first { $0.path == usageAt + 2 }.flatMap { UsageJSON.string($0.value) } ?? batchModel
        for entry in found where entry.path == usageAt {
            guard let metadata = entry.value.object else { continue }
            state.add(counts(metadata), model: model)
        }
    }

    /// The counts of one `usageMetadata`.
    static func counts(_ metadata: JSONObject) -> Usage {
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
        return counts
    }
}
