/// A processing tier sold beside the standard one, at its own rates. Providers report the tier that served a
/// request (OpenAI `service_tier`, Gemini's `x-gemini-service-tier` header, Anthropic's `usage.speed`);
/// `default`, `auto`, `standard` and anything unknown are the standard tier.
public enum ServiceTier: String, CaseIterable, Hashable, Sendable {
    /// OpenAI's Fast mode (reported as `priority` or `fast`), Gemini's priority inference.
    case priority
    /// About half price on spare capacity (OpenAI and Gemini).
    case flex
    /// OpenAI's Ultrafast mode.
    case ultrafast
    /// Anthropic's fast mode (`"speed": "fast"`, reported in `usage.speed`): a multiple of every standard rate
    /// (Anthropic's Priority Tier, `usage.service_tier: "priority"`, is a capacity commitment at standard rates).
    case fastMode = "fast_mode"
    /// The Batch APIs' rates (about half): an OpenAI batch's usage is billed once it has finished.
    case batch

    /// The tier a provider's reported value names; nil for the standard tier.
    public init?(reported: String?) {
        // The standard tier's names, as providers send them, without lowercasing (every answer names one).
        guard let reported, reported != "default", reported != "auto", reported != "standard" else { return nil }
        var name = reported.lowercasedASCIIIfNeeded
        if name.hasPrefix("service_tier_") { name.removeFirst("service_tier_".count) }
        switch name {
        case "priority", "fast": self = .priority
        case "flex": self = .flex
        case "ultrafast", "ultra_fast": self = .ultrafast
        case "fast_mode": self = .fastMode
        case "batch", "batches": self = .batch
        default: return nil
        }
    }
}

/// The rates of one service tier, in nano-dollars per million tokens; a rate left nil is the model's base rate.
public struct ServiceTierPrice: Hashable, Sendable {
    public var input: Int64?
    public var output: Int64?
    public var cachedInput: Int64?
    public var cacheWrite: Int64?
    public var cacheWrite1h: Int64?
    /// The tier's own long-context rates (Gemini Pro priority above 200k…).
    public var longContext: LongContextPrice?

    public init(input: Int64? = nil, output: Int64? = nil, cachedInput: Int64? = nil, cacheWrite: Int64? = nil, cacheWrite1h: Int64? = nil, longContext: LongContextPrice? = nil) {
        self.input = input
        self.output = output
        self.cachedInput = cachedInput
        self.cacheWrite = cacheWrite
        self.cacheWrite1h = cacheWrite1h
        self.longContext = longContext
    }
}

extension ServiceTier {
    /// Anthropic's fast-mode price as a multiple of the model's standard rates, cache rates included
    /// ("fast mode pricing stacks with other pricing modifiers"), for the models that have or had it: Opus 4.6 and
    /// 4.7 at 6x ($30 / $150), Opus 4.8, 5 and 5.5 at 2x. LiteLLM's table has no such rates; the importer and
    /// `ops/prices/from_litellm.py` (which keeps the same list) derive the tier from them. A dated snapshot
    /// (`claude-opus-4-6-20260205`) takes its model's multiple.
    public static let anthropicFastModeMultiples: [String: Int64] = [
        "claude-opus-4-6": 6, "claude-opus-4-7": 6, "claude-opus-4-8": 2, "claude-opus-5": 2, "claude-opus-5-5": 2,
    ]

    /// The suffix of this tier's fields in LiteLLM's table (`input_cost_per_token_batches`…).
    public var litellmSuffix: String {
        self == .batch ? "batches" : rawValue
    }

    /// The fast-mode multiple of an Anthropic model, by name or, for a dated snapshot, its family's (the names the
    /// price table looks a model up by); nil when it has no fast mode.
    public static func anthropicFastModeMultiple(model: String) -> Int64? {
        PriceTable.candidateNames(model).lazy.compactMap { anthropicFastModeMultiples[$0] }.first
    }
}

extension ServiceTierPrice {
    /// Every token rate of `price`, its long-context ones too, times `multiple`: a tier sold as a multiple of the
    /// standard one (Anthropic's fast mode). A rate `price` leaves to its fallbacks stays nil, so it falls back to
    /// the multiplied rates in turn.
    public init(multiplying price: ModelPrice, by multiple: Int64) {
        func times(_ rate: Int64?) -> Int64? { rate.map { $0 * multiple } }
        self.init(
            input: times(price.input), output: times(price.output), cachedInput: times(price.cachedInput),
            cacheWrite: times(price.cacheWrite), cacheWrite1h: times(price.cacheWrite1h),
            longContext: price.longContext.map {
                LongContextPrice(aboveTokens: $0.aboveTokens, input: times($0.input), output: times($0.output), cachedInput: times($0.cachedInput),
                                 cacheWrite: times($0.cacheWrite), cacheWrite1h: times($0.cacheWrite1h))
            }
        )
    }
}
