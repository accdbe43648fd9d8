-- Check areas (检查内容) of a campaign, and the area a submission is about (optional).
CREATE TABLE campaign_areas (
    campaign_id  VARCHAR(64)  NOT NULL REFERENCES campaigns (id),
    area_id      VARCHAR(64)  NOT NULL,
    position     INT          NOT NULL,
    name         VARCHAR(256) NOT NULL,
    PRIMARY KEY (campaign_id, area_id)
);

ALTER TABLE submissions ADD COLUMN area_id VARCHAR(64);
