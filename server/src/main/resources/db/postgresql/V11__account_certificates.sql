-- PostgreSQL's form of db/migration/V11__account_certificates.sql: BYTEA for VARBINARY and BINARY, TEXT for CLOB, an identity column for AUTO_INCREMENT.
-- Enrolment (issue 21). An account outlives its certificates: the row in accounts is the account
-- (its id stays the fingerprint of its first certificate, so the records that name it keep
-- naming it); account_certificates holds every certificate it was ever given. A renewal adds a
-- certificate and marks the one it replaces; a replaced certificate is refused from then on, but
-- what was done with it stays attributed to the account. A disabled account is refused whatever
-- certificate it presents, until it is enabled again.
ALTER TABLE accounts ADD COLUMN disabled_at TIMESTAMP WITH TIME ZONE;

CREATE TABLE account_certificates (
    fingerprint      CHAR(64)      PRIMARY KEY,
    account          CHAR(64)      NOT NULL REFERENCES accounts (fingerprint),
    certificate_pem  VARCHAR(8192) NOT NULL,
    added_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    replaced_at      TIMESTAMP WITH TIME ZONE
);
CREATE INDEX account_certificates_by_account ON account_certificates (account);

-- Every account so far had exactly one certificate: its own.
INSERT INTO account_certificates (fingerprint, account, certificate_pem, added_at)
    SELECT fingerprint, fingerprint, certificate_pem, created_at FROM accounts;
