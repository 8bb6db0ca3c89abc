-- 0001: the schema of the whole product.
--
-- Conventions (the same in migrations/sqlite):
--   * ids are TEXT: a short prefix naming the kind and 20 random base32 characters (prj_…, svc_…);
--     high-volume rows (request events, audit log) use a database-generated BIGINT.
--   * time is BIGINT milliseconds since the Unix epoch, UTC, in columns named *_at;
--     rollup buckets are the bucket's first millisecond (hour or UTC day).
--   * money is BIGINT nano-dollars (10^-9 USD) in columns named *_nanos; never a float.
--   * every tenant-owned row carries tenant_id, and every query filters by it.
--   * secrets are stored only as SHA-256 hex (tokens, sessions, invites, API keys)
--     or AES-256-GCM ciphertext (provider keys, webhook secrets), never in clear.

-- Plans are data: an operator adds or changes a tier without code changes. NULL limit = unlimited.
CREATE TABLE plans (
    id                      TEXT PRIMARY KEY,
    name                    TEXT NOT NULL,
    price_nanos             BIGINT NOT NULL DEFAULT 0,      -- per month
    monthly_request_limit   BIGINT,                         -- proxied requests per UTC calendar month
    fair_use_request_limit  BIGINT,                         -- operator ceiling for "unlimited" plans
    service_limit           INTEGER,                        -- active services per tenant
    history_days            INTEGER NOT NULL,               -- raw event retention
    alerts                  BOOLEAN NOT NULL DEFAULT FALSE,
    anomaly_detection       BOOLEAN NOT NULL DEFAULT FALSE,
    hourly_trends           BOOLEAN NOT NULL DEFAULT FALSE,
    created_at              BIGINT NOT NULL,
    updated_at              BIGINT NOT NULL
);

INSERT INTO plans (id, name, price_nanos, monthly_request_limit, fair_use_request_limit, service_limit,
                   history_days, alerts, anomaly_detection, hourly_trends, created_at, updated_at)
VALUES ('free', 'Free', 0, 10000, NULL, 1, 7, FALSE, FALSE, FALSE, 0, 0),
       ('pro', 'Pro', 2990000000, NULL, 5000000, NULL, 90, TRUE, TRUE, TRUE, 0, 0);

CREATE TABLE tenants (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    plan_id     TEXT NOT NULL REFERENCES plans (id),
    status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- Billing state per tenant (trials, payment-provider subscriptions, downgrades at period end).
CREATE TABLE subscriptions (
    id                        TEXT PRIMARY KEY,
    tenant_id                 TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    plan_id                   TEXT NOT NULL REFERENCES plans (id),
    status                    TEXT NOT NULL CHECK (status IN ('trialing', 'active', 'past_due', 'canceled')),
    provider                  TEXT,                          -- e.g. 'stripe'; NULL for operator-granted
    provider_subscription_id  TEXT,
    trial_ends_at             BIGINT,
    current_period_start_at   BIGINT,
    current_period_end_at     BIGINT,
    cancel_at_period_end      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at                BIGINT NOT NULL,
    updated_at                BIGINT NOT NULL
);
CREATE INDEX subscriptions_tenant ON subscriptions (tenant_id);
CREATE UNIQUE INDEX subscriptions_provider_ref ON subscriptions (provider, provider_subscription_id)
    WHERE provider_subscription_id IS NOT NULL;

CREATE TABLE users (
    id                TEXT PRIMARY KEY,
    email             TEXT NOT NULL,
    email_normalized  TEXT NOT NULL UNIQUE,
    password_hash     TEXT NOT NULL,                 -- argon2id encoded hash
    disabled_at       BIGINT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);

CREATE TABLE memberships (
    tenant_id   TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'viewer')),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

-- Single-use invite links; the raw token is only in the link.
CREATE TABLE invites (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL UNIQUE,
    role         TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'viewer')),
    email        TEXT,
    created_by   TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    accepted_at  BIGINT,
    accepted_by  TEXT REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX invites_tenant ON invites (tenant_id, created_at);

-- Browser sessions; the cookie holds the raw token, this table only its SHA-256.
CREATE TABLE sessions (
    id               TEXT PRIMARY KEY,
    token_hash       TEXT NOT NULL UNIQUE,
    csrf_token_hash  TEXT NOT NULL,
    user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_agent       TEXT,
    client_address   TEXT,
    created_at       BIGINT NOT NULL,
    last_seen_at     BIGINT NOT NULL,
    idle_expires_at  BIGINT NOT NULL,
    expires_at       BIGINT NOT NULL              -- absolute expiry
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- Failed-login throttling, shared by every instance: one row per account and per client address.
CREATE TABLE login_throttle (
    key              TEXT PRIMARY KEY,            -- 'email:<sha256>' or 'addr:<address>'
    failures         INTEGER NOT NULL,
    window_start_at  BIGINT NOT NULL,
    locked_until_at  BIGINT NOT NULL DEFAULT 0
);

-- Personal API keys (trough_ak_…): one tenant, the owning user's role at the time of use.
CREATE TABLE api_keys (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    prefix        TEXT NOT NULL,                  -- shown in lists, e.g. trough_ak_3f9x
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT,
    expires_at    BIGINT,
    revoked_at    BIGINT
);
CREATE INDEX api_keys_tenant_user ON api_keys (tenant_id, user_id);

CREATE TABLE projects (
    id                    TEXT PRIMARY KEY,
    tenant_id             TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name                  TEXT NOT NULL,
    slug                  TEXT NOT NULL,
    monthly_budget_nanos  BIGINT,
    budget_hard_cap       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL,
    UNIQUE (tenant_id, slug)
);

-- Project tokens (trough_pt_…) that the proxy accepts in X-Project-Token; looked up by hash.
CREATE TABLE project_tokens (
    id                    TEXT PRIMARY KEY,
    tenant_id             TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    project_id            TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name                  TEXT NOT NULL,
    token_hash            TEXT NOT NULL UNIQUE,
    prefix                TEXT NOT NULL,
    monthly_budget_nanos  BIGINT,
    budget_hard_cap       BOOLEAN NOT NULL DEFAULT FALSE,
    created_by            TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at            BIGINT NOT NULL,
    last_used_at          BIGINT,
    revoked_at            BIGINT
);
CREATE INDEX project_tokens_project ON project_tokens (tenant_id, project_id);

-- Upstreams. kind: openai, anthropic, gemini, mistral, cohere, openai_compatible, generic.
CREATE TABLE services (
    id                    TEXT PRIMARY KEY,
    tenant_id             TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    project_id            TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name                  TEXT NOT NULL,
    kind                  TEXT NOT NULL,
    base_url              TEXT NOT NULL,
    monthly_budget_nanos  BIGINT,
    budget_hard_cap       BOOLEAN NOT NULL DEFAULT FALSE,
    status                TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    suspended_reason      TEXT,
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL,
    UNIQUE (project_id, name)
);
CREATE INDEX services_tenant ON services (tenant_id, status);

-- Provider API keys, AES-256-GCM under the master key version key_version, with tenant, project
-- and service bound as associated data. The API shows only last4.
CREATE TABLE provider_keys (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    project_id   TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    service_id   TEXT NOT NULL UNIQUE REFERENCES services (id) ON DELETE CASCADE,
    key_version  INTEGER NOT NULL,
    ciphertext   TEXT NOT NULL,                   -- base64 of nonce | ciphertext | tag
    last4        TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);

-- Per-route prices for any HTTP API; '*' matches one path segment, '**' the rest.
CREATE TABLE cost_rules (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    project_id    TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    service_id    TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    method        TEXT,                           -- NULL matches any method
    path_pattern  TEXT NOT NULL,
    cost_nanos    BIGINT NOT NULL,                -- per request, or per unit when unit_field is set
    unit_field    TEXT,                           -- numeric field of the JSON response, e.g. num_segments
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX cost_rules_service ON cost_rules (tenant_id, service_id);

-- Model prices. tenant_id NULL: the built-in / imported table; otherwise a tenant's override or custom model.
-- Prices are nano-dollars per million tokens (or per unit), each valid from effective_at.
CREATE TABLE prices (
    id                               TEXT PRIMARY KEY,
    tenant_id                        TEXT REFERENCES tenants (id) ON DELETE CASCADE,
    provider                         TEXT NOT NULL,
    model                            TEXT NOT NULL,
    effective_at                     BIGINT NOT NULL,
    input_nanos_per_mtok             BIGINT,
    output_nanos_per_mtok            BIGINT,
    cached_input_nanos_per_mtok      BIGINT,
    cache_write_nanos_per_mtok       BIGINT,
    reasoning_nanos_per_mtok         BIGINT,       -- NULL: billed as output
    per_image_nanos                  BIGINT,
    per_second_nanos                 BIGINT,
    per_request_nanos                BIGINT,
    source                           TEXT NOT NULL CHECK (source IN ('builtin', 'import', 'tenant')),
    created_at                       BIGINT NOT NULL
);
CREATE UNIQUE INDEX prices_global_key ON prices (provider, model, effective_at) WHERE tenant_id IS NULL;
CREATE UNIQUE INDEX prices_tenant_key ON prices (tenant_id, provider, model, effective_at) WHERE tenant_id IS NOT NULL;

-- One row per proxied request. Never prompts, completions or client addresses.
-- No foreign keys: written in batches on the hot path's behalf, removed by retention.
CREATE TABLE request_events (
    id                   BIGSERIAL PRIMARY KEY,
    event_id             TEXT NOT NULL UNIQUE,    -- generated by the proxy; makes spool replay idempotent
    tenant_id            TEXT NOT NULL,
    project_id           TEXT NOT NULL,
    service_id           TEXT,
    token_id             TEXT,
    occurred_at          BIGINT NOT NULL,
    method               TEXT NOT NULL,
    route                TEXT NOT NULL,           -- the matching rule pattern or the path with ids collapsed
    status               INTEGER NOT NULL,
    error_type           TEXT,                    -- e.g. upstream_timeout, client_disconnected
    total_latency_us     BIGINT NOT NULL,
    upstream_latency_us  BIGINT NOT NULL,
    bytes_in             BIGINT NOT NULL,
    bytes_out            BIGINT NOT NULL,
    provider             TEXT,
    model                TEXT,
    input_tokens         BIGINT NOT NULL DEFAULT 0,
    output_tokens        BIGINT NOT NULL DEFAULT 0,
    cached_input_tokens  BIGINT NOT NULL DEFAULT 0,
    cache_write_tokens   BIGINT NOT NULL DEFAULT 0,
    reasoning_tokens     BIGINT NOT NULL DEFAULT 0,
    units                BIGINT NOT NULL DEFAULT 0, -- images, seconds or rule units
    cost_nanos           BIGINT NOT NULL DEFAULT 0,
    cost_source          TEXT NOT NULL CHECK (cost_source IN ('usage', 'rule', 'estimate', 'unpriced', 'none')),
    streamed             BOOLEAN NOT NULL DEFAULT FALSE,
    tags                 TEXT                     -- JSON object of X-Trough-Tags, bounded
);
CREATE INDEX request_events_project_time ON request_events (project_id, occurred_at);
CREATE INDEX request_events_tenant_time ON request_events (tenant_id, occurred_at);

-- Rollups, updated in the same transaction as the events they count. Dimensions are '' when absent.
CREATE TABLE usage_hourly (
    tenant_id            TEXT NOT NULL,
    project_id           TEXT NOT NULL,
    bucket_at            BIGINT NOT NULL,         -- start of the UTC hour
    service_id           TEXT NOT NULL DEFAULT '',
    token_id             TEXT NOT NULL DEFAULT '',
    route                TEXT NOT NULL DEFAULT '',
    provider             TEXT NOT NULL DEFAULT '',
    model                TEXT NOT NULL DEFAULT '',
    requests             BIGINT NOT NULL DEFAULT 0,
    errors               BIGINT NOT NULL DEFAULT 0,
    unpriced             BIGINT NOT NULL DEFAULT 0,
    input_tokens         BIGINT NOT NULL DEFAULT 0,
    output_tokens        BIGINT NOT NULL DEFAULT 0,
    cached_input_tokens  BIGINT NOT NULL DEFAULT 0,
    cache_write_tokens   BIGINT NOT NULL DEFAULT 0,
    reasoning_tokens     BIGINT NOT NULL DEFAULT 0,
    cost_nanos           BIGINT NOT NULL DEFAULT 0,
    total_latency_us     BIGINT NOT NULL DEFAULT 0, -- sum, for averages
    bytes_in             BIGINT NOT NULL DEFAULT 0,
    bytes_out            BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (project_id, bucket_at, service_id, token_id, route, provider, model)
);
CREATE INDEX usage_hourly_tenant_time ON usage_hourly (tenant_id, bucket_at);

CREATE TABLE usage_daily (
    tenant_id            TEXT NOT NULL,
    project_id           TEXT NOT NULL,
    bucket_at            BIGINT NOT NULL,         -- start of the UTC day
    service_id           TEXT NOT NULL DEFAULT '',
    token_id             TEXT NOT NULL DEFAULT '',
    route                TEXT NOT NULL DEFAULT '',
    provider             TEXT NOT NULL DEFAULT '',
    model                TEXT NOT NULL DEFAULT '',
    requests             BIGINT NOT NULL DEFAULT 0,
    errors               BIGINT NOT NULL DEFAULT 0,
    unpriced             BIGINT NOT NULL DEFAULT 0,
    input_tokens         BIGINT NOT NULL DEFAULT 0,
    output_tokens        BIGINT NOT NULL DEFAULT 0,
    cached_input_tokens  BIGINT NOT NULL DEFAULT 0,
    cache_write_tokens   BIGINT NOT NULL DEFAULT 0,
    reasoning_tokens     BIGINT NOT NULL DEFAULT 0,
    cost_nanos           BIGINT NOT NULL DEFAULT 0,
    total_latency_us     BIGINT NOT NULL DEFAULT 0,
    bytes_in             BIGINT NOT NULL DEFAULT 0,
    bytes_out            BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (project_id, bucket_at, service_id, token_id, route, provider, model)
);
CREATE INDEX usage_daily_tenant_time ON usage_daily (tenant_id, bucket_at);

-- Limit counters per UTC month: spend and requests of a tenant, project, service or token,
-- plus what server instances have leased and not yet settled. Survive restarts.
CREATE TABLE limit_counters (
    tenant_id        TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    scope            TEXT NOT NULL CHECK (scope IN ('tenant', 'project', 'service', 'token')),
    scope_id         TEXT NOT NULL,
    period           TEXT NOT NULL,               -- 'YYYY-MM', UTC
    spent_nanos      BIGINT NOT NULL DEFAULT 0,
    requests         BIGINT NOT NULL DEFAULT 0,
    leased_nanos     BIGINT NOT NULL DEFAULT 0,
    leased_requests  BIGINT NOT NULL DEFAULT 0,
    updated_at       BIGINT NOT NULL,
    PRIMARY KEY (scope, scope_id, period)
);
CREATE INDEX limit_counters_tenant ON limit_counters (tenant_id, period);

-- Slices of a budget or request quota leased by one server instance, spent locally.
CREATE TABLE limit_leases (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    scope        TEXT NOT NULL,
    scope_id     TEXT NOT NULL,
    period       TEXT NOT NULL,
    instance_id  TEXT NOT NULL,
    nanos        BIGINT NOT NULL DEFAULT 0,
    requests     BIGINT NOT NULL DEFAULT 0,
    expires_at   BIGINT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX limit_leases_scope ON limit_leases (scope, scope_id, period);
CREATE INDEX limit_leases_expiry ON limit_leases (expires_at);

-- Spend alerts: daily or monthly thresholds, budget percentages, anomalies; delivered by signed webhook.
CREATE TABLE alert_rules (
    id                         TEXT PRIMARY KEY,
    tenant_id                  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    project_id                 TEXT REFERENCES projects (id) ON DELETE CASCADE, -- NULL: whole tenant
    kind                       TEXT NOT NULL CHECK (kind IN ('daily_spend', 'monthly_spend', 'budget_percent', 'anomaly')),
    threshold_nanos            BIGINT,
    threshold_percent          INTEGER,
    webhook_url                TEXT NOT NULL,
    webhook_secret_ciphertext  TEXT NOT NULL,
    enabled                    BOOLEAN NOT NULL DEFAULT TRUE,
    created_at                 BIGINT NOT NULL,
    updated_at                 BIGINT NOT NULL
);
CREATE INDEX alert_rules_tenant ON alert_rules (tenant_id, project_id);

-- The webhook outbox: one row per alert firing, retried until delivered or given up.
CREATE TABLE alert_deliveries (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    rule_id          TEXT NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
    dedupe_key       TEXT NOT NULL UNIQUE,         -- rule + period + threshold: fires once
    payload          TEXT NOT NULL,                -- JSON body as signed and sent
    status           TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    last_error       TEXT,
    response_status  INTEGER,
    created_at       BIGINT NOT NULL,
    delivered_at     BIGINT
);
CREATE INDEX alert_deliveries_due ON alert_deliveries (status, next_attempt_at);
CREATE INDEX alert_deliveries_tenant ON alert_deliveries (tenant_id, created_at);

CREATE TABLE audit_log (
    id              BIGSERIAL PRIMARY KEY,
    tenant_id       TEXT,                         -- NULL for events outside a tenant (e.g. failed sign-in)
    actor_kind      TEXT NOT NULL CHECK (actor_kind IN ('user', 'api_key', 'operator', 'system', 'anonymous')),
    actor_id        TEXT,
    action          TEXT NOT NULL,                -- e.g. auth.login, token.create, member.role_change
    target_type     TEXT,
    target_id       TEXT,
    client_address  TEXT,
    metadata        TEXT,                         -- JSON; never a secret
    created_at      BIGINT NOT NULL
);
CREATE INDEX audit_log_tenant_time ON audit_log (tenant_id, created_at);

-- Leader election for jobs that must run on one instance at a time (retention, alerts, billing).
CREATE TABLE worker_locks (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    expires_at  BIGINT NOT NULL
);
