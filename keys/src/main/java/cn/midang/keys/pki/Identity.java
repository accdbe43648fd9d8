package cn.midang.keys.pki;

import cn.midang.keys.KeysException;
import cn.midang.keys.KeysException.Reason;
import cn.midang.keys.internal.Bc;
import cn.midang.keys.internal.SafeFiles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;

/**
 * An SM2 key pair with its certificate chain: who a user, a server or a CA is. Stored as a
 * PKCS#12 file protected by a passphrase (PBES2, AES-256, PBKDF2-HMAC-SHA256), which OpenSSL 3
 * reads with {@code openssl pkcs12} and no {@code -legacy} flag.
 *
 * <p>The chain is the holder's certificate first, then (once issued) the deployment CA's
 * certificate, which is how a client trusts its server without trust on first use.
 *
 * <p><b>Security guarantees.</b> The private key never leaves this object except into a
 * passphrase-protected PKCS#12 encoding; it has no public accessor. {@link #toString()} names
 * the certificate only.
 */
public final class Identity {

    private static final String ALIAS = "midang";
    private static final Duration PLACEHOLDER_VALIDITY = Duration.ofDays(365);

    static {
        PkiAccess.install();
    }

    private final PrivateKey privateKey;
    private final List<Certificate> chain;

    Identity(PrivateKey privateKey, List<Certificate> chain) {
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("an identity needs a certificate");
        }
        this.privateKey = privateKey;
        this.chain = List.copyOf(chain);
    }

    /**
     * Generates a new SM2 key pair for {@code commonName}, with a self-signed placeholder
     * certificate until the CA issues the real one (see {@link #request()} and
     * {@link #withIssuedCertificate}).
     */
    public static Identity generate(String commonName, Clock clock) throws KeysException {
        Names.requireCommonName(commonName);
        KeyPair pair = newKeyPair();
        Certificate placeholder = CertificateBuilder.selfSigned(pair, Names.person(commonName), false,
                clock.instant(), PLACEHOLDER_VALIDITY);
        return new Identity(pair.getPrivate(), List.of(placeholder));
    }

    static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC", Bc.PROVIDER);
            g.initialize(new ECGenParameterSpec("sm2p256v1"), Bc.random());
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SM2 key generation is unavailable", e);
        }
    }

    /** A PKCS#10 certification request for this key, signed by it, naming {@link #commonName()}. */
    public CertificationRequest request() throws KeysException {
        return CertificationRequest.create(privateKey, certificate(), commonName());
    }

    /**
     * Returns this identity with the certificate the CA issued for its key, followed by the CA
     * certificate. Fails when the certificate is for another key or was not issued by {@code ca}.
     */
    public Identity withIssuedCertificate(Certificate issued, Certificate ca) throws KeysException {
        if (!issued.samePublicKey(certificate())) {
            throw new KeysException(Reason.MISMATCH, "the certificate " + issued.subject()
                    + " is for another key than the one in this identity file");
        }
        if (!CertificateBuilder.isSignedBy(issued, ca)) {
            throw new KeysException(Reason.UNTRUSTED_ISSUER, "the certificate " + issued.subject()
                    + " was not issued by the CA " + ca.subject());
        }
        return new Identity(privateKey, List.of(issued, ca));
    }

    /** Loads an identity from a PKCS#12 file. */
    public static Identity load(Path file, char[] passphrase) throws KeysException {
        return fromPkcs12(SafeFiles.read(file, "identity"), passphrase, file.toString());
    }

    public static Identity fromPkcs12(byte[] pkcs12, char[] passphrase, String source) throws KeysException {
        KeyStore ks;
        try {
            ks = KeyStore.getInstance(Bc.KEY_STORE_TYPE, Bc.PROVIDER);
            ks.load(new ByteArrayInputStream(pkcs12), passphrase);
        } catch (IOException e) {
            if (String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("password")
                    || e.getCause() instanceof javax.crypto.BadPaddingException) {
                throw new KeysException(Reason.WRONG_PASSPHRASE,
                        "the passphrase does not open the identity file " + source, e);
            }
            throw new KeysException(Reason.MALFORMED, source + " is not a PKCS#12 identity file", e);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new KeysException(Reason.MALFORMED, source + " is not a PKCS#12 identity file", e);
        }
        try {
            for (String alias : Collections.list(ks.aliases())) {
                if (!ks.isKeyEntry(alias)) {
                    continue;
                }
                Key key = ks.getKey(alias, passphrase);
                if (!(key instanceof PrivateKey pk)) {
                    continue;
                }
                java.security.cert.Certificate[] jchain = ks.getCertificateChain(alias);
                if (jchain == null || jchain.length == 0) {
                    throw new KeysException(Reason.MALFORMED, source + " holds a key without a certificate");
                }
                List<Certificate> chain = new ArrayList<>();
                for (java.security.cert.Certificate c : jchain) {
                    chain.add(new Certificate(new X509CertificateHolder(c.getEncoded())));
                }
                return new Identity(pk, chain);
            }
        } catch (GeneralSecurityException | IOException e) {
            throw new KeysException(Reason.WRONG_PASSPHRASE, "the passphrase does not open the key in " + source, e);
        }
        throw new KeysException(Reason.MALFORMED, source + " holds no private key");
    }

    /** Encodes this identity as PKCS#12 protected by {@code passphrase}. */
    public byte[] toPkcs12(char[] passphrase) throws KeysException {
        if (passphrase == null || passphrase.length == 0) {
            throw new KeysException(Reason.WRONG_PASSPHRASE, "an identity file needs a non-empty passphrase");
        }
        try {
            KeyStore ks = KeyStore.getInstance(Bc.KEY_STORE_TYPE, Bc.PROVIDER);
            ks.load(null, null);
            JcaX509CertificateConverter conv = new JcaX509CertificateConverter().setProvider(Bc.PROVIDER);
            X509Certificate[] jchain = new X509Certificate[chain.size()];
            for (int i = 0; i < jchain.length; i++) {
                jchain[i] = conv.getCertificate(chain.get(i).holder());
            }
            ks.setKeyEntry(ALIAS, privateKey, passphrase, jchain);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ks.store(out, passphrase);
            return out.toByteArray();
        } catch (GeneralSecurityException | IOException e) {
            throw new KeysException(Reason.IO, "cannot encode the identity as PKCS#12: " + e.getMessage(), e);
        }
    }

    /** Saves this identity as a PKCS#12 file readable by its owner only, atomically. */
    public void save(Path file, char[] passphrase) throws KeysException {
        SafeFiles.writeAtomically(file, toPkcs12(passphrase), true);
    }

    /** The holder's own certificate. */
    public Certificate certificate() {
        return chain.get(0);
    }

    /** The holder's certificate, then the CA's (if issued). */
    public List<Certificate> chain() {
        return chain;
    }

    /** The deployment CA carried in this identity, once its certificate has been issued. */
    public Optional<Certificate> ca() {
        Certificate last = chain.get(chain.size() - 1);
        return chain.size() > 1 && last.isCa() ? Optional.of(last) : Optional.empty();
    }

    public String commonName() {
        return certificate().commonName();
    }

    PrivateKey privateKey() {
        return privateKey;
    }

    @Override
    public String toString() {
        return "Identity[" + certificate().subject() + "]";
    }
}
