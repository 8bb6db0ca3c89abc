-- 0005: service tiers (OpenAI's Fast/priority, flex and ultrafast; Gemini's priority and flex), priced apart
-- from the standard tier.
-- prices.service_tiers: a JSON object keyed by tier, in nano-dollars per million tokens, with an optional
-- long-context tier: {"priority": {"input": 2500000000, "output": 20000000000, "long_context": {"above_tokens":
-- 272000, "input": …}}}. NULL: the model has no other tier.
ALTER TABLE prices ADD COLUMN service_tiers TEXT;
-- request_events.service_tier: the tier the provider said served the request when it is priced apart (priority, flex,
-- ultrafast); NULL for the standard tier.
ALTER TABLE request_events ADD COLUMN service_tier TEXT;
