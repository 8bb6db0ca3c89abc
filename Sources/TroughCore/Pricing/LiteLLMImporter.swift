import Foundation

/// Reads LiteLLM's model price JSON (`model_prices_and_context_window.json`: USD per token) into prices,
/// converted exactly to nano-dollars per million tokens, for the providers Trough knows.
public enum LiteLLMImporter {
    /// LiteLLM's provider names → Trough's.
    public static let providers: [String: String] = [
        "openai": "openai", "text-completion-openai": "openai", "anthropic": "anthropic", "gemini": "gemini",
        "mistral": "mistral", "cohere": "cohere", "cohere_chat": "cohere", "groq": "groq", "together_ai": "together",
    ]

    static let modes: Set<String> = ["chat", "completion", "responses", "embedding", "audio_transcription", "audio_speech", "image_generation", "rerank", "ocr"]
    /// Modes billed per unit alone (LiteLLM lists zero token rates for rerank models): their token rates are not taken.
    static let unitModes: Set<String> = ["rerank", "ocr"]

    /// Slips in LiteLLM's table read right, from `litellm-corrections.json` (a resource of TroughCore), the file
    /// `ops/prices/from_litellm.py` reads for the built-in table too.
    struct Corrections: Decodable {
        struct Misfiled: Decodable {
            let key: String
            let field: String
            let readAs: String
        }

        struct BatchAtHalf: Decodable {
            let key: String
        }

        let misfiled: [Misfiled]
        /// Keys whose Batch API rates are half of each standard rate, whatever LiteLLM lists.
        let batchAtHalf: [BatchAtHalf]

        static func load() throws -> Corrections {
            guard let url = Bundle.module.url(forResource: "litellm-corrections", withExtension: "json") else {
                throw PriceTableError("litellm-corrections.json is missing from the TroughCore bundle")
            }
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            return try decoder.decode(Corrections.self, from: Data(contentsOf: url))
        }

        /// LiteLLM fields filed under the wrong name, by key: wrong field → right one.
        var misfiledFields: [String: [String: String]] {
            misfiled.reduce(into: [:]) { $0[$1.key, default: [:]][$1.field] = $1.readAs }
        }
    }

    /// The prices in `data`, effective at `effectiveAt`. Entries of other providers or modes and models whose
    /// prices are all zero are skipped; fine-tunes (`ft:gpt-4o-mini-2024-07-18`) are kept under their own name.
    public static func prices(from data: Data, effectiveAt: Timestamp) throws -> [ModelPrice] {
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw PriceTableError("not a LiteLLM price file: expected a JSON object of models")
        }
        let corrections = try Corrections.load()
        let misfiled = corrections.misfiledFields
        let batchAtHalf = Set(corrections.batchAtHalf.map(\.key))
        var prices: [String: ModelPrice] = [:]
        for (key, value) in object {
            guard var entry = value as? [String: Any],
                  let litellmProvider = entry["litellm_provider"] as? String, let provider = providers[litellmProvider],
                  let mode = entry["mode"] as? String, modes.contains(mode)
            else { continue }
            for (wrong, right) in misfiled[key] ?? [:] where entry[right] == nil {
                entry[right] = entry.removeValue(forKey: wrong)
            }
            var model = key
            if let slash = key.firstIndex(of: "/"), providers[String(key[..<slash])] != nil || key.hasPrefix("together_ai/") {
                model = String(key[key.index(after: slash)...])
            }
            var price = ModelPrice(provider: provider, model: model, effectiveAt: effectiveAt)
            price.source = "import"
            price.input = perMillion(entry["input_cost_per_token"])
            price.output = perMillion(entry["output_cost_per_token"])
            price.cachedInput = perMillion(entry["cache_read_input_token_cost"])
            price.cacheWrite = perMillion(entry["cache_creation_input_token_cost"])
            price.cacheWrite1h = perMillion(entry["cache_creation_input_token_cost_above_1hr"])
            if let reasoning = perMillion(entry["output_cost_per_reasoning_token"]), reasoning != price.output {
                price.reasoning = reasoning
            }
            price.longContext = longContext(entry)
            for tier in ServiceTier.allCases {
                if let rates = serviceTier(tier, entry) { price.serviceTiers[tier] = rates }
            }
            if batchAtHalf.contains(key) {
                func half(_ rate: Int64?) -> Int64? { rate.map { ($0 + 1) / 2 } }
                price.serviceTiers[.batch] = ServiceTierPrice(input: half(price.input), output: half(price.output), cachedInput: half(price.cachedInput))
            }
            if provider == "anthropic", price.serviceTiers[.fastMode] == nil, let multiple = ServiceTier.anthropicFastModeMultiple(model: model) {
                price.serviceTiers[.fastMode] = ServiceTierPrice(multiplying: price, by: multiple)
            }
            price.perSecond = perUnit(entry["input_cost_per_second"])
            // Per image generated, or for an embedding model per image embedded (Cohere Embed v3).
            price.perImage = perUnit(entry["output_cost_per_image"]) ?? (mode == "embedding" ? perUnit(entry["input_cost_per_image"]) : nil)
            price.perMillionCharacters = perMillion(entry["input_cost_per_character"])
            price.audioInput = perMillion(entry["input_cost_per_audio_token"])
            price.audioOutput = perMillion(entry["output_cost_per_audio_token"])
            price.imageInput = perMillion(entry["input_cost_per_image_token"])
            if let imageOutput = perMillion(entry["output_cost_per_image_token"]) {
                // Image models without a text output price bill all output at the image rate.
                if price.output == nil { price.output = imageOutput } else if imageOutput != price.output { price.imageOutput = imageOutput }
            }
            price.perWebSearch = webSearchPrice(entry, provider: provider)
            price.perFileSearch = fileSearchPrice(entry, provider: provider)
            price.perSearchUnit = perUnit(entry["input_cost_per_query"])
            price.perPage = perUnit(entry["ocr_cost_per_page"])
            price.perAnnotatedPage = perUnit(entry["annotation_cost_per_page"])
            if unitModes.contains(mode) { (price.input, price.output) = (nil, nil) }
            let amounts = [price.input, price.output, price.cachedInput, price.cacheWrite, price.perSecond, price.perImage, price.perMillionCharacters,
                           price.perSearchUnit, price.perPage, price.perAnnotatedPage].compactMap { $0 }
            guard !amounts.isEmpty, amounts.contains(where: { $0 > 0 }) else { continue }
            prices["\(provider)/\(model)"] = price
        }
        return prices.keys.sorted().map { prices[$0]! }
    }

    /// The long-context tier from `*_above_{N}k_tokens` (the lowest N when there are several), or a service tier's
    /// from `*_above_{N}k_tokens_{tier}` when `tier` is given.
    static func longContext(_ entry: [String: Any], tier: ServiceTier? = nil) -> LongContextPrice? {
        let end = "k_tokens" + (tier.map { "_" + $0.litellmSuffix } ?? "")
        var thresholds: [Int64] = []
        for key in entry.keys where key.hasSuffix(end) {
            guard let range = key.range(of: "_above_", options: .backwards),
                  let thousands = Int64(key[range.upperBound...].dropLast(end.count)) else { continue }
            thresholds.append(thousands)
        }
        guard let thousands = thresholds.min() else { return nil }
        let suffix = "_above_\(thousands)" + end
        guard let rates = tokenRates(entry, suffix: suffix) else { return nil }
        return LongContextPrice(aboveTokens: thousands * 1000, input: rates.input, output: rates.output,
                                cachedInput: rates.cachedInput, cacheWrite: rates.cacheWrite, cacheWrite1h: rates.cacheWrite1h)
    }

    /// A service tier's rates from `*_priority`, `*_flex`, `*_ultrafast` or `*_batches` (and its long-context ones;
    /// Anthropic's fast mode is derived from `ServiceTier.anthropicFastModeMultiples` instead); nil when the model
    /// has none.
    static func serviceTier(_ tier: ServiceTier, _ entry: [String: Any]) -> ServiceTierPrice? {
        let rates = tokenRates(entry, suffix: "_" + tier.litellmSuffix)
        let long = longContext(entry, tier: tier)
        guard rates != nil || long != nil else { return nil }
        return ServiceTierPrice(input: rates?.input, output: rates?.output, cachedInput: rates?.cachedInput,
                                cacheWrite: rates?.cacheWrite, cacheWrite1h: rates?.cacheWrite1h, longContext: long)
    }

    /// The token rates of LiteLLM's fields ending in `suffix`; nil when it has none of them.
    private static func tokenRates(_ entry: [String: Any], suffix: String) -> ServiceTierPrice? {
        let rates = ServiceTierPrice(
            input: perMillion(entry["input_cost_per_token" + suffix]),
            output: perMillion(entry["output_cost_per_token" + suffix]),
            cachedInput: perMillion(entry["cache_read_input_token_cost" + suffix]),
            cacheWrite: perMillion(entry["cache_creation_input_token_cost" + suffix]),
            cacheWrite1h: perMillion(entry["cache_creation_input_token_cost_above_1hr" + suffix])
        )
        return [rates.input, rates.output, rates.cachedInput, rates.cacheWrite, rates.cacheWrite1h].contains { $0 != nil } ? rates : nil
    }

    /// Anthropic's web search costs $10 per 1,000 searches for every model that has the tool (its documented
    /// price, used where LiteLLM gives none).
    static let anthropicWebSearch: Int64 = 10_000_000

    /// The price of one web search: LiteLLM's `search_context_cost_per_query` (medium context; the sizes are
    /// priced alike), else Anthropic's documented price for its models with the tool.
    static func webSearchPrice(_ entry: [String: Any], provider: String) -> Int64? {
        if let perQuery = entry["search_context_cost_per_query"] as? [String: Any],
           let medium = perUnit(perQuery["search_context_size_medium"]), medium > 0 {
            return medium
        }
        return provider == "anthropic" && entry["supports_web_search"] as? Bool == true ? anthropicWebSearch : nil
    }

    /// OpenAI's file search tool costs $2.50 per 1,000 calls for every model the Responses API serves (its
    /// documented price; LiteLLM has none per model).
    static let openAIFileSearch: Int64 = 2_500_000

    /// The price of one file search call: OpenAI's documented price for its models on `/v1/responses`.
    static func fileSearchPrice(_ entry: [String: Any], provider: String) -> Int64? {
        provider == "openai" && (entry["supported_endpoints"] as? [String])?.contains("/v1/responses") == true ? openAIFileSearch : nil
    }

    /// USD per token → nano-dollars per million tokens (× 10¹⁵), exact for the decimal the JSON wrote.
    static func perMillion(_ value: Any?) -> Int64? {
        scaled(value, by: 15)
    }

    /// USD per unit → nano-dollars (× 10⁹).
    static func perUnit(_ value: Any?) -> Int64? {
        scaled(value, by: 9)
    }

    /// The number times 10^power, from its shortest decimal form (so 2.5e-06 is exactly 2.5 × 10⁻⁶), rounded half up.
    static func scaled(_ value: Any?, by power: Int) -> Int64? {
        guard let number = value as? NSNumber, !(number is Bool) else { return nil }
        let double = number.doubleValue
        guard double.isFinite, double >= 0 else { return nil }
        guard var decimal = Decimal(string: "\(double)", locale: Locale(identifier: "en_US_POSIX")) else { return nil }
        decimal *= Decimal(sign: .plus, exponent: power, significand: 1)
        var rounded = Decimal()
        NSDecimalRound(&rounded, &decimal, 0, .plain)
        return Int64(exactly: NSDecimalNumber(decimal: rounded).int64Value)
    }
}
