import Logging
import SQLKit
import TroughCore

extension SQLStore {
    public func createProject(_ project: Project, logger: Logger) async throws {
        try await mapConflict("a project with slug '\(project.slug)' already exists") {
            try await sql.insert(into: "projects").model(project).run()
        }
    }

    public func project(id: String, tenantID: String, logger: Logger) async throws -> Project? {
        try await sql.select().columns(Project.columns).from("projects")
            .where("id", .equal, id)
            .where("tenant_id", .equal, tenantID)
            .first(decoding: Project.self)
    }

    public func projects(tenantID: String, logger: Logger) async throws -> [Project] {
        try await sql.select().columns(Project.columns).from("projects")
            .where("tenant_id", .equal, tenantID)
            .orderBy("created_at").orderBy("id")
            .all(decoding: Project.self)
    }

    public func updateProject(_ project: Project, logger: Logger) async throws -> Bool {
        try await mapConflict("a project with slug '\(project.slug)' already exists") {
            let rows = try await sql.update("projects")
                .set("name", to: project.name)
                .set("slug", to: project.slug)
                .set("monthly_budget_nanos", to: project.monthlyBudget?.nanos)
                .set("budget_hard_cap", to: project.budgetHardCap)
                .set("updated_at", to: project.updatedAt.milliseconds)
                .where("id", .equal, project.id)
                .where("tenant_id", .equal, project.tenantID)
                .returning("id")
                .all()
            return !rows.isEmpty
        }
    }

    public func deleteProject(id: String, tenantID: String, logger: Logger) async throws -> Bool {
        let rows = try await sql.delete(from: "projects")
            .where("id", .equal, id)
            .where("tenant_id", .equal, tenantID)
            .returning("id")
            .all()
        return !rows.isEmpty
    }
}
