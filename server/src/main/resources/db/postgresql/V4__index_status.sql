-- PostgreSQL's form of db/migration/V4__index_status.sql: BYTEA for VARBINARY and BINARY, TEXT for CLOB, an identity column for AUTO_INCREMENT.
-- Whether each submission's text is in the search index, and if not, why (shown to inspectors).
CREATE TABLE index_status (
    submission_id  CHAR(32)      PRIMARY KEY REFERENCES submissions (id),
    state          VARCHAR(16)   NOT NULL,
    reason         VARCHAR(512)  NOT NULL,
    media_type     VARCHAR(128)  NOT NULL,
    truncated      BOOLEAN       NOT NULL,
    updated_at     TIMESTAMP WITH TIME ZONE NOT NULL
);
