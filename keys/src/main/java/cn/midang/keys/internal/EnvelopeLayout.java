package cn.midang.keys.internal;

import cn.midang.keys.KeysException;
import cn.midang.keys.KeysException.Reason;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.KeyTransRecipientInfo;
import org.bouncycastle.asn1.cms.RecipientInfo;

/**
 * The head of a sealed package, read and written byte by byte so that the recipients can be
 * replaced while the rest (encrypted content, tag) is copied unchanged.
 *
 * <p>A package begins, in BER:
 *
 * <pre>
 *   30 80                      ContentInfo, indefinite length
 *     06 0b 2a864886f70d0109100117   id-ct-authEnvelopedData (1.2.840.113549.1.9.16.1.23)
 *     a0 80                    [0] EXPLICIT, indefinite length
 *       30 80                  AuthEnvelopedData, indefinite length
 *         02 01 00             version 0
 *         31 LL ...            recipientInfos, DER (definite length)
 *         ...                  authEncryptedContentInfo, mac, end-of-contents ×3
 * </pre>
 *
 * The reader accepts exactly this head and nothing else (no originatorInfo, no definite outer
 * lengths), so a changed byte in it cannot go unnoticed.
 */
public final class EnvelopeLayout {

    /** Recipient sets are small: 1 MiB allows thousands of recipients. */
    private static final int MAX_RECIPIENT_INFOS = 1 << 20;

    private static final byte[] OID = encodeOid();
    private static final byte[] PREFIX = concat(new byte[] {0x30, (byte) 0x80}, OID,
            new byte[] {(byte) 0xa0, (byte) 0x80, 0x30, (byte) 0x80, 0x02, 0x01, 0x00});

    /** The parsed head: the recipients, as a DER SET. */
    public record Head(byte[] recipientInfosDer) {
        public ASN1Set recipientInfos() {
            return ASN1Set.getInstance(recipientInfosDer);
        }

        /** The exact bytes of the head, as read. */
        public byte[] bytes() {
            return concat(PREFIX, recipientInfosDer);
        }
    }

    private EnvelopeLayout() {}

    private static byte[] encodeOid() {
        try {
            return CMSObjectIdentifiers.authEnvelopedData.getEncoded();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads the head from {@code in}, leaving it positioned at authEncryptedContentInfo. */
    public static Head read(InputStream in) throws KeysException {
        try {
            byte[] prefix = in.readNBytes(PREFIX.length);
            if (prefix.length < PREFIX.length) {
                throw new KeysException(Reason.TRUNCATED, "the sealed package ends before its header is complete");
            }
            if (!Arrays.equals(prefix, PREFIX)) {
                throw new KeysException(Reason.MALFORMED,
                        "this is not a Midang sealed package (CMS AuthEnvelopedData in Midang's layout), or its header was altered");
            }
            int tag = in.read();
            if (tag != 0x31) {
                throw tag < 0 ? new KeysException(Reason.TRUNCATED, "the sealed package ends before its recipients")
                        : new KeysException(Reason.MALFORMED, "the sealed package's recipient list is damaged");
            }
            ByteArrayOutputStream lenBytes = new ByteArrayOutputStream();
            int length = readDefiniteLength(in, lenBytes);
            if (length > MAX_RECIPIENT_INFOS) {
                throw new KeysException(Reason.MALFORMED, "the sealed package's recipient list is implausibly large");
            }
            byte[] body = in.readNBytes(length);
            if (body.length < length) {
                throw new KeysException(Reason.TRUNCATED, "the sealed package ends inside its recipient list");
            }
            byte[] der = concat(new byte[] {0x31}, lenBytes.toByteArray(), body);
            ASN1Set set;
            try {
                set = ASN1Set.getInstance(der);
                for (int i = 0; i < set.size(); i++) {
                    requireSm2KeyTransport(RecipientInfo.getInstance(set.getObjectAt(i)));
                }
                if (!Arrays.equals(set.getEncoded("DER"), der)) {
                    throw new IllegalArgumentException("not DER");
                }
            } catch (RuntimeException e) {
                throw new KeysException(Reason.MALFORMED, "the sealed package's recipient list is damaged", e);
            }
            return new Head(der);
        } catch (EOFException e) {
            throw new KeysException(Reason.TRUNCATED, "the sealed package ends before its header is complete", e);
        } catch (IOException e) {
            throw new KeysException(Reason.IO, "cannot read the sealed package: " + e.getMessage(), e);
        }
    }

    /** Midang writes one form of recipient: key transport by issuer and serial, version 0, sm2encrypt. */
    private static void requireSm2KeyTransport(RecipientInfo ri) {
        if (!(ri.getInfo() instanceof KeyTransRecipientInfo kt)
                || kt.getVersion().intValueExact() != 0
                || kt.getRecipientIdentifier().isTagged()
                || !Sm2KeyTransport.KEY_ENCRYPTION.equals(kt.getKeyEncryptionAlgorithm())) {
            throw new IllegalArgumentException("not an SM2 key-transport recipient");
        }
    }

    /** The authenticated attributes Midang writes: content type = signedData, as [1] IMPLICIT SET. */
    private static final byte[] AUTH_ATTRS = encodeAuthAttrs();

    private static byte[] encodeAuthAttrs() {
        try {
            Attribute contentType = new Attribute(CMSAttributes.contentType, new DERSet(CMSObjectIdentifiers.signedData));
            return new DERTaggedObject(false, 1, new DERSet(contentType)).getEncoded("DER");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The exact last bytes of a package whose GCM tag is {@code mac}: end-of-contents of the
     * encrypted content and of its info, the authenticated attributes, the tag, and the three
     * end-of-contents of the outer wrappers.
     */
    public static byte[] expectedTail(byte[] mac) {
        return concat(new byte[4], AUTH_ATTRS, new byte[] {0x04, (byte) mac.length}, mac, new byte[6]);
    }

    /** Writes a head with {@code recipients}. */
    public static void write(OutputStream out, RecipientInfo... recipients) throws IOException {
        out.write(PREFIX);
        out.write(new DERSet(recipients).getEncoded("DER"));
    }

    private static int readDefiniteLength(InputStream in, ByteArrayOutputStream copy) throws IOException, KeysException {
        int first = in.read();
        if (first < 0) {
            throw new EOFException();
        }
        copy.write(first);
        if (first < 0x80) {
            return first;
        }
        int n = first & 0x7f;
        if (n == 0 || n > 3) {
            throw new KeysException(Reason.MALFORMED, "the sealed package's recipient list has an invalid length");
        }
        int len = 0;
        for (int i = 0; i < n; i++) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException();
            }
            copy.write(b);
            len = (len << 8) | b;
        }
        return len;
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int off = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, off, p.length);
            off += p.length;
        }
        return out;
    }
}
