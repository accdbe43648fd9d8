-- PostgreSQL's form of db/migration/V10__receipt_numbers_per_organisation.sql: BYTEA for VARBINARY and BINARY, TEXT for CLOB, an identity column for AUTO_INCREMENT.
-- A receipt's number counts the receipts of the submitter's organisation only (SPEC C2): two of
-- unit-a's receipts no longer tell it how many other units submitted in between. The global
-- "sequence" column stays for ordering inside the server and is never shown; the global order is
-- provable from the audit log (every submission is a chained, checkpointed record).
--
-- receipt_counters holds the last number drawn per stream: an organisation, or "~server" for the
-- documents the server makes (summaries). receipt_number is what the signed receipt says; rows
-- stored before this version keep the number their receipts carry (the global sequence), and each
-- organisation's counter continues from its highest, so numbers only grow.
CREATE TABLE receipt_counters (
    stream  VARCHAR(256) PRIMARY KEY,
    last    BIGINT       NOT NULL
);
ALTER TABLE submissions ADD COLUMN receipt_number BIGINT;
UPDATE submissions SET receipt_number = sequence;
INSERT INTO receipt_counters (stream, last)
    SELECT CASE WHEN s.unit_id = '' THEN '~server' ELSE a.organisation END, MAX(s.sequence)
    FROM submissions s JOIN accounts a ON a.fingerprint = s.submitter_fingerprint
    GROUP BY CASE WHEN s.unit_id = '' THEN '~server' ELSE a.organisation END;
ALTER TABLE submissions ALTER COLUMN receipt_number SET NOT NULL;
