-- 0012: the file search tool of OpenAI's Responses API is billed per call ($2.50 per 1,000) on top of the tokens,
-- counted from the answer's file_search_call items.
ALTER TABLE prices ADD COLUMN per_file_search_nanos BIGINT;
