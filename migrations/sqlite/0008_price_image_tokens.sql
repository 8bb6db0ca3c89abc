-- 0008: image tokens billed apart from text (gpt-image-1.5: $8 per million image input tokens vs $5 text, $32 per
-- million generated-image tokens vs $10 text; Gemini's image models: $30-$120 per million image output tokens).
ALTER TABLE prices ADD COLUMN image_input_nanos_per_mtok BIGINT;
ALTER TABLE prices ADD COLUMN image_output_nanos_per_mtok BIGINT;
