-- PostgreSQL's form of db/migration/V2__submissions_and_nonces.sql: BYTEA for VARBINARY and BINARY, TEXT for CLOB, an identity column for AUTO_INCREMENT.
-- Nonces of signed requests seen within the freshness window: a repeat is a replay.
CREATE TABLE request_nonces (
    nonce    CHAR(32) PRIMARY KEY,
    seen_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX request_nonces_seen_at ON request_nonces (seen_at);

-- Receipt sequence numbers: one per accepted submission, never reused.
CREATE SEQUENCE receipt_sequence START WITH 1;

-- Submissions: the stored package is the uploader's sealed package (blob_name), addressed to the
-- archive key; receipt holds the exact canonical bytes the server signed.
CREATE TABLE submissions (
    id                     CHAR(32)      PRIMARY KEY,
    sequence               BIGINT        NOT NULL UNIQUE,
    campaign_id            VARCHAR(64)   NOT NULL REFERENCES campaigns (id),
    unit_id                VARCHAR(64)   NOT NULL,
    kind                   VARCHAR(32)   NOT NULL,
    file_name              VARCHAR(1024) NOT NULL,
    content_size           BIGINT        NOT NULL,
    content_sm3            CHAR(64)      NOT NULL,
    package_size           BIGINT        NOT NULL,
    submitter_fingerprint  CHAR(64)      NOT NULL REFERENCES accounts (fingerprint),
    received_at            TIMESTAMP WITH TIME ZONE NOT NULL,
    late                   BOOLEAN       NOT NULL,
    blob_name              VARCHAR(128)  NOT NULL UNIQUE,
    receipt                BYTEA NOT NULL,
    receipt_signature      BYTEA  NOT NULL
);
CREATE INDEX submissions_campaign_unit ON submissions (campaign_id, unit_id);
