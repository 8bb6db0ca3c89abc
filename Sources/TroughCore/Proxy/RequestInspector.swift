import Foundation

/// What the proxy learns from a request before forwarding it: the model, whether it streams, and (for
/// OpenAI-style streams that did not ask for usage) a body that asks for it.
public struct RequestInspection: Sendable, Equatable {
    public var model: String?
    public var streams: Bool
    /// True when `stream_options.include_usage` was added, so the extra usage chunk must be removed again.
    public var injectedStreamUsage: Bool
    /// The body to send upstream when it was changed.
    public var rewrittenBody: [UInt8]?
    /// `max_tokens` / `max_output_tokens` / `max_completion_tokens`, when the request sets one.
    public var maxOutputTokens: Int64?
    /// The processing tier the request asks for (`service_tier`, Anthropic's `speed`), which budgets reserve at; nil for the standard
    /// tier or `auto`.
    public var serviceTier: ServiceTier?
    /// Where the request asks inference to run (Anthropic's `inference_geo`): budgets reserve US-only inference at
    /// its higher rates (`ModelPrice.usOnlyInferenceMultiple`).
    public var inferenceGeo: String?
    /// Whether the answer is a set of generated images to count (OpenAI `/images/…`, Imagen `:predict`).
    public var countsImages = false
    /// The images the request asks for (`n`, default 1), which budgets reserve for.
    public var imagesRequested: Int64 = 0
    /// Whether the answer is a Responses API object whose `web_search_call` items are billed per call.
    public var countsWebSearches = false
    /// Characters of text a speech request (`/audio/speech`) sends, billed per character by some models.
    public var characters: Int64 = 0
    /// A speech request (`/audio/speech`): the tokens its answer reports as output are the audio's.
    public var synthesizesSpeech = false
    /// A GET: its answer reads something made earlier (a stored response or chat completion, a batch) whose usage
    /// was billed when it was made, so it is not billed again, except a background response's or a finished batch's (`DeferredUsage`).
    public var fetchesStoredAnswer = false
    /// The answer may be an OpenAI job billed once by its id (a background response, a batch: `/responses…` and
    /// `/batches…`), so its id, object and status are read; other answers skip those keys.
    public var readsJobs = false
    /// The batch whose results file the answer is (an Anthropic Message Batch's `GET …/messages/batches/{id}/results`,
    /// a Gemini batch's `GET /v1beta/files/{id}:download`): billed once, the sum of its succeeded requests
    /// at the batch tier.
    public var batchResultsOf: String?
    /// The Gemini batch operation the answer is (`GET …/batches/{id}`): once done, the sum of its inlined results'
    /// usage is billed once, at the batch tier.
    public var batchOperationOf: String?
    /// The answer may be Anthropic Message Batch objects (`…/messages/batches…`, not their results): their
    /// `results_url` is pointed at Trough, so the SDKs fetch the results through it (`BatchResultsLink`).
    public var linksBatchResults = false

    public init(model: String? = nil, streams: Bool = false, injectedStreamUsage: Bool = false, rewrittenBody: [UInt8]? = nil, maxOutputTokens: Int64? = nil, serviceTier: ServiceTier? = nil) {
        self.model = model
        self.streams = streams
        self.injectedStreamUsage = injectedStreamUsage
        self.rewrittenBody = rewrittenBody
        self.maxOutputTokens = maxOutputTokens
        self.serviceTier = serviceTier
    }
}

/// Reads LLM request bodies (JSON) and paths.
public enum RequestInspector {
    static let inspectedKeys: Set<String> = [
        "model", "stream", "stream_options", "max_completion_tokens", "max_output_tokens", "max_tokens", "service_tier", "serviceTier", "speed", "n",
        "inference_geo",
    ]
    /// A speech request's text is read too (only there: elsewhere `input` can be a whole conversation).
    static let speechKeys = inspectedKeys.union(["input"])

    /// Whether the object has the member at all (`"stream_options": null` counts).
    static func hasTopLevelMember(_ key: String, in body: [UInt8]) -> Bool {
        JSONKeyScanner.topLevelValues(of: [key], in: body)?.keys.contains(key) ?? false
    }

    /// Whether a request to `path` of a `kind` service has a JSON body worth reading (small, LLM, POST).
    public static func wantsBody(kind: ProviderKind, method: String, contentType: String?) -> Bool {
        kind != .generic && method == "POST" && (contentType?.containsIgnoringASCIICase("json") ?? false)
    }

    public static func inspect(body: [UInt8]?, path: String, kind: ProviderKind, injectStreamUsage: Bool, method: String = "POST") -> RequestInspection {
        var inspection = RequestInspection()
        inspection.fetchesStoredAnswer = method == "GET"
        let isSpeech = path.hasSuffix("/audio/speech")
        inspection.synthesizesSpeech = isSpeech
        if path.utf8Range(of: "/images/") != nil || path.hasSuffix(":predict") {
            inspection.countsImages = true
            inspection.imagesRequested = 1
        }
        let isOpenAI = kind == .openai || kind == .openaiCompatible
        inspection.countsWebSearches = isOpenAI && path.hasSuffix("/responses")
        inspection.readsJobs = isOpenAI && (path.utf8Range(of: "/responses") != nil || path.utf8Range(of: "/batches") != nil)
        if kind == .anthropic, let range = path.utf8Range(of: "/messages/batches") {
            let rest = path[range.upperBound...].split(separator: "/", omittingEmptySubsequences: false)
            // rest: ["", id, "results"] for the results, ["", id] for one batch, [] or [""] for the list.
            if method == "GET", rest.count == 3, rest[2] == "results", !rest[1].isEmpty {
                inspection.batchResultsOf = String(rest[1])
            } else {
                inspection.linksBatchResults = true
            }
        }
        if kind == .gemini, method == "GET" { inspectGeminiBatch(path, into: &inspection) }
        // Gemini names the model and the streaming in the path: /v1beta/models/gemini-2.5-flash:streamGenerateContent
        if let range = path.utf8Range(of: "/models/") {
            let rest = path[range.upperBound...]
            let name = rest.split(separator: ":", maxSplits: 1).first.map(String.init)
            if kind == .gemini, let name, !name.isEmpty { inspection.model = name.removingPercentEncoding ?? name }
            if rest.containsBytes(":streamGenerateContent") { inspection.streams = true }
        }
        // Only the top-level members that matter are parsed, not the (possibly large) messages.
        guard let body, !body.isEmpty,
              let object = JSONKeyScanner.topLevelValues(of: isSpeech ? speechKeys : inspectedKeys, in: body)
        else { return inspection }
        if isSpeech, let text = object["input"]?.string { inspection.characters = Int64(text.unicodeScalars.count) }
        if inspection.countsImages, let count = UsageJSON.count(object["n"]), count > 0 { inspection.imagesRequested = count }
        if let model = object["model"]?.string { inspection.model = model }
        if object["stream"]?.bool == true { inspection.streams = true }
        inspection.serviceTier = kind == .anthropic && object["speed"]?.string == "fast"
            ? .fastMode : ServiceTier(reported: (object["service_tier"] ?? object["serviceTier"])?.string)
        if kind == .anthropic { inspection.inferenceGeo = object["inference_geo"]?.string }
        for key in ["max_completion_tokens", "max_output_tokens", "max_tokens"] {
            if let value = UsageJSON.count(object[key]) {
                inspection.maxOutputTokens = value
                break
            }
        }
        if injectStreamUsage, inspection.streams, [.openai, .openaiCompatible].contains(kind),
           path.hasSuffix("/chat/completions") || path.hasSuffix("/completions") {
            let options = object["stream_options"]?.object
            if options?["include_usage"]?.bool != true {
                inspection.rewrittenBody = withUsageRequested(body, object: object)
                inspection.injectedStreamUsage = inspection.rewrittenBody != nil
            }
        }
        return inspection
    }

    /// A Gemini batch's results: a batch operation (`/v1beta/batches/{id}`, inlined results) or a results file's
    /// download (`/v1beta/files/{id}:download?alt=media` as the google-genai SDK asks for it under its `base_url`,
    /// or `/download/v1beta/files/{id}:download` as the REST docs do). Both are billed once, by the name Gemini gives
    /// them. (Other generated files, videos, have no usage in them: nothing is billed.)
    static func inspectGeminiBatch(_ path: String, into inspection: inout RequestInspection) {
        let segments = path.split(separator: "/")
        guard segments.count >= 2 else { return }
        let (collection, id) = (segments[segments.count - 2], segments[segments.count - 1])
        if collection == "batches", !id.isEmpty, !id.contains(":") {
            inspection.batchOperationOf = "batches/\(id)"
        } else if collection == "files" {
            let name = (id.removingPercentEncoding ?? String(id))
            guard name.hasSuffix(":download"), name.count > ":download".count else { return }
            inspection.batchResultsOf = "files/\(name.dropLast(":download".count))"
        }
    }

    /// The body with `"stream_options":{"include_usage":true}`: inserted as text before the closing brace
    /// when there is no `stream_options` (the rest of the body stays byte for byte), else re-encoded.
    static func withUsageRequested(_ body: [UInt8], object: JSONObject) -> [UInt8]? {
        let options = object["stream_options"]
        if options == nil, !hasTopLevelMember("stream_options", in: body) {
            var end = body.count - 1
            while end >= 0, [UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t")].contains(body[end]) { end -= 1 }
            guard end > 0, body[end] == UInt8(ascii: "}") else { return nil }
            var start = end - 1
            while start >= 0, [UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t")].contains(body[start]) { start -= 1 }
            let isEmptyObject = start >= 0 && body[start] == UInt8(ascii: "{")
            let insertion = Array((isEmptyObject ? "" : ",").utf8) + Array(#""stream_options":{"include_usage":true}"#.utf8)
            return Array(body[..<end]) + insertion + Array(body[end...])
        }
        guard var changed = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { return nil }
        var newOptions = changed["stream_options"] as? [String: Any] ?? [:]
        newOptions["include_usage"] = true
        changed["stream_options"] = newOptions
        return (try? JSONSerialization.data(withJSONObject: changed)).map { Array($0) }
    }
}
