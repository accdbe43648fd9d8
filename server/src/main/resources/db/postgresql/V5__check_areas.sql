-- PostgreSQL's form of db/migration/V5__check_areas.sql: BYTEA for VARBINARY and BINARY, TEXT for CLOB, an identity column for AUTO_INCREMENT.
-- Check areas (检查内容) of a campaign with the report form's items, the area a submission is
-- about (optional), and what a campaign's defining document says beyond scope and dates.
CREATE TABLE campaign_areas (
    campaign_id  VARCHAR(64)  NOT NULL REFERENCES campaigns (id),
    area_id      VARCHAR(64)  NOT NULL,
    position     INT          NOT NULL,
    name         VARCHAR(256) NOT NULL,
    items        TEXT         NOT NULL,   -- JSON: [{"id": ..., "text": ...}]
    PRIMARY KEY (campaign_id, area_id)
);

ALTER TABLE campaigns ADD COLUMN details TEXT;      -- JSON: document, issued_by, lead_office, joint_review, on-site dates
ALTER TABLE campaigns ADD COLUMN definition TEXT;   -- the campaign file as the administrator sent it

ALTER TABLE submissions ADD COLUMN area_id VARCHAR(64);
