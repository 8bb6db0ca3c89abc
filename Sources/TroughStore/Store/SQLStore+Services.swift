import Logging
import SQLKit
import TroughCore

extension SQLStore {
    public func createService(_ service: Service, key: ProviderKey?, logger: Logger) async throws {
        try await mapConflict("a service named '\(service.name)' already exists in this project") {
            try await database.transaction { sql in
                try await sql.insert(into: "services").model(service).run()
                if let key {
                    try await sql.insert(into: "provider_keys").model(key).run()
                }
            }
        }
    }

    public func services(projectID: String, tenantID: String, logger: Logger) async throws -> [Service] {
        try await sql.select().columns(Service.columns).from("services")
            .where("project_id", .equal, projectID)
            .where("tenant_id", .equal, tenantID)
            .orderBy("created_at").orderBy("id")
            .all(decoding: Service.self)
    }

    public func service(id: String, memberUserID: String, logger: Logger) async throws -> (service: Service, role: Role)? {
        guard let service = try await sql.select().columns(Service.columnNames.map { SQLColumn($0, table: "s") })
            .from(SQLAlias(SQLIdentifier("services"), as: SQLIdentifier("s")))
            .join(SQLAlias(SQLIdentifier("memberships"), as: SQLIdentifier("m")), method: SQLJoinMethod.inner,
                  on: SQLBinaryExpression(SQLColumn("tenant_id", table: "m"), .equal, SQLColumn("tenant_id", table: "s")))
            .where(SQLColumn("id", table: "s"), .equal, SQLBind(id))
            .where(SQLColumn("user_id", table: "m"), .equal, SQLBind(memberUserID))
            .first(decoding: Service.self),
              let membership = try await membership(tenantID: service.tenantID, userID: memberUserID, logger: logger)
        else { return nil }
        return (service, membership.role)
    }

    public func service(projectID: String, name: String, tenantID: String, logger: Logger) async throws -> Service? {
        try await sql.select().columns(Service.columns).from("services")
            .where("project_id", .equal, projectID)
            .where("name", .equal, name)
            .where("tenant_id", .equal, tenantID)
            .first(decoding: Service.self)
    }

    public func updateService(_ service: Service, key: ProviderKeyChange, logger: Logger) async throws -> Bool {
        try await mapConflict("a service named '\(service.name)' already exists in this project") {
            try await database.transaction { sql in
                let updated = try await sql.update("services")
                    .set("name", to: service.name)
                    .set("kind", to: service.kind.rawValue)
                    .set("base_url", to: service.baseURL)
                    .set("monthly_budget_nanos", to: service.monthlyBudget?.nanos)
                    .set("budget_hard_cap", to: service.budgetHardCap)
                    .set("status", to: service.status.rawValue)
                    .set("suspended_reason", to: service.suspendedReason)
                    .set("updated_at", to: service.updatedAt.milliseconds)
                    .where("id", .equal, service.id)
                    .where("tenant_id", .equal, service.tenantID)
                    .returning("id").all()
                guard !updated.isEmpty else { return false }
                switch key {
                case .keep:
                    break
                case .remove:
                    try await sql.delete(from: "provider_keys").where("service_id", .equal, service.id).where("tenant_id", .equal, service.tenantID).run()
                case .replace(let newKey):
                    try await sql.delete(from: "provider_keys").where("service_id", .equal, service.id).where("tenant_id", .equal, service.tenantID).run()
                    try await sql.insert(into: "provider_keys").model(newKey).run()
                }
                return true
            }
        }
    }

    public func deleteService(id: String, tenantID: String, logger: Logger) async throws -> Bool {
        try await !sql.delete(from: "services")
            .where("id", .equal, id)
            .where("tenant_id", .equal, tenantID)
            .returning("id").all().isEmpty
    }

    public func providerKey(serviceID: String, tenantID: String, logger: Logger) async throws -> ProviderKey? {
        try await sql.select().columns(ProviderKey.columns).from("provider_keys")
            .where("service_id", .equal, serviceID)
            .where("tenant_id", .equal, tenantID)
            .first(decoding: ProviderKey.self)
    }

    public func providerKeys(projectID: String, tenantID: String, logger: Logger) async throws -> [ProviderKey] {
        try await sql.select().columns(ProviderKey.columns).from("provider_keys")
            .where("project_id", .equal, projectID)
            .where("tenant_id", .equal, tenantID)
            .all(decoding: ProviderKey.self)
    }
}
