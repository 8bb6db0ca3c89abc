-- 0002: Anthropic's 1-hour cache writes have their own price (2x input, where 5-minute writes are 1.25x).
ALTER TABLE prices ADD COLUMN cache_write_1h_nanos_per_mtok BIGINT;
