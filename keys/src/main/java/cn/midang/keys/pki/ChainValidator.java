package cn.midang.keys.pki;

import cn.midang.keys.KeysException.Reason;
import cn.midang.keys.KeysException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides whether an end-entity certificate is trusted at an instant: issued and signed by the
 * deployment CA, inside its own and the CA's validity, not revoked by a current CRL signed by
 * the CA, and not itself a CA certificate.
 *
 * <p>The hierarchy is one level deep (root → end entity), so the checks are written out here
 * rather than delegated to a general PKIX engine; each failure carries a {@link Reason} and a
 * sentence that names the certificate and the instant.
 *
 * <p><b>Security guarantees.</b> Deny by default: anything not positively shown is a failure.
 * The clock is injected; tests control time.
 *
 * <p>That the CA's signature on a certificate verifies never changes, so it is remembered for the
 * validator's life ({@link #SIGNED_REMEMBERED} certificates, keyed by their whole DER encoding):
 * the server validates the same few hundred callers' certificates on every request and every
 * package. Only a signature that verified is remembered; validity periods and revocation are
 * checked every time.
 */
public final class ChainValidator {

    /** How many certificates' verified CA signatures are remembered before the memory starts again. */
    static final int SIGNED_REMEMBERED = 4096;

    private final Certificate ca;
    private final RevocationList crl; // null only for ignoringRevocation
    private final Clock clock;
    private final Set<ByteBuffer> signedByCa = ConcurrentHashMap.newKeySet();

    private ChainValidator(Certificate ca, RevocationList crl, Clock clock) {
        this.ca = ca;
        this.crl = crl;
        this.clock = clock;
    }

    /** A validator trusting {@code ca} and checking revocation against {@code crl}. */
    public static ChainValidator of(Certificate ca, RevocationList crl, Clock clock) throws KeysException {
        requireCa(ca);
        if (!crl.isSignedBy(ca)) {
            throw new KeysException(Reason.CRL_INVALID,
                    "the revocation list is not signed by the CA " + ca.subject() + "; it cannot be trusted");
        }
        return new ChainValidator(ca, crl, clock);
    }

    /**
     * A validator that does <em>not</em> check revocation: for offline checks where no CRL is at
     * hand. Say so to the user whenever it is used.
     */
    public static ChainValidator ignoringRevocation(Certificate ca, Clock clock) throws KeysException {
        requireCa(ca);
        return new ChainValidator(ca, null, clock);
    }

    private static void requireCa(Certificate ca) throws KeysException {
        if (!ca.isCa() || !CertificateBuilder.isSignedBy(ca, ca)) {
            throw new KeysException(Reason.WRONG_KEY_USAGE, ca.subject() + " is not a self-signed CA certificate");
        }
    }

    public Certificate ca() {
        return ca;
    }

    public boolean checksRevocation() {
        return crl != null;
    }

    /** Validates {@code cert} now (by the injected clock). */
    public void validate(Certificate cert) throws KeysException {
        validateAt(cert, clock.instant());
    }

    /** Validates {@code cert} at {@code at}. Returns normally only when it is trusted. */
    public void validateAt(Certificate cert, Instant at) throws KeysException {
        if (cert.isCa()) {
            throw new KeysException(Reason.WRONG_KEY_USAGE,
                    cert.subject() + " is a CA certificate; it cannot act as a person or a server");
        }
        if (!signedByCa(cert)) {
            throw new KeysException(Reason.UNTRUSTED_ISSUER,
                    "the certificate " + cert.subject() + " was not issued by the trusted CA " + ca.subject());
        }
        checkPeriod(ca, at, "the CA certificate " + ca.subject());
        checkPeriod(cert, at, "the certificate " + cert.subject());
        if (crl == null) {
            return;
        }
        if (crl.thisUpdate().isAfter(at)) {
            throw new KeysException(Reason.CRL_INVALID, "the revocation list was issued at " + crl.thisUpdate()
                    + ", after the time being checked (" + at + ")");
        }
        Optional<Instant> next = crl.nextUpdate();
        if (next.isEmpty() || next.get().isBefore(at)) {
            throw new KeysException(Reason.CRL_INVALID, "the revocation list is stale: a new one was due at "
                    + next.map(Instant::toString).orElse("(no date)") + "; ask the CA for a fresh one ('midang ca crl')");
        }
        Optional<RevocationList.Entry> revoked = crl.find(cert);
        if (revoked.isPresent()) {
            throw new KeysException(Reason.REVOKED, "the certificate " + cert.subject() + " (serial "
                    + cert.serialHex() + ") was revoked at " + revoked.get().revokedAt()
                    + " (" + revoked.get().reason().name().toLowerCase(Locale.ROOT).replace('_', ' ') + ")");
        }
    }

    private boolean signedByCa(Certificate cert) {
        ByteBuffer der = ByteBuffer.wrap(cert.der());
        if (signedByCa.contains(der)) {
            return true;
        }
        if (!CertificateBuilder.isSignedBy(cert, ca)) {
            return false;
        }
        if (signedByCa.size() >= SIGNED_REMEMBERED) {
            signedByCa.clear();
        }
        signedByCa.add(der);
        return true;
    }

    private static void checkPeriod(Certificate c, Instant at, String what) throws KeysException {
        if (at.isBefore(c.notBefore())) {
            throw new KeysException(Reason.NOT_YET_VALID, what + " is not valid until " + c.notBefore() + " (checked at " + at + ")");
        }
        if (at.isAfter(c.notAfter())) {
            throw new KeysException(Reason.EXPIRED, what + " expired at " + c.notAfter() + " (checked at " + at + ")");
        }
    }
}
