import Foundation
import Testing
@testable import TroughCore

@Suite("Pricing")
struct PricingTests {
    @Test("a model's candidate names drop a models/ or provider/ prefix and a date suffix, as the regular expressions they replace did")
    func candidateNames() {
        #expect(PriceTable.candidateNames("gpt-4o-2024-08-06") == ["gpt-4o-2024-08-06", "gpt-4o"])
        #expect(PriceTable.candidateNames("claude-3-5-haiku-20241022") == ["claude-3-5-haiku-20241022", "claude-3-5-haiku"])
        #expect(PriceTable.candidateNames("models/gemini-2.5-pro") == ["models/gemini-2.5-pro", "gemini-2.5-pro"])
        #expect(PriceTable.candidateNames("vertex_ai/claude-3-5-haiku@20241022") == ["vertex_ai/claude-3-5-haiku@20241022", "claude-3-5-haiku@20241022", "vertex_ai/claude-3-5-haiku", "claude-3-5-haiku"])
        #expect(PriceTable.candidateNames("gpt-4-0125-preview") == ["gpt-4-0125-preview"])
        #expect(PriceTable.candidateNames("gpt-3.5-turbo-0125") == ["gpt-3.5-turbo-0125", "gpt-3.5-turbo"])
        #expect(PriceTable.candidateNames("meta-llama/Llama-3.3-70B") == ["meta-llama/Llama-3.3-70B"])
        // The regular expressions as the oracle, on names built to hit each pattern's edges (ASCII digits only: `\d`
        // also took other scripts' digits, which no model name has).
        let patterns = [#"-\d{4}-\d{2}-\d{2}$"#, #"-\d{8}$"#, #"@\d{8}$"#, #"-\d{4}$"#]
        for name in ["m-2024-08-06", "m-20241022", "m@20241022", "m-0125", "-0125", "m-2024-8-06", "m-2024-08-6", "m-202410222",
                     "m_20241022", "m-2024_08-06", "m-12024-08-06", "m-x024", "m--0125", "2024", "-", "", "m-2024-08-06-0125"] {
            var expected: [String] = []
            for pattern in patterns {
                if let range = name.range(of: pattern, options: .regularExpression) { expected.append(String(name[..<range.lowerBound])) }
            }
            let found = PriceTable.candidateNames(name).dropFirst().filter { $0 != name }
            #expect(Array(found) == expected.reduce(into: [String]()) { if !$0.contains($1) && $1 != name { $0.append($1) } }, "\(name)")
        }
    }

    let gpt4o = ModelPrice(provider: "openai", model: "gpt-4o", effectiveAt: Timestamp(milliseconds: 0),
                           input: 2_500_000_000, output: 10_000_000_000, cachedInput: 1_250_000_000)
    let sonnet = ModelPrice(provider: "anthropic", model: "claude-sonnet-4-5", effectiveAt: Timestamp(milliseconds: 0),
                            input: 3_000_000_000, output: 15_000_000_000, cachedInput: 300_000_000, cacheWrite: 3_750_000_000, cacheWrite1h: 6_000_000_000)

    @Test("token costs are exact to the nano-dollar")
    func exactCosts() {
        #expect(gpt4o.cost(of: Usage(inputTokens: 176, cachedInputTokens: 1024, outputTokens: 300)).nanos == 4_720_000)
        #expect(sonnet.cost(of: Usage(inputTokens: 25, cachedInputTokens: 10_000, cacheWriteTokens: 2_000, outputTokens: 15)).nanos == 10_800_000)
        #expect(sonnet.cost(of: Usage(cacheWrite1hTokens: 1_000)).nanos == 6_000_000)
        // One token of a $0.075/M model is 75 nano-dollars; a third of a nano-dollar rounds to the nearest.
        let cheap = ModelPrice(provider: "x", model: "y", effectiveAt: Timestamp(milliseconds: 0), input: 75_000_000, output: 333)
        #expect(cheap.cost(of: Usage(inputTokens: 1)).nanos == 75)
        #expect(cheap.cost(of: Usage(outputTokens: 1_000)).nanos == 0)
        #expect(cheap.cost(of: Usage(outputTokens: 2_000)).nanos == 1)
    }

    @Test("long-context tiers: a prompt over the threshold bills every token at the tier's rates, exact to the nano-dollar")
    func longContext() throws {
        let table = try PriceTable.builtIn()
        let now = Timestamp.now()
        // Gemini 2.5 Pro: 1.25 / 10.00 / cached 0.125; above 200k prompt tokens 2.50 / 15.00 / cached 0.25.
        let gemini = try #require(table.price(provider: "gemini", model: "gemini-2.5-pro", at: now))
        #expect(gemini.longContext?.aboveTokens == 200_000)
        #expect(gemini.cost(of: Usage(inputTokens: 150_000, cachedInputTokens: 50_000, outputTokens: 10_000)).nanos == 293_750_000)  // 200k: not above
        #expect(gemini.cost(of: Usage(inputTokens: 150_000, cachedInputTokens: 60_000, outputTokens: 10_000)).nanos == 540_000_000)
        // GPT-5.5: 5.00 / 30.00; above 272k 10.00 / 45.00.
        let gpt = try #require(table.price(provider: "openai", model: "gpt-5.5", at: now))
        #expect(gpt.cost(of: Usage(inputTokens: 272_000, outputTokens: 1_000)).nanos == 1_390_000_000)
        #expect(gpt.cost(of: Usage(inputTokens: 272_001, outputTokens: 1_000)).nanos == 2_765_010_000)
        // Claude Haiku 5.5 above 100k: cache writes count toward the prompt and are billed at the tier's write rate.
        let haiku = try #require(table.price(provider: "anthropic", model: "claude-haiku-5-5", at: now))
        #expect(haiku.cost(of: Usage(inputTokens: 10_000, cacheWriteTokens: 95_000, outputTokens: 1_000)).nanos == 66_875_000)
        #expect(haiku.cost(of: Usage(inputTokens: 10_000, cacheWriteTokens: 90_000, outputTokens: 1_000)).nanos == 1_000_000 + 11_250_000 + 500_000)

        // A rate the tier does not give stays the base one.
        var custom = gpt4o
        custom.longContext = LongContextPrice(aboveTokens: 1_000, input: 5_000_000_000)
        #expect(custom.cost(of: Usage(inputTokens: 1_000, cachedInputTokens: 1_000, outputTokens: 100)).nanos == 5_000_000 + 1_250_000 + 1_000_000)
        // The worst case a budget reserves covers the dearer tier.
        #expect(custom.worstCase(inputTokens: 10, outputTokens: 0).nanos == 50_000)
        #expect(gpt4o.worstCase(inputTokens: 10, outputTokens: 0).nanos == 25_000)
    }

    @Test("service tiers: the tier the response names sets the rates, long prompts included; budgets reserve at the requested tier")
    func serviceTiers() throws {
        let table = try PriceTable.builtIn()
        let now = Timestamp.now()
        // GPT-5: 1.25 / 10.00 / cached 0.125; priority (Fast mode) 2.50 / 20.00 / 0.25; flex 0.625 / 5.00 / 0.0625.
        let gpt5 = try #require(table.price(provider: "openai", model: "gpt-5", at: now))
        func usage(_ tier: String?) -> Usage {
            Usage(inputTokens: 952, cachedInputTokens: 2048, outputTokens: 700, reasoningTokens: 512, serviceTier: tier)
        }
        #expect(gpt5.cost(of: usage(nil)).nanos == 952 * 1250 + 2048 * 125 + 700 * 10_000)  // 8_446_000
        for standard in ["default", "auto", "standard", "scale", "something-new"] {
            #expect(gpt5.cost(of: usage(standard)).nanos == 8_446_000, "\(standard)")
        }
        #expect(gpt5.cost(of: usage("priority")).nanos == 952 * 2500 + 2048 * 250 + 700 * 20_000)  // 16_892_000
        #expect(gpt5.cost(of: usage("fast")).nanos == 16_892_000)
        #expect(gpt5.cost(of: usage("flex")).nanos == 595_000 + 128_000 + 3_500_000)
        // GPT-5.4: long context above 272k 5.00 / 22.50; priority 5.00 / 30.00 has no long-context rates (Fast mode
        // excludes long context: such prompts stay at the standard long-context rates); flex has its own, 2.50 / 11.25.
        let gpt54 = try #require(table.price(provider: "openai", model: "gpt-5.4", at: now))
        #expect(gpt54.cost(of: Usage(inputTokens: 1000, outputTokens: 1000, serviceTier: "priority")).nanos == 5_000_000 + 30_000_000)
        #expect(gpt54.cost(of: Usage(inputTokens: 300_000, outputTokens: 1000, serviceTier: "priority")).nanos == 1_500_000_000 + 22_500_000)
        #expect(gpt54.cost(of: Usage(inputTokens: 300_000, outputTokens: 1000, serviceTier: "flex")).nanos == 750_000_000 + 11_250_000)
        // Gemini 2.5 Pro priority above 200k: 4.50 / 27.00 (the header says SERVICE_TIER_PRIORITY or priority).
        let gemini = try #require(table.price(provider: "gemini", model: "gemini-2.5-pro", at: now))
        #expect(gemini.cost(of: Usage(inputTokens: 250_000, outputTokens: 10_000, serviceTier: "SERVICE_TIER_PRIORITY")).nanos == 1_125_000_000 + 270_000_000)
        #expect(gemini.cost(of: Usage(inputTokens: 150_000, outputTokens: 10_000, serviceTier: "priority")).nanos == 337_500_000 + 180_000_000)
        #expect(gemini.cost(of: Usage(inputTokens: 250_000, outputTokens: 10_000, serviceTier: "flex")).nanos == 625_000_000 + 150_000_000)
        // Ultrafast, with cache writes at the tier's rate.
        let sol = try #require(table.price(provider: "openai", model: "gpt-6.1-sol", at: now))
        #expect(sol.cost(of: Usage(inputTokens: 1000, cacheWriteTokens: 1000, outputTokens: 1000, serviceTier: "ultrafast")).nanos == 12_000_000 + 15_000_000 + 60_000_000)
        // A finished batch at the Batch API's rates: GPT-5 0.625 / cached 0.0625 / 5.00.
        #expect(gpt5.cost(of: Usage(inputTokens: 476, cachedInputTokens: 1024, outputTokens: 500, serviceTier: "batch")).nanos == 476 * 625 + 1024 * 62_5 / 10 + 500 * 5_000)
        // A model without the tier bills it at its base rates.
        let gpt4o = try #require(table.price(provider: "openai", model: "gpt-4o", at: now))
        #expect(gpt4o.cost(of: Usage(inputTokens: 1000, serviceTier: "flex")).nanos == 2_500_000)

        // Budgets reserve at the tier the request asks for, and at the dearer of its short- and long-context rates.
        #expect(gpt5.worstCase(inputTokens: 10, outputTokens: 0).nanos == 12_500)
        #expect(gpt5.worstCase(inputTokens: 10, outputTokens: 0, serviceTier: .priority).nanos == 25_000)
        #expect(gpt5.worstCase(inputTokens: 10, outputTokens: 0, serviceTier: .flex).nanos == 6_250)
        #expect(gpt54.worstCase(inputTokens: 10, outputTokens: 1, serviceTier: .priority).nanos == 50_000 + 30_000)
        #expect(gpt54.worstCase(inputTokens: 10, outputTokens: 0, serviceTier: .flex).nanos == 25_000)
        #expect(gpt4o.worstCase(inputTokens: 10, outputTokens: 0, serviceTier: .priority).nanos == gpt4o.worstCase(inputTokens: 10, outputTokens: 0).nanos * 17 / 10)
    }

    @Test("audio tokens at their own rates; text the rest")
    func audioTokens() throws {
        let table = try PriceTable.builtIn()
        let now = Timestamp.now()
        // gpt-audio: text 2.50 / 10.00, audio 32.00 / 64.00 per million.
        let gptAudio = try #require(table.price(provider: "openai", model: "gpt-audio", at: now))
        let usage = Usage(inputTokens: 100, outputTokens: 300, audioInputTokens: 80, audioOutputTokens: 250)
        #expect(gptAudio.cost(of: usage).nanos == 20 * 2_500 + 80 * 32_000 + 50 * 10_000 + 250 * 64_000)  // $0.01911
        #expect(gptAudio.worstCase(inputTokens: 10, outputTokens: 10).nanos == 10 * 32_000 + 10 * 64_000)
        // Gemini 2.5 Flash: audio input 1.00 vs text 0.30; cached reads at 0.03.
        let flash = try #require(table.price(provider: "gemini", model: "gemini-2.5-flash", at: now))
        let gemini = Usage(inputTokens: 700, cachedInputTokens: 300, outputTokens: 100, audioInputTokens: 600)
        #expect(flash.cost(of: gemini).nanos == 100 * 300 + 600 * 1_000 + 300 * 30 + 100 * 2_500)
        // A model without audio rates bills audio as text; counts past the totals are held to them.
        let gpt4o = try #require(table.price(provider: "openai", model: "gpt-4o", at: now))
        #expect(gpt4o.cost(of: usage).nanos == 100 * 2_500 + 300 * 10_000)
        let odd = Usage(inputTokens: 10, outputTokens: 10, audioInputTokens: 50, audioOutputTokens: 50)
        #expect(gptAudio.cost(of: odd).nanos == 10 * 32_000 + 10 * 64_000)
    }

    @Test("Anthropic's fast mode: every rate times the model's multiple, cache rates too; Priority Tier stays standard")
    func anthropicFastMode() throws {
        let table = try PriceTable.builtIn()
        let now = Timestamp.now()
        // Opus 5.5 fast (2x): $8 in, $0.40 cache reads, $10 cache writes, $16 1-hour writes, $40 out per M.
        let opus55 = try #require(table.price(provider: "anthropic", model: "claude-opus-5-5", at: now))
        let usage = Usage(inputTokens: 1200, cachedInputTokens: 30_000, cacheWriteTokens: 500, cacheWrite1hTokens: 100, outputTokens: 800, serviceTier: "fast_mode")
        #expect(opus55.cost(of: usage).nanos == 1200 * 8_000 + 30_000 * 400 + 500 * 10_000 + 100 * 16_000 + 800 * 40_000)  // $0.0602
        var standard = usage
        standard.serviceTier = "priority"  // Anthropic's Priority Tier is billed at standard rates
        #expect(opus55.cost(of: standard).nanos == 1200 * 4_000 + 30_000 * 200 + 500 * 5_000 + 100 * 8_000 + 800 * 20_000)
        // Opus 4.6 fast (6x): $30 / $150; a dated snapshot has the same tier.
        for model in ["claude-opus-4-6", "claude-opus-4-6-20260205"] {
            let opus46 = try #require(table.price(provider: "anthropic", model: model, at: now))
            #expect(opus46.cost(of: Usage(inputTokens: 40, outputTokens: 120, serviceTier: "fast_mode")).nanos == 40 * 30_000 + 120 * 150_000)
            #expect(opus46.worstCase(inputTokens: 10, outputTokens: 10, serviceTier: .fastMode).nanos == 10 * 60_000 + 10 * 150_000)  // 1-hour writes are the dearest input
        }
        // Models without fast mode bill a fast report at standard rates.
        let sonnet = try #require(table.price(provider: "anthropic", model: "claude-sonnet-4-5", at: now))
        #expect(sonnet.cost(of: Usage(inputTokens: 10, serviceTier: "fast_mode")).nanos == 30_000)

        // The built-in table (written by ops/prices/from_litellm.py) and the importer use the same multiples.
        var withFastMode: Set<String> = []
        for price in table.prices where price.provider == "anthropic" {
            guard let tier = price.serviceTiers[.fastMode] else { continue }
            let multiple = try #require(ServiceTier.anthropicFastModeMultiple(model: price.model), "\(price.model)")
            var base = price
            base.serviceTiers = [:]
            #expect(tier == ServiceTierPrice(multiplying: base, by: multiple), "\(price.model)")
            withFastMode.insert(price.model)
        }
        #expect(Set(ServiceTier.anthropicFastModeMultiples.keys).isSubset(of: withFastMode))
        #expect(ServiceTier.anthropicFastModeMultiple(model: "claude-opus-5-5") == 2)
        #expect(ServiceTier.anthropicFastModeMultiple(model: "claude-opus-4-7-20260416") == 6)
        #expect(ServiceTier.anthropicFastModeMultiple(model: "claude-opus-5-1") == nil)
        #expect(ServiceTier.anthropicFastModeMultiple(model: "claude-sonnet-4-5-20250929") == nil)
    }

    @Test("reported tier names")
    func serviceTierNames() {
        #expect(ServiceTier(reported: "fast_mode") == .fastMode)
        #expect(ServiceTier(reported: "priority") == .priority)
        #expect(ServiceTier(reported: "Fast") == .priority)
        #expect(ServiceTier(reported: "SERVICE_TIER_PRIORITY") == .priority)
        #expect(ServiceTier(reported: "service_tier_flex") == .flex)
        #expect(ServiceTier(reported: "ultrafast") == .ultrafast)
        #expect(ServiceTier(reported: "batch") == .batch)
        for standard in ["default", "auto", "standard", "scale", "", nil] as [String?] {
            #expect(ServiceTier(reported: standard) == nil)
        }
    }

    @Test("huge counts do not overflow")
    func noOverflow() {
        let expensive = ModelPrice(provider: "x", model: "y", effectiveAt: Timestamp(milliseconds: 0), input: 600_000_000_000, output: 600_000_000_000)
        #expect(expensive.cost(of: Usage(inputTokens: 2_000_000_000, outputTokens: 2_000_000_000)).nanos == 2_400_000_000_000_000)
    }

    @Test("reasoning at its own price when the model has one")
    func reasoningPrice() {
        var price = gpt4o
        price.reasoning = 20_000_000_000
        #expect(price.cost(of: Usage(outputTokens: 300, reasoningTokens: 100)).nanos == 200 * 10_000 + 100 * 20_000)
    }

    @Test("lookup: provider first, then the model anywhere, dated snapshots fall back to their family, by effective date")
    func lookup() {
        var table = PriceTable([gpt4o, sonnet])
        table.add(ModelPrice(provider: "openai", model: "gpt-4o", effectiveAt: Timestamp(milliseconds: 2_000_000_000_000), input: 1, output: 1))
        #expect(table.price(provider: "openai", model: "gpt-4o", at: Timestamp(milliseconds: 1_000))?.input == 2_500_000_000)
        #expect(table.price(provider: "openai", model: "gpt-4o", at: Timestamp(milliseconds: 2_100_000_000_000))?.input == 1)
        #expect(table.price(provider: "openai", model: "gpt-4o-2024-08-06", at: Timestamp(milliseconds: 1_000))?.model == "gpt-4o")
        #expect(table.price(provider: "anthropic", model: "claude-sonnet-4-5-20250929", at: Timestamp(milliseconds: 1_000))?.model == "claude-sonnet-4-5")
        #expect(table.price(provider: "openai_compatible", model: "gpt-4o", at: Timestamp(milliseconds: 1_000)) != nil)
        #expect(table.price(provider: "openai", model: "unknown-model", at: Timestamp(milliseconds: 1_000)) == nil)
    }

    @Test("a fine-tuned OpenAI model is priced at its fine-tune base's rates, never at the base model's lower ones")
    func fineTunes() throws {
        #expect(PriceTable.candidateNames("ft:gpt-4o-mini-2024-07-18:acme:support-bot:9AbC12de") == ["ft:gpt-4o-mini-2024-07-18:acme:support-bot:9AbC12de", "ft:gpt-4o-mini-2024-07-18"])
        #expect(PriceTable.candidateNames("ft:gpt-4.1-2025-04-14:acme::9AbC12de:ckpt-step-1000") == ["ft:gpt-4.1-2025-04-14:acme::9AbC12de:ckpt-step-1000", "ft:gpt-4.1-2025-04-14"])
        #expect(PriceTable.candidateNames("ft:gpt-4o-mini-2024-07-18") == ["ft:gpt-4o-mini-2024-07-18", "ft:gpt-4o-mini"])
        #expect(PriceTable.candidateNames("ft::x") == ["ft::x"])
        let table = try PriceTable.builtIn()
        let now = Timestamp.now()
        let found = table.price(provider: "openai", model: "ft:gpt-4o-mini-2024-07-18:acme:support-bot:9AbC12de", at: now)
        let tuned = try #require(found)
        #expect(tuned.model == "ft:gpt-4o-mini-2024-07-18")
        // $0.30 / $0.15 cached / $1.20 per M (the base model's are $0.15 / $0.075 / $0.60): 1,000 new + 2,048 cached
        // input and 500 output = 300,000 + 307,200 + 600,000 nano-dollars.
        #expect(tuned.cost(of: Usage(inputTokens: 1_000, cachedInputTokens: 2_048, outputTokens: 500)).nanos == 1_207_200)
        // Through the Batch API at half of each: 150,000 + 153,600 + 300,000.
        #expect(tuned.cost(of: Usage(inputTokens: 1_000, cachedInputTokens: 2_048, outputTokens: 500, serviceTier: "batch")).nanos == 603_600)
        // gpt-4o-2024-11-20's fine-tunes: LiteLLM files their cached input price as a cache-write one.
        let found4o = table.price(provider: "openai", model: "ft:gpt-4o-2024-11-20:acme::xyz", at: now)
        let tuned4o = try #require(found4o)
        #expect(tuned4o.input == 3_750_000_000 && tuned4o.cachedInput == 1_875_000_000 && tuned4o.cacheWrite == nil && tuned4o.output == 15_000_000_000)
        // A fine-tune of a base with no fine-tune price (or another provider's `ft:` model) stays unpriced.
        #expect(table.price(provider: "openai", model: "ft:gpt-4.1-nano-2025-04-14:acme::xyz", at: now) == nil)
        #expect(table.price(provider: "mistral", model: "ft:open-mistral-7b:587a6b29:20240514:7e773925", at: now) == nil)
        #expect(table.price(provider: "openai", model: "ft:gpt-4o-mini-2024-07-18:acme::xyz", at: now)?.input != table.price(provider: "openai", model: "gpt-4o-mini-2024-07-18", at: now)?.input)
    }

    @Test("the built-in table loads and prices the common models")
    func builtIn() throws {
        let table = try PriceTable.builtIn()
        #expect(table.count > 100)
        let now = Timestamp.now()
        for (provider, model) in [("openai", "gpt-4o"), ("openai", "gpt-4o-mini"), ("anthropic", "claude-sonnet-4-5"), ("gemini", "gemini-2.5-flash"), ("mistral", "mistral-large-latest")] {
            #expect(table.price(provider: provider, model: model, at: now)?.pricesTokens == true, "\(provider)/\(model)")
        }
        #expect(table.price(provider: "openai", model: "gpt-4o", at: now)?.input == 2_500_000_000)
    }
}

@Suite("JSON key names")
struct SnakeCaseKeysTests {
    @Test("snake_case and camelCase as Foundation converts them, except that a quantity with its unit is a word (1h)")
    func conversions() throws {
        for (snake, camel) in [("cache_write_1h_usd_per_mtok", "cacheWrite1hUsdPerMtok"), ("project_id", "projectId"), ("above_tokens", "aboveTokens"),
                               ("last4", "last4"), ("base64", "base64"), ("x", "x"), ("service_tiers", "serviceTiers")] {
            #expect(SnakeCaseKeys.camelCase(snake) == camel, "\(snake)")
            #expect(SnakeCaseKeys.snakeCase(camel) == snake, "\(camel)")
        }
        #expect(SnakeCaseKeys.snakeCase("projectID") == "project_id")
        #expect(SnakeCaseKeys.snakeCase("baseURLValue") == "base_url_value")
        #expect(SnakeCaseKeys.camelCase("_private_key_") == "_privateKey_")
        // The built-in table's 1-hour cache-write rates are read (Foundation's conversion looked for `cacheWrite1H`).
        let sonnet = try #require(try PriceTable.builtIn().price(provider: "anthropic", model: "claude-sonnet-4-5", at: .now()))
        #expect(sonnet.cacheWrite1h == 6_000_000_000)
        #expect(sonnet.cost(of: Usage(cacheWrite1hTokens: 1_000)).nanos == 6_000_000)
    }
}

@Suite("Built-in price file")
struct BuiltInPriceFileTests {
    /// Every rate field of `prices.json` and where it lands; a field missing here fails the test below.
    static var rates: [String: (ModelPrice) -> Int64?] { [
        "input": \.input, "output": \.output, "cached_input": \.cachedInput, "cache_write": \.cacheWrite, "cache_write_1h": \.cacheWrite1h,
        "reasoning": \.reasoning, "audio_input": \.audioInput, "audio_output": \.audioOutput, "per_web_search": \.perWebSearch, "per_file_search": \.perFileSearch,
        "image_input": \.imageInput, "image_output": \.imageOutput,
        "per_image": \.perImage, "per_second": \.perSecond, "per_million_characters": \.perMillionCharacters, "per_request": \.perRequest,
        "per_search_unit": \.perSearchUnit, "per_page": \.perPage, "per_annotated_page": \.perAnnotatedPage,
    ] }
    static var tierRates: [String: (ServiceTierPrice) -> Int64?] { [
        "input": \.input, "output": \.output, "cached_input": \.cachedInput, "cache_write": \.cacheWrite, "cache_write_1h": \.cacheWrite1h,
    ] }
    static var longRates: [String: (LongContextPrice) -> Int64?] { [
        "input": \.input, "output": \.output, "cached_input": \.cachedInput, "cache_write": \.cacheWrite, "cache_write_1h": \.cacheWrite1h,
    ] }

    @Test("every rate in prices.json is loaded, exactly (a field the loader skips fails here)")
    func everyFieldLoads() throws {
        let url = Self.sourceFile()
        let file = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let table = try PriceTable.builtIn()
        var checked = 0
        for entry in try #require(file["models"] as? [[String: Any]]) {
            let provider = try #require(entry["provider"] as? String), model = try #require(entry["model"] as? String)
            let price = try #require(table.price(provider: provider, model: model, at: .now()), "\(provider)/\(model)")
            for (field, value) in entry where !["provider", "model", "effective_at", "long_context", "service_tiers"].contains(field) {
                let read = try #require(Self.rates[field], "unknown field \(field)")
                #expect(read(price) == Money(usd: try #require(value as? String))?.nanos, "\(model).\(field)")
                checked += 1
            }
            if let long = entry["long_context"] as? [String: Any] {
                checked += try Self.compare(long, price.longContext, Self.longRates, "\(model).long_context")
                #expect(price.longContext?.aboveTokens == long["above_tokens"] as? Int64)
            }
            for (name, rates) in entry["service_tiers"] as? [String: [String: Any]] ?? [:] {
                let tier = try #require(ServiceTier(rawValue: name).flatMap { price.serviceTiers[$0] }, "\(model).\(name)")
                checked += try Self.compare(rates, tier, Self.tierRates, "\(model).\(name)")
                if let long = rates["long_context"] as? [String: Any] {
                    checked += try Self.compare(long, tier.longContext, Self.longRates, "\(model).\(name).long_context")
                }
            }
        }
        #expect(checked > 1_000)
    }

    private static func compare<Rates>(_ json: [String: Any], _ rates: Rates?, _ fields: [String: (Rates) -> Int64?], _ place: String) throws -> Int {
        let rates = try #require(rates, "\(place) not loaded")
        var checked = 0
        for (field, value) in json where field != "above_tokens" && field != "long_context" {
            let read = try #require(fields[field], "unknown field \(place).\(field)")
            #expect(read(rates) == Money(usd: try #require(value as? String))?.nanos, "\(place).\(field)")
            checked += 1
        }
        return checked
    }

    private static func sourceFile() -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources/TroughCore/Resources/prices.json").standardized
    }
}
