import Foundation
import Testing
import TroughCore

@Suite("Pricing")
struct PricingTests {
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
