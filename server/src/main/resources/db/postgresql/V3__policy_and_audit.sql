-- PostgreSQL's form of db/migration/V3__policy_and_audit.sql: BYTEA for VARBINARY and BINARY, TEXT for CLOB, an identity column for AUTO_INCREMENT.
-- Inspectors are assigned to campaigns (SPEC §2): an inspector reads only assigned campaigns.
CREATE TABLE campaign_inspectors (
    campaign_id  VARCHAR(64) NOT NULL REFERENCES campaigns (id),
    fingerprint  CHAR(64)    NOT NULL REFERENCES accounts (fingerprint),
    assigned_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (campaign_id, fingerprint)
);

-- Engagements of testing bodies (委托的安全检测机构): which units, which campaign, which window.
CREATE TABLE engagements (
    id                VARCHAR(64)  PRIMARY KEY,
    tester_org        VARCHAR(64)  NOT NULL,
    campaign_id       VARCHAR(64)  NOT NULL REFERENCES campaigns (id),
    starts_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    ends_at           TIMESTAMP WITH TIME ZONE NOT NULL,
    created_by        CHAR(64)     NOT NULL,
    created_at        TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE TABLE engagement_units (
    engagement_id  VARCHAR(64) NOT NULL REFERENCES engagements (id),
    unit_id        VARCHAR(64) NOT NULL,
    PRIMARY KEY (engagement_id, unit_id)
);

-- Destruction attestations: the tester's signed statement, kept as signed.
CREATE TABLE attestations (
    engagement_id  VARCHAR(64)     PRIMARY KEY REFERENCES engagements (id),
    signer         CHAR(64)        NOT NULL,
    statement      BYTEA NOT NULL,
    signature      BYTEA  NOT NULL,
    received_at    TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Retention permits issued by the lead office: a tester organisation may read named results until expiry.
CREATE TABLE permits (
    id          VARCHAR(64) PRIMARY KEY,
    tester_org  VARCHAR(64) NOT NULL,
    expires_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    issued_by   CHAR(64)    NOT NULL,
    issued_at   TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE TABLE permit_submissions (
    permit_id      VARCHAR(64) NOT NULL REFERENCES permits (id),
    submission_id  CHAR(32)    NOT NULL REFERENCES submissions (id),
    PRIMARY KEY (permit_id, submission_id)
);

-- The audit log (SPEC C5): append-only, each record chained to the one before by SM3.
CREATE TABLE audit_log (
    seq           BIGINT        PRIMARY KEY,
    at            VARCHAR(32)   NOT NULL,
    request_id    VARCHAR(32)   NOT NULL,
    actor         VARCHAR(64)   NOT NULL,
    role          VARCHAR(32)   NOT NULL,
    organisation  VARCHAR(64)   NOT NULL,
    action        VARCHAR(64)   NOT NULL,
    object        VARCHAR(256)  NOT NULL,
    decision      VARCHAR(8)    NOT NULL,
    reason        VARCHAR(512)  NOT NULL,
    prev_hash     CHAR(64)      NOT NULL,
    hash          CHAR(64)      NOT NULL
);

-- Signed checkpoints (also appended to DATA/audit/checkpoints.jsonl, outside the database).
CREATE TABLE audit_checkpoints (
    seq        BIGINT          PRIMARY KEY,
    bytes      BYTEA NOT NULL,
    signature  BYTEA  NOT NULL
);
