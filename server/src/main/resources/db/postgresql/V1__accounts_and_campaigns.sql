-- PostgreSQL's form of db/migration/V1__accounts_and_campaigns.sql: BYTEA for VARBINARY and BINARY, TEXT for CLOB, an identity column for AUTO_INCREMENT.
-- Accounts: a certificate (by its SM3 fingerprint) maps to one account with a role and an
-- organisation. An unknown certificate is refused.
CREATE TABLE accounts (
    fingerprint      CHAR(64)      PRIMARY KEY,
    common_name      VARCHAR(64)   NOT NULL,
    role             VARCHAR(32)   NOT NULL,
    organisation     VARCHAR(64)   NOT NULL,
    certificate_pem  VARCHAR(8192) NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Campaigns (检查工作) and the units in their scope (检查范围).
CREATE TABLE campaigns (
    id                   VARCHAR(64)  PRIMARY KEY,
    title                VARCHAR(256) NOT NULL,
    state                VARCHAR(32)  NOT NULL,
    submissions_open_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    submission_deadline  TIMESTAMP WITH TIME ZONE NOT NULL,
    late_accepted        BOOLEAN      NOT NULL
);

CREATE TABLE campaign_units (
    campaign_id     VARCHAR(64)  NOT NULL REFERENCES campaigns (id),
    unit_id         VARCHAR(64)  NOT NULL,
    name            VARCHAR(256) NOT NULL,
    level           VARCHAR(16)  NOT NULL,
    key_spot_check  BOOLEAN      NOT NULL,
    PRIMARY KEY (campaign_id, unit_id)
);
