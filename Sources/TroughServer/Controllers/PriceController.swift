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

    struct PriceRequest: Decodable {
        let provider: String
        let model: String
        let inputUsdPerMtok: String?
        let outputUsdPerMtok: String?
        let cachedInputUsdPerMtok: String?
        let cacheWriteUsdPerMtok: String?
        let cacheWrite1hUsdPerMtok: String?
        let perRequestUsd: String?
        let longContext: LongContextRequest?
        let effectiveAt: String?
    }

    struct LongContextRequest: Decodable {
        let aboveTokens: Int64
        let inputUsdPerMtok: String?
        let outputUsdPerMtok: String?
        let cachedInputUsdPerMtok: String?
        let cacheWriteUsdPerMtok: String?
        let cacheWrite1hUsdPerMtok: String?
    }

    @Sendable func list(_ request: Request, context: TroughRequestContext) async throws -> ListJSON<PriceJSON> {
        let tenantID = try context.parameters.require("tenant_id")
        _ = try await access.tenant(tenantID, atLeast: .viewer, context: context)
        return ListJSON(items: try await store.tenantPrices(tenantID: tenantID, logger: context.logger).map(PriceJSON.init), key: "prices")
    }

    @Sendable func create(_ request: Request, context: TroughRequestContext) async throws -> EditedResponse<PriceJSON> {
        let tenantID = try context.parameters.require("tenant_id")
        let (caller, _) = try await access.tenant(tenantID, atLeast: .admin, context: context)
        let body = try await request.decode(as: PriceRequest.self, context: context)
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
            perRequest: try amount(body.perRequestUsd, "per_request_usd")
        )
        if let tier = body.longContext {
            guard (1...1_000_000_000).contains(tier.aboveTokens) else { throw APIError.validation("long_context.above_tokens: expected a positive number of tokens") }
            price.longContext = LongContextPrice(
                aboveTokens: tier.aboveTokens,
                input: try amount(tier.inputUsdPerMtok, "long_context.input_usd_per_mtok"),
                output: try amount(tier.outputUsdPerMtok, "long_context.output_usd_per_mtok"),
                cachedInput: try amount(tier.cachedInputUsdPerMtok, "long_context.cached_input_usd_per_mtok"),
                cacheWrite: try amount(tier.cacheWriteUsdPerMtok, "long_context.cache_write_usd_per_mtok"),
                cacheWrite1h: try amount(tier.cacheWrite1hUsdPerMtok, "long_context.cache_write_1h_usd_per_mtok")
            )
        }
        guard price.input != nil || price.output != nil || price.perRequest != nil else {
            throw APIError.validation("give at least input_usd_per_mtok, output_usd_per_mtok or per_request_usd")
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

struct PriceJSON: ResponseEncodable {
    let id: String?
    let provider: String
    let model: String
    let effectiveAt: String
    let inputUsdPerMtok: String?
    let outputUsdPerMtok: String?
    let cachedInputUsdPerMtok: String?
    let cacheWriteUsdPerMtok: String?
    let cacheWrite1hUsdPerMtok: String?
    let perRequestUsd: String?
    let longContext: LongContextJSON?
    let source: String

    struct LongContextJSON: Encodable {
        let aboveTokens: Int64
        let inputUsdPerMtok: String?
        let outputUsdPerMtok: String?
        let cachedInputUsdPerMtok: String?
        let cacheWriteUsdPerMtok: String?
        let cacheWrite1hUsdPerMtok: String?
    }

    init(_ price: ModelPrice) {
        id = price.id
        provider = price.provider
        model = price.model
        effectiveAt = price.effectiveAt.iso8601
        inputUsdPerMtok = price.input.map { Money(nanos: $0).usdString }
        outputUsdPerMtok = price.output.map { Money(nanos: $0).usdString }
        cachedInputUsdPerMtok = price.cachedInput.map { Money(nanos: $0).usdString }
        cacheWriteUsdPerMtok = price.cacheWrite.map { Money(nanos: $0).usdString }
        cacheWrite1hUsdPerMtok = price.cacheWrite1h.map { Money(nanos: $0).usdString }
        perRequestUsd = price.perRequest.map { Money(nanos: $0).usdString }
        longContext = price.longContext.map { tier in
            LongContextJSON(
                aboveTokens: tier.aboveTokens, inputUsdPerMtok: tier.input.map { Money(nanos: $0).usdString },
                outputUsdPerMtok: tier.output.map { Money(nanos: $0).usdString }, cachedInputUsdPerMtok: tier.cachedInput.map { Money(nanos: $0).usdString },
                cacheWriteUsdPerMtok: tier.cacheWrite.map { Money(nanos: $0).usdString }, cacheWrite1hUsdPerMtok: tier.cacheWrite1h.map { Money(nanos: $0).usdString }
            )
        }
        source = price.source
    }
}
