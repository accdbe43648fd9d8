package cn.midang.keys.tlog;

import java.util.function.Supplier;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SM3Digest;

/**
 * The hashes of an RFC 9162 Merkle tree (section 2.1.1): a leaf is {@code H(0x00 || entry)}, an
 * interior node {@code H(0x01 || left || right)}, the empty tree {@code H()}. The log uses
 * {@link #SM3}; {@link #SHA256} exists to run the standard's test vectors through the same code.
 */
public final class TreeHasher {

    public static final TreeHasher SM3 = new TreeHasher("SM3", SM3Digest::new);
    public static final TreeHasher SHA256 = new TreeHasher("SHA-256", SHA256Digest::new);

    /** Every hash of either function is 32 bytes. */
    public static final int LENGTH = 32;

    private final String name;
    private final Supplier<Digest> digests;

    private TreeHasher(String name, Supplier<Digest> digests) {
        this.name = name;
        this.digests = digests;
    }

    public byte[] emptyRoot() {
        return finish(digests.get());
    }

    public byte[] leaf(byte[] entry) {
        Digest d = digests.get();
        d.update((byte) 0x00);
        d.update(entry, 0, entry.length);
        return finish(d);
    }

    public byte[] node(byte[] left, byte[] right) {
        requireHash(left);
        requireHash(right);
        Digest d = digests.get();
        d.update((byte) 0x01);
        d.update(left, 0, LENGTH);
        d.update(right, 0, LENGTH);
        return finish(d);
    }

    static void requireHash(byte[] h) {
        if (h == null || h.length != LENGTH) {
            throw new IllegalArgumentException("a tree hash is " + LENGTH + " bytes");
        }
    }

    private static byte[] finish(Digest d) {
        byte[] out = new byte[d.getDigestSize()];
        d.doFinal(out, 0);
        return out;
    }

    @Override
    public String toString() {
        return name;
    }
}
