import Foundation
import Testing
import TroughCore

@Suite("LiteLLM price import")
struct LiteLLMImporterTests {
    static let sample = """
        {
          "sample_spec": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 0.0},
          "gpt-4o": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05, "cache_read_input_token_cost": 1.25e-06,
                     "input_cost_per_token_priority": 4.25e-06, "output_cost_per_token_priority": 1.7e-05, "cache_read_input_token_cost_priority": 2.125e-06,
                     "input_cost_per_token_batches": 1.25e-06, "output_cost_per_token_flex": 5e-06},
          "claude-sonnet-4-5": {"litellm_provider": "anthropic", "mode": "chat", "input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05,
                                "cache_read_input_token_cost": 3e-07, "cache_creation_input_token_cost": 3.75e-06, "cache_creation_input_token_cost_above_1hr": 6e-06},
          "gemini/gemini-2.5-flash": {"litellm_provider": "gemini", "mode": "chat", "input_cost_per_token": 3e-07, "output_cost_per_token": 2.5e-06, "cache_read_input_token_cost": 3e-08},
          "together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo": {"litellm_provider": "together_ai", "mode": "chat", "input_cost_per_token": 8.8e-07, "output_cost_per_token": 8.8e-07},
          "text-embedding-3-small": {"litellm_provider": "openai", "mode": "embedding", "input_cost_per_token": 2e-08, "output_cost_per_token": 0.0},
          "embed-english-v3.0": {"litellm_provider": "cohere", "mode": "embedding", "input_cost_per_token": 1e-07, "output_cost_per_token": 0.0, "input_cost_per_image": 0.0001},
          "whisper-1": {"litellm_provider": "openai", "mode": "audio_transcription", "input_cost_per_second": 0.0001},
          "rerank-v3.5": {"litellm_provider": "cohere", "mode": "rerank", "input_cost_per_query": 0.002, "input_cost_per_token": 0.0, "output_cost_per_token": 0.0},
          "mistral/mistral-ocr-2512": {"litellm_provider": "mistral", "mode": "ocr", "ocr_cost_per_page": 0.002, "ocr_cost_per_page_batches": 0.001, "annotation_cost_per_page": 0.003},
          "ft:gpt-4o-mini-2024-07-18": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 3e-07, "output_cost_per_token": 1.2e-06, "cache_read_input_token_cost": 1.5e-07},
          "ft:gpt-4o-2024-11-20": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 3.75e-06, "output_cost_per_token": 1.5e-05, "cache_creation_input_token_cost": 1.875e-06},
          "azure/gpt-4o": {"litellm_provider": "azure", "mode": "chat", "input_cost_per_token": 2.5e-06},
          "free-model": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 0.0, "output_cost_per_token": 0.0},
          "gemini/gemini-2.5-pro": {"litellm_provider": "gemini", "mode": "chat", "input_cost_per_token": 1.25e-06, "output_cost_per_token": 1e-05,
                                    "cache_read_input_token_cost": 1.25e-07, "input_cost_per_token_above_200k_tokens": 2.5e-06,
                                    "output_cost_per_token_above_200k_tokens": 1.5e-05, "cache_read_input_token_cost_above_200k_tokens": 2.5e-07,
                                    "input_cost_per_token_priority": 2.25e-06, "input_cost_per_token_above_200k_tokens_priority": 4.5e-06}
        }
        """

    @Test("converts USD per token exactly to nano-dollars per million tokens, for the providers Trough knows")
    func imports() throws {
        let prices = try LiteLLMImporter.prices(from: Data(Self.sample.utf8), effectiveAt: Timestamp(milliseconds: 5))
        let byModel = Dictionary(uniqueKeysWithValues: prices.map { ($0.model, $0) })
        #expect(Set(byModel.keys) == ["gpt-4o", "claude-sonnet-4-5", "gemini-2.5-flash", "gemini-2.5-pro", "meta-llama/Llama-3.3-70B-Instruct-Turbo", "text-embedding-3-small", "embed-english-v3.0", "whisper-1", "rerank-v3.5", "mistral-ocr-2512",
                                    "ft:gpt-4o-mini-2024-07-18", "ft:gpt-4o-2024-11-20"])
        // Fine-tunes under their own name; the one whose cached input price LiteLLM files as a cache write reads it right.
        #expect(byModel["ft:gpt-4o-mini-2024-07-18"]?.input == 300_000_000 && byModel["ft:gpt-4o-mini-2024-07-18"]?.cachedInput == 150_000_000)
        #expect(byModel["ft:gpt-4o-2024-11-20"]?.cachedInput == 1_875_000_000 && byModel["ft:gpt-4o-2024-11-20"]?.cacheWrite == nil)
        let gpt = try #require(byModel["gpt-4o"])
        #expect(gpt.input == 2_500_000_000 && gpt.output == 10_000_000_000 && gpt.cachedInput == 1_250_000_000)
        #expect(gpt.source == "import" && gpt.effectiveAt.milliseconds == 5)
        let claude = try #require(byModel["claude-sonnet-4-5"])
        #expect(claude.cacheWrite == 3_750_000_000 && claude.cacheWrite1h == 6_000_000_000 && claude.cachedInput == 300_000_000)
        #expect(byModel["gemini-2.5-flash"]?.provider == "gemini")
        #expect(byModel["gemini-2.5-flash"]?.cachedInput == 30_000_000)
        #expect(byModel["meta-llama/Llama-3.3-70B-Instruct-Turbo"]?.provider == "together")
        #expect(byModel["text-embedding-3-small"]?.input == 20_000_000)
        // An embedding model's per-image price is per image embedded.
        #expect(byModel["embed-english-v3.0"]?.perImage == 100_000 && byModel["embed-english-v3.0"]?.input == 100_000_000)
        #expect(byModel["whisper-1"]?.perSecond == 100_000)
        // Rerank and OCR: per search unit and per page only (LiteLLM's zero token rates are not taken).
        let rerank = try #require(byModel["rerank-v3.5"])
        #expect(rerank.provider == "cohere" && rerank.perSearchUnit == 2_000_000 && !rerank.pricesTokens)
        let ocr = try #require(byModel["mistral-ocr-2512"])
        #expect(ocr.provider == "mistral" && ocr.perPage == 2_000_000 && ocr.perAnnotatedPage == 3_000_000 && !ocr.pricesTokens)
        #expect(byModel["gemini-2.5-pro"]?.longContext == LongContextPrice(aboveTokens: 200_000, input: 2_500_000_000, output: 15_000_000_000, cachedInput: 250_000_000))
        #expect(gpt.longContext == nil)
        // Service tiers: their own rates (a rate not given is nil, so the base one), their own long-context rates;
        // the Batch API's from `*_batches`.
        #expect(gpt.serviceTiers == [
            .priority: ServiceTierPrice(input: 4_250_000_000, output: 17_000_000_000, cachedInput: 2_125_000_000),
            .flex: ServiceTierPrice(output: 5_000_000_000),
            .batch: ServiceTierPrice(input: 1_250_000_000),
        ])
        #expect(byModel["gemini-2.5-pro"]?.serviceTiers == [
            .priority: ServiceTierPrice(input: 2_250_000_000, longContext: LongContextPrice(aboveTokens: 200_000, input: 4_500_000_000)),
        ])
        #expect(claude.serviceTiers.isEmpty)
    }

    @Test("the reference LiteLLM file imports hundreds of models", .enabled(if: FileManager.default.fileExists(atPath: Self.reference.path)))
    func referenceFile() throws {
        let prices = try LiteLLMImporter.prices(from: Data(contentsOf: Self.reference), effectiveAt: .now())
        #expect(prices.count > 200)
        #expect(prices.first { $0.provider == "openai" && $0.model == "gpt-4o-mini" }?.input == 150_000_000)
        // The importer and ops/prices/from_litellm.py (which wrote the built-in table) read the same tiers.
        let builtIn = try PriceTable.builtIn()
        // Anthropic's fast mode is derived from the same multiples in both (LiteLLM has no fast-mode rates).
        for model in ["gpt-5", "gpt-5.4", "gpt-6.1-sol", "ft:gpt-4o-mini-2024-07-18", "ft:gpt-4o-2024-08-06", "ft:gpt-4o-2024-11-20", "gemini-2.5-pro", "claude-opus-4-6", "claude-opus-5-5", "claude-opus-4-7-20260416"] {
            let imported = try #require(prices.first { $0.model == model })
            #expect(imported.serviceTiers == builtIn.price(provider: imported.provider, model: model, at: .now())?.serviceTiers, "\(model)")
            #expect(!imported.serviceTiers.isEmpty)
        }
        for model in ["gpt-audio", "gemini-2.5-flash", "tts-1", "whisper-1", "gpt-image-1.5", "gpt-image-2", "gemini-2.5-flash-image"] {
            let imported = try #require(prices.first { $0.model == model })
            let shipped = try #require(builtIn.price(provider: imported.provider, model: model, at: .now()))
            #expect(imported.audioInput == shipped.audioInput && imported.audioOutput == shipped.audioOutput, "\(model)")
            #expect(imported.imageInput == shipped.imageInput && imported.imageOutput == shipped.imageOutput && imported.output == shipped.output, "\(model)")
            #expect(imported.perMillionCharacters == shipped.perMillionCharacters && imported.perSecond == shipped.perSecond, "\(model)")
        }
        #expect(prices.first { $0.model == "gpt-audio" }?.audioInput == 32_000_000_000)
        #expect(prices.first { $0.model == "gpt-image-1.5" }?.imageOutput == 32_000_000_000)
        #expect(prices.first { $0.model == "tts-1" }?.perMillionCharacters == 15_000_000_000)
        // OpenAI's file search fee on the models the Responses API serves, as in the built-in table; none elsewhere.
        for model in ["gpt-5", "gpt-4.1-mini", "gpt-5.6", "gpt-4o-mini", "claude-opus-4-6"] {
            let imported = try #require(prices.first { $0.model == model }, "\(model)")
            #expect(imported.perFileSearch == builtIn.price(provider: imported.provider, model: model, at: .now())?.perFileSearch, "\(model)")
        }
        #expect(prices.first { $0.model == "gpt-5" }?.perFileSearch == 2_500_000)
        #expect(prices.first { $0.model == "claude-opus-4-6" }?.perFileSearch == nil)
        for model in ["rerank-v3.5", "rerank-v4.0-pro", "mistral-ocr-2512", "mistral-ocr-latest"] {
            let imported = try #require(prices.first { $0.model == model })
            let shipped = try #require(builtIn.price(provider: imported.provider, model: model, at: .now()))
            #expect(imported.perSearchUnit == shipped.perSearchUnit && imported.perPage == shipped.perPage
                    && imported.perAnnotatedPage == shipped.perAnnotatedPage && !shipped.pricesTokens, "\(model)")
        }
    }

    static let reference = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/data/litellm_model_prices.json").standardizedFileURL
}
