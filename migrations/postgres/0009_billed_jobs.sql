-- 0009: jobs whose usage a later answer reports (an OpenAI background response, a finished batch) are billed once
-- per tenant, whichever instance sees that answer first and after restarts too: the event writer claims the job
-- here, in the transaction that stores the billing event; a later event for the same job is stored unbilled.
CREATE TABLE billed_jobs (
    tenant_id  TEXT NOT NULL,
    job_id     TEXT NOT NULL,
    event_id   TEXT NOT NULL,      -- the event that billed it
    billed_at  BIGINT NOT NULL,    -- when that request was made (ms since the epoch, UTC)
    PRIMARY KEY (tenant_id, job_id)
);
