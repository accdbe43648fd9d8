-- PostgreSQL's form of db/migration/V6__campaign_transitions.sql: BYTEA for VARBINARY and BINARY, TEXT for CLOB, an identity column for AUTO_INCREMENT.
-- Each step of a campaign's lifecycle (SPEC §4): who took it, when, and the statement they signed.
CREATE TABLE campaign_transitions (
    campaign_id        VARCHAR(64)  NOT NULL REFERENCES campaigns (id),
    step               INT          NOT NULL,
    from_state         VARCHAR(32)  NOT NULL,
    to_state           VARCHAR(32)  NOT NULL,
    at                 TIMESTAMP WITH TIME ZONE NOT NULL,
    actor_fingerprint  VARCHAR(64)  NOT NULL REFERENCES accounts (fingerprint),
    statement          BYTEA NOT NULL,   -- canonical JSON, type midang-transition/1
    signature          BYTEA  NOT NULL,   -- raw SM2 by the actor
    PRIMARY KEY (campaign_id, step)
);
