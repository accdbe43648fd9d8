package cn.midang.keys.seal;

import cn.midang.keys.KeysException;
import cn.midang.keys.pki.ChainValidator;
import cn.midang.keys.pki.Identity;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.SM4Engine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * Encrypts small values a server keeps in its database (findings, result notices): SM4-GCM
 * (GB/T 32907, GB/T 36624) with a fresh random 96-bit nonce per value and the value's place
 * ({@code context}: table, row, column) as associated data. Output: version byte 1, nonce (12),
 * ciphertext, tag (16). One key per deployment, kept sealed to the archive key
 * ({@link #sealKey}, {@link #openKey}).
 *
 * <p><b>Security guarantees.</b> Confidentiality and integrity of each value, bound to its
 * place: a value copied to another row or column, altered, or truncated does not decrypt
 * ({@link KeysException.Reason#TAMPERED}). Lengths are visible. Random nonces keep the chance of a
 * repeat negligible for up to 2^32 values per key.
 */
public final class RecordCipher {

    public static final int KEY_BYTES = 16;
    static final int NONCE_BYTES = 12;
    static final int TAG_BITS = 128;
    static final byte VERSION = 1;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String KEY_DESCRIPTION = "midang-record-key/1";

    private final byte[] key;

    private RecordCipher(byte[] key) {
        this.key = key;
    }

    /** A new random key. */
    public static RecordCipher generate() {
        byte[] k = new byte[KEY_BYTES];
        RANDOM.nextBytes(k);
        return new RecordCipher(k);
    }

    /** The key sealed (signed and encrypted) to {@code holder}'s own certificate. */
    public byte[] sealKey(Identity holder, Clock clock) throws KeysException {
        return SealedKeys.seal(key, KEY_DESCRIPTION, holder, clock);
    }

    /** Opens a key sealed by {@link #sealKey}: it must be signed by {@code holder} and addressed to it. */
    public static RecordCipher openKey(byte[] sealed, Identity holder, ChainValidator trust) throws KeysException {
        return new RecordCipher(SealedKeys.open(sealed, KEY_DESCRIPTION, KEY_BYTES, holder, trust));
    }

    /** {@code plaintext} encrypted for the place {@code context} names. */
    public byte[] encrypt(byte[] plaintext, String context) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        GCMModeCipher gcm = cipher(true, nonce, context);
        byte[] out = new byte[1 + NONCE_BYTES + gcm.getOutputSize(plaintext.length)];
        out[0] = VERSION;
        System.arraycopy(nonce, 0, out, 1, NONCE_BYTES);
        int n = gcm.processBytes(plaintext, 0, plaintext.length, out, 1 + NONCE_BYTES);
        try {
            gcm.doFinal(out, 1 + NONCE_BYTES + n);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("GCM encryption cannot fail", e);
        }
        return out;
    }

    /** The plaintext of a value made by {@link #encrypt} for the same {@code context}; refused if anything differs. */
    public byte[] decrypt(byte[] value, String context) throws KeysException {
        if (value.length < 1 + NONCE_BYTES + TAG_BITS / 8 || value[0] != VERSION) {
            throw new KeysException(KeysException.Reason.TAMPERED, "not an encrypted record value (" + context + ")");
        }
        GCMModeCipher gcm = cipher(false, Arrays.copyOfRange(value, 1, 1 + NONCE_BYTES), context);
        int len = value.length - 1 - NONCE_BYTES;
        byte[] out = new byte[gcm.getOutputSize(len)];
        int n = gcm.processBytes(value, 1 + NONCE_BYTES, len, out, 0);
        try {
            gcm.doFinal(out, n);
        } catch (InvalidCipherTextException e) {
            throw new KeysException(KeysException.Reason.TAMPERED, "a record value does not decrypt for " + context, e);
        }
        return out;
    }

    private GCMModeCipher cipher(boolean encrypt, byte[] nonce, String context) {
        GCMModeCipher gcm = GCMBlockCipher.newInstance(new SM4Engine());
        gcm.init(encrypt, new AEADParameters(new KeyParameter(key), TAG_BITS, nonce,
                context.getBytes(StandardCharsets.UTF_8)));
        return gcm;
    }
}
