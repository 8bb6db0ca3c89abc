import Logging
import SQLKit
import TroughCore

extension SQLStore {
    public func createCostRule(_ rule: CostRule, logger: Logger) async throws {
        try await sql.insert(into: "cost_rules").model(rule).run()
    }

    public func costRules(serviceID: String, tenantID: String, logger: Logger) async throws -> [CostRule] {
        try await sql.select().columns(CostRule.columns).from("cost_rules")
            .where("service_id", .equal, serviceID)
            .where("tenant_id", .equal, tenantID)
            .orderBy("created_at").orderBy("id")
            .all(decoding: CostRule.self)
    }

    public func deleteCostRule(id: String, serviceID: String, tenantID: String, logger: Logger) async throws -> Bool {
        try await !sql.delete(from: "cost_rules")
            .where("id", .equal, id)
            .where("service_id", .equal, serviceID)
            .where("tenant_id", .equal, tenantID)
            .returning("id").all().isEmpty
    }
}
