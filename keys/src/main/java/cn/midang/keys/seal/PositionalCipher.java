package cn.midang.keys.seal;

import cn.midang.keys.KeysException;
import cn.midang.keys.internal.CryptoBackend;
import cn.midang.keys.pki.ChainValidator;
import cn.midang.keys.pki.Identity;
import java.security.SecureRandom;
import java.time.Clock;

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
        CryptoBackend.current().sm4Ctr(key, iv, position, buf, off, len); // checks the IV and the range
    }
}
