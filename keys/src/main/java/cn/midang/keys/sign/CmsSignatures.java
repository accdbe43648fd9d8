package cn.midang.keys.sign;

import cn.midang.keys.KeysException.Reason;
import cn.midang.keys.KeysException;
import cn.midang.keys.internal.Access;
import cn.midang.keys.internal.Bc;
import cn.midang.keys.internal.Cms;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.ChainValidator;
import cn.midang.keys.pki.Identity;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Instant;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedDataParser;
import org.bouncycastle.cms.CMSSignedDataStreamGenerator;
import org.bouncycastle.cms.CMSTypedStream;

/**
 * Detached CMS SignedData (RFC 5652) with SM3 and SM3withSM2 (standard user ID), carrying the
 * signer's certificate and the signing time as signed attributes. Content is streamed: memory
 * does not grow with its size.
 *
 * <p>OpenSSL 3.0 cannot check these (it has no way to pass the SM2 user ID to {@code cms
 * -verify}); {@link #verify} and {@code midang verify} do. For third-party checks with OpenSSL
 * use {@link RawSignatures}.
 */
public final class CmsSignatures {

    private static final int BUFFER = 64 * 1024;

    private CmsSignatures() {}

    /** What a verified CMS signature says. The signer is trusted only if a validator said so. */
    public record Verified(Certificate signer, Instant signingTime, byte[] contentSm3, boolean chainValidated) {}

    /** Signs {@code content} (read to its end, not closed); returns the DER SignedData. */
    public static byte[] sign(Identity signer, InputStream content, Clock clock) throws KeysException {
        ByteArrayOutputStream sig = new ByteArrayOutputStream();
        try {
            CMSSignedDataStreamGenerator gen = new CMSSignedDataStreamGenerator();
            gen.addSignerInfoGenerator(Cms.signerInfoGenerator(signer, clock.instant(), null));
            gen.addCertificates(Cms.certificateStore(Access.pki().chain(signer)));
            try (OutputStream sink = gen.open(sig, false)) {
                content.transferTo(sink);
            }
        } catch (IOException e) {
            throw new KeysException(Reason.IO, "cannot read the content to sign: " + e.getMessage(), e);
        } catch (CMSException e) {
            throw new IllegalStateException("CMS signing failed", e);
        }
        return sig.toByteArray();
    }

    /**
     * Checks a detached signature over {@code content} against the certificate it carries, and
     * that certificate against {@code trust} now (by the validator's clock).
     */
    public static Verified verify(byte[] signature, InputStream content, ChainValidator trust) throws KeysException {
        Verified v = verifyWithoutTrust(signature, content);
        trust.validate(v.signer());
        return new Verified(v.signer(), v.signingTime(), v.contentSm3(), true);
    }

    /**
     * Checks the signature only against the certificate it carries; says nothing of whether that
     * certificate is trusted. Callers must compare the signer with a certificate they trust.
     */
    public static Verified verifyWithoutTrust(byte[] signature, InputStream content) throws KeysException {
        try {
            CMSSignedDataParser parser = new CMSSignedDataParser(Cms.digestProvider(),
                    new CMSTypedStream(new BufferedInputStream(content, BUFFER)), signature);
            parser.getSignedContent().drain();
            Cms.Signed s = Cms.verifySingleSigner(parser);
            return new Verified(s.signer(), s.signingTime(), s.contentSm3(), false);
        } catch (CMSException e) {
            throw new KeysException(Reason.MALFORMED, "the signature file is not a CMS SignedData structure", e);
        } catch (IOException e) {
            throw new KeysException(Reason.IO, "cannot read the signed content: " + e.getMessage(), e);
        }
    }
}
