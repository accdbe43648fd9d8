package cn.midang.keys.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.SM4Engine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The native backend (libgcrypt through FFM) against published vectors and against Bouncy
 * Castle: SM3 (GB/T 32905 examples), SM4 (GB/T 32907 example, also 1,000,000 iterations), SM4-GCM
 * (RFC 8998 Appendix A.1), and random sizes and piece boundaries both ways.
 */
class CryptoBackendTest {

    static final HexFormat HEX = HexFormat.of();
    static CryptoBackend.Native nat;

    @BeforeAll
    static void nativeBackend() {
        // CI installs libgcrypt20 (.ci/run): there the native backend must be present, not skipped.
        if (System.getenv("CI") != null || System.getenv("MIDANG_REQUIRE_NATIVE") != null) {
            assertThat(CryptoBackend.nativeBackend()).as("libgcrypt backend: %s", CryptoBackend.nativeUnavailable()).isNotNull();
        }
        assumeTrue(CryptoBackend.nativeBackend() != null, () -> "no native backend: " + CryptoBackend.nativeUnavailable());
        nat = CryptoBackend.nativeBackend();
    }

    static byte[] sm3(CryptoBackend b, byte[] data) {
        CryptoBackend.Sm3 d = b.sm3();
        d.update(data, 0, data.length);
        return d.digest();
    }

    @Test
    void sm3_gbt32905Examples() {
        assertThat(HEX.formatHex(sm3(nat, "abc".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
        assertThat(HEX.formatHex(sm3(nat, "abcd".repeat(16).getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
    }

    @Test
    void aSmallKnownLengthInput_isHashedOnBouncyCastle_aLargeOneOnTheChosenBackend_andATestsChoiceWins() throws Exception {
        assertThat(CryptoBackend.sm3For(CryptoBackend.SMALL_SM3 - 1).getClass().getEnclosingClass()).isEqualTo(CryptoBackend.BouncyCastle.class);
        assertThat(CryptoBackend.sm3For(CryptoBackend.SMALL_SM3).getClass().getEnclosingClass())
                .isEqualTo(CryptoBackend.current().getClass());
        try (AutoCloseable scope = CryptoBackend.use(nat)) {
            assertThat(CryptoBackend.sm3For(10).getClass().getEnclosingClass()).isEqualTo(CryptoBackend.Native.class);
        }
        // A stream's digest hashes on a second thread past its first buffer; one given in one piece, on this one.
        assertThat(nat.sm3()).isInstanceOf(Sm3Pipeline.class);
        assertThat(HEX.formatHex(cn.midang.keys.digest.Sm3.digest("abc".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
    }

    @Test
    void sm3_randomSizesAndPieces_sameAsBouncyCastle() {
        Random r = new Random(32905);
        for (int i = 0; i < 200; i++) {
            byte[] data = new byte[i < 100 ? i : r.nextInt(3 << 20)];
            r.nextBytes(data);
            CryptoBackend.Sm3 d = nat.sm3();
            for (int off = 0; off < data.length; ) {
                int n = Math.min(data.length - off, r.nextInt(70_000));
                d.update(data, off, n);
                off += n;
            }
            assertThat(d.digest()).isEqualTo(sm3(CryptoBackend.BOUNCY_CASTLE, data));
        }
    }

    /**
     * GB/T 32907 Appendix A: one block, and the same block encrypted 1,000,000 times. Native SM4 is
     * reached through GCM: its counter block J0+1 is the block, XORed with zero content.
     */
    @Test
    void sm4_gbt32907Example_onceAndAMillionTimes() {
        byte[] key = HEX.parseHex("0123456789abcdeffedcba9876543210");
        byte[] block = key.clone();
        assertThat(HEX.formatHex(sm4(key, block))).isEqualTo("681edf34d206965e86b3e94f536e4246");
        for (int i = 0; i < 1_000_000; i++) {
            block = sm4(key, block);
        }
        assertThat(HEX.formatHex(block)).isEqualTo("595298c7c6fd271f0402f804c33d3f66");
    }

    /**
     * One SM4 block step of the chain, computed by Bouncy Castle's engine, after checking that the
     * native cipher agrees on a block derived from it: native GCM's first keystream block for nonce
     * N is SM4(key, N || 00000002), compared with the engine's. So each of the million steps also
     * checks native SM4 on a fresh block, and the end of the chain checks the standard's vector.
     */
    private static byte[] sm4(byte[] key, byte[] x) {
        byte[] nonce = java.util.Arrays.copyOf(x, 12);
        byte[] counter = java.util.Arrays.copyOf(nonce, 16);
        counter[15] = 2;
        byte[] stream = new byte[16];
        CryptoBackend.Gcm g = nat.gcm(true, key, nonce);
        g.update(new byte[16], 0, 16, stream, 0);
        try {
            g.finish(null);
        } catch (InvalidCipherTextException e) {
            throw new AssertionError(e);
        }
        SM4Engine bc = new SM4Engine();
        bc.init(true, new KeyParameter(key));
        byte[] expected = new byte[16];
        bc.processBlock(counter, 0, expected, 0);
        assertThat(stream).as("native keystream = SM4(key, counter)").isEqualTo(expected);
        byte[] out = new byte[16];
        bc.processBlock(x, 0, out, 0);
        return out;
    }

    /** RFC 8998 Appendix A.1: SM4-GCM. */
    @Test
    void sm4Gcm_rfc8998Vector() throws Exception {
        byte[] key = HEX.parseHex("0123456789ABCDEFFEDCBA9876543210");
        byte[] iv = HEX.parseHex("00001234567800000000ABCD");
        byte[] aad = HEX.parseHex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2");
        byte[] plain = HEX.parseHex("AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD"
                + "EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA");
        byte[] expected = HEX.parseHex("17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"
                + "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D");
        byte[] tag = HEX.parseHex("83DE3541E4C2B58177E065A9BF7B62EC");
        CryptoBackend.Gcm e = nat.gcm(true, key, iv);
        e.aad(aad, 0, aad.length);
        byte[] ct = new byte[plain.length];
        e.update(plain, 0, 7, ct, 0);
        e.update(plain, 7, plain.length - 7, ct, 7);
        assertThat(ct).isEqualTo(expected);
        assertThat(e.finish(null)).isEqualTo(tag);

        CryptoBackend.Gcm d = nat.gcm(false, key, iv);
        d.aad(aad, 0, aad.length);
        byte[] back = new byte[ct.length];
        d.update(ct, 0, ct.length, back, 0);
        d.finish(tag);
        assertThat(back).isEqualTo(plain);

        byte[] wrong = tag.clone();
        wrong[0] ^= 1;
        CryptoBackend.Gcm t = nat.gcm(false, key, iv);
        t.aad(aad, 0, aad.length);
        t.update(ct, 0, ct.length, new byte[ct.length], 0);
        assertThatThrownBy(() -> t.finish(wrong)).isInstanceOf(InvalidCipherTextException.class);
    }

    @Test
    void sm4Gcm_randomSizesAndPieces_sameAsBouncyCastle_bothWays() throws Exception {
        Random r = new Random(8998);
        int[] sizes = {0, 1, 15, 16, 17, 31, 32, 33, 4095, 4096, 4097, 65_535, 65_536, 65_537, 10 << 20};
        for (int i = 0; i < sizes.length + 40; i++) {
            int size = i < sizes.length ? sizes[i] : r.nextInt(3 << 20);
            byte[] key = new byte[16];
            byte[] nonce = new byte[12];
            byte[] aad = new byte[r.nextInt(40)];
            byte[] plain = new byte[size];
            r.nextBytes(key);
            r.nextBytes(nonce);
            r.nextBytes(aad);
            r.nextBytes(plain);
            GCMModeCipher bc = GCMBlockCipher.newInstance(new SM4Engine());
            bc.init(true, new AEADParameters(new KeyParameter(key), 128, nonce, aad));
            byte[] bcOut = new byte[bc.getOutputSize(size)];
            int n = bc.processBytes(plain, 0, size, bcOut, 0);
            bc.doFinal(bcOut, n);

            CryptoBackend.Gcm e = nat.gcm(true, key, nonce);
            e.aad(aad, 0, aad.length);
            byte[] ct = new byte[size];
            for (int off = 0; off < size; ) {
                int piece = Math.min(size - off, r.nextInt(3) == 0 ? 16 * (1 + r.nextInt(4096)) : 1 + r.nextInt(70_000));
                e.update(plain, off, piece, ct, off);
                off += piece;
            }
            byte[] tag = e.finish(null);
            assertThat(java.util.Arrays.copyOf(bcOut, size)).as("size %d", size).isEqualTo(ct);
            assertThat(java.util.Arrays.copyOfRange(bcOut, size, size + 16)).as("tag, size %d", size).isEqualTo(tag);

            // And Bouncy Castle's ciphertext decrypts natively.
            CryptoBackend.Gcm d = nat.gcm(false, key, nonce);
            d.aad(aad, 0, aad.length);
            byte[] back = new byte[size];
            d.update(bcOut, 0, size, back, 0);
            d.finish(java.util.Arrays.copyOfRange(bcOut, size, size + 16));
            assertThat(back).isEqualTo(plain);
        }
    }

    @Test
    void sm4Ctr_anyPositionAndLength_sameAsBouncyCastle() {
        Random r = new Random(17964);
        byte[] key = new byte[16];
        r.nextBytes(key);
        int[][] cases = {{0, 0}, {0, 1}, {0, 16}, {15, 1}, {15, 2}, {16, 16}, {1, 4095}, {4096, 4096}, {4095, 4098},
            {7, 65_537}, {(1 << 20) - 3, 1 << 20}};
        for (int i = 0; i < cases.length + 200; i++) {
            if (i % 40 == 39) {
                // A thread keeps its native handle for the last key: a new key, then the same key in a new array.
                key = i % 80 == 79 ? key.clone() : new byte[16];
                if (i % 80 != 79) {
                    r.nextBytes(key);
                }
            }
            long position = i < cases.length ? cases[i][0] : (r.nextBoolean() ? r.nextInt(1 << 20) : r.nextLong() >>> 8);
            int len = i < cases.length ? cases[i][1] : r.nextInt(r.nextBoolean() ? 64 : 70_000);
            byte[] iv = new byte[16];
            r.nextBytes(iv);
            if (i % 3 == 0) {
                java.util.Arrays.fill(iv, 8, 16, (byte) 0xff); // the counter carries into the upper half at once
            }
            byte[] data = new byte[len + 10];
            r.nextBytes(data);
            byte[] viaBc = data.clone();
            byte[] viaNative = data.clone();
            CryptoBackend.BOUNCY_CASTLE.sm4Ctr(key, iv, position, viaBc, 5, len);
            nat.sm4Ctr(key, iv, position, viaNative, 5, len);
            assertThat(viaNative).as("position %d, length %d", position, len).isEqualTo(viaBc);
            nat.sm4Ctr(key, iv, position, viaNative, 5, len);
            assertThat(viaNative).as("twice is the identity").isEqualTo(data);
        }
    }

    @Test
    void sm4Ctr_refusesABadKeyIvOrRange_onBothBackends() {
        for (CryptoBackend b : new CryptoBackend[] {CryptoBackend.BOUNCY_CASTLE, nat}) {
            byte[] buf = new byte[32];
            assertThatThrownBy(() -> b.sm4Ctr(new byte[15], new byte[16], 0, buf, 0, 32)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> b.sm4Ctr(new byte[16], new byte[12], 0, buf, 0, 32)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> b.sm4Ctr(new byte[16], new byte[16], -1, buf, 0, 32)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> b.sm4Ctr(new byte[16], new byte[16], 0, buf, 1, 32)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> b.sm4Ctr(new byte[16], new byte[16], 0, buf, 0, -1)).isInstanceOf(IllegalArgumentException.class);
            assertThat(buf).as("nothing written by a refused call").containsOnly(0);
        }
    }

    @Test
    void theBackendInUseIsNamed() {
        assertThat(CryptoBackend.current().description()).isNotBlank();
        assertThat(nat.description()).startsWith("libgcrypt 1.").endsWith("(native)");
    }
}
