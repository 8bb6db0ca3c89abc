/// What one model costs, in nano-dollars per million tokens (or per unit), valid from `effectiveAt`.
public struct ModelPrice: Hashable, Sendable {
    /// Set for prices stored in the database (imports, tenants' overrides); nil for the built-in table.
    public var id: String?
    /// The tenant whose override or custom model this is; nil for everyone's.
    public var tenantID: String?
    /// `builtin`, `import` or `tenant`.
    public var source: String = "builtin"
    public var provider: String
    public var model: String
    public var effectiveAt: Timestamp
    public var input: Int64?
    public var output: Int64?
    public var cachedInput: Int64?
    public var cacheWrite: Int64?
    public var cacheWrite1h: Int64?
    /// Only when reasoning tokens are billed differently from output.
    public var reasoning: Int64?
    /// Audio input and output tokens, when billed differently from text (`gpt-audio`, `gpt-realtime`, Gemini).
    public var audioInput: Int64?
    public var audioOutput: Int64?
    /// Image input and output tokens, when billed differently from text (OpenAI's `gpt-image-*`: image inputs of
    /// edits, generated images).
    public var imageInput: Int64?
    public var imageOutput: Int64?
    /// Per web search a request's server-side search tool ran, added to the tokens' cost.
    public var perWebSearch: Int64?
    /// Per file search call a request's file search tool ran (OpenAI Responses), added to the tokens' cost.
    public var perFileSearch: Int64?
    public var perImage: Int64?
    public var perSecond: Int64?
    /// Per million characters of text to speech (`tts-1`).
    public var perMillionCharacters: Int64?
    /// Per rerank search unit (Cohere: a query over up to 100 documents).
    public var perSearchUnit: Int64?
    /// Per page a document model processed (Mistral OCR).
    public var perPage: Int64?
    /// Per page a document model annotated (Mistral OCR with an annotation format), billed besides `perPage`.
    public var perAnnotatedPage: Int64?
    public var perRequest: Int64?
    /// Long-context pricing (GPT-5.x above 272k, Gemini Pro above 200k…): a request whose prompt is larger than
    /// its threshold is billed entirely at its rates.
    public var longContext: LongContextPrice?
    /// Rates of the processing tiers the provider sells beside the standard one (OpenAI's Fast/priority, flex and
    /// ultrafast; Gemini's priority and flex; Anthropic's fast mode; the Batch APIs' rates), used when the response says the request was served at that tier.
    public var serviceTiers: [ServiceTier: ServiceTierPrice] = [:]

    public init(provider: String, model: String, effectiveAt: Timestamp, input: Int64? = nil, output: Int64? = nil, cachedInput: Int64? = nil,
                cacheWrite: Int64? = nil, cacheWrite1h: Int64? = nil, reasoning: Int64? = nil, perImage: Int64? = nil, perSecond: Int64? = nil,
                perMillionCharacters: Int64? = nil, perRequest: Int64? = nil) {
        self.provider = provider
        self.model = model
        self.effectiveAt = effectiveAt
        self.input = input
        self.output = output
        self.cachedInput = cachedInput
        self.cacheWrite = cacheWrite
        self.cacheWrite1h = cacheWrite1h
        self.reasoning = reasoning
        self.perImage = perImage
        self.perSecond = perSecond
        self.perMillionCharacters = perMillionCharacters
        self.perRequest = perRequest
    }

    /// The exact cost of `usage`: every token count times its per-million price, summed in 128-bit
    /// integers and divided once, rounded half up to the nano-dollar.
    /// Cached reads without their own price are billed as input; cache writes without one, as input too;
    /// 1-hour writes without one, at the 5-minute write price. The rates are those of the service tier that
    /// served the request and of the long-context tier its prompt falls in (see `flatPrice(for:)`).
    /// Answers billed per unit (no tokens counted, or no token prices) cost their images, audio seconds,
    /// characters, search units and pages times the unit prices instead.
    public func cost(of usage: Usage) -> Money {
        pricesByTokens(usage) ? flatPrice(for: usage).flatCost(of: usage) : unitCost(of: usage)
    }

    /// A unit billed apart from tokens: what `Usage` counts of it and the price of one.
    struct UnitRate: Sendable {
        let counted: any KeyPath<Usage, Int64> & Sendable
        let price: any KeyPath<ModelPrice, Int64?> & Sendable
        /// Millionths of a nano-dollar that one counted unit costs per nano-dollar of `price`.
        let millionthsPerCount: Int128
        /// Counted units per billed unit (milliseconds per second), rounded up.
        let countsPerBilledUnit: Int64
    }

    /// Every unit billed apart from tokens, in the order `billedUnits(of:)` reports them (`Usage.hasUnits` names
    /// the same counts; a test keeps them equal).
    static let unitRates: [UnitRate] = [
        UnitRate(counted: \.images, price: \.perImage, millionthsPerCount: 1_000_000, countsPerBilledUnit: 1),
        UnitRate(counted: \.characters, price: \.perMillionCharacters, millionthsPerCount: 1, countsPerBilledUnit: 1),
        UnitRate(counted: \.searchUnits, price: \.perSearchUnit, millionthsPerCount: 1_000_000, countsPerBilledUnit: 1),
        UnitRate(counted: \.pages, price: \.perPage, millionthsPerCount: 1_000_000, countsPerBilledUnit: 1),
        UnitRate(counted: \.annotatedPages, price: \.perAnnotatedPage, millionthsPerCount: 1_000_000, countsPerBilledUnit: 1),
        UnitRate(counted: \.audioMilliseconds, price: \.perSecond, millionthsPerCount: 1_000, countsPerBilledUnit: 1_000),
    ]

    /// Whether this price can price `usage`: by tokens, or by every unit it counted.
    public func canPrice(_ usage: Usage) -> Bool {
        if pricesByTokens(usage) { return true }
        guard usage.hasUnits else { return false }
        return Self.unitRates.allSatisfy { usage[keyPath: $0.counted] == 0 || self[keyPath: $0.price] != nil }
    }

    /// The units `usage` is billed by when it is priced per unit (the first kind it counted of `unitRates`: images,
    /// characters, search units, pages, whole seconds rounded up); 0 when it is priced by tokens.
    public func billedUnits(of usage: Usage) -> Int64 {
        guard !pricesByTokens(usage) else { return 0 }
        for rate in Self.unitRates where usage[keyPath: rate.counted] > 0 {
            return (usage[keyPath: rate.counted] + rate.countsPerBilledUnit - 1) / rate.countsPerBilledUnit
        }
        return 0
    }

    /// Tokens when the answer counted any (or nothing else) and this price has token rates.
    private func pricesByTokens(_ usage: Usage) -> Bool {
        pricesTokens && (usage.hasTokens || !usage.hasUnits)
    }

    /// Each counted unit times its price (`unitRates`), summed in millionths of a nano-dollar and rounded half up once.
    private func unitCost(of usage: Usage, roundingUp: Bool = false) -> Money {
        let total = Self.unitRates.reduce(Int128(0)) { total, rate in
            total + Int128(usage[keyPath: rate.counted]) * Int128(self[keyPath: rate.price] ?? 0) * rate.millionthsPerCount
        }
        return Money(nanos: Int64(clamping: (total + (roundingUp ? 999_999 : 500_000)) / 1_000_000) + (perRequest ?? 0))
    }

    /// The most a request of `inputTokens` and at most `outputTokens` can cost at `serviceTier` (the standard
    /// tier when nil or not priced) and `inferenceGeo`: input at the dearest input rate (cache writes included),
    /// output at the dearer of output and reasoning, at the dearer of the short- and long-context rates; rounded up.
    /// A model priced per unit only reserves for the `images` and `characters` the request asks for, and for one
    /// search unit or page (a rerank's or a document's size is known only from the answer).
    public func worstCase(inputTokens: Int64, outputTokens: Int64, serviceTier: ServiceTier? = nil, inferenceGeo: String? = nil,
                          images: Int64 = 0, characters: Int64 = 0) -> Money {
        if !pricesTokens {
            var units = Usage()
            units.images = images
            units.characters = characters
            units.searchUnits = perSearchUnit == nil ? 0 : 1
            units.pages = perPage == nil ? 0 : 1
            return unitCost(of: units, roundingUp: true)
        }
        var candidates: [ModelPrice] = [self]
        if let serviceTier, let tier = serviceTiers[serviceTier] {
            candidates = [applying(tier)]
            if tier.longContext == nil, let longContext { candidates.append(applying(longContext)) }
        }
        if let longContext = candidates[0].longContext { candidates.append(candidates[0].applying(longContext)) }
        if inferenceGeo == "us" { candidates = candidates.map { $0.multiplyingTokenRates(by: Self.usOnlyInferenceMultiple) } }
        return candidates.map { $0.flatWorstCase(inputTokens: inputTokens, outputTokens: outputTokens) }.max()!
    }

    /// The price with only base rates left that bills `usage`: a service tier's rates when the response named a
    /// priced tier, then the long-context rates when the prompt is over their threshold. A tier without
    /// long-context rates of its own leaves long prompts at the standard long-context rates (OpenAI serves
    /// long-context requests outside Fast mode).
    ///
    /// The Batch APIs discount every rate, long-context ones included (Gemini: "50% of the standard cost"; LiteLLM
    /// lists no batch long-context rates): a batch tier without long-context rates of its own bills a long prompt at
    /// the long-context rates scaled as the tier scales the base ones, and one without a 1-hour cache-write rate
    /// bills those writes at the base rate scaled as the tier scales 5-minute writes. US-only inference
    /// (`usOnlyInferenceMultiple`) multiplies the rates found.
    func flatPrice(for usage: Usage) -> ModelPrice {
        var price = self
        if let served = ServiceTier(reported: usage.serviceTier), var tier = serviceTiers[served] {
            if served == .batch, tier.longContext == nil, let longContext {
                tier.longContext = longContext.scaled(from: self, to: tier)
            }
            // 1-hour cache writes too (LiteLLM lists batch rates for 5-minute writes only): as the tier scales those.
            if served == .batch, tier.cacheWrite1h == nil, let base1h = cacheWrite1h, let baseWrite = cacheWrite, let tierWrite = tier.cacheWrite {
                tier.cacheWrite1h = Self.scaled(base1h, by: tierWrite, over: baseWrite)
            }
            if tier.longContext != nil || !(longContext?.applies(to: usage) ?? false) {
                price = applying(tier)
            }
        }
        if let longContext = price.longContext, longContext.applies(to: usage) {
            price = price.applying(longContext)
        }
        price.longContext = nil
        price.serviceTiers = [:]
        if usage.inferenceGeo == "us" { price = price.multiplyingTokenRates(by: Self.usOnlyInferenceMultiple) }
        return price
    }

    /// Anthropic bills US-only inference (`usage.inference_geo` `us`; Opus 4.6, Sonnet 4.6 and later, as older models
    /// refuse the parameter) at 1.1 times every token rate of the tier that served it; per-search fees stay.
    public static let usOnlyInferenceMultiple = (numerator: Int64(11), denominator: Int64(10))

    /// This price with every token rate times `multiple`, rounded half up to the nano-dollar per million tokens.
    func multiplyingTokenRates(by multiple: (numerator: Int64, denominator: Int64)) -> ModelPrice {
        var price = self
        for rate in [\ModelPrice.input, \.output, \.cachedInput, \.cacheWrite, \.cacheWrite1h, \.reasoning, \.audioInput, \.audioOutput, \.imageInput, \.imageOutput] {
            price[keyPath: rate] = self[keyPath: rate].flatMap { Self.scaled($0, by: multiple.numerator, over: multiple.denominator) }
        }
        return price
    }

    /// `rate` times `numerator` over `denominator`, rounded half up to the nano-dollar; nil for a denominator of 0.
    static func scaled(_ rate: Int64, by numerator: Int64, over denominator: Int64) -> Int64? {
        guard denominator > 0 else { return nil }
        return Int64(clamping: (Int128(rate) * Int128(numerator) + Int128(denominator) / 2) / Int128(denominator))
    }

    private func flatCost(of usage: Usage) -> Money {
        let inputPrice = Int128(input ?? 0)
        let outputPrice = Int128(output ?? 0)
        let cachedPrice = Int128(cachedInput ?? input ?? 0)
        let writePrice = Int128(cacheWrite ?? input ?? 0)
        let write1hPrice = Int128(cacheWrite1h ?? cacheWrite ?? input ?? 0)
        let reasoningTokens = reasoning == nil ? 0 : Int128(usage.reasoningTokens)
        // Audio and image tokens are part of the input and output counts; those with a rate of their own are
        // taken out (never more than the count holds).
        func part(_ tokens: Int64, rate: Int64?, of available: Int128) -> Int128 {
            rate == nil ? 0 : max(0, min(Int128(max(0, tokens)), available))
        }
        let audioIn = part(usage.audioInputTokens, rate: audioInput, of: Int128(usage.inputTokens))
        let imageIn = part(usage.imageInputTokens, rate: imageInput, of: Int128(usage.inputTokens) - audioIn)
        let audioOut = part(usage.audioOutputTokens, rate: audioOutput, of: Int128(usage.outputTokens) - reasoningTokens)
        let imageOut = part(usage.imageOutputTokens, rate: imageOutput, of: Int128(usage.outputTokens) - reasoningTokens - audioOut)
        let plainOutput = Int128(usage.outputTokens) - reasoningTokens - audioOut - imageOut
        var total: Int128 = (Int128(usage.inputTokens) - audioIn - imageIn) * inputPrice + audioIn * Int128(audioInput ?? 0)
        total += imageIn * Int128(imageInput ?? 0) + imageOut * Int128(imageOutput ?? 0)
        total += audioOut * Int128(audioOutput ?? 0)
        total += Int128(usage.cachedInputTokens) * cachedPrice
        total += Int128(usage.cacheWriteTokens) * writePrice
        total += Int128(usage.cacheWrite1hTokens) * write1hPrice
        total += plainOutput * outputPrice
        total += reasoningTokens * Int128(reasoning ?? 0)
        total += Int128(max(0, usage.webSearches)) * Int128(perWebSearch ?? 0) * 1_000_000
        total += Int128(max(0, usage.fileSearches)) * Int128(perFileSearch ?? 0) * 1_000_000
        let nanos = (total + 500_000) / 1_000_000
        return Money(nanos: Int64(clamping: nanos) + (perRequest ?? 0))
    }

    private func flatWorstCase(inputTokens: Int64, outputTokens: Int64) -> Money {
        let inputRate = Int128([input, cacheWrite, cacheWrite1h, audioInput, imageInput].compactMap { $0 }.max() ?? 0)
        let outputRate = Int128([output, reasoning, audioOutput, imageOutput].compactMap { $0 }.max() ?? 0)
        let total = Int128(max(0, inputTokens)) * inputRate + Int128(max(0, outputTokens)) * outputRate
        return Money(nanos: Int64(clamping: (total + 999_999) / 1_000_000) + (perRequest ?? 0))
    }

    /// Whether this price can price token usage at all.
    public var pricesTokens: Bool { input != nil || output != nil }

    /// This price with the long-context rates in place of the base ones (a rate the tier does not give stays).
    func applying(_ tier: LongContextPrice) -> ModelPrice {
        var price = replacingRates(input: tier.input, output: tier.output, cachedInput: tier.cachedInput, cacheWrite: tier.cacheWrite, cacheWrite1h: tier.cacheWrite1h)
        price.longContext = nil
        return price
    }

    /// This price with a service tier's rates in place of the base ones (a rate the tier does not give stays),
    /// and the tier's own long-context rates, if any.
    func applying(_ tier: ServiceTierPrice) -> ModelPrice {
        var price = replacingRates(input: tier.input, output: tier.output, cachedInput: tier.cachedInput, cacheWrite: tier.cacheWrite, cacheWrite1h: tier.cacheWrite1h)
        price.longContext = tier.longContext
        price.serviceTiers = [:]
        return price
    }

    private func replacingRates(input: Int64?, output: Int64?, cachedInput: Int64?, cacheWrite: Int64?, cacheWrite1h: Int64?) -> ModelPrice {
        var price = self
        price.input = input ?? self.input
        price.output = output ?? self.output
        price.cachedInput = cachedInput ?? self.cachedInput
        price.cacheWrite = cacheWrite ?? self.cacheWrite
        price.cacheWrite1h = cacheWrite1h ?? self.cacheWrite1h
        return price
    }
}

/// The rates of a model's long-context tier, in nano-dollars per million tokens. The prompt is every input-side
/// token of the request (uncached, cached and cache writes), as the providers count it for the threshold.
public struct LongContextPrice: Hashable, Sendable {
    /// Prompts larger than this many tokens are billed at these rates, all their tokens (output too).
    public var aboveTokens: Int64
    public var input: Int64?
    public var output: Int64?
    public var cachedInput: Int64?
    public var cacheWrite: Int64?
    public var cacheWrite1h: Int64?

    public init(aboveTokens: Int64, input: Int64? = nil, output: Int64? = nil, cachedInput: Int64? = nil, cacheWrite: Int64? = nil, cacheWrite1h: Int64? = nil) {
        self.aboveTokens = aboveTokens
        self.input = input
        self.output = output
        self.cachedInput = cachedInput
        self.cacheWrite = cacheWrite
        self.cacheWrite1h = cacheWrite1h
    }

    /// These rates times the ratio of each of `tier`'s rates to `base`'s (a rate either lacks stays as it is):
    /// rounded to the nearest nano-dollar per million tokens.
    func scaled(from base: ModelPrice, to tier: ServiceTierPrice) -> LongContextPrice {
        func scale(_ long: Int64?, _ standard: Int64?, _ discounted: Int64?) -> Int64? {
            guard let long, let standard, let discounted else { return long }
            return ModelPrice.scaled(long, by: discounted, over: standard) ?? long
        }
        return LongContextPrice(
            aboveTokens: aboveTokens,
            input: scale(input, base.input, tier.input),
            output: scale(output, base.output, tier.output),
            cachedInput: scale(cachedInput, base.cachedInput, tier.cachedInput),
            cacheWrite: scale(cacheWrite, base.cacheWrite, tier.cacheWrite),
            cacheWrite1h: scale(cacheWrite1h, base.cacheWrite1h, tier.cacheWrite1h)
        )
    }

    /// Whether the request's prompt is over the threshold (for a batch's summed usage, its largest request's).
    public func applies(to usage: Usage) -> Bool {
        (usage.largestRequestPrompt ?? usage.promptTokens) > aboveTokens
    }

    /// The prompt sizes at which the built-in table's long-context rates start (a test keeps them equal to the
    /// table's `above_tokens`): a batch's requests are summed apart on each side of each (`UsageState.add`), so each
    /// sum is priced at the rates its requests were billed at.
    public static let knownThresholds: [Int64] = [100_000, 200_000, 272_000]

    /// How many of `knownThresholds` a prompt is over.
    public static func sizeClass(ofPrompt tokens: Int64) -> Int {
        knownThresholds.count { tokens > $0 }
    }
}
