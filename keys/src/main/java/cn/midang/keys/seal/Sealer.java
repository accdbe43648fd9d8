package cn.midang.keys.seal;

import cn.midang.keys.KeysException;
import cn.midang.keys.KeysException.Reason;
import cn.midang.keys.internal.Access;
import cn.midang.keys.internal.Bc;
import cn.midang.keys.internal.Cms;
import cn.midang.keys.internal.CryptoBackend;
import cn.midang.keys.internal.NativeCms;
import cn.midang.keys.internal.Sm2KeyTransport;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.Identity;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.gm.GMObjectIdentifiers;
import org.bouncycastle.cms.CMSAuthEnvelopedDataStreamGenerator;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedDataStreamGenerator;
import org.bouncycastle.cms.jcajce.JceCMSContentEncryptorBuilder;
import org.bouncycastle.operator.OutputAEADEncryptor;

/**
 * Seals a stream for one or more recipients, signed by the sender: sign-then-encrypt in one
 * pass. The result is a CMS AuthEnvelopedData (RFC 5083) with SM4-GCM content encryption whose
 * content is a CMS SignedData (SM3withSM2) of the plaintext; the content key travels to each
 * recipient's SM2 key (GM/T 0009). {@code docs/CRYPTO.md} describes the format byte by byte.
 *
 * <pre>{@code
 * Sealer sealer = Sealer.signedBy(me).to(archiveCert).describedAs("report.docx").clock(clock).build();
 * Sealed s = sealer.seal(fileIn, networkOut);
 * }</pre>
 *
 * <p><b>Security guarantees.</b> Every byte of content is authenticated (GCM tag) and signed;
 * a fresh random 128-bit content key and 96-bit nonce are used per package; memory use does not
 * depend on the content's size. The description is signed, so a recipient knows what the
 * sender meant the content to be. Thread-safe: a {@code Sealer} may be reused.
 */
public final class Sealer {

    private static final int BUFFER = 64 * 1024;

    private final Identity signer;
    private final List<Certificate> recipients;
    private final String description;
    private final Clock clock;
    private final String request;
    private final long size;

    private Sealer(Builder b) {
        this.signer = b.signer;
        this.recipients = List.copyOf(b.recipients);
        this.description = b.description;
        this.clock = b.clock;
        this.request = b.request;
        this.size = b.size;
    }

    public static Builder signedBy(Identity signer) {
        return new Builder(Objects.requireNonNull(signer));
    }

    /** Reads {@code content} to its end and writes the sealed package to {@code out}; closes neither. */
    public Sealed seal(InputStream content, OutputStream out) throws KeysException {
        try {
            CMSAuthEnvelopedDataStreamGenerator envelope = new CMSAuthEnvelopedDataStreamGenerator();
            envelope.setBufferSize(BUFFER);
            // RFC 5083 §2.1: authAttrs are required when the content is not id-data; they are
            // the GCM additional authenticated data.
            envelope.setAuthenticatedAttributeGenerator(parameters -> new AttributeTable(new Attribute(
                    CMSAttributes.contentType, new DERSet(CMSObjectIdentifiers.signedData))));
            for (Certificate r : recipients) {
                envelope.addRecipientInfoGenerator(Sm2KeyTransport.generator(r));
            }
            CryptoBackend backend = CryptoBackend.current();
            OutputAEADEncryptor encryptor = backend instanceof CryptoBackend.Native n ? NativeCms.encryptor(n, Bc.random())
                    : (OutputAEADEncryptor) new JceCMSContentEncryptorBuilder(GMObjectIdentifiers.sms4_gcm)
                            .setProvider(Bc.PROVIDER).setSecureRandom(Bc.random()).build();
            CMSSignedDataStreamGenerator signed = new CMSSignedDataStreamGenerator();
            signed.setBufferSize(BUFFER);
            signed.addSignerInfoGenerator(Cms.signerInfoGenerator(signer, clock.instant(), description, request));
            signed.addCertificates(Cms.certificateStore(Access.pki().chain(signer)));
            long size;
            KeepOpen sink = new KeepOpen(out);
            try (OutputStream encrypted = envelope.open(CMSObjectIdentifiers.signedData, sink, encryptor);
                    OutputStream plain = signed.open(encrypted, true)) {
                size = content.transferTo(plain);
                if (this.size >= 0 && size != this.size) {
                    sink.abandon(); // the structures' ends, written as they close, go nowhere: no complete package
                    throw new KeysException(Reason.MISMATCH, "the content is " + size + " bytes, not the " + this.size
                            + " bytes it was named at: it changed since");
                }
            }
            Map<?, ?> digests = signed.getGeneratedDigests();
            byte[] sm3 = (byte[]) digests.get(GMObjectIdentifiers.sm3.getId());
            if (sm3 == null) {
                throw new IllegalStateException("the SM3 digest of the content was not computed");
            }
            return new Sealed(size, sm3);
        } catch (IOException e) {
            throw new KeysException(Reason.IO, "sealing stopped: " + e.getMessage(), e);
        } catch (CMSException e) {
            throw new IllegalStateException("sealing failed", e);
        }
    }


    /** Builds a {@link Sealer}. At least one recipient is required. */
    public static final class Builder {
        private final Identity signer;
        private final List<Certificate> recipients = new ArrayList<>();
        private String description;
        private Clock clock = Clock.systemUTC();
        private String request;
        private long size = -1;

        private Builder(Identity signer) {
            this.signer = signer;
        }

        /** Adds recipients: each will be able to open the package with its own key. */
        public Builder to(Certificate... certs) {
            return to(List.of(certs));
        }

        public Builder to(List<Certificate> certs) {
            for (Certificate c : certs) {
                if (c.isCa()) {
                    throw new IllegalArgumentException(c.subject() + " is a CA certificate, not a recipient");
                }
                if (!recipients.contains(c)) {
                    recipients.add(c);
                }
            }
            return this;
        }

        /** A signed description (for example the file name and purpose), at most 1,024 characters. */
        public Builder describedAs(String description) {
            if (description != null && description.length() > 1024) {
                throw new IllegalArgumentException("a description is at most 1,024 characters");
            }
            this.description = description;
            return this;
        }

        /**
         * Seals the package for the signed request that uploads it: {@code nonce}, that request's
         * nonce, is signed with the content (the attribute {@code UPLOAD_REQUEST}, {@code
         * docs/CRYPTO.md}), so the server can tell the package was made for that request and no
         * other — the request itself need not name the content's digest, and the content is read
         * once, hashed while it is encrypted.
         */
        public Builder forRequest(String nonce) {
            if (nonce.isEmpty() || nonce.length() > 128) {
                throw new IllegalArgumentException("a request nonce is 1 to 128 characters");
            }
            this.request = nonce;
            return this;
        }

        /**
         * The number of bytes the content must have (a size named before sealing): {@link Sealer#seal}
         * counts them and fails ({@code MISMATCH}) before the package is complete if their number
         * differs — the content changed since it was named.
         */
        public Builder ofSize(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("a size is at least 0 bytes");
            }
            this.size = bytes;
            return this;
        }

        /** The clock for the signing time; the system UTC clock by default. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        public Sealer build() {
            if (recipients.isEmpty()) {
                throw new IllegalStateException("a sealed package needs at least one recipient");
            }
            return new Sealer(this);
        }
    }

    /**
     * Lets the generators close their structures without closing the caller's stream; once
     * abandoned, writes nothing more (a sealing that fails leaves no complete package behind).
     */
    private static final class KeepOpen extends FilterOutputStream {
        private boolean abandoned;

        KeepOpen(OutputStream out) {
            super(out);
        }

        void abandon() {
            abandoned = true;
        }

        @Override
        public void write(int b) throws IOException {
            if (!abandoned) {
                out.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (!abandoned) {
                out.write(b, off, len);
            }
        }

        @Override
        public void close() throws IOException {
            if (!abandoned) {
                out.flush();
            }
        }
    }
}
