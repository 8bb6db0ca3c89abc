-- 0003: requests a limit refused before the provider was called (402 budget_exceeded, plan_limit_exceeded,
-- service_suspended), counted per project, UTC day and reason. Counted, not stored one by one: a client
-- hammering a spent budget costs a counter increment, not a row each.
CREATE TABLE refusals_daily (
    tenant_id   TEXT NOT NULL,
    project_id  TEXT NOT NULL,
    bucket_at   BIGINT NOT NULL,                  -- start of the UTC day, epoch milliseconds
    reason      TEXT NOT NULL,
    requests    BIGINT NOT NULL,
    PRIMARY KEY (project_id, bucket_at, reason)
);
CREATE INDEX refusals_daily_tenant_time ON refusals_daily (tenant_id, bucket_at);
