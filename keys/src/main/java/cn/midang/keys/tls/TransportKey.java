package cn.midang.keys.tls;

import cn.midang.keys.KeysException;
import cn.midang.keys.KeysException.Reason;
import cn.midang.keys.internal.Bc;
import cn.midang.keys.internal.Pem;
import cn.midang.keys.io.SafeFiles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The server's transport key: ECDSA P-256 with a self-signed certificate, because the JDK's TLS
 * cannot use SM2. It carries no trust of its own: the server's SM2 signing key (certified by the
 * deployment CA) signs a binding of this certificate's SHA-256 ({@link #bindingStatement}), and
 * clients pin the certificate only after checking that binding. The content is SM-sealed end to
 * end regardless of TLS.
 */
public final class TransportKey {

    private static final String ALIAS = "tls";

    private final KeyStore keyStore;
    private final char[] passphrase;
    private final X509Certificate certificate;

    private TransportKey(KeyStore keyStore, char[] passphrase, X509Certificate certificate) {
        this.keyStore = keyStore;
        this.passphrase = passphrase.clone();
        this.certificate = certificate;
    }

    /** A new P-256 key and self-signed certificate for {@code host} (plus localhost and 127.0.0.1). */
    public static TransportKey generate(String host, Clock clock, Duration validity, char[] passphrase) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), Bc.random());
            KeyPair pair = g.generateKeyPair();
            Instant now = clock.instant();
            X500Name name = new X500Name("CN=Midang transport key");
            byte[] serial = new byte[16];
            Bc.random().nextBytes(serial);
            serial[0] &= 0x7f;
            serial[0] |= 0x01;
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, new BigInteger(serial),
                    Date.from(now.minusSeconds(60)), Date.from(now.plus(validity)), name, pair.getPublic());
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, host), new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry(ALIAS, pair.getPrivate(), passphrase, new X509Certificate[] {cert});
            return new TransportKey(ks, passphrase, cert);
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make a transport key", e);
        }
    }

    /** Loads a transport key saved by {@link #save}. */
    public static TransportKey load(Path file, char[] passphrase) throws KeysException {
        byte[] bytes = SafeFiles.read(file, "transport key");
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(new ByteArrayInputStream(bytes), passphrase);
            return new TransportKey(ks, passphrase, (X509Certificate) ks.getCertificate(ALIAS));
        } catch (IOException e) {
            throw new KeysException(Reason.WRONG_PASSPHRASE, "the passphrase does not open the transport key " + file, e);
        } catch (GeneralSecurityException e) {
            throw new KeysException(Reason.MALFORMED, file + " is not a transport key file", e);
        }
    }

    /** Saves key and certificate as PKCS#12 (the JDK's format, which Jetty loads), owner-only. */
    public void save(Path file) throws KeysException {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            keyStore.store(out, passphrase);
            SafeFiles.writeAtomically(file, out.toByteArray(), true);
        } catch (GeneralSecurityException | IOException e) {
            throw new KeysException(Reason.IO, "cannot encode the transport key", e);
        }
    }

    /** The key store for a TLS server (alias "tls", protected by the passphrase given at load). */
    public KeyStore keyStore() {
        return keyStore;
    }

    public char[] passphrase() {
        return passphrase.clone();
    }

    public String certificatePem() {
        try {
            return Pem.encode("CERTIFICATE", certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SHA-256 of the certificate's DER, lower-case hex: what clients pin. */
    public String certificateSha256() {
        try {
            return sha256Hex(certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256Hex(byte[] der) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The bytes the server's SM2 signing key signs to vouch for a transport certificate:
     * {@code "midang-tls-binding/1\n" + tlsSha256 + "\n" + signingFingerprint + "\n"}.
     */
    public static byte[] bindingStatement(String tlsSha256, String signingFingerprint) {
        return ("midang-tls-binding/1\n" + tlsSha256 + "\n" + signingFingerprint + "\n").getBytes(StandardCharsets.US_ASCII);
    }
}
