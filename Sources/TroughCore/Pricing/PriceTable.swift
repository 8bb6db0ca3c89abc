import Foundation

/// Model prices by provider and model, with their effective dates: the built-in table
/// (`prices.json`, shipped with Trough), imported tables, and tenants' overrides on top.
public struct PriceTable: Sendable {
    /// A provider and a model name, both lowercased.
    private struct Key: Hashable {
        let provider: String
        let model: String
    }

    private var byKey: [Key: [ModelPrice]] = [:]
    private var byModel: [String: [ModelPrice]] = [:]

    public init(_ prices: [ModelPrice] = []) {
        for price in prices { add(price) }
    }

    /// Adds a price (keeping older ones for requests before its effective date).
    public mutating func add(_ price: ModelPrice) {
        byKey[Self.key(price.provider, price.model), default: []].append(price)
        byKey[Self.key(price.provider, price.model)]?.sort { $0.effectiveAt > $1.effectiveAt }
        byModel[price.model.lowercased(), default: []].append(price)
        byModel[price.model.lowercased()]?.sort { $0.effectiveAt > $1.effectiveAt }
    }

    public var count: Int { byKey.values.reduce(0) { $0 + $1.count } }

    /// Every price held (older ones too), in no particular order.
    public var prices: [ModelPrice] { byKey.values.flatMap { $0 } }

    /// The price of `model` at `time`: the provider's own entry first; for OpenAI-compatible servers and
    /// unknown providers, any provider's entry for that model name; dated snapshots (`gpt-4o-2024-08-06`)
    /// fall back to their family when they have no entry of their own. Nil when the model is unknown.
    public func price(provider: String?, model: String, at time: Timestamp) -> ModelPrice? {
        // The common case first: the provider's own entry under the exact name, without building variants.
        if let provider, let found = Self.latest(byKey[Self.key(provider, model)], at: time) { return found }
        let names = Self.candidateNames(model)
        for name in names {
            if let provider, let found = Self.latest(byKey[Self.key(provider, name)], at: time) { return found }
        }
        for name in names {
            if let found = Self.latest(byModel[name.lowercased()], at: time) { return found }
        }
        return nil
    }

    private static func latest(_ prices: [ModelPrice]?, at time: Timestamp) -> ModelPrice? {
        prices?.first { $0.effectiveAt <= time } ?? nil
    }

    /// The lookup key (two strings, not one joined: joining allocated on every request).
    private static func key(_ provider: String, _ model: String) -> Key {
        Key(provider: provider.lowercasedASCIIIfNeeded, model: model.lowercasedASCIIIfNeeded)
    }

    /// The model name, then without a `models/` or `provider/` prefix, then without a date suffix. A fine-tuned
    /// OpenAI model (`ft:gpt-4o-mini-2024-07-18:org:suffix:id`, checkpoints with `:ckpt-step-N` after) is looked up
    /// as its fine-tune base (`ft:gpt-4o-mini-2024-07-18`) and never as the base model, whose rates are lower.
    static func candidateNames(_ model: String) -> [String] {
        if let fineTuneBase = fineTuneBase(model) { return [model, fineTuneBase] }
        var names = [model]
        var bare = model
        if bare.hasPrefix("models/") { bare.removeFirst("models/".count) }
        if bare != model { names.append(bare) }
        if let slash = bare.lastIndex(of: "/"), !bare.contains("meta-llama") {
            names.append(String(bare[bare.index(after: slash)...]))
        }
        for name in names {
            let bytes = Array(name.utf8)
            for suffix in dateSuffixes {
                if let end = dateSuffixStart(suffix, in: bytes) {
                    let family = String(decoding: bytes[..<end], as: UTF8.self)
                    if !names.contains(family) { names.append(family) }
                }
            }
        }
        return names
    }

    /// `ft:BASE` for a fine-tuned model's name `ft:BASE:…`; nil for any other name.
    static func fineTuneBase(_ model: String) -> String? {
        guard model.hasPrefix("ft:") else { return nil }
        let rest = model.utf8.dropFirst(3)
        guard let colon = rest.firstIndex(of: UInt8(ascii: ":")), colon != rest.startIndex else { return nil }
        return String(model[..<colon])
    }

    /// Date suffixes a model name may end with, as separator then digit groups: -2024-08-06, -20241022,
    /// @20240620, -0125 (checked byte by byte: a regular expression per name cost ~24 µs per unpriced request).
    static let dateSuffixes: [(separator: UInt8, groups: [Int])] = [
        (UInt8(ascii: "-"), [4, 2, 2]), (UInt8(ascii: "-"), [8]), (UInt8(ascii: "@"), [8]), (UInt8(ascii: "-"), [4]),
    ]

    /// Where a trailing `separator` + digit groups (joined by "-") starts in `bytes`, or nil when they do not end so.
    private static func dateSuffixStart(_ suffix: (separator: UInt8, groups: [Int]), in bytes: [UInt8]) -> Int? {
        var end = bytes.count
        for (position, length) in suffix.groups.enumerated().reversed() {
            guard end >= length else { return nil }
            for index in (end - length)..<end where !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { return nil }
            end -= length
            let separator = position == 0 ? suffix.separator : UInt8(ascii: "-")
            guard end >= 1, bytes[end - 1] == separator else { return nil }
            end -= 1
        }
        return end
    }
}

extension PriceTable {
    /// The table shipped with Trough (`Sources/TroughCore/Resources/prices.json`).
    public static func builtIn() throws -> PriceTable {
        guard let url = Bundle.module.url(forResource: "prices", withExtension: "json") else {
            throw PriceTableError("the built-in prices.json is missing from the TroughCore bundle")
        }
        return try PriceTable(builtInJSON: Data(contentsOf: url))
    }

    /// Parses Trough's price file: decimal dollar strings per million tokens (or per unit).
    public init(builtInJSON data: Data) throws {
        struct File: Decodable {
            let effectiveAt: String
            let models: [Entry]
        }
        struct Entry: Decodable {
            let provider: String
            let model: String
            let effectiveAt: String?
            let input, output, cachedInput, cacheWrite, cacheWrite1h, reasoning, audioInput, audioOutput, imageInput, imageOutput: String?
            let perImage, perSecond, perMillionCharacters, perWebSearch, perFileSearch, perSearchUnit, perPage, perAnnotatedPage, perRequest: String?
            let longContext: LongContext?
            let serviceTiers: [String: Tier]?
        }
        struct LongContext: Decodable {
            let aboveTokens: Int64
            let input, output, cachedInput, cacheWrite, cacheWrite1h: String?
        }
        struct Tier: Decodable {
            let input, output, cachedInput, cacheWrite, cacheWrite1h: String?
            let longContext: LongContext?
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .fromSnakeCaseKeys
        let file = try decoder.decode(File.self, from: data)
        func time(_ text: String) throws -> Timestamp {
            guard let date = try? Date(text, strategy: .iso8601) else { throw PriceTableError("bad effective_at '\(text)'") }
            return Timestamp(date)
        }
        func nanos(_ text: String?, _ entry: Entry) throws -> Int64? {
            guard let text else { return nil }
            guard let money = Money(usd: text), money.nanos >= 0 else {
                throw PriceTableError("\(entry.provider)/\(entry.model): '\(text)' is not a decimal dollar amount")
            }
            return money.nanos
        }
        func longContext(_ tier: LongContext?, _ entry: Entry) throws -> LongContextPrice? {
            guard let tier else { return nil }
            guard tier.aboveTokens > 0 else { throw PriceTableError("\(entry.provider)/\(entry.model): long_context.above_tokens must be positive") }
            return LongContextPrice(
                aboveTokens: tier.aboveTokens, input: try nanos(tier.input, entry), output: try nanos(tier.output, entry),
                cachedInput: try nanos(tier.cachedInput, entry), cacheWrite: try nanos(tier.cacheWrite, entry),
                cacheWrite1h: try nanos(tier.cacheWrite1h, entry)
            )
        }
        let fileTime = try time(file.effectiveAt)
        self.init(try file.models.map { entry in
            var price = ModelPrice(
                provider: entry.provider, model: entry.model,
                effectiveAt: try entry.effectiveAt.map(time) ?? fileTime,
                input: try nanos(entry.input, entry), output: try nanos(entry.output, entry),
                cachedInput: try nanos(entry.cachedInput, entry), cacheWrite: try nanos(entry.cacheWrite, entry),
                cacheWrite1h: try nanos(entry.cacheWrite1h, entry), reasoning: try nanos(entry.reasoning, entry),
                perImage: try nanos(entry.perImage, entry), perSecond: try nanos(entry.perSecond, entry),
                perMillionCharacters: try nanos(entry.perMillionCharacters, entry), perRequest: try nanos(entry.perRequest, entry)
            )
            price.audioInput = try nanos(entry.audioInput, entry)
            price.audioOutput = try nanos(entry.audioOutput, entry)
            price.imageInput = try nanos(entry.imageInput, entry)
            price.imageOutput = try nanos(entry.imageOutput, entry)
            price.perWebSearch = try nanos(entry.perWebSearch, entry)
            price.perFileSearch = try nanos(entry.perFileSearch, entry)
            price.perSearchUnit = try nanos(entry.perSearchUnit, entry)
            price.perPage = try nanos(entry.perPage, entry)
            price.perAnnotatedPage = try nanos(entry.perAnnotatedPage, entry)
            price.longContext = try longContext(entry.longContext, entry)
            for (name, tier) in entry.serviceTiers ?? [:] {
                guard let serviceTier = ServiceTier(rawValue: name) else {
                    throw PriceTableError("\(entry.provider)/\(entry.model): unknown service tier '\(name)' (priority, flex, ultrafast, fast_mode, batch)")
                }
                price.serviceTiers[serviceTier] = ServiceTierPrice(
                    input: try nanos(tier.input, entry), output: try nanos(tier.output, entry),
                    cachedInput: try nanos(tier.cachedInput, entry), cacheWrite: try nanos(tier.cacheWrite, entry),
                    cacheWrite1h: try nanos(tier.cacheWrite1h, entry), longContext: try longContext(tier.longContext, entry)
                )
            }
            return price
        })
    }
}

/// A price file that cannot be read.
public struct PriceTableError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
