-- How many pages of a scan or picture its searchable text was recognised from (OCR, issue 20); 0 for typed text.
ALTER TABLE index_status ADD COLUMN recognised_pages INT DEFAULT 0 NOT NULL;
