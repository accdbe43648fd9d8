-- PostgreSQL's form of db/migration/V12__recognised_pages.sql: BYTEA for VARBINARY and BINARY, TEXT for CLOB, an identity column for AUTO_INCREMENT.
-- How many pages of a scan or picture its searchable text was recognised from (OCR, issue 20); 0 for typed text.
ALTER TABLE index_status ADD COLUMN recognised_pages INT DEFAULT 0 NOT NULL;
