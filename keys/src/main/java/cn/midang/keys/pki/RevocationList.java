package cn.midang.keys.pki;

import cn.midang.keys.KeysException.Reason;
import cn.midang.keys.KeysException;
import cn.midang.keys.internal.Pem;
import cn.midang.keys.io.SafeFiles;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Enumerated;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.CertException;
import org.bouncycastle.cert.X509CRLEntryHolder;
import org.bouncycastle.cert.X509CRLHolder;

/**
 * A certificate revocation list signed by the deployment CA (SM3withSM2). {@code openssl crl
 * -text} lists its revoked serials. OpenSSL 3.0 cannot check an SM2 CRL signature made with the
 * standard user ID; {@link ChainValidator} does.
 */
public final class RevocationList {

    static final String PEM_TYPE = "X509 CRL";

    /** One revoked certificate. */
    public record Entry(BigInteger serial, Instant revokedAt, RevocationReason reason) {
        public String serialHex() {
            return serial.toString(16);
        }
    }

    private final X509CRLHolder crl;

    RevocationList(X509CRLHolder crl) {
        this.crl = crl;
    }

    public static RevocationList parse(byte[] pemOrDer) throws KeysException {
        byte[] der = Pem.decode(PEM_TYPE, pemOrDer, "the revocation list");
        try {
            return new RevocationList(new X509CRLHolder(der));
        } catch (IOException | RuntimeException e) {
            throw new KeysException(Reason.MALFORMED, "the revocation list is not a valid X.509 CRL", e);
        }
    }

    public static RevocationList read(Path file) throws KeysException {
        return parse(SafeFiles.read(file, "revocation list"));
    }

    /** The revocation entry for {@code cert}, if this list revokes it. */
    public Optional<Entry> find(Certificate cert) {
        X509CRLEntryHolder e = crl.getRevokedCertificate(cert.serial());
        return Optional.ofNullable(e).map(RevocationList::entry);
    }

    public List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        for (Object o : crl.getRevokedCertificates()) {
            out.add(entry((X509CRLEntryHolder) o));
        }
        return out;
    }

    private static Entry entry(X509CRLEntryHolder e) {
        RevocationReason reason = RevocationReason.UNSPECIFIED;
        Extension ext = e.getExtension(Extension.reasonCode);
        if (ext != null) {
            reason = RevocationReason.fromCode(ASN1Enumerated.getInstance(ext.getParsedValue()).intValueExact());
        }
        return new Entry(e.getSerialNumber(), e.getRevocationDate().toInstant(), reason);
    }

    public Instant thisUpdate() {
        return crl.getThisUpdate().toInstant();
    }

    /** When the CA promised the next list; after it, this list is stale. */
    public Optional<Instant> nextUpdate() {
        return Optional.ofNullable(crl.getNextUpdate()).map(Date::toInstant);
    }

    /** The CRL number (increases with every list the CA signs). */
    public BigInteger number() {
        Extension ext = crl.getExtension(Extension.cRLNumber);
        return ext == null ? BigInteger.ZERO : CRLNumber.getInstance(ext.getParsedValue()).getCRLNumber();
    }

    /** The distinguished name of the CA that says it signed this list (RFC 4514 form). */
    public String issuer() {
        return crl.getIssuer().toString();
    }

    /** Whether this list names {@code ca} as its issuer; says nothing about the signature. */
    public boolean namesIssuer(Certificate ca) {
        return crl.getIssuer().equals(ca.holder().getSubject());
    }

    /** Whether {@code ca} issued this list: named as its issuer and its SM2 signature valid under the CA's key. */
    public boolean isSignedBy(Certificate ca) {
        if (!crl.getIssuer().equals(ca.holder().getSubject())) {
            return false;
        }
        try {
            return crl.isSignatureValid(CertificateBuilder.verifier(ca));
        } catch (CertException | RuntimeException e) {
            return false;
        }
    }

    X509CRLHolder holder() {
        return crl;
    }

    public byte[] der() {
        try {
            return crl.getEncoded();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String toPem() {
        return Pem.encode(PEM_TYPE, der());
    }

    public void writePem(Path file) throws KeysException {
        SafeFiles.writeAtomically(file, toPem().getBytes(StandardCharsets.US_ASCII), false);
    }
}
