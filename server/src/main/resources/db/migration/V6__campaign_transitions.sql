-- Each step of a campaign's lifecycle (SPEC §4): who took it, when, and the statement they signed.
CREATE TABLE campaign_transitions (
    campaign_id        VARCHAR(64)  NOT NULL REFERENCES campaigns (id),
    step               INT          NOT NULL,
    from_state         VARCHAR(32)  NOT NULL,
    to_state           VARCHAR(32)  NOT NULL,
    at                 TIMESTAMP WITH TIME ZONE NOT NULL,
    actor_fingerprint  VARCHAR(64)  NOT NULL REFERENCES accounts (fingerprint),
    statement          VARBINARY(8192) NOT NULL,   -- canonical JSON, type midang-transition/1
    signature          VARBINARY(512)  NOT NULL,   -- raw SM2 by the actor
    PRIMARY KEY (campaign_id, step)
);
