-- A campaign's status (the dashboard) counts every unit's submissions by kind and reads each unit's
-- latest report form. With 100,000 reports in one campaign both read every row of the campaign:
-- 0.5 s and 0.4 s in H2, the status answer 1.06 s (bench/run-console.sh, docs/PERFORMANCE.md).
-- The first index holds every column the count reads, so it is answered from the index alone;
-- the second finds a campaign's forms, in order, without reading its reports.
CREATE INDEX submissions_tally ON submissions (campaign_id, unit_id, kind, received_at, late, submitter_fingerprint);
CREATE INDEX submissions_campaign_kind ON submissions (campaign_id, kind, sequence);
