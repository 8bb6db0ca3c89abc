import Foundation

/// Feeds on a response body chunk by chunk and yields its usage at the end.
///
/// Memory stays bounded whatever the body: SSE and NDJSON keep only the current event or line, and a single JSON
/// document keeps its first 64 KiB and last 256 KiB (see `BoundedBuffer`, `JSONKeyScanner`).
public struct UsageAccumulator: Sendable {
    private enum Format: Sendable {
        /// `text/event-stream`.
        case eventStream
        /// `application/x-ndjson` and friends.
        case jsonLines
        /// One JSON document (also Gemini's streamed JSON array). Switches to `eventStream` when the body turns out
        /// to start like SSE despite its Content-Type.
        case document
        /// A Gemini batch operation: only its inlined results' usage is kept (`JSONPathCollector`).
        case batchOperation
        /// `generic` services: nothing to read.
        case none
    }

    /// A single document is parsed whole up to this size, else read from its head and tail.
    static let documentLimit = BoundedBuffer.headLimit + BoundedBuffer.tailLimit

    private let requestModel: String?
    private let requestCharacters: Int64
    private let synthesizesSpeech: Bool
    private var format: Format
    private var state: UsageState
    private var events = SSEDataReader()
    private var lines = JSONLineReader()
    private var document = BoundedBuffer(wholeLimit: UsageAccumulator.documentLimit)
    private var batchOperation: GeminiBatchOperation?
    /// Whether the document's first non-whitespace byte was seen.
    private var sniffed = false
    /// Counts generated images in an image-generation answer (nil for other answers).
    private var images: KeyCounter?
    /// Counts a Responses API answer's `web_search_call` and `file_search_call` items (in `toolCallValues`' order;
    /// nil for other answers; streams count their `response.…_call.completed` events).
    private var toolCalls: KeyCounter?
    private static let toolCallValues = ["web_search_call", "file_search_call"]

    /// - Parameters:
    ///   - contentType: the response's Content-Type header (decides SSE `text/event-stream`, NDJSON
    ///     `application/x-ndjson`, or one JSON document).
    ///   - requestModel: the model named in the request body or URL, used when the response names none.
    ///   - serviceTier: the tier a response header named (Gemini's `x-gemini-service-tier`); the body's wins.
    ///   - countsImages: the answer is a JSON document of generated images to count (`RequestInspection.countsImages`).
    ///   - countsWebSearches: the answer is a Responses API object whose `web_search_call` and `file_search_call` items
    ///     are billed per call.
    ///   - requestCharacters: the characters a speech request sent (`RequestInspection.characters`), billed per
    ///     character by some models; their answer is audio, with no usage in it.
    ///   - readsJobs: the answer may be an OpenAI background response or batch (`RequestInspection.readsJobs`).
    ///   - synthesizesSpeech: the answer is synthesized speech (`RequestInspection.synthesizesSpeech`): output tokens
    ///     reported without a breakdown (`speech.audio.done`) are audio tokens.
    ///   - batchResultsOf: the answer is this batch's results file (`RequestInspection.batchResultsOf`: an Anthropic
    ///     Message Batch's, a Gemini batch's): read as JSON lines whatever its Content-Type, the succeeded requests'
    ///     usage summed at the batch tier, billed once by the id.
    ///   - batchOperationOf: the answer is this Gemini batch operation (`RequestInspection.batchOperationOf`): its
    ///     inlined results' usage summed at the batch tier, billed once by the batch's name.
    public init(provider: ProviderKind, contentType: String?, requestModel: String?, serviceTier: String? = nil,
                countsImages: Bool = false, countsWebSearches: Bool = false, requestCharacters: Int64 = 0, readsJobs: Bool = false,
                synthesizesSpeech: Bool = false, batchResultsOf batchID: String? = nil, batchOperationOf operation: String? = nil) {
        self.requestModel = requestModel
        self.requestCharacters = requestCharacters
        self.synthesizesSpeech = synthesizesSpeech
        state = UsageState(provider: provider)
        state.serviceTier = serviceTier
        state.readsJobs = readsJobs
        if countsImages { images = KeyCounter(keys: Self.imageKeys) }
        if countsWebSearches { toolCalls = KeyCounter(values: Self.toolCallValues) }
        let mediaType = contentType ?? ""
        if provider == .generic {
            format = .none
        } else if let batchID {
            format = .jsonLines
            state.sumsBatchResults = true
            state.serviceTier = ServiceTier.batch.rawValue
            state.deferredID = batchID
        } else if let operation, provider == .gemini {
            format = .batchOperation
            batchOperation = GeminiBatchOperation()
            state.sumsBatchResults = true
            state.serviceTier = ServiceTier.batch.rawValue
            state.deferredID = operation
        } else if mediaType.containsIgnoringASCIICase("event-stream") {
            format = .eventStream
        } else if Self.isJSONLines(mediaType) {
            format = .jsonLines
        } else {
            format = .document
        }
    }

    /// One per generated image: OpenAI's `data[].b64_json` or `data[].url`, Imagen's `predictions[].bytesBase64Encoded`.
    static let imageKeys = ["b64_json", "url", "bytesBase64Encoded"]

    /// Media type parts that mark newline-delimited JSON.
    private static let jsonLinesMarkers = ["ndjson", "jsonl", "json-lines", "stream+json", "json-seq"]

    /// Whether a media type is newline-delimited JSON (NDJSON, JSON Lines, JSON text sequences, `…stream+json`).
    public static func isJSONLines(_ mediaType: String) -> Bool {
        jsonLinesMarkers.contains(where: mediaType.containsIgnoringASCIICase)
    }

    /// Takes the next bytes of the body, in any chunking (including splits inside a UTF-8 character, a line, or "\r\n").
    public mutating func consume(_ bytes: some Collection<UInt8>) {
        // Read as one buffer (a `ByteBufferView` is one): the readers below then run on a concrete type. Generic
        // over a caller's collection type from another module, they walked a streamed answer through witness calls
        // per byte (83 µs of CPU per 1.7 KB OpenAI stream).
        let read: Void? = bytes.withContiguousStorageIfAvailable { consume(buffer: $0) }
        if read == nil {
            Array(bytes).withUnsafeBufferPointer { consume(buffer: $0) }
        }
    }

    private mutating func consume(buffer bytes: UnsafeBufferPointer<UInt8>) {
        switch format {
        case .eventStream:
            events.consume(bytes, into: &state)
        case .jsonLines:
            lines.consume(bytes, into: &state)
        case .document:
            if !sniffed, let first = bytes.first(where: { !ASCII.isWhitespace($0) }) {
                sniffed = true
                if Self.startsEvent(first) {
                    format = .eventStream
                    events.consume(bytes, into: &state)
                    return
                }
            }
            document.append(contentsOf: bytes)
            images?.consume(bytes)
            toolCalls?.consume(bytes)
        case .batchOperation:
            batchOperation?.consume(bytes)
        case .none:
            break
        }
    }

    /// The usage seen so far, also after a client disconnected mid-stream (e.g. Anthropic's input tokens from
    /// `message_start` without any `message_delta`). nil when the body carried no usage at all.
    public func usage() -> Usage? {
        let state = finished()
        var usage = state.usage(requestModel: requestModel)
        // Streamed image generations name partial images too; only a whole document's images are counted.
        let images = format == .document ? images?.count ?? 0 : 0
        if usage == nil, images > 0 || requestCharacters > 0 { usage = Usage(model: requestModel) }
        if images > 0 { usage?.images = images }
        // An image generation's output without a breakdown is the images' tokens.
        if self.images != nil, var counted = usage, counted.imageOutputTokens == 0, counted.audioOutputTokens == 0 {
            counted.imageOutputTokens = counted.outputTokens - counted.reasoningTokens
            usage = counted
        }
        // A speech answer's output is the audio's tokens (OpenAI's `speech.audio.done` gives no breakdown).
        if synthesizesSpeech, var counted = usage, counted.audioOutputTokens == 0 {
            counted.audioOutputTokens = counted.outputTokens
            usage = counted
        }
        if requestCharacters > 0 { usage?.characters = requestCharacters }
        // Last, so the request's own part carries all of the above.
        if var counted = usage {
            state.addIterations(to: &counted)
            usage = counted
        }
        return usage
    }

    /// For an SSE stream that has not ended normally (cut short: the client left, the upstream failed), the events
    /// that carried a generated piece (`"delta"`) so far; nil for a stream that ended, for a job whose usage a later
    /// answer reports (a background response goes on without the client and is billed then), and for other answers.
    public var unfinishedStreamDeltas: Int64? {
        guard format == .eventStream else { return nil }
        let state = finished()
        return state.sawEnd || state.deferredID != nil ? nil : state.deltaEvents
    }

    /// True once an SSE stream ended normally (OpenAI `data: [DONE]`, Anthropic `message_stop`, Responses
    /// `response.completed`, Cohere `message-end`, Gemini's last chunk with a `finishReason`, Ollama `"done":true`);
    /// for a single JSON document, once it is complete. Informational.
    public var sawEnd: Bool {
        if format == .document {
            let last = document.lastNonWhitespace
            return last == ASCII.closeBrace || last == ASCII.closeBracket
        }
        return finished().sawEnd
    }

    /// The state with the body read to its end: the pending event or line, or the whole document, parsed.
    private func finished() -> UsageState {
        var state = state
        switch format {
        case .eventStream:
            var events = events
            events.finish(into: &state)
        case .jsonLines:
            var lines = lines
            lines.finish(into: &state)
        case .document:
            Self.readDocument(document, into: &state)
            if let toolCalls {
                state.webSearchCalls += toolCalls.counts[0]
                state.fileSearchCalls += toolCalls.counts[1]
            }
        case .batchOperation:
            batchOperation?.apply(to: &state)
        case .none:
            break
        }
        return state
    }

    private static func readDocument(_ document: BoundedBuffer, into state: inout UsageState) {
        guard !document.isEmpty else { return }
        guard !document.overflowed else {
            state.handle(document)
            return
        }
        // Only the keys that matter (model, usage…) are cut out and parsed, not the whole answer: a full
        // JSONSerialization of every response was the largest cost on the proxy's path.
        let whole = document.whole
        if let first = whole.first(where: { !ASCII.isWhitespace($0) }), first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            let found = state.scanDocument(whole)
            if found { return }
        }
        if let json = JSONValueParser.parse(whole[...]) {
            state.apply(json)
            return
        }
        // Not one document: newline-delimited JSON served as application/json.
        var lines = JSONLineReader()
        document.whole.withUnsafeBufferPointer { lines.consume($0, into: &state) }
        lines.finish(into: &state)
    }

    /// Whether a body starting with this byte is an SSE stream (`data:`, `event:`, `id:`, `retry:`, `:` comment).
    private static func startsEvent(_ byte: UInt8) -> Bool {
        byte == ASCII.colon || byte == UInt8(ascii: "d") || byte == UInt8(ascii: "e")
            || byte == UInt8(ascii: "i") || byte == UInt8(ascii: "r")
    }
}
