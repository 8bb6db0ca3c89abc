/// What an accumulator has learnt from the payloads it parsed so far.
struct UsageState: Sendable {
    let provider: ProviderKind
    /// The model named by the response.
    var model: String?
    /// The service tier named by the response (or its headers).
    var serviceTier: String?
    /// The id of a background response or finished batch (`Usage.deferredID`), read only when `readsJobs`.
    var deferredID: String?
    var readsJobs = false
    /// Web and file search calls counted in a Responses API answer: its `web_search_call` / `file_search_call` items,
    /// or a stream's `response.web_search_call.completed` / `response.file_search_call.completed` events.
    var webSearchCalls: Int64 = 0
    var fileSearchCalls: Int64 = 0
    /// The billable web searches a Responses API object reports (`tool_usage.web_search.num_requests`), which count
    /// instead of its `web_search_call` items or events.
    var billableWebSearches: Int64?
    /// The latest token counts (without a model).
    var counts = Usage()
    var sawUsage = false
    var sawEnd = false
    /// Anthropic reports its fields across `message_start` and `message_delta`; they are merged here.
    var anthropic = AnthropicUsage.Counts()
    /// The body is a Message Batch's results (one line per request): succeeded requests' usage is summed.
    var sumsBatchResults = false
    /// Inference the request ran besides what its top-level counts cover (an Anthropic compaction, an advisor's
    /// sub-inference: `AnthropicUsage.Counts.iterations`; the Responses API's image generation tool:
    /// `OpenAIUsage.noteToolUsage`), each priced on its own (`Usage.parts`, see `addIterations`); a `model` nil is
    /// the request's own.
    var iterations: [Usage] = []
    /// A batch's results summed by model and prompt size class, in the order they first came; more than one: each is
    /// priced on its own (`Usage.parts`).
    var byModel: [Usage] = []
    /// The usage reported is a total over many requests whose sizes are unknown (an OpenAI batch object): it is billed
    /// at the short-context rates (`Usage.largestRequestPrompt` 0), not at the long ones its sum would reach.
    var summedRequests = false
    /// Stream events that carried a `delta` (a generated piece: about one token each for OpenAI-style streams), to
    /// estimate the output of a stream cut short before its usage came.
    var deltaEvents: Int64 = 0

    init(provider: ProviderKind) {
        self.provider = provider
    }

    /// Replaces the counts with the latest report (providers report cumulative totals).
    mutating func record(_ counts: Usage) {
        self.counts = counts
        self.counts.model = nil
        self.counts.serviceTier = nil
        sawUsage = true
    }

    /// Adds one request's counts to the total and to its part (a batch's results): requests are summed by model and
    /// by prompt size class (`LongContextPrice.sizeClass`), so a part's requests share their long-context rates, and
    /// each part keeps its largest request's prompt (`Usage.largestRequestPrompt`) to find them by.
    mutating func add(_ counts: Usage, model: String?) {
        let prompt = counts.promptTokens
        let sizeClass = LongContextPrice.sizeClass(ofPrompt: prompt)
        self.counts.add(counts)
        self.counts.largestRequestPrompt = max(self.counts.largestRequestPrompt ?? 0, prompt)
        sawUsage = true
        if self.model == nil { self.model = model }
        if let index = byModel.firstIndex(where: { $0.model == model && LongContextPrice.sizeClass(ofPrompt: $0.largestRequestPrompt ?? 0) == sizeClass }) {
            byModel[index].add(counts)
            byModel[index].largestRequestPrompt = max(byModel[index].largestRequestPrompt ?? 0, prompt)
        } else {
            var part = counts
            part.model = model
            part.largestRequestPrompt = prompt
            byModel.append(part)
        }
    }

    func usage(requestModel: String?) -> Usage? {
        guard sawUsage else { return nil }
        var usage = counts
        if summedRequests, usage.largestRequestPrompt == nil { usage.largestRequestPrompt = 0 }
        if byModel.count > 1 {
            usage.parts = byModel
        } else {
            usage.model = model ?? requestModel
        }
        usage.serviceTier = serviceTier
        usage.deferredID = deferredID
        if let billableWebSearches { usage.webSearches = billableWebSearches } else { usage.webSearches += webSearchCalls }
        usage.fileSearches += fileSearchCalls
        return usage
    }

    /// A scanned Responses object that used the image generation tool (its part is the only OpenAI iteration): the part
    /// takes the model the object's `tools` name, read only now (`OpenAIUsage.jobScanKeys` leaves them out).
    private mutating func nameImageTool(_ tools: () -> JSONValue?) {
        guard provider == .openai || provider == .openaiCompatible, !iterations.isEmpty else { return }
        iterations[iterations.count - 1].model = OpenAIUsage.imageToolModel(tools())
    }

    /// The request's own counts (`usage`, as read in whole) and its other `iterations` as parts, each with its model
    /// and its own prompt size (for long-context rates), all of them in the totals. Nothing without iterations.
    func addIterations(to usage: inout Usage) {
        guard !iterations.isEmpty, usage.parts.isEmpty else { return }
        usage.parts = [usage]
        for var iteration in iterations {
            iteration.model = iteration.model ?? usage.model
            iteration.inferenceGeo = usage.inferenceGeo
            usage.add(iteration)
            usage.parts.append(iteration)
        }
    }

    /// Reads one JSON payload: parsed whole when it was kept whole, else from its head and tail.
    mutating func handle(_ payload: BoundedBuffer) {
        if payload.overflowed {
            applyObject(JSONKeyScanner.flattened(head: payload.head, tail: payload.tail, keys: scanKeys))
            nameImageTool { JSONKeyScanner.flattened(head: payload.head, tail: payload.tail, keys: [OpenAIUsage.toolsKey])["tools"] }
            return
        }
        let bytes = payload.whole
        if isDone(bytes) {
            sawEnd = true
            return
        }
        if Self.contains(bytes, Self.deltaMarker) { deltaEvents += 1 }
        guard mightMatter(bytes),
              let json = JSONValueParser.parse(bytes[...])
        else { return }
        apply(json)
    }

    /// Reads one whole JSON document by its keys alone; false when none of them is in it.
    mutating func scanDocument(_ bytes: [UInt8]) -> Bool {
        let object = JSONKeyScanner.flattened(document: bytes, keys: scanKeys)
        guard !object.isEmpty else { return false }
        applyObject(object)
        nameImageTool { JSONKeyScanner.flattened(document: bytes, keys: [OpenAIUsage.toolsKey])["tools"] }
        return true
    }

    /// Applies a parsed document: an object, or an array of objects (Gemini's streamed JSON array).
    mutating func apply(_ json: JSONValue) {
        if let object = json.object {
            applyObject(object)
        } else if let array = json.array {
            for object in array.compactMap(\.object) {
                applyObject(object)
            }
        }
    }

    mutating func applyObject(_ object: JSONObject) {
        switch provider {
        case .openai, .mistral, .openaiCompatible: OpenAIUsage.apply(object, to: &self)
        case .anthropic: AnthropicUsage.apply(object, to: &self)
        case .gemini: GeminiUsage.apply(object, to: &self)
        case .cohere: CohereUsage.apply(object, to: &self)
        case .generic: break
        }
    }

    /// The keys worth finding in a payload too large to parse.
    private var scanKeys: [JSONKeyScanner.Key] {
        switch provider {
        case .openai, .openaiCompatible: readsJobs ? OpenAIUsage.jobScanKeys : OpenAIUsage.scanKeys
        case .mistral: OpenAIUsage.mistralScanKeys
        case .anthropic: AnthropicUsage.scanKeys
        case .gemini: GeminiUsage.scanKeys
        case .cohere: CohereUsage.scanKeys
        case .generic: []
        }
    }

    /// Whether a payload can say anything about usage, the model or the end, so most content deltas skip the JSON parser.
    private func mightMatter(_ bytes: [UInt8]) -> Bool {
        let markers: [[UInt8]] = switch provider {
        case .openai, .mistral, .openaiCompatible: OpenAIUsage.markers
        case .anthropic: AnthropicUsage.markers
        case .gemini: GeminiUsage.markers
        case .cohere: CohereUsage.markers
        case .generic: []
        }
        if markers.contains(where: { Self.containsWithValue(bytes, $0) }) { return true }
        if model == nil {
            let modelKey = provider == .gemini ? GeminiUsage.modelMarker : Self.modelMarker
            return Self.contains(bytes, modelKey)
        }
        return false
    }

    /// OpenAI's `data: [DONE]`.
    private func isDone(_ bytes: [UInt8]) -> Bool {
        guard bytes.count < 32 else { return false }
        let trimmed = bytes.drop(while: ASCII.isWhitespace).reversed().drop(while: ASCII.isWhitespace).reversed()
        return trimmed.elementsEqual(Self.doneMarker)
    }

    private static let doneMarker = Array("[DONE]".utf8)
    private static let deltaMarker = Array("\"delta\"".utf8)
    private static let modelMarker = Array("\"model\"".utf8)

    static func contains(_ bytes: [UInt8], _ needle: [UInt8]) -> Bool {
        offset(of: needle, in: bytes, from: 0) != nil
    }

    /// Where `needle` next occurs in `bytes` at or after `start` (`ASCIIBytes.exactOffset`).
    private static func offset(of needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty else { return start }
        guard bytes.count - start >= needle.count else { return nil }
        return bytes.withUnsafeBufferPointer { haystack in
            needle.withUnsafeBufferPointer { ASCIIBytes.exactOffset(of: $0, in: UnsafeBufferPointer(rebasing: haystack[start...])) }
        }.map { $0 + start }
    }

    /// `contains`, except that a quoted key whose value is `null` does not count: every OpenAI chat chunk says
    /// `"usage":null`, and parsing each one whole for it was most of a stream's cost.
    static func containsWithValue(_ bytes: [UInt8], _ marker: [UInt8]) -> Bool {
        guard marker.count > 2, marker.first == ASCII.quote, marker.last == ASCII.quote else { return contains(bytes, marker) }
        var start = 0
        while let found = offset(of: marker, in: bytes, from: start) {
            var index = found + marker.count
            while index < bytes.count, ASCII.isWhitespace(bytes[index]) { index += 1 }
            guard index < bytes.count, bytes[index] == ASCII.colon else { return true }
            index += 1
            while index < bytes.count, ASCII.isWhitespace(bytes[index]) { index += 1 }
            if index < bytes.count, bytes[index] != UInt8(ascii: "n") { return true }
            start = found + 1
        }
        return false
    }
}
