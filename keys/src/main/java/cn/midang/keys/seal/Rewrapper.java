package cn.midang.keys.seal;

import cn.midang.keys.KeysException;
import cn.midang.keys.KeysException.Reason;
import cn.midang.keys.internal.Access;
import cn.midang.keys.internal.EnvelopeLayout;
import cn.midang.keys.internal.Sm2KeyTransport;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.Identity;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.cms.IssuerAndSerialNumber;
import org.bouncycastle.asn1.cms.KeyTransRecipientInfo;
import org.bouncycastle.asn1.cms.RecipientInfo;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * Re-addresses a sealed package without re-encrypting it: a holder of the content key (any
 * current recipient) opens the key blob addressed to it and writes a package whose recipients
 * are exactly {@code recipients}, followed by the original encrypted content and tag, copied
 * byte for byte. The cost is one SM2 decryption plus one SM2 encryption per new recipient,
 * whatever the content's size.
 *
 * <p><b>Security guarantees.</b> The content, its tag and the sender's signature are unchanged,
 * so new recipients verify exactly what the sender sealed. Re-wrapping does not itself check the
 * content: the holder should have opened or checked the package once before (the server does so
 * on upload). The content key is wiped from memory after use.
 */
public final class Rewrapper {

    private final Identity holder;

    private Rewrapper(Identity holder) {
        this.holder = Objects.requireNonNull(holder);
    }

    public static Rewrapper holding(Identity holder) {
        return new Rewrapper(holder);
    }

    /** Copies {@code sealed} to {@code out}, addressed to {@code recipients} only; closes neither. */
    public void rewrap(InputStream sealed, List<Certificate> recipients, OutputStream out) throws KeysException {
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("a sealed package needs at least one recipient");
        }
        EnvelopeLayout.Head head = EnvelopeLayout.read(sealed);
        byte[] contentKey = contentKey(head.recipientInfos());
        try {
            RecipientInfo[] infos = new RecipientInfo[recipients.size()];
            for (int i = 0; i < infos.length; i++) {
                infos[i] = Sm2KeyTransport.recipientInfo(recipients.get(i), contentKey);
            }
            EnvelopeLayout.write(out, infos);
            sealed.transferTo(out);
        } catch (IOException e) {
            throw new KeysException(Reason.IO, "re-addressing the package stopped: " + e.getMessage(), e);
        } finally {
            Arrays.fill(contentKey, (byte) 0);
        }
    }

    /**
     * True if {@code sealed} (read up to the end of its recipients only) has a key blob for
     * {@code recipient}: what a pass that re-addresses many packages checks to resume where it stopped.
     */
    public static boolean addressedTo(InputStream sealed, Certificate recipient) throws KeysException {
        X509CertificateHolder c = Access.pki().holder(recipient);
        IssuerAndSerialNumber wanted = new IssuerAndSerialNumber(c.getIssuer(), c.getSerialNumber());
        ASN1Set infos = EnvelopeLayout.read(sealed).recipientInfos();
        for (int i = 0; i < infos.size(); i++) {
            RecipientInfo ri = RecipientInfo.getInstance(infos.getObjectAt(i));
            if (ri.getInfo() instanceof KeyTransRecipientInfo kt
                    && wanted.equals(IssuerAndSerialNumber.getInstance(kt.getRecipientIdentifier().getId()))) {
                return true;
            }
        }
        return false;
    }

    private byte[] contentKey(ASN1Set infos) throws KeysException {
        X509CertificateHolder me = Access.pki().holder(holder.certificate());
        IssuerAndSerialNumber mine = new IssuerAndSerialNumber(me.getIssuer(), me.getSerialNumber());
        for (int i = 0; i < infos.size(); i++) {
            RecipientInfo ri = RecipientInfo.getInstance(infos.getObjectAt(i));
            if (!(ri.getInfo() instanceof KeyTransRecipientInfo kt)) {
                continue;
            }
            if (mine.equals(IssuerAndSerialNumber.getInstance(kt.getRecipientIdentifier().getId()))) {
                if (!Sm2KeyTransport.KEY_ENCRYPTION.equals(kt.getKeyEncryptionAlgorithm())) {
                    throw new KeysException(Reason.MALFORMED, "the package's key for you is not SM2-encrypted");
                }
                byte[] key = Sm2KeyTransport.decrypt(Access.pki().privateKey(holder), kt.getEncryptedKey().getOctets());
                if (key.length != 16) {
                    throw new KeysException(Reason.TAMPERED, "the package's content key has the wrong length");
                }
                return key;
            }
        }
        throw new KeysException(Reason.NOT_A_RECIPIENT, "this package is not sealed to "
                + holder.certificate().subject() + ", so it cannot re-address it");
    }
}
