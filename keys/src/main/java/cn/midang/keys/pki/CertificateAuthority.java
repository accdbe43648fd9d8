package cn.midang.keys.pki;

import cn.midang.keys.KeysException;
import cn.midang.keys.KeysException.Reason;
import cn.midang.keys.io.SafeFiles;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;

/**
 * The deployment's certificate authority, kept in a folder:
 *
 * <pre>
 *   ca.crt            the CA certificate (PEM), given to everyone who must trust it
 *   ca.p12            the CA key and certificate, protected by a passphrase
 *   crl.pem           the current revocation list, signed by the CA
 *   issued/SERIAL.pem a copy of every certificate issued, for the record
 * </pre>
 *
 * <p>The CA is a single self-signed root (SM3withSM2) that issues end-entity certificates
 * directly; no intermediates. Every write is atomic, so an interrupted command leaves the
 * folder as it was.
 *
 * <p><b>Security guarantees.</b> {@link #init} refuses to overwrite an existing CA key. Serial
 * numbers are 127 random bits. An issued certificate never outlives the CA.
 */
public final class CertificateAuthority {

    public static final Duration DEFAULT_CA_VALIDITY = Duration.ofDays(3650);
    public static final Duration DEFAULT_CERT_VALIDITY = Duration.ofDays(365);
    /** A CRL is due again after this; a stale CRL fails validation. */
    public static final Duration CRL_VALIDITY = Duration.ofDays(30);

    private static final String CA_CERT = "ca.crt";
    private static final String CA_KEY = "ca.p12";
    private static final String CRL = "crl.pem";
    private static final String ISSUED = "issued";

    private final Path dir;
    private final Identity identity;
    private final Clock clock;
    private RevocationList crl;

    private CertificateAuthority(Path dir, Identity identity, RevocationList crl, Clock clock) {
        this.dir = dir;
        this.identity = identity;
        this.crl = crl;
        this.clock = clock;
    }

    /** Creates a new CA in {@code dir} (created if needed); refuses if a CA key is already there. */
    public static CertificateAuthority init(Path dir, String name, char[] passphrase, Clock clock) throws KeysException {
        return init(dir, name, passphrase, clock, DEFAULT_CA_VALIDITY);
    }

    public static CertificateAuthority init(Path dir, String name, char[] passphrase, Clock clock, Duration validity)
            throws KeysException {
        Names.requireText(name, "CA name");
        SafeFiles.requireAbsent(dir.resolve(CA_KEY));
        KeyPair pair = Identity.newKeyPair();
        Certificate cert = CertificateBuilder.selfSigned(pair, Names.authority(name), true, clock.instant(), validity);
        Identity id = new Identity(pair.getPrivate(), List.of(cert));
        CertificateAuthority ca = new CertificateAuthority(dir, id, null, clock);
        ca.crl = ca.signCrl(null, null);
        id.save(dir.resolve(CA_KEY), passphrase);
        cert.writePem(dir.resolve(CA_CERT));
        ca.crl.writePem(dir.resolve(CRL));
        return ca;
    }

    /** Opens the CA in {@code dir}. */
    public static CertificateAuthority open(Path dir, char[] passphrase, Clock clock) throws KeysException {
        if (!Files.isRegularFile(dir.resolve(CA_KEY))) {
            throw new KeysException(Reason.IO, dir + " is not a CA folder (no " + CA_KEY + "); create one with 'midang ca init'");
        }
        Identity id = Identity.load(dir.resolve(CA_KEY), passphrase);
        if (!id.certificate().isCa()) {
            throw new KeysException(Reason.WRONG_KEY_USAGE, dir.resolve(CA_KEY) + " does not hold a CA key");
        }
        RevocationList crl = RevocationList.read(dir.resolve(CRL));
        if (!crl.isSignedBy(id.certificate())) {
            throw new KeysException(Reason.CRL_INVALID, dir.resolve(CRL) + " is not signed by this CA");
        }
        return new CertificateAuthority(dir, id, crl, clock);
    }

    public Certificate certificate() {
        return identity.certificate();
    }

    public RevocationList revocationList() {
        return crl;
    }

    /**
     * Issues a certificate for the key in {@code request}, naming the holder by the request's
     * common name, with {@code role} and {@code organisation}. A copy is kept under
     * {@code issued/}.
     */
    public Certificate issue(CertificationRequest request, String role, String organisation, Duration validity)
            throws KeysException {
        Names.requireRole(role);
        Names.requireText(organisation, "organisation");
        Names.requireCommonName(request.commonName());
        if (validity.isNegative() || validity.isZero()) {
            throw new KeysException(Reason.MALFORMED, "a certificate must be valid for at least a day");
        }
        Certificate cert = CertificateBuilder.issue(certificate(), identity.privateKey(),
                Names.holder(request.commonName(), role, organisation), request.publicKeyInfo(), clock.instant(), validity);
        cert.writePem(dir.resolve(ISSUED).resolve(cert.serialHex() + ".pem"));
        return cert;
    }

    /** Revokes {@code cert} and rewrites {@code crl.pem}. Revoking twice keeps the first entry. */
    public RevocationList revoke(Certificate cert, RevocationReason reason) throws KeysException {
        if (!CertificateBuilder.isSignedBy(cert, certificate())) {
            throw new KeysException(Reason.UNTRUSTED_ISSUER,
                    "the certificate " + cert.subject() + " was not issued by this CA; only its own CA can revoke it");
        }
        if (crl.find(cert).isPresent()) {
            return crl;
        }
        crl = signCrl(crl, new RevocationList.Entry(cert.serial(), clock.instant(), reason));
        crl.writePem(dir.resolve(CRL));
        return crl;
    }

    /** Signs a fresh list with the same entries (run before the current one's next update). */
    public RevocationList refreshRevocationList() throws KeysException {
        crl = signCrl(crl, null);
        crl.writePem(dir.resolve(CRL));
        return crl;
    }

    /** A validator trusting this CA, with its current revocation list. */
    public ChainValidator validator() throws KeysException {
        return ChainValidator.of(certificate(), crl, clock);
    }

    private RevocationList signCrl(RevocationList previous, RevocationList.Entry added) {
        Instant now = clock.instant();
        Certificate caCert = certificate();
        X509v2CRLBuilder b = new X509v2CRLBuilder(caCert.holder().getSubject(), Date.from(now));
        b.setNextUpdate(Date.from(now.plus(CRL_VALIDITY)));
        BigInteger number = BigInteger.ONE;
        try {
            if (previous != null) {
                b.addCRL(previous.holder());
                number = previous.number().add(BigInteger.ONE);
            }
            if (added != null) {
                b.addCRLEntry(added.serial(), Date.from(added.revokedAt()), added.reason().code);
            }
            b.addExtension(Extension.cRLNumber, false, new CRLNumber(number));
            b.addExtension(Extension.authorityKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(caCert.holder().getSubjectPublicKeyInfo()));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a revocation list", e);
        }
        return new RevocationList(b.build(CertificateBuilder.signer(identity.privateKey())));
    }
}
