import NIOCore
import NIOHTTP1
import TroughCore

/// Watches a response body on its way to the client: feeds the usage accumulator, counts bytes, and, when
/// Trough asked an OpenAI-style stream for usage the client did not request, removes that extra chunk.
struct ResponseMeter {
    private var accumulator: UsageAccumulator
    private var splitter: SSEEventSplitter?
    private(set) var bytesOut: Int64 = 0
    /// The request reads something stored (a GET): see `RequestInspection.fetchesStoredAnswer`.
    let fetchesStoredAnswer: Bool
    /// The answer may be a job billed once by its id (`Usage.deferredID`): an OpenAI background response or batch, a
    /// batch's results.
    let mayBeJob: Bool

    init(kind: ProviderKind, contentType: String?, inspection: RequestInspection, serviceTier: String? = nil) {
        accumulator = UsageAccumulator(provider: kind, contentType: contentType, requestModel: inspection.model,
                                       serviceTier: serviceTier, countsImages: inspection.countsImages,
                                       countsWebSearches: inspection.countsWebSearches, requestCharacters: inspection.characters,
                                       readsJobs: inspection.readsJobs, synthesizesSpeech: inspection.synthesizesSpeech,
                                       batchResultsOf: inspection.batchResultsOf, batchOperationOf: inspection.batchOperationOf)
        fetchesStoredAnswer = inspection.fetchesStoredAnswer
        mayBeJob = inspection.readsJobs || inspection.batchResultsOf != nil || inspection.batchOperationOf != nil
        let isEventStream = contentType?.hasPrefixIgnoringASCIICase("text/event-stream") ?? false
        splitter = inspection.injectedStreamUsage && isEventStream ? SSEEventSplitter() : nil
    }

    /// The bytes to forward for this upstream chunk (the same buffer unless a usage-only chunk is removed).
    mutating func process(_ chunk: ByteBuffer) -> ByteBuffer {
        let bytes = chunk.readableBytesView
        accumulator.consume(bytes)
        guard splitter != nil else {
            bytesOut += Int64(chunk.readableBytes)
            return chunk
        }
        var output = ByteBuffer()
        for event in splitter!.push(bytes) where !Self.isInjectedUsageChunk(event) {
            output.writeBytes(event.raw)
        }
        bytesOut += Int64(output.readableBytes)
        return output
    }

    /// What is left when the upstream ends (an unterminated last event is passed on as it came).
    mutating func finish() -> ByteBuffer? {
        guard let rest = splitter?.pending(), !rest.isEmpty else { return nil }
        bytesOut += Int64(rest.count)
        return ByteBuffer(bytes: rest)
    }

    /// The service tier a response header names: Gemini says which tier served the request (`priority`, `flex`,
    /// or `standard` when a priority request was downgraded) only there.
    static func serviceTierHeader(_ headers: HTTPHeaders, kind: ProviderKind) -> String? {
        serviceTierHeader(kind: kind) { headers.first(name: $0) }
    }

    /// `serviceTierHeader(_:kind:)` with the header's value looked up by `value` (given a lower-case name).
    static func serviceTierHeader(kind: ProviderKind, value: (String) -> String?) -> String? {
        kind == .gemini ? value("x-gemini-service-tier") : nil
    }

    /// The usage seen so far.
    var usage: Usage? { accumulator.usage() }

    /// The generated pieces of a stream cut short (`UsageAccumulator.unfinishedStreamDeltas`).
    var unfinishedStreamDeltas: Int64? { accumulator.unfinishedStreamDeltas }

    /// The chunk OpenAI sends last when asked to include usage: an empty `choices` and a `usage` object
    /// (however the JSON is spaced; most chunks are let go by the first, byte-level test).
    static func isInjectedUsageChunk(_ event: SSEEventSplitter.Event) -> Bool {
        guard event.data.containsBytes("\"usage\""),
              let members = JSONKeyScanner.topLevelValues(of: ["choices", "usage"], in: Array(event.data.utf8))
        else { return false }
        return members["choices"]?.array?.isEmpty == true && members["usage"]?.object != nil
    }
}
