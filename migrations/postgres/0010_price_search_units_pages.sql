-- 0010: rerank priced per search unit (Cohere: $2 per 1,000) and document OCR per page (Mistral OCR: $1 to $4 per
-- 1,000 pages).
ALTER TABLE prices ADD COLUMN per_search_unit_nanos BIGINT;
ALTER TABLE prices ADD COLUMN per_page_nanos BIGINT;
