package cn.midang.keys.pki;

import cn.midang.keys.KeysException.Reason;
import cn.midang.keys.KeysException;
import cn.midang.keys.internal.Bc;
import cn.midang.keys.io.SafeFiles;
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
import java.util.Locale;
import java.util.Optional;
import javax.crypto.BadPaddingException;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.DERBMPString;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.pkcs.PKCS12PfxPduBuilder;
import org.bouncycastle.pkcs.PKCS12SafeBag;
import org.bouncycastle.pkcs.PKCS12SafeBagBuilder;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS12SafeBagBuilder;
import org.bouncycastle.pkcs.jcajce.JcePKCS12MacCalculatorBuilder;
import org.bouncycastle.pkcs.jcajce.JcePKCSPBEOutputEncryptorBuilder;

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
            if (String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("password")
                    || e.getCause() instanceof BadPaddingException) {
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

    /**
     * Saves this identity like {@link #save}, but with {@code iterations} PBKDF2 and MAC
     * iterations instead of Bouncy Castle's 300,000/600,000 (same algorithms: PBES2 with
     * PBKDF2-HMAC-SHA256 and AES-256-CBC, HMAC-SHA256 MAC). Only for identities whose passphrase
     * is kept beside them anyway (a dev deployment's demo identities), where a slow key derivation
     * protects nothing and costs every command a second.
     */
    public void saveWithIterations(Path file, char[] passphrase, int iterations) throws KeysException {
        if (passphrase == null || passphrase.length == 0) {
            throw new KeysException(Reason.WRONG_PASSPHRASE, "an identity file needs a non-empty passphrase");
        }
        try {
            JcaX509CertificateConverter conv = new JcaX509CertificateConverter().setProvider(Bc.PROVIDER);
            AlgorithmIdentifier prf = new AlgorithmIdentifier(
                    PKCSObjectIdentifiers.id_hmacWithSHA256, DERNull.INSTANCE);
            OutputEncryptor encryptor = new JcePKCSPBEOutputEncryptorBuilder(
                    NISTObjectIdentifiers.id_aes256_CBC).setProvider(Bc.PROVIDER).setPRF(prf)
                    .setIterationCount(iterations).build(passphrase);
            X509Certificate own = conv.getCertificate(certificate().holder());
            DEROctetString keyId = new DEROctetString(
                    new JcaX509ExtensionUtils().createSubjectKeyIdentifier(own.getPublicKey()).getKeyIdentifier());
            List<PKCS12SafeBag> certs = new ArrayList<>();
            for (Certificate c : chain) {
                PKCS12SafeBagBuilder b = new JcaPKCS12SafeBagBuilder(
                        conv.getCertificate(c.holder()));
                if (c == certificate()) {
                    b.addBagAttribute(PKCSObjectIdentifiers.pkcs_9_at_friendlyName,
                            new DERBMPString(ALIAS));
                    b.addBagAttribute(PKCSObjectIdentifiers.pkcs_9_at_localKeyId, keyId);
                }
                certs.add(b.build());
            }
            PKCS12SafeBagBuilder key = new JcaPKCS12SafeBagBuilder(privateKey, encryptor);
            key.addBagAttribute(PKCSObjectIdentifiers.pkcs_9_at_friendlyName,
                    new DERBMPString(ALIAS));
            key.addBagAttribute(PKCSObjectIdentifiers.pkcs_9_at_localKeyId, keyId);
            PKCS12PfxPduBuilder pfx = new PKCS12PfxPduBuilder();
            pfx.addData(key.build());
            pfx.addEncryptedData(new JcePKCSPBEOutputEncryptorBuilder(
                    NISTObjectIdentifiers.id_aes128_CBC).setProvider(Bc.PROVIDER).setPRF(prf)
                    .setIterationCount(iterations).build(passphrase), certs.toArray(PKCS12SafeBag[]::new));
            byte[] der = pfx.build(new JcePKCS12MacCalculatorBuilder(
                    NISTObjectIdentifiers.id_sha256).setProvider(Bc.PROVIDER).setIterationCount(iterations),
                    passphrase).getEncoded(ASN1Encoding.DER);
            SafeFiles.writeAtomically(file, der, true);
        } catch (GeneralSecurityException | IOException | OperatorCreationException
                | PKCSException e) {
            throw new KeysException(Reason.IO, "cannot encode the identity as PKCS#12: " + e.getMessage(), e);
        }
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
