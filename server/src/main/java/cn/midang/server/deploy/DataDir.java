package cn.midang.server.deploy;

import java.nio.file.Path;

/**
 * The layout of a deployment's data directory. Nothing outside this class spells a path.
 *
 * <pre>
 *   server.conf              configuration (from config/server.conf)
 *   server-signing.crt       the server's SM2 signing certificate (receipts, checkpoints): give it to verifiers
 *   archive.crt              the archive's SM2 certificate: clients seal uploads to it
 *   ca.crt, crl.pem          the deployment CA and its revocation list, which the server trusts
 *   keys/server-signing.p12  the signing key (passphrase-protected)
 *   keys/archive.p12         the archive key (passphrase-protected; with key holders, protected by the secret they
 *                            hold shares of, and the operator's passphrase does not open it)
 *   keys/archive-holders.json  (with key holders) who holds the shares of the archive key's secret, and how many unseal
 *   keys/tls.p12             the transport (TLS) key, ECDSA P-256 (passphrase-protected)
 *   keys/record-key.cms      the SM4 key of the database's sensitive values (findings, result notices), sealed to
 *                            the archive key; made at first start; back it up with the database
 *   server-tls.crt           its self-signed certificate; clients pin it through a binding signed by the signing key
 *   db/                      the H2 database
 *   blobs/                   stored packages
 *   ca/                      (dev only) the local CA: ca.p12, ca.crt, crl.pem, issued/
 *   identities/NAME.p12      (dev only) demo identities for every role
 *   passphrase               (dev only, when generated) the passphrase of all the above, mode 0600
 * </pre>
 */
public record DataDir(Path root) {

    public Path config() {
        return root.resolve("server.conf");
    }

    public Path signingCertificate() {
        return root.resolve("server-signing.crt");
    }

    public Path archiveCertificate() {
        return root.resolve("archive.crt");
    }

    public Path caCertificate() {
        return root.resolve("ca.crt");
    }

    public Path crl() {
        return root.resolve("crl.pem");
    }

    public Path signingKey() {
        return root.resolve("keys").resolve("server-signing.p12");
    }

    /** The key holders of a deployment whose archive key is split among them (absent: the passphrase opens it). */
    public Path archiveHolders() {
        return root.resolve("keys").resolve("archive-holders.json");
    }

    public Path archiveKey() {
        return root.resolve("keys").resolve("archive.p12");
    }

    /** A rekey in progress: its plan and state ({@link Rekey}). */
    public Path rekeyPlan() {
        return root.resolve("keys").resolve("rekey.json");
    }

    /** The next archive key, made by {@code rekey begin}, protected by a secret sealed to the current archive key. */
    public Path nextArchiveKey() {
        return root.resolve("keys").resolve("archive-next.p12");
    }

    /** The next archive key's secret, sealed to the current archive key. */
    public Path nextArchiveSecret() {
        return root.resolve("keys").resolve("archive-next.secret");
    }

    /** The CA's certificate for the next archive key. */
    public Path nextArchiveCertificate() {
        return root.resolve("archive-next.crt");
    }

    public Path tlsKey() {
        return root.resolve("keys").resolve("tls.p12");
    }

    public Path tlsCertificate() {
        return root.resolve("server-tls.crt");
    }

    public Path database() {
        return root.resolve("db");
    }

    /** The audit log's signed checkpoints, appended outside the database: audit/checkpoints.jsonl. */
    public Path auditCheckpoints() {
        return root.resolve("audit").resolve("checkpoints.jsonl");
    }

    /** The search index (encrypted Lucene files) and its sealed key: index/lucene, index/index-key.cms. */
    public Path index() {
        return root.resolve("index").resolve("lucene");
    }

    public Path recordKey() {
        return root.resolve("keys").resolve("record-key.cms");
    }

    public Path indexKey() {
        return root.resolve("index").resolve("index-key.cms");
    }

    public Path blobs() {
        return root.resolve("blobs");
    }

    public Path devCa() {
        return root.resolve("ca");
    }

    /** Certification requests of the server's keys, for the CA (production init). */
    public Path requests() {
        return root.resolve("requests");
    }

    public Path identities() {
        return root.resolve("identities");
    }

    /** Where the running server listens to its operator (a Unix socket: backup), in a folder only the server's user may enter. */
    public Path controlSocket() {
        return root.resolve("run").resolve("control.sock");
    }

    public Path devPassphrase() {
        return root.resolve("passphrase");
    }
}
