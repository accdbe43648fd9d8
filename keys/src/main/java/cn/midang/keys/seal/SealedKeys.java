package cn.midang.keys.seal;

import cn.midang.keys.KeysException;
import cn.midang.keys.pki.ChainValidator;
import cn.midang.keys.pki.Identity;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Clock;

/** A server's own symmetric keys kept sealed (signed and encrypted) to its archive identity. */
final class SealedKeys {

    private SealedKeys() {}

    /** {@code key} sealed to {@code holder}'s own certificate, signed by it, described as {@code description}. */
    static byte[] seal(byte[] key, String description, Identity holder, Clock clock) throws KeysException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Sealer.signedBy(holder).to(holder.certificate()).describedAs(description).clock(clock).build()
                .seal(new ByteArrayInputStream(key), out);
        return out.toByteArray();
    }

    /** Opens a key sealed by {@link #seal}: signed by {@code holder}, addressed to it, of the description and length given. */
    static byte[] open(byte[] sealed, String description, int length, Identity holder, ChainValidator trust) throws KeysException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Opened o = Opener.forRecipient(holder, trust).streamUnverified(new ByteArrayInputStream(sealed), out);
        if (!o.signer().fingerprint().equals(holder.certificate().fingerprint())
                || !o.description().orElse("").equals(description) || out.size() != length) {
            throw new KeysException(KeysException.Reason.MISMATCH, "not a " + description + " sealed by this server");
        }
        return out.toByteArray();
    }
}
