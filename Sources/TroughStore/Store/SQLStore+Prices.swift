import Foundation
import Logging
import SQLKit
import TroughCore

extension SQLStore {
    static let priceColumns = [
        "id", "tenant_id", "provider", "model", "effective_at", "input_nanos_per_mtok", "output_nanos_per_mtok",
        "cached_input_nanos_per_mtok", "cache_write_nanos_per_mtok", "cache_write_1h_nanos_per_mtok", "reasoning_nanos_per_mtok",
        "per_image_nanos", "per_second_nanos", "per_request_nanos", "source", "created_at",
        "long_context_above_tokens", "long_input_nanos_per_mtok", "long_output_nanos_per_mtok",
        "long_cached_input_nanos_per_mtok", "long_cache_write_nanos_per_mtok", "long_cache_write_1h_nanos_per_mtok",
        "service_tiers", "per_mchar_nanos", "audio_input_nanos_per_mtok", "audio_output_nanos_per_mtok",
        "per_web_search_nanos", "image_input_nanos_per_mtok", "image_output_nanos_per_mtok",
        "per_search_unit_nanos", "per_page_nanos", "per_annotated_page_nanos", "per_file_search_nanos",
    ]

    public func savePrices(_ prices: [ModelPrice], logger: Logger) async throws {
        guard !prices.isEmpty else { return }
        try await database.transaction { sql in
            let now = Timestamp.now().milliseconds
            for price in prices {
                var delete = sql.delete(from: "prices")
                    .where("provider", .equal, price.provider)
                    .where("model", .equal, price.model)
                    .where("effective_at", .equal, price.effectiveAt.milliseconds)
                delete = price.tenantID.map { delete.where("tenant_id", .equal, $0) } ?? delete.where("tenant_id", .is, SQLLiteral.null)
                try await delete.run()
                let values: [any Encodable & Sendable] = [
                    price.id ?? Identifier.make("price"), price.tenantID, price.provider, price.model, price.effectiveAt.milliseconds,
                    price.input, price.output, price.cachedInput, price.cacheWrite, price.cacheWrite1h, price.reasoning,
                    price.perImage, price.perSecond, price.perRequest, price.source, now,
                    price.longContext?.aboveTokens, price.longContext?.input, price.longContext?.output,
                    price.longContext?.cachedInput, price.longContext?.cacheWrite, price.longContext?.cacheWrite1h,
                    try StoredServiceTiers.encode(price.serviceTiers), price.perMillionCharacters, price.audioInput, price.audioOutput,
                    price.perWebSearch, price.imageInput, price.imageOutput,
                    price.perSearchUnit, price.perPage, price.perAnnotatedPage, price.perFileSearch,
                ]
                try await sql.insert(into: "prices").columns(Self.priceColumns).values(values.map { SQLBind($0) }).run()
            }
        }
    }

    public func storedPrices(logger: Logger) async throws -> [ModelPrice] {
        try await sql.select().columns(Self.priceColumns.map { SQLIdentifier($0) }).from("prices")
            .orderBy("effective_at").all().map(Self.price(from:))
    }

    public func tenantPrices(tenantID: String, logger: Logger) async throws -> [ModelPrice] {
        try await sql.select().columns(Self.priceColumns.map { SQLIdentifier($0) }).from("prices")
            .where("tenant_id", .equal, tenantID)
            .orderBy("provider").orderBy("model").orderBy("effective_at")
            .all().map(Self.price(from:))
    }

    public func deleteTenantPrice(id: String, tenantID: String, logger: Logger) async throws -> Bool {
        try await !sql.delete(from: "prices").where("id", .equal, id).where("tenant_id", .equal, tenantID).returning("id").all().isEmpty
    }

    static func price(from row: any SQLRow) throws -> ModelPrice {
        func amount(_ column: String) throws -> Int64? { try row.decode(column: column, as: Int64?.self) }
        var price = ModelPrice(
            provider: try row.decode(column: "provider", as: String.self),
            model: try row.decode(column: "model", as: String.self),
            effectiveAt: Timestamp(milliseconds: try row.decode(column: "effective_at", as: Int64.self)),
            input: try amount("input_nanos_per_mtok"), output: try amount("output_nanos_per_mtok"),
            cachedInput: try amount("cached_input_nanos_per_mtok"), cacheWrite: try amount("cache_write_nanos_per_mtok"),
            cacheWrite1h: try amount("cache_write_1h_nanos_per_mtok"), reasoning: try amount("reasoning_nanos_per_mtok"),
            perImage: try amount("per_image_nanos"), perSecond: try amount("per_second_nanos"),
            perMillionCharacters: try amount("per_mchar_nanos"), perRequest: try amount("per_request_nanos")
        )
        if let aboveTokens = try amount("long_context_above_tokens") {
            price.longContext = LongContextPrice(
                aboveTokens: aboveTokens, input: try amount("long_input_nanos_per_mtok"), output: try amount("long_output_nanos_per_mtok"),
                cachedInput: try amount("long_cached_input_nanos_per_mtok"), cacheWrite: try amount("long_cache_write_nanos_per_mtok"),
                cacheWrite1h: try amount("long_cache_write_1h_nanos_per_mtok")
            )
        }
        price.audioInput = try amount("audio_input_nanos_per_mtok")
        price.audioOutput = try amount("audio_output_nanos_per_mtok")
        price.imageInput = try amount("image_input_nanos_per_mtok")
        price.imageOutput = try amount("image_output_nanos_per_mtok")
        price.perSearchUnit = try amount("per_search_unit_nanos")
        price.perPage = try amount("per_page_nanos")
        price.perAnnotatedPage = try amount("per_annotated_page_nanos")
        price.perWebSearch = try amount("per_web_search_nanos")
        price.perFileSearch = try amount("per_file_search_nanos")
        price.serviceTiers = try StoredServiceTiers.decode(try row.decode(column: "service_tiers", as: String?.self))
        price.id = try row.decode(column: "id", as: String.self)
        price.tenantID = try row.decode(column: "tenant_id", as: String?.self)
        price.source = try row.decode(column: "source", as: String.self)
        return price
    }
}

/// The `prices.service_tiers` column: a JSON object keyed by tier, in nano-dollars per million tokens.
enum StoredServiceTiers {
    struct Rates: Codable {
        var input, output, cachedInput, cacheWrite, cacheWrite1h: Int64?
        var longContext: Long?

        enum CodingKeys: String, CodingKey {
            case input, output, cachedInput = "cached_input", cacheWrite = "cache_write", cacheWrite1h = "cache_write_1h", longContext = "long_context"
        }
    }

    struct Long: Codable {
        var aboveTokens: Int64
        var input, output, cachedInput, cacheWrite, cacheWrite1h: Int64?

        enum CodingKeys: String, CodingKey {
            case aboveTokens = "above_tokens", input, output, cachedInput = "cached_input", cacheWrite = "cache_write", cacheWrite1h = "cache_write_1h"
        }
    }

    static func encode(_ tiers: [ServiceTier: ServiceTierPrice]) throws -> String? {
        guard !tiers.isEmpty else { return nil }
        var object: [String: Rates] = [:]
        for (tier, price) in tiers {
            object[tier.rawValue] = Rates(
                input: price.input, output: price.output, cachedInput: price.cachedInput, cacheWrite: price.cacheWrite,
                cacheWrite1h: price.cacheWrite1h,
                longContext: price.longContext.map {
                    Long(aboveTokens: $0.aboveTokens, input: $0.input, output: $0.output, cachedInput: $0.cachedInput, cacheWrite: $0.cacheWrite, cacheWrite1h: $0.cacheWrite1h)
                }
            )
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(object), as: UTF8.self)
    }

    /// Tiers this version does not know are skipped (a newer instance may have written them).
    static func decode(_ text: String?) throws -> [ServiceTier: ServiceTierPrice] {
        guard let text, !text.isEmpty else { return [:] }
        let object = try JSONDecoder().decode([String: Rates].self, from: Data(text.utf8))
        var tiers: [ServiceTier: ServiceTierPrice] = [:]
        for (name, rates) in object {
            guard let tier = ServiceTier(rawValue: name) else { continue }
            tiers[tier] = ServiceTierPrice(
                input: rates.input, output: rates.output, cachedInput: rates.cachedInput, cacheWrite: rates.cacheWrite,
                cacheWrite1h: rates.cacheWrite1h,
                longContext: rates.longContext.map {
                    LongContextPrice(aboveTokens: $0.aboveTokens, input: $0.input, output: $0.output, cachedInput: $0.cachedInput, cacheWrite: $0.cacheWrite, cacheWrite1h: $0.cacheWrite1h)
                }
            )
        }
        return tiers
    }
}
