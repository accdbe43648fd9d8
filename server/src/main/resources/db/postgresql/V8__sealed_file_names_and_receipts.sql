-- PostgreSQL's form of db/migration/V8__sealed_file_names_and_receipts.sql: BYTEA for VARBINARY and BINARY, TEXT for CLOB, an identity column for AUTO_INCREMENT.
-- File names and receipts (which carry the file name) are kept encrypted under the record key,
-- like findings (SM4-GCM bound to the submission id and column; D38). A file name alone can say
-- what a unit's report is about ("某局涉密网络漏洞整改报告.docx").
-- The plaintext columns stay for rows written before this version: the server seals them at
-- start (Submissions.sealPlaintextRows) and sets them to NULL; new rows never fill them.
ALTER TABLE submissions ADD COLUMN sealed_file_name BYTEA;
ALTER TABLE submissions ADD COLUMN sealed_receipt BYTEA;
ALTER TABLE submissions ALTER COLUMN file_name DROP NOT NULL;
ALTER TABLE submissions ALTER COLUMN receipt DROP NOT NULL;
