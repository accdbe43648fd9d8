package cn.midang.keys.seal;

import cn.midang.keys.KeysException.Reason;
import cn.midang.keys.KeysException;
import cn.midang.keys.internal.Access;
import cn.midang.keys.internal.Cms;
import cn.midang.keys.internal.EnvelopeLayout;
import cn.midang.keys.internal.Failures;
import cn.midang.keys.internal.Sm2KeyTransport;
import cn.midang.keys.internal.TailKeepingInputStream;
import cn.midang.keys.io.SafeFiles;
import cn.midang.keys.io.WriteBehind;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.ChainValidator;
import cn.midang.keys.pki.Identity;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.gm.GMObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSAuthEnvelopedDataParser;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedDataParser;
import org.bouncycastle.cms.CMSTypedStream;
import org.bouncycastle.cms.KeyTransRecipientId;
import org.bouncycastle.cms.RecipientInformation;

/**
 * Opens sealed packages addressed to one identity: decrypts, checks the authentication tag,
 * checks the sender's signature, and checks the sender's certificate against the trusted CA.
 *
 * <pre>{@code
 * Opener opener = Opener.forRecipient(me, validator);
 * Opened o = opener.openToFile(in, Path.of("report.docx"));   // all or nothing
 * }</pre>
 *
 * <p><b>Security guarantees.</b> {@link #openToFile} and {@link #check} release nothing unless
 * the whole package is authentic: tag, signature and signer's certificate. {@link #streamUnverified} streams
 * plaintext to the caller <em>before</em> those checks complete (the tag is at the end of the
 * stream); a caller of {@code streamUnverified} must treat what it wrote as untrusted and discard it when
 * it throws. Memory use does not depend on the content's size.
 */
public final class Opener {

    private static final int BUFFER = 64 * 1024;
    private static final int TAIL_KEPT = 256;

    private final Identity recipient;
    private final SignerCheck trust;

    /** What decides whether a package's signer is acceptable; throws when it is not. */
    @FunctionalInterface
    public interface SignerCheck {
        void check(Certificate signer) throws KeysException;
    }

    private Opener(Identity recipient, SignerCheck trust) {
        this.recipient = Objects.requireNonNull(recipient);
        this.trust = Objects.requireNonNull(trust);
    }

    /** Opens packages sealed to {@code recipient}, from senders {@code trust} accepts. */
    public static Opener forRecipient(Identity recipient, ChainValidator trust) {
        Objects.requireNonNull(trust);
        return new Opener(recipient, trust::validate);
    }

    /**
     * Opens packages sealed to {@code recipient} whose signer {@code check} accepts — for a signer
     * known by its key rather than through the CA, such as the server's key before its certificate
     * was issued (a key share written at {@code init}).
     */
    public static Opener forRecipient(Identity recipient, SignerCheck check) {
        return new Opener(recipient, check);
    }

    /** Verifies a whole package without keeping its plaintext. */
    public Opened check(InputStream sealed) throws KeysException {
        return streamUnverified(sealed, OutputStream.nullOutputStream());
    }

    /**
     * Opens {@code sealed} into {@code target}: written under a temporary name beside it, forced
     * to disk, and renamed only when everything verified. On failure nothing is left behind and
     * an existing {@code target} is untouched; if the program is stopped meanwhile (Ctrl-C), the
     * partial file is removed, and one left by a killed process is removed by the next open into
     * the same target. The file is readable by its owner only. The folder must exist: nothing a
     * package or a server says can make a folder appear.
     */
    public Opened openToFile(InputStream sealed, Path target) throws KeysException {
        return openToFile(sealed, target, opened -> { });
    }

    /** A check of what was opened, made after every cryptographic check and before the file gets its name. */
    @FunctionalInterface
    public interface Acceptance {
        /** Throws to refuse: the opened file is then deleted, never named. */
        void accept(Opened opened) throws KeysException;
    }

    /**
     * As {@link #openToFile(InputStream, Path)}, and {@code acceptance} must also accept what was
     * opened (that it is the document asked for: its SM3, size, signer and name) before the file is
     * named {@code target}.
     */
    public Opened openToFile(InputStream sealed, Path target, Acceptance acceptance) throws KeysException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            tmp = SafeFiles.createPartial(target, ".partial");
            Opened opened;
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                    // Written and forced behind the decryption (D70): the final force finds little left to write.
                    // Closed before the channel, so no write is left running when it closes.
                    OutputStream out = new WriteBehind(Channels.newOutputStream(ch), () -> ch.force(false), WriteBehind.FORCE_EVERY)) {
                opened = streamUnverified(sealed, out);
                out.flush();
                ch.force(true);
            }
            acceptance.accept(opened);
            SafeFiles.moveAtomically(tmp, target);
            SafeFiles.released(tmp);
            tmp = null;
            SafeFiles.forceDirectory(dir);
            return opened;
        } catch (NoSuchFileException e) {
            throw new KeysException(Reason.IO, "cannot write " + target + ": the folder " + dir + " does not exist", e);
        } catch (IOException e) {
            throw new KeysException(Reason.IO, "cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            SafeFiles.deleteQuietly(tmp);
            SafeFiles.released(tmp);
        }
    }

    /**
     * Opens a small package into memory (a form, a summary's JSON): the authenticated content,
     * refused ({@link Reason#IO}) once it would exceed {@code maxBytes}, so a large package never
     * fills the heap.
     */
    public byte[] openToMemory(InputStream sealed, int maxBytes) throws KeysException {
        return openToMemory(sealed, maxBytes, opened -> { });
    }

    /** As {@link #openToMemory(InputStream, int)}, released only if {@code acceptance} accepts what was opened. */
    public byte[] openToMemory(InputStream sealed, int maxBytes, Acceptance acceptance) throws KeysException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        boolean[] over = {false};
        OutputStream capped = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (buf.size() + len > maxBytes) {
                    over[0] = true;
                    throw new IOException("the content is larger than " + maxBytes + " bytes");
                }
                buf.write(b, off, len);
            }
        };
        Opened opened;
        try {
            opened = streamUnverified(sealed, capped);
        } catch (KeysException e) {
            if (over[0]) {
                throw new KeysException(Reason.IO, "the content is larger than " + maxBytes + " bytes, too large to open in memory", e);
            }
            throw e;
        }
        acceptance.accept(opened);
        return buf.toByteArray();
    }

    /**
     * Opens {@code sealed}, streaming plaintext into {@code plaintext}. The plaintext is
     * authenticated only when this method returns; see the class comment.
     */
    public Opened streamUnverified(InputStream sealed, OutputStream plaintext) throws KeysException {
        EnvelopeLayout.Head head = EnvelopeLayout.read(sealed);
        TailKeepingInputStream rest = new TailKeepingInputStream(new BufferedInputStream(sealed, BUFFER), TAIL_KEPT);
        try {
            CMSAuthEnvelopedDataParser envelope = new CMSAuthEnvelopedDataParser(
                    new SequenceInputStream(new ByteArrayInputStream(head.bytes()), rest));
            if (!GMObjectIdentifiers.sms4_gcm.equals(envelope.getEncryptionAlgOID().getAlgorithm())) {
                throw new KeysException(Reason.MALFORMED, "the package is encrypted with "
                        + envelope.getEncAlgOID() + ", not SM4-GCM; Midang accepts only SM4-GCM");
            }
            X509CertificateHolder me = Access.pki().holder(recipient.certificate());
            RecipientInformation ri = envelope.getRecipientInfos().get(new KeyTransRecipientId(me.getIssuer(), me.getSerialNumber()));
            if (ri == null) {
                throw new KeysException(Reason.NOT_A_RECIPIENT, "this package is not sealed to your key ("
                        + recipient.certificate().subject() + "); it is addressed to "
                        + envelope.getRecipientInfos().size() + " other recipient(s)");
            }
            CMSTypedStream decrypted = ri.getContentStream(Sm2KeyTransport.recipient(Access.pki().privateKey(recipient)));
            if (!CMSObjectIdentifiers.signedData.equals(decrypted.getContentType())) {
                throw new KeysException(Reason.MALFORMED, "the package does not contain signed content");
            }
            InputStream inner = decrypted.getContentStream();
            CMSSignedDataParser signedData = new CMSSignedDataParser(Cms.digestProvider(), inner);
            CMSTypedStream content = signedData.getSignedContent();
            if (content == null || !CMSObjectIdentifiers.data.equals(content.getContentType())) {
                throw new KeysException(Reason.MALFORMED, "the package's signed part carries no content");
            }
            long size = content.getContentStream().transferTo(plaintext);
            Cms.Signed signed = Cms.verifySingleSigner(signedData);
            // Reading to the end makes the cipher check the GCM tag.
            inner.transferTo(OutputStream.nullOutputStream());
            inner.close();
            requireExactEnd(rest, envelope.getMac());
            trust.check(signed.signer());
            return new Opened(signed.signer(), signed.signingTime(), Optional.ofNullable(signed.description()), size,
                    signed.contentSm3(), Optional.ofNullable(signed.request()));
        } catch (KeysException e) {
            throw e;
        } catch (CMSException | IOException | RuntimeException e) {
            throw Failures.classify(e);
        }
    }

    /**
     * The parser need not look at every byte after the encrypted content; this checks them all:
     * end-of-contents of the encrypted content and its info, the authenticated attributes
     * (content type signedData, exactly), the tag, and three end-of-contents. Nothing may follow.
     */
    private static void requireExactEnd(TailKeepingInputStream rest, byte[] mac) throws IOException, KeysException {
        if (rest.readNBytes(TAIL_KEPT).length > 0 && rest.read() != -1) {
            throw new KeysException(Reason.MALFORMED, "the sealed package has data after its end");
        }
        byte[] expected = EnvelopeLayout.expectedTail(mac);
        if (!Arrays.equals(rest.tail(expected.length), expected)) {
            throw new KeysException(Reason.MALFORMED, "the end of the sealed package is damaged or has extra data");
        }
    }



}
