/// A processing tier sold beside the standard one, at its own rates. Providers report the tier that served a
/// request (OpenAI `service_tier`, Gemini's `x-gemini-service-tier` header); `default`, `auto`, `standard` and
/// anything unknown are the standard tier.
public enum ServiceTier: String, CaseIterable, Hashable, Sendable {
    /// OpenAI's Fast mode (reported as `priority` or `fast`), Gemini's priority inference.
    case priority
    /// About half price on spare capacity (OpenAI and Gemini).
    case flex
    /// OpenAI's Ultrafast mode.
    case ultrafast

    /// The tier a provider's reported value names; nil for the standard tier.
    public init?(reported: String?) {
        guard var name = reported?.lowercased() else { return nil }
        if name.hasPrefix("service_tier_") { name.removeFirst("service_tier_".count) }
        switch name {
        case "priority", "fast": self = .priority
        case "flex": self = .flex
        case "ultrafast", "ultra_fast": self = .ultrafast
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
