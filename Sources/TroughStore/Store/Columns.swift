import SQLKit
import TroughCore

/// The columns each model reads, named once so every query selects exactly what it decodes.
protocol ColumnListing {
    static var columnNames: [String] { get }
}

extension ColumnListing {
    static var columns: [any SQLExpression] { columnNames.map { SQLIdentifier($0) } }
}

extension User: ColumnListing {
    static let columnNames = ["id", "email", "email_normalized", "password_hash", "created_at", "updated_at"]
}

extension Tenant: ColumnListing {
    static let columnNames = ["id", "name", "plan_id", "status", "created_at", "updated_at"]
}

extension Membership: ColumnListing {
    static let columnNames = ["tenant_id", "user_id", "role", "created_at", "updated_at"]
}

extension Project: ColumnListing {
    static let columnNames = ["id", "tenant_id", "name", "slug", "monthly_budget_nanos", "budget_hard_cap", "created_at", "updated_at"]
}
