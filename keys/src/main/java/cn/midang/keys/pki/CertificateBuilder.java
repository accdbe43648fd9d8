package cn.midang.keys.pki;

import cn.midang.keys.internal.Bc;
import java.io.IOException;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.CertException;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;

/** Builds SM3withSM2 certificates: self-signed (CA or placeholder) and issued by a CA. */
final class CertificateBuilder {

    private CertificateBuilder() {}

    /** A random positive 127-bit serial number, so serials need no state and do not repeat. */
    static BigInteger newSerial() {
        byte[] b = new byte[16];
        Bc.random().nextBytes(b);
        b[0] &= 0x7f;
        b[0] |= 0x01; // never zero, always 16 bytes in DER
        return new BigInteger(b);
    }

    static Certificate selfSigned(KeyPair pair, X500Name name, boolean ca, Instant now, Duration validity) {
        try {
            X509v3CertificateBuilder b = new X509v3CertificateBuilder(name, newSerial(),
                    Date.from(now.minusSeconds(60)), Date.from(now.plus(validity)), name,
                    SubjectPublicKeyInfo.getInstance(pair.getPublic().getEncoded()));
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            if (ca) {
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                b.addExtension(Extension.keyUsage, true, endEntityUsage());
            }
            return new Certificate(b.build(signer(pair.getPrivate())));
        } catch (CertIOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot build a certificate", e);
        }
    }

    static Certificate issue(Certificate caCert, PrivateKey caKey, X500Name subject,
            SubjectPublicKeyInfo subjectKey, Instant now, Duration validity) {
        try {
            Instant notAfter = now.plus(validity);
            if (notAfter.isAfter(caCert.notAfter())) {
                notAfter = caCert.notAfter(); // never outlive the CA
            }
            X509v3CertificateBuilder b = new X509v3CertificateBuilder(caCert.holder().getSubject(), newSerial(),
                    Date.from(now.minusSeconds(60)), Date.from(notAfter), subject, subjectKey);
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, endEntityUsage());
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(subjectKey));
            b.addExtension(Extension.authorityKeyIdentifier, false,
                    ext.createAuthorityKeyIdentifier(caCert.holder().getSubjectPublicKeyInfo()));
            return new Certificate(b.build(signer(caKey)));
        } catch (CertIOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot issue a certificate", e);
        }
    }

    /** Signing (documents, requests), key transport (sealed packages), non-repudiation (receipts, sign-offs). */
    private static KeyUsage endEntityUsage() {
        return new KeyUsage(KeyUsage.digitalSignature | KeyUsage.nonRepudiation | KeyUsage.keyEncipherment);
    }

    static ContentSigner signer(PrivateKey key) {
        try {
            return new JcaContentSignerBuilder(Bc.SM3_WITH_SM2).setProvider(Bc.PROVIDER).build(key);
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("SM3withSM2 signing is unavailable", e);
        }
    }

    static ContentVerifierProvider verifier(Certificate cert) {
        return verifier(cert.holder());
    }

    static ContentVerifierProvider verifier(X509CertificateHolder cert) {
        try {
            return new JcaContentVerifierProviderBuilder().setProvider(Bc.PROVIDER).build(cert);
        } catch (OperatorCreationException | CertificateException e) {
            throw new IllegalStateException("SM3withSM2 verification is unavailable", e);
        }
    }

    static ContentVerifierProvider verifier(PublicKey key) {
        try {
            return new JcaContentVerifierProviderBuilder().setProvider(Bc.PROVIDER).build(key);
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("SM3withSM2 verification is unavailable", e);
        }
    }

    /** True when {@code cert}'s issuer is {@code ca}'s subject and {@code ca}'s key signed it. */
    static boolean isSignedBy(Certificate cert, Certificate ca) {
        if (!cert.holder().getIssuer().equals(ca.holder().getSubject())) {
            return false;
        }
        try {
            return cert.holder().isSignatureValid(verifier(ca));
        } catch (CertException | RuntimeException e) {
            return false;
        }
    }

    static byte[] encode(X509CertificateHolder h) {
        try {
            return h.getEncoded();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
