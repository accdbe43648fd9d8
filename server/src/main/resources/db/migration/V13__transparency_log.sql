-- The transparency log (SPEC C7, issue 16). What the archive attests is committed to, as a
-- 32-byte SM3 commitment (keys' LogEntry), in the same transaction as the attested record
-- (log_pending). A round moves the pending commitments, shuffled and padded with random ones to a
-- fixed count, into the Merkle tree, and the server signs a checkpoint of the new size.
CREATE TABLE log_pending (
    id     BIGINT AUTO_INCREMENT PRIMARY KEY,
    entry  BINARY(32) NOT NULL
);

-- The tree's entries by position: real commitments and padding alike, indistinguishable.
CREATE TABLE log_entries (
    idx    BIGINT     NOT NULL PRIMARY KEY,
    entry  BINARY(32) NOT NULL
);
CREATE INDEX log_entries_by_entry ON log_entries (entry);

-- The tree as C2SP tlog-tiles: level L, index N, up to 256 hashes of complete subtrees of height 8L.
-- The rightmost tile of a level grows in place; its first W hashes are the partial tile of width W.
CREATE TABLE log_tiles (
    level   INT             NOT NULL,
    idx     BIGINT          NOT NULL,
    hashes  VARBINARY(8192) NOT NULL,
    PRIMARY KEY (level, idx)
);

-- Every checkpoint the server signed (C2SP tlog-checkpoint, SM2), by tree size.
CREATE TABLE log_checkpoints (
    size   BIGINT        NOT NULL PRIMARY KEY,
    note   VARCHAR(2048) NOT NULL,
    at     TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Witnesses' cosignatures (C2SP tlog-cosignature, SM2) of a checkpoint: the signature line as served.
CREATE TABLE log_cosignatures (
    size     BIGINT        NOT NULL REFERENCES log_checkpoints (size),
    witness  CHAR(64)      NOT NULL,   -- SM3 fingerprint of the witness's certificate
    name     VARCHAR(256)  NOT NULL,
    line     VARCHAR(1024) NOT NULL,
    at       TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (size, witness)
);
