-- PostgreSQL's form of db/migration/V7__findings_summaries_results.sql: BYTEA for VARBINARY and BINARY, TEXT for CLOB, an identity column for AUTO_INCREMENT.
-- Findings of the on-site inspection (检查发现的问题): per unit and check area, with the
-- rectification required and its deadline. Ids are per unit (UNIT-N), so a unit shown its own
-- findings learns nothing of other units' (C2).
CREATE TABLE findings (
    campaign_id          VARCHAR(64)   NOT NULL REFERENCES campaigns (id),
    finding_id           VARCHAR(80)   NOT NULL,
    unit_id              VARCHAR(64)   NOT NULL,
    number               INT           NOT NULL,
    area_id              VARCHAR(64)   NOT NULL,
    severity             VARCHAR(16)   NOT NULL,   -- high | medium | low
    description          BYTEA NOT NULL,   -- SM4-GCM under the record key (keys/record-key.cms)
    rectification        BYTEA NOT NULL,   -- what the unit must do, likewise
    deadline             TIMESTAMP WITH TIME ZONE NOT NULL,
    record_id            CHAR(32)      REFERENCES submissions (id),   -- the inspection record it comes from, if any
    recorded_by          CHAR(64)      NOT NULL REFERENCES accounts (fingerprint),
    recorded_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (campaign_id, finding_id),
    UNIQUE (campaign_id, unit_id, number)
);

-- A rectification report (kind rectification) answers one finding.
ALTER TABLE submissions ADD COLUMN finding_id VARCHAR(80);

-- Summaries (汇总) generated from forms and findings. Each version is three archived documents
-- (kind summary): the JSON the approvers sign, and the .xlsx and .docx whose SM3 it carries.
CREATE TABLE summaries (
    campaign_id    VARCHAR(64)  NOT NULL REFERENCES campaigns (id),
    version        INT          NOT NULL,
    generated_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    generated_by   CHAR(64)     NOT NULL REFERENCES accounts (fingerprint),
    json_id        CHAR(32)     NOT NULL REFERENCES submissions (id),
    xlsx_id        CHAR(32)     NOT NULL REFERENCES submissions (id),
    docx_id        CHAR(32)     NOT NULL REFERENCES submissions (id),
    json_sm3       CHAR(64)     NOT NULL,
    PRIMARY KEY (campaign_id, version)
);

-- Joint review (共同审定): one raw SM2 signature per department over the exact JSON bytes of one
-- summary version. A newer version has none until signed again.
CREATE TABLE summary_signatures (
    campaign_id         VARCHAR(64)  NOT NULL,
    version             INT          NOT NULL,
    department_id       VARCHAR(64)  NOT NULL,
    signer_fingerprint  CHAR(64)     NOT NULL REFERENCES accounts (fingerprint),
    signature           BYTEA NOT NULL,
    signed_at           TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (campaign_id, version, department_id),
    FOREIGN KEY (campaign_id, version) REFERENCES summaries (campaign_id, version)
);

-- Published results (结果公布): per unit, a notice signed by the server (commendation,
-- rectification order or plain result), issued in the same transaction as the step to published.
CREATE TABLE result_notices (
    campaign_id   VARCHAR(64)  NOT NULL REFERENCES campaigns (id),
    unit_id       VARCHAR(64)  NOT NULL,
    outcome       VARCHAR(32)  NOT NULL,
    notice        BYTEA NOT NULL,   -- canonical JSON, type midang-result/1, SM4-GCM under the record key
    signature     BYTEA NOT NULL,       -- raw SM2 by the server's signing key
    issued_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (campaign_id, unit_id)
);
