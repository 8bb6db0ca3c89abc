/// Every price Trough knows: the shared table (built in, plus imports) and each tenant's overrides and
/// custom models, which win for that tenant's requests.
public struct PriceBook: Sendable {
    public var shared: PriceTable
    public var tenants: [String: PriceTable]

    public init(shared: PriceTable, tenants: [String: PriceTable] = [:]) {
        self.shared = shared
        self.tenants = tenants
    }

    /// The built-in table with stored prices added: imports to the shared table, overrides per tenant.
    public init(builtIn: PriceTable, stored: [ModelPrice]) {
        var shared = builtIn
        var tenants: [String: PriceTable] = [:]
        for price in stored {
            if let tenantID = price.tenantID {
                tenants[tenantID, default: PriceTable()].add(price)
            } else {
                shared.add(price)
            }
        }
        self.init(shared: shared, tenants: tenants)
    }

    /// The tenant's own price first, then the shared one.
    public func price(tenantID: String, provider: String?, model: String, at time: Timestamp) -> ModelPrice? {
        tenants[tenantID]?.price(provider: provider, model: model, at: time) ?? shared.price(provider: provider, model: model, at: time)
    }
}
