/// Usage of one response, normalised so pricing is one formula for every provider:
/// cost = inputTokens*input + cachedInputTokens*cachedInput + cacheWriteTokens*cacheWrite
///      + cacheWrite1hTokens*cacheWrite1h + outputTokens*output  (reasoning is part of output);
/// or, for APIs billed per unit (images, audio seconds, characters of speech, rerank search units, OCR pages), units
/// times the unit price.
public struct Usage: Hashable, Sendable {
    /// As reported by the response, else the request's model.
    public var model: String?
    /// Input billed at the normal rate: excludes cache reads and cache writes.
    public var inputTokens: Int64
    /// Cache reads (OpenAI `cached_tokens`, Anthropic `cache_read_input_tokens`, Gemini `cachedContentTokenCount`).
    public var cachedInputTokens: Int64
    /// Cache creation billed at the 5-minute / default write rate (Anthropic).
    public var cacheWriteTokens: Int64
    /// Anthropic 1-hour cache writes (`usage.cache_creation.ephemeral_1h_input_tokens`).
    public var cacheWrite1hTokens: Int64
    /// All billed output, including reasoning/thinking tokens.
    public var outputTokens: Int64
    /// The reasoning part of `outputTokens`, kept apart for reporting.
    public var reasoningTokens: Int64
    /// The audio part of `inputTokens` (OpenAI `prompt_tokens_details.audio_tokens`, Gemini's AUDIO modality), billed
    /// at the model's audio input rate when it has one.
    public var audioInputTokens: Int64 = 0
    /// The audio part of `outputTokens` (OpenAI `completion_tokens_details.audio_tokens`, Gemini's AUDIO candidates).
    public var audioOutputTokens: Int64 = 0
    /// The image part of `inputTokens` (OpenAI `input_tokens_details.image_tokens`: the images given to an edit)
    /// and of `outputTokens` (the generated images' tokens), billed at the model's image rates when it has them.
    public var imageInputTokens: Int64 = 0
    public var imageOutputTokens: Int64 = 0
    /// Web searches the provider ran for the request, billed per search on top of the tokens (Anthropic
    /// `usage.server_tool_use.web_search_requests`, OpenAI Responses `web_search_call` items).
    public var webSearches: Int64 = 0
    /// File searches the provider's file search tool ran (OpenAI Responses `file_search_call` items), billed per
    /// call on top of the tokens.
    public var fileSearches: Int64 = 0
    /// The processing tier the provider says served the request (`priority`, `flex`, `default`…), as reported;
    /// see `ServiceTier` for the ones priced apart. nil when the response names none.
    public var serviceTier: String?
    /// Where the provider says inference ran (Anthropic `usage.inference_geo`: `global`, `us`); US-only inference is
    /// billed at `ModelPrice.usOnlyInferenceMultiple` of every token rate. nil when the response names none.
    public var inferenceGeo: String?
    /// Images in a generation answer (OpenAI `data`, Imagen `predictions`), or images an embedding model embedded
    /// (Cohere `billed_units.images`), for models priced per image.
    public var images: Int64 = 0
    /// Audio duration a transcription reports (`usage.seconds`, `duration`, Mistral's `prompt_audio_seconds`),
    /// in milliseconds, for models priced per second.
    public var audioMilliseconds: Int64 = 0
    /// Characters of text sent to a speech model priced per character (`input` of `/audio/speech`).
    public var characters: Int64 = 0
    /// Search units of a rerank (Cohere `meta.billed_units.search_units`: one query over up to 100 documents), for
    /// models priced per search unit.
    public var searchUnits: Int64 = 0
    /// Pages a document model processed (Mistral OCR `usage_info.pages_processed`), for models priced per page.
    public var pages: Int64 = 0
    /// Pages a document model annotated (Mistral OCR `usage_info.pages_processed_annotation`, when the request asked
    /// for `document_annotation_format` or `bbox_annotation_format`), billed at the annotation rate besides `pages`.
    public var annotatedPages: Int64 = 0
    /// The id of the job whose usage this is when the usage is billed by the answer that first reports it, however
    /// often it is fetched (an OpenAI background response, a finished batch): see `DeferredUsage`. nil for the
    /// usage of an ordinary answer.
    public var deferredID: String?
    /// For usage summed over many requests (a batch's results), the largest prompt of any one of them (`promptTokens`
    /// of one request): long-context rates apply request by request, so this, not the sum, meets their threshold.
    /// 0 for a total whose requests' sizes are unknown (an OpenAI batch object): billed at the short-context rates.
    /// nil for one request's usage.
    public var largestRequestPrompt: Int64?
    /// The usage by model when one answer covers several models or prompt sizes (a batch's results: see
    /// `UsageState.add`; what one request ran besides its own inference: Anthropic's compaction and advisor
    /// iterations, the Responses API's image generation tool, see `UsageState.iterations`), each part with its `model`
    /// and priced on its own; empty otherwise (the totals above cover them all).
    public var parts: [Usage] = []

    /// Adds another answer's counts (a Message Batch's results, request by request); model, tier and job stay.
    public mutating func add(_ other: Usage) {
        inputTokens += other.inputTokens
        cachedInputTokens += other.cachedInputTokens
        cacheWriteTokens += other.cacheWriteTokens
        cacheWrite1hTokens += other.cacheWrite1hTokens
        outputTokens += other.outputTokens
        reasoningTokens += other.reasoningTokens
        audioInputTokens += other.audioInputTokens
        audioOutputTokens += other.audioOutputTokens
        imageInputTokens += other.imageInputTokens
        imageOutputTokens += other.imageOutputTokens
        webSearches += other.webSearches
        fileSearches += other.fileSearches
        images += other.images
        audioMilliseconds += other.audioMilliseconds
        characters += other.characters
        searchUnits += other.searchUnits
        pages += other.pages
        annotatedPages += other.annotatedPages
    }

    /// Every input-side token (uncached, cached and cache writes), as providers count a prompt for long-context rates.
    public var promptTokens: Int64 {
        inputTokens.addingReportingOverflow(cachedInputTokens).partialValue
            .addingReportingOverflow(cacheWriteTokens).partialValue
            .addingReportingOverflow(cacheWrite1hTokens).partialValue
    }

    /// Whether any token was counted.
    public var hasTokens: Bool {
        inputTokens != 0 || cachedInputTokens != 0 || cacheWriteTokens != 0 || cacheWrite1hTokens != 0 || outputTokens != 0
    }

    /// Whether any unit priced apart from tokens was counted.
    public var hasUnits: Bool { images != 0 || audioMilliseconds != 0 || characters != 0 || searchUnits != 0 || pages != 0 || annotatedPages != 0 }

    public init(
        model: String? = nil, inputTokens: Int64 = 0, cachedInputTokens: Int64 = 0, cacheWriteTokens: Int64 = 0,
        cacheWrite1hTokens: Int64 = 0, outputTokens: Int64 = 0, reasoningTokens: Int64 = 0, audioInputTokens: Int64 = 0,
        audioOutputTokens: Int64 = 0, webSearches: Int64 = 0, serviceTier: String? = nil, inferenceGeo: String? = nil
    ) {
        self.model = model
        self.inputTokens = inputTokens
        self.cachedInputTokens = cachedInputTokens
        self.cacheWriteTokens = cacheWriteTokens
        self.cacheWrite1hTokens = cacheWrite1hTokens
        self.outputTokens = outputTokens
        self.reasoningTokens = reasoningTokens
        self.audioInputTokens = audioInputTokens
        self.audioOutputTokens = audioOutputTokens
        self.webSearches = webSearches
        self.serviceTier = serviceTier
        self.inferenceGeo = inferenceGeo
    }
}
