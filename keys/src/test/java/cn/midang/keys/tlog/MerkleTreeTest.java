package cn.midang.keys.tlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The tree against RFC 6962/9162: the published SHA-256 vectors first (so the code is right
 * before it runs on SM3), then the proofs made through tiles against the RFC's recursive
 * definitions computed from the plain list of leaves, for 1,000 random pairs of sizes.
 */
class MerkleTreeTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final List<byte[]> ENTRIES = hex("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
            "606162636465666768696a6b6c6d6e6f");
    private static final List<String> ROOTS = List.of(
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

    private static List<byte[]> hex(String... h) {
        List<byte[]> out = new ArrayList<>();
        for (String s : h) {
            out.add(HEX.parseHex(s));
        }
        return out;
    }

    private static List<byte[]> leaves(TreeHasher hasher, List<byte[]> entries) {
        return entries.stream().map(hasher::leaf).toList();
    }

    private static List<String> hexes(List<byte[]> proof) {
        return proof.stream().map(HEX::formatHex).toList();
    }

    @Test
    void rfc6962Vectors_rootsOfEverySize() throws Exception {
        List<byte[]> leaves = leaves(TreeHasher.SHA256, ENTRIES);
        for (int n = 0; n <= 8; n++) {
            MemoryTiles tiles = new MemoryTiles(TreeHasher.SHA256).append(leaves.subList(0, n));
            assertThat(HEX.formatHex(tiles.tree().root(n))).as("size %d", n).isEqualTo(ROOTS.get(n));
        }
    }

    @Test
    void rfc6962Vectors_inclusionAndConsistencyProofs() throws Exception {
        MerkleTree tree = new MemoryTiles(TreeHasher.SHA256).append(leaves(TreeHasher.SHA256, ENTRIES)).tree();
        assertThat(hexes(tree.inclusionProof(0, 8))).containsExactly(
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
        assertThat(hexes(tree.inclusionProof(5, 8))).containsExactly(
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7");
        assertThat(hexes(tree.consistencyProof(2, 8))).containsExactly(
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
        assertThat(hexes(tree.consistencyProof(6, 8))).containsExactly(
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7");
        assertThat(hexes(tree.consistencyProof(2, 5))).containsExactly(
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b");
        for (int m = 0; m <= 8; m++) {
            for (int n = m; n <= 8; n++) {
                assertThat(MerkleTree.verifyConsistency(TreeHasher.SHA256, m, n, HEX.parseHex(ROOTS.get(m)),
                        HEX.parseHex(ROOTS.get(n)), tree.consistencyProof(m, n))).as("%d→%d", m, n).isTrue();
            }
        }
        List<byte[]> leaves = leaves(TreeHasher.SHA256, ENTRIES);
        for (int n = 1; n <= 8; n++) {
            for (int i = 0; i < n; i++) {
                assertThat(MerkleTree.verifyInclusion(TreeHasher.SHA256, i, n, leaves.get(i), tree.inclusionProof(i, n),
                        HEX.parseHex(ROOTS.get(n)))).as("%d in %d", i, n).isTrue();
            }
        }
    }

    /** The RFC's definitions, straight from the list of leaf hashes: the reference the tiles are held to. */
    static final class Reference {
        final TreeHasher h;
        final List<byte[]> d;
        /** Heads of complete subtrees already computed: the definitions, remembered, so 70,000 leaves take seconds. */
        final java.util.Map<Long, byte[]> complete = new java.util.HashMap<>();

        Reference(TreeHasher h, List<byte[]> leaves) {
            this.h = h;
            this.d = leaves;
        }

        byte[] mth(int from, int to) {
            int n = to - from;
            if (n == 0) {
                return h.emptyRoot();
            }
            if (n == 1) {
                return d.get(from);
            }
            boolean perfect = Integer.bitCount(n) == 1;
            long key = ((long) from << 32) | to;
            if (perfect && complete.containsKey(key)) {
                return complete.get(key);
            }
            int k = Integer.highestOneBit(n - 1);
            byte[] head = h.node(mth(from, from + k), mth(from + k, to));
            if (perfect) {
                complete.put(key, head);
            }
            return head;
        }

        List<byte[]> path(int m, int from, int to) {
            int n = to - from;
            List<byte[]> out = new ArrayList<>();
            if (n <= 1) {
                return out;
            }
            int k = Integer.highestOneBit(n - 1);
            if (m < k) {
                out.addAll(path(m, from, from + k));
                out.add(mth(from + k, to));
            } else {
                out.addAll(path(m - k, from + k, to));
                out.add(mth(from, from + k));
            }
            return out;
        }

        List<byte[]> subproof(int m, int from, int to, boolean b) {
            int n = to - from;
            List<byte[]> out = new ArrayList<>();
            if (m == n) {
                if (!b) {
                    out.add(mth(from, to));
                }
                return out;
            }
            int k = Integer.highestOneBit(n - 1);
            if (m <= k) {
                out.addAll(subproof(m, from, from + k, b));
                out.add(mth(from + k, to));
            } else {
                out.addAll(subproof(m - k, from + k, to, false));
                out.add(mth(from, from + k));
            }
            return out;
        }
    }

    @Test
    void thousandRandomPairs_proofsFromTilesEqualTheReference_andVerify() throws Exception {
        Random random = new Random(9162);
        int max = 70_000;
        List<byte[]> leaves = new ArrayList<>();
        for (int i = 0; i < max; i++) {
            leaves.add(TreeHasher.SM3.leaf(("entry " + i).getBytes()));
        }
        MemoryTiles tiles = new MemoryTiles(TreeHasher.SM3);
        // grown in uneven batches, as rounds of the log grow it
        for (int at = 0; at < max; ) {
            int batch = Math.min(max - at, 1 + random.nextInt(700));
            tiles.append(leaves.subList(at, at + batch));
            at += batch;
        }
        Reference ref = new Reference(TreeHasher.SM3, leaves);
        MerkleTree tree = tiles.tree();
        for (int pair = 0; pair < 1000; pair++) {
            int n = 1 + (pair % 4 == 0 ? random.nextInt(600) : random.nextInt(max));
            int m = 1 + random.nextInt(n);
            byte[] rootM = ref.mth(0, m);
            byte[] rootN = ref.mth(0, n);
            assertThat(tree.root(n)).isEqualTo(rootN);
            List<byte[]> proof = tree.consistencyProof(m, n);
            List<byte[]> expected = m == n ? List.of() : ref.subproof(m, 0, n, true);
            assertThat(hexes(proof)).as("PROOF(%d, %d)", m, n).isEqualTo(hexes(expected));
            assertThat(MerkleTree.verifyConsistency(TreeHasher.SM3, m, n, rootM, rootN, proof)).as("%d→%d", m, n).isTrue();
            if (m < n) {
                assertThat(MerkleTree.verifyConsistency(TreeHasher.SM3, m, n, rootN, rootN, proof)).as("another first head").isFalse();
            }
            int i = random.nextInt(n);
            List<byte[]> path = tree.inclusionProof(i, n);
            assertThat(hexes(path)).isEqualTo(hexes(ref.path(i, 0, n)));
            assertThat(MerkleTree.verifyInclusion(TreeHasher.SM3, i, n, leaves.get(i), path, rootN)).isTrue();
        }
    }

    @Test
    void mangledProofs_areRefused_everyWay() throws Exception {
        TreeHasher h = TreeHasher.SM3;
        List<byte[]> leaves = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            leaves.add(h.leaf(new byte[] {(byte) i, (byte) (i * 7)}));
        }
        MerkleTree tree = new MemoryTiles(h).append(leaves).tree();
        Reference ref = new Reference(h, leaves);
        for (int n = 2; n <= 40; n++) {
            byte[] root = ref.mth(0, n);
            for (int i = 0; i < n; i++) {
                List<byte[]> p = tree.inclusionProof(i, n);
                assertThat(MerkleTree.verifyInclusion(h, i, n, leaves.get(i), p, root)).isTrue();
                assertThat(MerkleTree.verifyInclusion(h, (i + 1) % n, n, leaves.get(i), p, root)).as("another index").isFalse();
                assertThat(MerkleTree.verifyInclusion(h, i, n, leaves.get((i + 1) % n), p, root)).as("another leaf").isFalse();
                if (n < 40) {
                    assertThat(MerkleTree.verifyInclusion(h, i, n + 1, leaves.get(i), p, ref.mth(0, n + 1))).as("another size")
                            .isFalse();
                }
                assertThat(MerkleTree.verifyInclusion(h, i, n, leaves.get(i), p.subList(0, p.size() - 1), root)).isFalse();
                List<byte[]> longer = new ArrayList<>(p);
                longer.add(new byte[32]);
                assertThat(MerkleTree.verifyInclusion(h, i, n, leaves.get(i), longer, root)).isFalse();
                List<byte[]> flipped = new ArrayList<>(p);
                byte[] last = flipped.get(p.size() - 1).clone();
                last[7] ^= 1;
                flipped.set(p.size() - 1, last);
                assertThat(MerkleTree.verifyInclusion(h, i, n, leaves.get(i), flipped, root)).isFalse();
            }
            for (int m = 1; m < n; m++) {
                List<byte[]> p = tree.consistencyProof(m, n);
                byte[] rootM = ref.mth(0, m);
                assertThat(MerkleTree.verifyConsistency(h, m, n, rootM, root, p)).isTrue();
                assertThat(MerkleTree.verifyConsistency(h, m, n, rootM, ref.mth(0, n - 1), p)).as("another second head").isFalse();
                assertThat(MerkleTree.verifyConsistency(h, m, n, root, root, p)).as("another first head").isFalse();
                assertThat(MerkleTree.verifyConsistency(h, m, n, rootM, root, p.subList(0, p.size() - 1))).isFalse();
                List<byte[]> longer = new ArrayList<>(p);
                longer.add(new byte[32]);
                assertThat(MerkleTree.verifyConsistency(h, m, n, rootM, root, longer)).isFalse();
                List<byte[]> flipped = new ArrayList<>(p);
                byte[] first = flipped.get(0).clone();
                first[3] ^= (byte) 0x80;
                flipped.set(0, first);
                assertThat(MerkleTree.verifyConsistency(h, m, n, rootM, root, flipped)).isFalse();
            }
        }
        byte[] r4 = ref.mth(0, 4);
        assertThat(MerkleTree.verifyConsistency(h, 4, 4, r4, r4, List.of())).isTrue();
        assertThat(MerkleTree.verifyConsistency(h, 4, 4, r4, ref.mth(0, 5), List.of())).isFalse();
        assertThat(MerkleTree.verifyConsistency(h, 4, 4, r4, r4, List.of(new byte[32]))).isFalse();
        assertThat(MerkleTree.verifyConsistency(h, 0, 8, h.emptyRoot(), ref.mth(0, 8), List.of())).isTrue();
        assertThat(MerkleTree.verifyConsistency(h, 0, 8, r4, ref.mth(0, 8), List.of())).isFalse();
        assertThat(MerkleTree.verifyConsistency(h, 8, 4, ref.mth(0, 8), r4, tree.consistencyProof(4, 8))).isFalse();
        assertThat(MerkleTree.verifyInclusion(h, 8, 8, leaves.get(0), tree.inclusionProof(0, 8), ref.mth(0, 8))).isFalse();
        assertThat(MerkleTree.verifyInclusion(h, -1, 8, leaves.get(0), tree.inclusionProof(0, 8), ref.mth(0, 8))).isFalse();
        assertThat(MerkleTree.verifyInclusion(h, 0, 8, new byte[31], tree.inclusionProof(0, 8), ref.mth(0, 8))).isFalse();
        assertThat(MerkleTree.verifyInclusion(h, 0, 8, leaves.get(0), null, ref.mth(0, 8))).isFalse();
        assertThatThrownBy(() -> tree.inclusionProof(40, 40)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tree.consistencyProof(5, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tree.root(41)).isInstanceOf(cn.midang.keys.KeysException.class);
    }

    @Test
    void sm3AndSha256TreesDiffer_theHashIsNotAnAfterthought() throws Exception {
        List<byte[]> sha = leaves(TreeHasher.SHA256, ENTRIES);
        List<byte[]> sm3 = leaves(TreeHasher.SM3, ENTRIES);
        byte[] a = new MemoryTiles(TreeHasher.SHA256).append(sha).tree().root(8);
        byte[] b = new MemoryTiles(TreeHasher.SM3).append(sm3).tree().root(8);
        assertThat(b).isEqualTo(new Reference(TreeHasher.SM3, sm3).mth(0, 8)).isNotEqualTo(a);
        assertThat(HEX.formatHex(TreeHasher.SM3.emptyRoot()))
                .isEqualTo("1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b");
    }
}
