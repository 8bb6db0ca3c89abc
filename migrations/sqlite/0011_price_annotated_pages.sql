-- 0011: document OCR with annotations: pages annotated (Mistral OCR usage_info.pages_processed_annotation, when a
-- request asks for document_annotation_format or bbox_annotation_format) are billed per page at their own rate
-- ($3 to $5 per 1,000 pages) besides the pages processed.
ALTER TABLE prices ADD COLUMN per_annotated_page_nanos BIGINT;
