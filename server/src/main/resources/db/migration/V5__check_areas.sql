-- Check areas (检查内容) of a campaign with the report form's items, the area a submission is
-- about (optional), and what a campaign's defining document says beyond scope and dates.
CREATE TABLE campaign_areas (
    campaign_id  VARCHAR(64)  NOT NULL REFERENCES campaigns (id),
    area_id      VARCHAR(64)  NOT NULL,
    position     INT          NOT NULL,
    name         VARCHAR(256) NOT NULL,
    items        CLOB         NOT NULL,   -- JSON: [{"id": ..., "text": ...}]
    PRIMARY KEY (campaign_id, area_id)
);

ALTER TABLE campaigns ADD COLUMN details CLOB;      -- JSON: document, issued_by, lead_office, joint_review, on-site dates
ALTER TABLE campaigns ADD COLUMN definition CLOB;   -- the campaign file as the administrator sent it

ALTER TABLE submissions ADD COLUMN area_id VARCHAR(64);
