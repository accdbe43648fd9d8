-- PostgreSQL's form of db/migration/V9__audit_sealed_objects.sql: BYTEA for VARBINARY and BINARY, TEXT for CLOB, an identity column for AUTO_INCREMENT.
-- A search's terms are kept in its audit record only sealed under the record key, appended to
-- the object as "query:sealed:BASE64" (up to 512 characters of terms: ~2,100 characters encoded).
-- Records written before this version keep their plaintext object: the chain covers it.
ALTER TABLE audit_log ALTER COLUMN object SET DATA TYPE VARCHAR(4096);
