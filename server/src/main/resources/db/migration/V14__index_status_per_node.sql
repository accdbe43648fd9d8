-- The search index is each node's own (derived data; issue 18): several server nodes sharing one
-- PostgreSQL database each keep track, under their node.name, of which submissions their index has
-- taken in, and catch up on the others' uploads by asking which have no status of theirs yet. A
-- single server's statuses are its node's, 'local' (the default node.name).
-- The table is made anew (H2 will not drop a primary key its foreign key's index belongs to).
CREATE TABLE index_status_per_node (
    submission_id     CHAR(32)      NOT NULL REFERENCES submissions (id),
    state             VARCHAR(16)   NOT NULL,
    reason            VARCHAR(512)  NOT NULL,
    media_type        VARCHAR(128)  NOT NULL,
    truncated         BOOLEAN       NOT NULL,
    updated_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    recognised_pages  INT           DEFAULT 0 NOT NULL,
    node              VARCHAR(64)   DEFAULT 'local' NOT NULL,
    PRIMARY KEY (submission_id, node)
);
INSERT INTO index_status_per_node (submission_id, state, reason, media_type, truncated, updated_at, recognised_pages, node)
    SELECT submission_id, state, reason, media_type, truncated, updated_at, recognised_pages, 'local' FROM index_status;
DROP TABLE index_status;
ALTER TABLE index_status_per_node RENAME TO index_status;
