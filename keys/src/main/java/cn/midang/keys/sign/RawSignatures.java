package cn.midang.keys.sign;

import cn.midang.keys.KeysException.Reason;
import cn.midang.keys.KeysException;
import cn.midang.keys.internal.Access;
import cn.midang.keys.internal.Bc;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.Identity;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;

/**
 * Detached SM2 signatures in their plainest form: the DER {@code SEQUENCE {r, s}} over SM3 of
 * the content, with the standard user ID {@code 1234567812345678} (GM/T 0009). Anyone can check
 * one with OpenSSL 3:
 *
 * <pre>openssl dgst -sm3 -verify PUB.pem -sigopt distid:1234567812345678 -signature SIG FILE</pre>
 *
 * <p>Use this form for canonical bytes that third parties must verify (receipts, checkpoints,
 * sign-offs); use {@link CmsSignatures} when the signature must carry the signer's certificate
 * and signing time.
 */
public final class RawSignatures {

    private static final int BUFFER = 64 * 1024;

    private RawSignatures() {}

    /** Signs the whole of {@code content} (read to its end, not closed). */
    public static byte[] sign(Identity signer, InputStream content) throws KeysException {
        return newSigner(signer).sign(content);
    }

    /** Signs {@code content}. */
    public static byte[] sign(Identity signer, byte[] content) throws KeysException {
        return newSigner(signer).sign(content);
    }

    /**
     * A signer for many messages with one key: it reuses one initialised signature object,
     * which is about four times faster than starting afresh each time. Thread-safe.
     */
    public static Signer newSigner(Identity signer) {
        return new Signer(Access.pki().privateKey(signer));
    }

    /** Checks {@code signature} over {@code content} against {@code signer}'s public key. */
    public static void verify(Certificate signer, byte[] signature, InputStream content) throws KeysException {
        try {
            Signature s = Signature.getInstance(Bc.SM3_WITH_SM2, Bc.PROVIDER);
            s.initVerify(publicKey(signer));
            byte[] buf = new byte[BUFFER];
            for (int n; (n = content.read(buf)) != -1; ) {
                s.update(buf, 0, n);
            }
            boolean ok;
            try {
                ok = s.verify(signature);
            } catch (SignatureException e) {
                throw new KeysException(Reason.MALFORMED, "the signature is not a DER-encoded SM2 signature", e);
            }
            if (!ok) {
                throw new KeysException(Reason.BAD_SIGNATURE, "the signature does not match this content and the key of "
                        + signer.subject() + " (the file was changed, or someone else signed it)");
            }
        } catch (IOException e) {
            throw new KeysException(Reason.IO, "cannot read the signed content: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new KeysException(Reason.MALFORMED, "the certificate's key cannot verify SM2 signatures", e);
        }
    }

    public static void verify(Certificate signer, byte[] signature, byte[] content) throws KeysException {
        verify(signer, signature, new ByteArrayInputStream(content));
    }

    static PublicKey publicKey(Certificate cert) throws GeneralSecurityException {
        return new JcaX509CertificateConverter().setProvider(Bc.PROVIDER)
                .getCertificate(Access.pki().holder(cert)).getPublicKey();
    }

    /** A reusable raw signer; see {@link #newSigner(Identity)}. */
    public static final class Signer {
        private final Signature signature;

        private Signer(PrivateKey key) {
            try {
                signature = Signature.getInstance(Bc.SM3_WITH_SM2, Bc.PROVIDER);
                signature.initSign(key, Bc.random());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("SM2 signing is unavailable", e);
            }
        }

        public synchronized byte[] sign(byte[] content) throws KeysException {
            try {
                signature.update(content);
                return signature.sign();
            } catch (SignatureException e) {
                throw new IllegalStateException("SM2 signing failed", e);
            }
        }

        public synchronized byte[] sign(InputStream content) throws KeysException {
            try {
                byte[] buf = new byte[BUFFER];
                for (int n; (n = content.read(buf)) != -1; ) {
                    signature.update(buf, 0, n);
                }
                return signature.sign();
            } catch (IOException e) {
                resetQuietly();
                throw new KeysException(Reason.IO, "cannot read the content to sign: " + e.getMessage(), e);
            } catch (SignatureException e) {
                throw new IllegalStateException("SM2 signing failed", e);
            }
        }

        private void resetQuietly() {
            try {
                signature.sign(); // discards the partial input
            } catch (SignatureException e) {
                // nothing to discard
            }
        }
    }
}
