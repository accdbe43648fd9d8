package cn.midang.keys.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.keys.KeysException;
import cn.midang.keys.testkit.TestPki;
import cn.midang.keys.pki.Identity;
import java.nio.file.Path;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provider's SM4 against GB/T 32907, and our SM2 key transport both ways. */
class StandardVectorsTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void sm4_gbT32907Example_encryptsToPublishedCiphertext() throws Exception {
        byte[] k = HEX.parseHex("0123456789abcdeffedcba9876543210");
        Cipher c = Cipher.getInstance("SM4/ECB/NoPadding", Bc.PROVIDER);
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(k, "SM4"));
        assertThat(HEX.formatHex(c.doFinal(k))).isEqualTo("681edf34d206965e86b3e94f536e4246");
    }

    @Test
    void sm4_gbT32907Example_millionIterations() throws Exception {
        byte[] k = HEX.parseHex("0123456789abcdeffedcba9876543210");
        Cipher c = Cipher.getInstance("SM4/ECB/NoPadding", Bc.PROVIDER);
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(k, "SM4"));
        byte[] block = k.clone();
        for (int i = 0; i < 1_000_000; i++) {
            c.update(block, 0, 16, block, 0);
        }
        assertThat(HEX.formatHex(block)).isEqualTo("595298c7c6fd271f0402f804c33d3f66");
    }

    @Test
    void sm2KeyTransport_roundTrip_returnsKey(@TempDir Path dir) throws Exception {
        TestPki pki = TestPki.create(dir);
        Identity alice = pki.person("alice", "unit", "Unit A");
        byte[] key = HEX.parseHex("00112233445566778899aabbccddeeff");
        byte[] blob = Sm2KeyTransport.encrypt(alice.certificate(), key);
        assertThat(blob[0]).isEqualTo((byte) 0x30); // DER SM2Cipher, not raw C1C3C2
        assertThat(Sm2KeyTransport.decrypt(Access.pki().privateKey(alice), blob)).isEqualTo(key);
    }

    @Test
    void sm2KeyTransport_otherKey_isRefused(@TempDir Path dir) throws Exception {
        TestPki pki = TestPki.create(dir);
        Identity alice = pki.person("alice", "unit", "Unit A");
        Identity bob = pki.person("bob", "unit", "Unit B");
        byte[] blob = Sm2KeyTransport.encrypt(alice.certificate(), new byte[16]);
        assertThatThrownBy(() -> Sm2KeyTransport.decrypt(Access.pki().privateKey(bob), blob))
                .isInstanceOf(KeysException.class)
                .extracting(e -> ((KeysException) e).reason()).isEqualTo(KeysException.Reason.TAMPERED);
    }
}
