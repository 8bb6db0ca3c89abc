-- 0004: long-context tiers (GPT-5.x above 272k prompt tokens, Gemini Pro above 200k…): a request whose prompt
-- is larger than long_context_above_tokens is billed entirely at the long_* rates (NULL: the base rate).
ALTER TABLE prices ADD COLUMN long_context_above_tokens BIGINT;
ALTER TABLE prices ADD COLUMN long_input_nanos_per_mtok BIGINT;
ALTER TABLE prices ADD COLUMN long_output_nanos_per_mtok BIGINT;
ALTER TABLE prices ADD COLUMN long_cached_input_nanos_per_mtok BIGINT;
ALTER TABLE prices ADD COLUMN long_cache_write_nanos_per_mtok BIGINT;
ALTER TABLE prices ADD COLUMN long_cache_write_1h_nanos_per_mtok BIGINT;
