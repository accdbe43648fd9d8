package cn.midang.keys.seal;

import cn.midang.keys.KeysException;
import cn.midang.keys.pki.ChainValidator;
import cn.midang.keys.pki.Identity;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import org.bouncycastle.crypto.engines.SM4Engine;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * Encrypts derived data that must be read and written at any byte offset: the search index,
 * whose files Lucene reads by seeking. SM4 in counter mode (GB/T 32907, GB/T 17964): byte
 * {@code p} of a file is XORed with byte {@code p % 16} of SM4(key, iv + p / 16), so any range
 * can be decrypted on its own. Each file has its own random 16-byte IV from {@link #newIv()};
 * one key serves a whole index and is kept sealed to the archive key
 * ({@link #sealKey}, {@link #openKey}).
 *
 * <p><b>Security guarantees.</b> Confidentiality only: without the key, a file reveals nothing
 * but its length. There is <b>no integrity</b>: counter mode is malleable, so flipping a
 * ciphertext bit flips the same plaintext bit. Use it only for data that can be rebuilt from
 * authenticated sources and is checked by its reader (Lucene's CRC32 footers catch accidents,
 * not attacks). Never reuse an IV with the same key: {@link #newIv()} draws 128 random bits.
 */
public final class PositionalCipher {

    public static final int KEY_BYTES = 16;
    public static final int IV_BYTES = 16;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String KEY_DESCRIPTION = "midang-index-key/1";

    private final byte[] key;

    private PositionalCipher(byte[] key) {
        this.key = key;
    }

    /** A new random key. */
    public static PositionalCipher generate() {
        byte[] k = new byte[KEY_BYTES];
        RANDOM.nextBytes(k);
        return new PositionalCipher(k);
    }

    /** A cipher with the given key bytes; package-private, for known-answer tests only. */
    static PositionalCipher fromKeyBytes(byte[] key) {
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("an SM4 key is 16 bytes");
        }
        return new PositionalCipher(key.clone());
    }

    /** A fresh random IV for one file. */
    public static byte[] newIv() {
        byte[] iv = new byte[IV_BYTES];
        RANDOM.nextBytes(iv);
        return iv;
    }

    /** The key sealed (signed and encrypted) to {@code holder}'s own certificate, for storing beside the index. */
    public byte[] sealKey(Identity holder, Clock clock) throws KeysException {
        return SealedKeys.seal(key, KEY_DESCRIPTION, holder, clock);
    }

    /** Opens a key sealed by {@link #sealKey}: it must be signed by {@code holder} and addressed to it. */
    public static PositionalCipher openKey(byte[] sealed, Identity holder, ChainValidator trust) throws KeysException {
        return new PositionalCipher(SealedKeys.open(sealed, KEY_DESCRIPTION, KEY_BYTES, holder, trust));
    }

    /**
     * Encrypts or decrypts (the same operation) {@code len} bytes of {@code buf} from {@code off},
     * which sit at byte {@code position} of the file whose IV is {@code iv}.
     */
    public void apply(byte[] iv, long position, byte[] buf, int off, int len) {
        if (iv.length != IV_BYTES || position < 0 || off < 0 || len < 0 || off + len > buf.length) {
            throw new IllegalArgumentException("bad range or IV");
        }
        SM4Engine sm4 = new SM4Engine();
        sm4.init(true, new KeyParameter(key));
        byte[] counter = new byte[16];
        byte[] stream = new byte[16];
        long block = position >>> 4;
        int skip = (int) (position & 15);
        int done = 0;
        while (done < len) {
            counterBlock(iv, block, counter);
            sm4.processBlock(counter, 0, stream, 0);
            int n = Math.min(16 - skip, len - done);
            for (int i = 0; i < n; i++) {
                buf[off + done + i] ^= stream[skip + i];
            }
            done += n;
            skip = 0;
            block++;
        }
        Arrays.fill(stream, (byte) 0);
    }

    /** {@code iv + block} as a 128-bit big-endian sum. */
    private static void counterBlock(byte[] iv, long block, byte[] out) {
        int carry = 0;
        for (int i = 15; i >= 0; i--) {
            int add = i >= 8 ? (int) ((block >>> (8 * (15 - i))) & 0xff) : 0;
            int sum = (iv[i] & 0xff) + add + carry;
            out[i] = (byte) sum;
            carry = sum >>> 8;
        }
    }
}
