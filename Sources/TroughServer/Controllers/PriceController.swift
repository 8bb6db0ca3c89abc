import Foundation
import Hummingbird
import TroughCore

/// A tenant's price overrides and custom models (`/api/tenants/{tenant_id}/prices`), used for its requests
/// before the shared table.
struct PriceController {
    let store: any Store
    let catalog: PriceCatalog

    var access: Access { Access(store: store) }
    var auditor: Auditor { Auditor(store: store) }

    func addRoutes(to api: RouterGroup<TroughRequestContext>) {
        api.get("/tenants/:tenant_id/prices", use: list)
        api.post("/tenants/:tenant_id/prices", use: create)
        api.delete("/tenants/:tenant_id/prices/:price_id", use: delete)
    }

    @Sendable func list(_ request: Request, context: TroughRequestContext) async throws -> ListJSON<PriceJSON> {
        let tenantID = try context.parameters.require("tenant_id")
        _ = try await access.tenant(tenantID, atLeast: .viewer, context: context)
        return ListJSON(items: try await store.tenantPrices(tenantID: tenantID, logger: context.logger).map(PriceJSON.init), key: "prices")
    }

    @Sendable func create(_ request: Request, context: TroughRequestContext) async throws -> EditedResponse<PriceJSON> {
        let tenantID = try context.parameters.require("tenant_id")
        let (caller, _) = try await access.tenant(tenantID, atLeast: .admin, context: context)
        let body = try await request.decode(as: PriceJSON.self, context: context)
        var effectiveAt = Timestamp(milliseconds: 0)
        if let text = body.effectiveAt {
            guard let date = try? Date(text, strategy: .iso8601) else { throw APIError.validation("effective_at: expected an ISO-8601 UTC time") }
            effectiveAt = Timestamp(date)
        }
        func amount(_ value: String?, _ field: String) throws -> Int64? { try value.map { try Validate.budget($0, field: field).nanos } }
        var price = ModelPrice(
            provider: try Validate.name(body.provider, field: "provider", maxLength: 64),
            model: try Validate.name(body.model, field: "model", maxLength: 200),
            effectiveAt: effectiveAt,
            input: try amount(body.inputUsdPerMtok, "input_usd_per_mtok"),
            output: try amount(body.outputUsdPerMtok, "output_usd_per_mtok"),
            cachedInput: try amount(body.cachedInputUsdPerMtok, "cached_input_usd_per_mtok"),
            cacheWrite: try amount(body.cacheWriteUsdPerMtok, "cache_write_usd_per_mtok"),
            cacheWrite1h: try amount(body.cacheWrite1hUsdPerMtok, "cache_write_1h_usd_per_mtok"),
            perImage: try amount(body.perImageUsd, "per_image_usd"),
            perSecond: try amount(body.perSecondUsd, "per_second_usd"),
            perMillionCharacters: try amount(body.perMillionCharactersUsd, "per_million_characters_usd"),
            perRequest: try amount(body.perRequestUsd, "per_request_usd")
        )
        func longContext(_ tier: TierRatesJSON?, _ field: String) throws -> LongContextPrice? {
            guard let tier else { return nil }
            guard let aboveTokens = tier.aboveTokens, (1...1_000_000_000).contains(aboveTokens) else {
                throw APIError.validation("\(field).above_tokens: expected a positive number of tokens")
            }
            return LongContextPrice(
                aboveTokens: aboveTokens,
                input: try amount(tier.inputUsdPerMtok, "\(field).input_usd_per_mtok"),
                output: try amount(tier.outputUsdPerMtok, "\(field).output_usd_per_mtok"),
                cachedInput: try amount(tier.cachedInputUsdPerMtok, "\(field).cached_input_usd_per_mtok"),
                cacheWrite: try amount(tier.cacheWriteUsdPerMtok, "\(field).cache_write_usd_per_mtok"),
                cacheWrite1h: try amount(tier.cacheWrite1hUsdPerMtok, "\(field).cache_write_1h_usd_per_mtok")
            )
        }
        price.audioInput = try amount(body.audioInputUsdPerMtok, "audio_input_usd_per_mtok")
        price.audioOutput = try amount(body.audioOutputUsdPerMtok, "audio_output_usd_per_mtok")
        price.imageInput = try amount(body.imageInputUsdPerMtok, "image_input_usd_per_mtok")
        price.imageOutput = try amount(body.imageOutputUsdPerMtok, "image_output_usd_per_mtok")
        price.perWebSearch = try amount(body.perWebSearchUsd, "per_web_search_usd")
        price.perFileSearch = try amount(body.perFileSearchUsd, "per_file_search_usd")
        price.perSearchUnit = try amount(body.perSearchUnitUsd, "per_search_unit_usd")
        price.perPage = try amount(body.perPageUsd, "per_page_usd")
        price.perAnnotatedPage = try amount(body.perAnnotatedPageUsd, "per_annotated_page_usd")
        price.longContext = try longContext(body.longContext, "long_context")
        for (name, tier) in body.serviceTiers ?? [:] {
            guard let serviceTier = ServiceTier(rawValue: name) else {
                throw APIError.validation("service_tiers: unknown tier '\(name)' (expected \(ServiceTier.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            let field = "service_tiers.\(name)"
            price.serviceTiers[serviceTier] = ServiceTierPrice(
                input: try amount(tier.inputUsdPerMtok, "\(field).input_usd_per_mtok"),
                output: try amount(tier.outputUsdPerMtok, "\(field).output_usd_per_mtok"),
                cachedInput: try amount(tier.cachedInputUsdPerMtok, "\(field).cached_input_usd_per_mtok"),
                cacheWrite: try amount(tier.cacheWriteUsdPerMtok, "\(field).cache_write_usd_per_mtok"),
                cacheWrite1h: try amount(tier.cacheWrite1hUsdPerMtok, "\(field).cache_write_1h_usd_per_mtok"),
                longContext: try longContext(tier.longContext, "\(field).long_context")
            )
        }
        guard price.input != nil || price.output != nil || price.perRequest != nil || price.perImage != nil || price.perSecond != nil
            || price.perMillionCharacters != nil || price.perSearchUnit != nil || price.perPage != nil || price.perAnnotatedPage != nil else {
            throw APIError.validation("give at least input_usd_per_mtok, output_usd_per_mtok, per_request_usd, per_image_usd, per_second_usd, per_million_characters_usd, per_search_unit_usd, per_page_usd or per_annotated_page_usd")
        }
        price.id = Identifier.make("price")
        price.tenantID = tenantID
        price.source = "tenant"
        try await store.savePrices([price], logger: context.logger)
        try await catalog.reload(from: store, logger: context.logger)
        await auditor.record("price.set", tenantID: tenantID, caller: caller, target: ("price", price.id ?? ""), metadata: ["provider": price.provider, "model": price.model], context: context)
        return EditedResponse(status: .created, response: PriceJSON(price))
    }

    @Sendable func delete(_ request: Request, context: TroughRequestContext) async throws -> Response {
        let tenantID = try context.parameters.require("tenant_id")
        let priceID = try context.parameters.require("price_id")
        let (caller, _) = try await access.tenant(tenantID, atLeast: .admin, context: context)
        guard try await store.deleteTenantPrice(id: priceID, tenantID: tenantID, logger: context.logger) else { throw APIError.notFound("no such price") }
        try await catalog.reload(from: store, logger: context.logger)
        await auditor.record("price.delete", tenantID: tenantID, caller: caller, target: ("price", priceID), context: context)
        return Response(status: .noContent)
    }
}

/// A tenant price as the API takes it (`id` and `source` are ignored, `effective_at` optional) and answers it.
struct PriceJSON: ResponseEncodable, Decodable {
    let id: String?
    let provider: String
    let model: String
    let effectiveAt: String?
    let inputUsdPerMtok: String?
    let outputUsdPerMtok: String?
    let cachedInputUsdPerMtok: String?
    let cacheWriteUsdPerMtok: String?
    let cacheWrite1hUsdPerMtok: String?
    let audioInputUsdPerMtok: String?
    let audioOutputUsdPerMtok: String?
    let imageInputUsdPerMtok: String?
    let imageOutputUsdPerMtok: String?
    let perRequestUsd: String?
    let perImageUsd: String?
    let perSecondUsd: String?
    let perMillionCharactersUsd: String?
    let perWebSearchUsd: String?
    let perFileSearchUsd: String?
    let perSearchUnitUsd: String?
    let perPageUsd: String?
    let perAnnotatedPageUsd: String?
    let longContext: TierRatesJSON?
    let serviceTiers: [String: TierRatesJSON]?
    let source: String?

    init(_ price: ModelPrice) {
        id = price.id
        provider = price.provider
        model = price.model
        effectiveAt = price.effectiveAt.iso8601
        func usd(_ nanos: Int64?) -> String? { nanos.map { Money(nanos: $0).usdString } }
        func longContextJSON(_ tier: LongContextPrice?) -> TierRatesJSON? {
            tier.map {
                TierRatesJSON(
                    aboveTokens: $0.aboveTokens, inputUsdPerMtok: usd($0.input), outputUsdPerMtok: usd($0.output),
                    cachedInputUsdPerMtok: usd($0.cachedInput), cacheWriteUsdPerMtok: usd($0.cacheWrite), cacheWrite1hUsdPerMtok: usd($0.cacheWrite1h)
                )
            }
        }
        longContext = longContextJSON(price.longContext)
        serviceTiers = price.serviceTiers.isEmpty ? nil : Dictionary(uniqueKeysWithValues: price.serviceTiers.map { tier, rates in
            (tier.rawValue, TierRatesJSON(
                inputUsdPerMtok: usd(rates.input), outputUsdPerMtok: usd(rates.output), cachedInputUsdPerMtok: usd(rates.cachedInput),
                cacheWriteUsdPerMtok: usd(rates.cacheWrite), cacheWrite1hUsdPerMtok: usd(rates.cacheWrite1h), longContext: longContextJSON(rates.longContext)
            ))
        })
        inputUsdPerMtok = usd(price.input)
        outputUsdPerMtok = usd(price.output)
        cachedInputUsdPerMtok = usd(price.cachedInput)
        cacheWriteUsdPerMtok = usd(price.cacheWrite)
        cacheWrite1hUsdPerMtok = usd(price.cacheWrite1h)
        audioInputUsdPerMtok = usd(price.audioInput)
        audioOutputUsdPerMtok = usd(price.audioOutput)
        imageInputUsdPerMtok = usd(price.imageInput)
        imageOutputUsdPerMtok = usd(price.imageOutput)
        perRequestUsd = usd(price.perRequest)
        perImageUsd = usd(price.perImage)
        perSecondUsd = usd(price.perSecond)
        perMillionCharactersUsd = usd(price.perMillionCharacters)
        perWebSearchUsd = usd(price.perWebSearch)
        perFileSearchUsd = usd(price.perFileSearch)
        perSearchUnitUsd = usd(price.perSearchUnit)
        perPageUsd = usd(price.perPage)
        perAnnotatedPageUsd = usd(price.perAnnotatedPage)
        source = price.source
    }
}

/// The rates of a long-context tier (with `above_tokens`) or of a service tier (with its own `long_context`), in
/// USD per million tokens; a rate left out is the base one. A class, as a service tier holds one of its own.
final class TierRatesJSON: Codable, Sendable {
    let aboveTokens: Int64?
    let inputUsdPerMtok: String?
    let outputUsdPerMtok: String?
    let cachedInputUsdPerMtok: String?
    let cacheWriteUsdPerMtok: String?
    let cacheWrite1hUsdPerMtok: String?
    let longContext: TierRatesJSON?

    init(aboveTokens: Int64? = nil, inputUsdPerMtok: String?, outputUsdPerMtok: String?, cachedInputUsdPerMtok: String?,
         cacheWriteUsdPerMtok: String?, cacheWrite1hUsdPerMtok: String?, longContext: TierRatesJSON? = nil) {
        self.aboveTokens = aboveTokens
        self.inputUsdPerMtok = inputUsdPerMtok
        self.outputUsdPerMtok = outputUsdPerMtok
        self.cachedInputUsdPerMtok = cachedInputUsdPerMtok
        self.cacheWriteUsdPerMtok = cacheWriteUsdPerMtok
        self.cacheWrite1hUsdPerMtok = cacheWrite1hUsdPerMtok
        self.longContext = longContext
    }
}
