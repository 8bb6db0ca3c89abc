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

extension Session: ColumnListing {
    static let columnNames = ["id", "token_hash", "csrf_token_hash", "user_id", "user_agent", "client_address", "created_at", "last_seen_at", "idle_expires_at", "expires_at"]
}

extension APIKey: ColumnListing {
    static let columnNames = ["id", "tenant_id", "user_id", "name", "token_hash", "prefix", "created_at", "last_used_at", "revoked_at"]
}

extension ProjectToken: ColumnListing {
    static let columnNames = ["id", "tenant_id", "project_id", "name", "token_hash", "prefix", "created_by", "created_at", "last_used_at", "revoked_at", "monthly_budget_nanos", "budget_hard_cap"]
}

extension Invite: ColumnListing {
    static let columnNames = ["id", "tenant_id", "token_hash", "role", "email", "created_by", "created_at", "expires_at", "accepted_at", "accepted_by"]
}

extension AuditEntry: ColumnListing {
    static let columnNames = ["id", "tenant_id", "actor_kind", "actor_id", "action", "target_type", "target_id", "client_address", "metadata", "created_at"]
}

extension LoginThrottle: ColumnListing {
    static let columnNames = ["key", "failures", "window_start_at", "locked_until_at"]
}

extension Service: ColumnListing {
    static let columnNames = ["id", "tenant_id", "project_id", "name", "kind", "base_url", "monthly_budget_nanos", "budget_hard_cap", "status", "suspended_reason", "created_at", "updated_at"]
}

extension ProviderKey: ColumnListing {
    static let columnNames = ["id", "tenant_id", "project_id", "service_id", "key_version", "ciphertext", "last4", "created_at", "updated_at"]
}

extension RequestEvent: ColumnListing {
    static let columnNames = [
        "event_id", "tenant_id", "project_id", "service_id", "token_id", "occurred_at", "method", "route", "status", "error_type",
        "total_latency_us", "upstream_latency_us", "bytes_in", "bytes_out", "provider", "model", "input_tokens", "output_tokens",
        "cached_input_tokens", "cache_write_tokens", "reasoning_tokens", "units", "cost_nanos", "cost_source", "streamed", "tags",
        "service_tier",
    ]
}

extension CostRule: ColumnListing {
    static let columnNames = ["id", "tenant_id", "project_id", "service_id", "method", "path_pattern", "cost_nanos", "unit_field", "created_at", "updated_at"]
}

extension Plan: ColumnListing {
    static let columnNames = ["id", "name", "price_nanos", "monthly_request_limit", "fair_use_request_limit", "service_limit", "history_days", "alerts", "anomaly_detection", "hourly_trends"]
}
