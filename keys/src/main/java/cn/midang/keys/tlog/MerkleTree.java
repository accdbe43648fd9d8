package cn.midang.keys.tlog;

import cn.midang.keys.KeysException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * The Merkle tree of RFC 9162 (section 2.1), read through the hashes of its complete subtrees:
 * tree heads of any size, inclusion proofs (PATH, 2.1.3.1) and consistency proofs (PROOF,
 * 2.1.4.1), made with the standard's recursive definitions over ranges of leaves, and the
 * standard's verification algorithms (2.1.3.2, 2.1.4.2), which need nothing but the proof.
 *
 * <p>Every range the definitions split off on the left is a complete subtree aligned on its
 * size, so a tree of {@code n} leaves is known through at most {@code log2 n} lookups per range.
 */
public final class MerkleTree {

    /** The hashes of complete subtrees: {@code subtree(h, i)} is MTH(D[i·2^h : (i+1)·2^h]). */
    public interface Subtrees {
        byte[] subtree(int height, long index) throws KeysException;
    }

    private final TreeHasher hasher;
    private final Subtrees subtrees;

    public MerkleTree(TreeHasher hasher, Subtrees subtrees) {
        this.hasher = hasher;
        this.subtrees = subtrees;
    }

    /** MTH(D[0:size]), the tree head at {@code size}. */
    public byte[] root(long size) throws KeysException {
        if (size < 0) {
            throw new IllegalArgumentException("negative tree size");
        }
        return size == 0 ? hasher.emptyRoot() : hash(0, size);
    }

    /** PATH(index, D[0:size]): the hashes that lead leaf {@code index} to the head of a tree of {@code size}. */
    public List<byte[]> inclusionProof(long index, long size) throws KeysException {
        if (index < 0 || index >= size) {
            throw new IllegalArgumentException("leaf " + index + " is not in a tree of " + size);
        }
        List<byte[]> out = new ArrayList<>();
        path(index, 0, size, out);
        return out;
    }

    /** PROOF(first, D[0:second]): that the tree of {@code second} extends the tree of {@code first}; empty when one is 0 or they are equal. */
    public List<byte[]> consistencyProof(long first, long second) throws KeysException {
        if (first < 0 || first > second) {
            throw new IllegalArgumentException("no consistency proof from " + first + " to " + second);
        }
        List<byte[]> out = new ArrayList<>();
        if (first > 0 && first < second) {
            subproof(first, 0, second, true, out);
        }
        return out;
    }

    private byte[] hash(long start, long end) throws KeysException {
        long n = end - start;
        if (Long.bitCount(n) == 1 && start % n == 0) {
            return subtrees.subtree(Long.numberOfTrailingZeros(n), start / n);
        }
        long k = splitOf(n);
        return hasher.node(hash(start, start + k), hash(start + k, end));
    }

    private void path(long m, long start, long end, List<byte[]> out) throws KeysException {
        long n = end - start;
        if (n == 1) {
            return;
        }
        long k = splitOf(n);
        if (m < start + k) {
            path(m, start, start + k, out);
            out.add(hash(start + k, end));
        } else {
            path(m, start + k, end, out);
            out.add(hash(start, start + k));
        }
    }

    private void subproof(long m, long start, long end, boolean whole, List<byte[]> out) throws KeysException {
        long n = end - start;
        if (m - start == n) {
            if (!whole) {
                out.add(hash(start, end));
            }
            return;
        }
        long k = splitOf(n);
        if (m - start <= k) {
            subproof(m, start, start + k, whole, out);
            out.add(hash(start + k, end));
        } else {
            subproof(m, start + k, end, false, out);
            out.add(hash(start, start + k));
        }
    }

    /** The largest power of two smaller than {@code n} (n ≥ 2): where RFC 9162 splits a tree. */
    static long splitOf(long n) {
        return Long.highestOneBit(n - 1);
    }

    /**
     * RFC 9162 2.1.3.2: true when {@code proof} leads {@code leafHash} at {@code index} to
     * {@code root} of a tree of {@code size}. Never throws on a hostile proof.
     */
    public static boolean verifyInclusion(TreeHasher hasher, long index, long size, byte[] leafHash, List<byte[]> proof,
            byte[] root) {
        if (index < 0 || index >= size || !isHash(leafHash) || !isHash(root) || proof == null || proof.size() > 64) {
            return false;
        }
        long fn = index;
        long sn = size - 1;
        byte[] r = leafHash;
        for (byte[] p : proof) {
            if (sn == 0 || !isHash(p)) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = hasher.node(p, r);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                r = hasher.node(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && MessageDigest.isEqual(r, root);
    }

    /**
     * RFC 9162 2.1.4.2: true when {@code proof} shows that the tree of {@code second} with head
     * {@code secondRoot} extends the tree of {@code first} with head {@code firstRoot}. Equal
     * sizes need equal heads and an empty proof; the empty tree is extended by every tree.
     */
    public static boolean verifyConsistency(TreeHasher hasher, long first, long second, byte[] firstRoot, byte[] secondRoot,
            List<byte[]> proof) {
        if (first < 0 || first > second || !isHash(firstRoot) || !isHash(secondRoot) || proof == null || proof.size() > 64) {
            return false;
        }
        if (first == 0) {
            return proof.isEmpty() && MessageDigest.isEqual(firstRoot, hasher.emptyRoot());
        }
        if (first == second) {
            return proof.isEmpty() && MessageDigest.isEqual(firstRoot, secondRoot);
        }
        if (proof.isEmpty()) {
            return false;
        }
        List<byte[]> path = new ArrayList<>(proof.size() + 1);
        if (Long.bitCount(first) == 1) {
            path.add(firstRoot);
        }
        path.addAll(proof);
        for (byte[] p : path) {
            if (!isHash(p)) {
                return false;
            }
        }
        long fn = first - 1;
        long sn = second - 1;
        while ((fn & 1) == 1) {
            fn >>= 1;
            sn >>= 1;
        }
        byte[] fr = path.get(0);
        byte[] sr = path.get(0);
        for (byte[] c : path.subList(1, path.size())) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = hasher.node(c, fr);
                sr = hasher.node(c, sr);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                sr = hasher.node(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && MessageDigest.isEqual(fr, firstRoot) && MessageDigest.isEqual(sr, secondRoot);
    }

    private static boolean isHash(byte[] h) {
        return h != null && h.length == TreeHasher.LENGTH;
    }
}
