package cn.midang.keys.seal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.keys.KeysException;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.testkit.TestPki;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.bouncycastle.crypto.engines.SM4Engine;
import org.bouncycastle.crypto.modes.SICBlockCipher;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PositionalCipherTest {

    @TempDir
    Path dir;

    static byte[] ctrReference(byte[] key, byte[] iv, byte[] plain) {
        SICBlockCipher ctr = new SICBlockCipher(new SM4Engine());
        ctr.init(true, new ParametersWithIV(new KeyParameter(key), iv));
        byte[] out = new byte[plain.length];
        ctr.processBytes(plain, 0, plain.length, out, 0);
        return out;
    }

    @Test
    void apply_atAnyOffset_equalsStandardSm4Ctr() {
        // Random each run, replayable: a failure names its seed, and -Dmidang.test.seed=SEED runs it again.
        long seed = Long.getLong("midang.test.seed", System.nanoTime());
        Random r = new Random(seed);
        byte[] key = new byte[16];
        r.nextBytes(key);
        byte[] iv = new byte[16];
        r.nextBytes(iv);
        iv[15] = (byte) 0xf0; // the counter carries into the upper bytes within the first blocks
        byte[] plain = new byte[5000];
        r.nextBytes(plain);
        byte[] expected = ctrReference(key, iv, plain);
        PositionalCipher c = PositionalCipher.fromKeyBytes(key);
        for (int i = 0; i < 200; i++) {
            int from = r.nextInt(plain.length);
            int len = r.nextInt(plain.length - from + 1);
            byte[] part = Arrays.copyOfRange(plain, from, from + len);
            c.apply(iv, from, part, 0, len);
            assertThat(part).as("seed %d (replay with -Dmidang.test.seed=%d), %d+%d", seed, seed, from, len).isEqualTo(Arrays.copyOfRange(expected, from, from + len));
            c.apply(iv, from, part, 0, len);
            assertThat(part).isEqualTo(Arrays.copyOfRange(plain, from, from + len));
        }
    }

    @Test
    void apply_counterCarriesAcrossAllSixteenBytes() {
        byte[] key = HexFormat.of().parseHex("0123456789abcdeffedcba9876543210");
        byte[] iv = new byte[16];
        Arrays.fill(iv, (byte) 0xff);
        byte[] plain = new byte[64];
        assertThat(ctrReference(key, iv, plain)).isEqualTo(apply(key, iv, plain));
    }

    static byte[] apply(byte[] key, byte[] iv, byte[] plain) {
        byte[] b = plain.clone();
        PositionalCipher.fromKeyBytes(key).apply(iv, 0, b, 0, b.length);
        return b;
    }

    @Test
    void sealedKey_opensOnlyForItsHolder() throws Exception {
        TestPki pki = TestPki.create(dir);
        Identity archive = pki.person("archive", "server", "midang");
        Identity other = pki.person("other", "server", "midang");
        PositionalCipher c = PositionalCipher.generate();
        byte[] sealed = c.sealKey(archive, pki.clock);
        PositionalCipher back = PositionalCipher.openKey(sealed, archive, pki.validator());
        byte[] iv = PositionalCipher.newIv();
        byte[] a = new byte[100];
        byte[] b = new byte[100];
        c.apply(iv, 7, a, 0, 100);
        back.apply(iv, 7, b, 0, 100);
        assertThat(a).isEqualTo(b);
        assertThatThrownBy(() -> PositionalCipher.openKey(sealed, other, pki.validator())).isInstanceOfSatisfying(KeysException.class,
                e -> assertThat(e.reason()).isEqualTo(KeysException.Reason.NOT_A_RECIPIENT));
        byte[] flipped = sealed.clone();
        flipped[flipped.length / 2] ^= 1;
        assertThatThrownBy(() -> PositionalCipher.openKey(flipped, archive, pki.validator())).isInstanceOfSatisfying(KeysException.class,
                e -> assertThat(e.reason()).isEqualTo(KeysException.Reason.TAMPERED));
    }

    @Test
    void newIv_isRandom() {
        assertThat(PositionalCipher.newIv()).hasSize(16).isNotEqualTo(PositionalCipher.newIv());
    }
}
