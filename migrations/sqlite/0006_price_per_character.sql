-- 0006: text-to-speech priced per character (tts-1: $15 per million characters of the request's input).
ALTER TABLE prices ADD COLUMN per_mchar_nanos BIGINT;
