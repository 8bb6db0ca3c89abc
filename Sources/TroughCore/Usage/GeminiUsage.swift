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

/// A Gemini batch operation (`GET …/batches/{id}`) read as it streams past: its inlined results' usage, each request
/// added as it is found (memory does not grow with the requests), under `response` or, in some versions, under the
/// batch's `metadata.output`, whichever holds them (never both: the same requests would count twice); the model is
/// the results' `modelVersion`, else the batch's `metadata.model`. A batch whose results are in a file has none
/// here: the file's download is billed instead.
struct GeminiBatchOperation: Sendable {
    private static let paths = [
        "response.inlinedResponses.inlinedResponses[].response.usageMetadata",
        "metadata.output.inlinedResponses.inlinedResponses[].response.usageMetadata",
        "response.inlinedResponses.inlinedResponses[].response.modelVersion",
        "metadata.output.inlinedResponses.inlinedResponses[].response.modelVersion",
        "metadata.model",
    ]

    private var collector = JSONPathCollector(paths: GeminiBatchOperation.paths)
    /// The requests found under each of the two places, summed (models set at the end).
    private var sums = [UsageState(provider: .gemini), UsageState(provider: .gemini)]
    private var resultModels: [String?] = [nil, nil]
    private var batchModel: String?

    mutating func consume(_ bytes: some Collection<UInt8>) {
        collector.consume(bytes)
        for (path, value) in collector.takeFound() {
            switch path {
            case 0, 1:
                if let metadata = value.object { sums[path].add(GeminiUsage.counts(metadata), model: nil) }
            case 2, 3:
                if resultModels[path - 2] == nil { resultModels[path - 2] = UsageJSON.string(value) }
            default:
                batchModel = UsageJSON.string(value).map { $0.hasPrefix("models/") ? String($0.dropFirst("models/".count)) : $0 }
            }
        }
    }

    /// The batch's usage into `state` (which carries the batch tier and the batch's name).
    func apply(to state: inout UsageState) {
        let place = sums[0].sawUsage ? 0 : 1
        guard sums[place].sawUsage else { return }
        let model = resultModels[place] ?? batchModel
        state.counts = sums[place].counts
        state.byModel = sums[place].byModel.map { part in
            var part = part
            part.model = model
            return part
        }
        state.model = model
        state.sawUsage = true
    }
}
