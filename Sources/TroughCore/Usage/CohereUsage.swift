/// Cohere chat: v2 `usage.billed_units` (streamed in `message-end`'s `delta.usage`), v1 `meta.billed_units`
/// (streamed in `stream-end`'s `response.meta`); embed responses carry `meta.billed_units` too, rerank responses
/// `meta.billed_units.search_units`.
enum CohereUsage {
    static let markers: [[UInt8]] = ["billed_units", "\"tokens\"", "message-end", "stream-end"].map { Array($0.utf8) }

    static let scanKeys: [JSONKeyScanner.Key] = [
        .first("type"), .first("event_type"), .first("model"), .last("usage"), .last("meta"),
    ]

    static func apply(_ object: JSONObject, to state: inout UsageState) {
        let type = UsageJSON.string(object["type"]) ?? UsageJSON.string(object["event_type"])
        if type == "message-end" || type == "stream-end" { state.sawEnd = true }
        if let model = UsageJSON.string(object["model"]) { state.model = model }
        let containers = [
            object["usage"], UsageJSON.path(object, "delta", "usage"),
            object["meta"], UsageJSON.path(object, "response", "meta"),
        ]
        for container in containers.compactMap({ $0?.object }) {
            if let counts = counts(container) {
                state.record(counts)
                return
            }
        }
    }

    /// `billed_units` (what Cohere charges); `tokens` only when there are no billed units, so usage is never lost.
    /// A rerank's billed units are its search units. An embed's images are billed as `image_tokens` (Embed v4: part
    /// of the input, at the model's image input rate) or as a count of `images` (Embed v3: per image; a model
    /// without a per-image price leaves them unpriced, never $0).
    private static func counts(_ container: JSONObject) -> Usage? {
        if let searchUnits = UsageJSON.count(UsageJSON.path(container, "billed_units", "search_units")) {
            var usage = Usage()
            usage.searchUnits = searchUnits
            return usage
        }
        guard let units = UsageJSON.object(container["billed_units"]) ?? UsageJSON.object(container["tokens"]),
              units["input_tokens"] != nil || units["output_tokens"] != nil || units["images"] != nil || units["image_tokens"] != nil
        else { return nil }
        let imageTokens = UsageJSON.count(units["image_tokens"]) ?? 0
        var usage = Usage(
            inputTokens: (UsageJSON.count(units["input_tokens"]) ?? 0) + imageTokens,
            outputTokens: UsageJSON.count(units["output_tokens"]) ?? 0
        )
        usage.imageInputTokens = imageTokens
        usage.images = UsageJSON.count(units["images"]) ?? 0
        return usage
    }
}
