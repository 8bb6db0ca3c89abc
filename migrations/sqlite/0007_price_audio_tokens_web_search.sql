-- 0007: audio tokens billed apart from text (gpt-audio: $32 per million audio input tokens, $2.50 text; Gemini),
-- and web searches billed per search on top of the tokens (Anthropic and OpenAI: $10 or $25 per 1,000).
ALTER TABLE prices ADD COLUMN audio_input_nanos_per_mtok BIGINT;
ALTER TABLE prices ADD COLUMN audio_output_nanos_per_mtok BIGINT;
ALTER TABLE prices ADD COLUMN per_web_search_nanos BIGINT;
