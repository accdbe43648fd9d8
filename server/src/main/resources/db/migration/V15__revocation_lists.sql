-- Every revocation list the administrator published (issue 18): nodes sharing one PostgreSQL
-- database take the newest from here, so a certificate revoked through one node is refused by
-- every node from the next request on. crl.pem in each data directory stays the list in force there.
CREATE TABLE revocation_lists (
    crl_number    NUMERIC(50)   PRIMARY KEY,
    pem           CLOB          NOT NULL,
    installed_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
