package cn.midang.keys.seal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.keys.KeysException;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.testkit.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordCipherTest {

    @TempDir
    Path dir;

    static final byte[] TEXT = "政务外网边界未使用商用密码设备".getBytes(StandardCharsets.UTF_8);

    @Test
    void encrypt_roundTrips_withAFreshNonceEachTime_andHidesTheText() throws Exception {
        RecordCipher c = RecordCipher.generate();
        byte[] a = c.encrypt(TEXT, "findings/demo/unit-b-1/description");
        byte[] b = c.encrypt(TEXT, "findings/demo/unit-b-1/description");
        assertThat(a).isNotEqualTo(b).hasSize(1 + 12 + TEXT.length + 16);
        assertThat(new String(a, StandardCharsets.ISO_8859_1)).doesNotContain(new String(TEXT, StandardCharsets.ISO_8859_1));
        assertThat(c.decrypt(a, "findings/demo/unit-b-1/description")).isEqualTo(TEXT);
    }

    @Test
    void decrypt_refusesAnotherPlace_aChangedByte_aTruncation_andAnotherKey() {
        RecordCipher c = RecordCipher.generate();
        byte[] v = c.encrypt(TEXT, "findings/demo/unit-b-1/description");
        assertThatThrownBy(() -> c.decrypt(v, "findings/demo/unit-a-1/description")).isInstanceOf(KeysException.class)
                .extracting(e -> ((KeysException) e).reason()).isEqualTo(KeysException.Reason.TAMPERED);
        for (int i : new int[] {0, 1, 13, v.length - 1}) {
            byte[] t = v.clone();
            t[i] ^= 1;
            assertThatThrownBy(() -> c.decrypt(t, "findings/demo/unit-b-1/description")).as("byte " + i).isInstanceOf(KeysException.class);
        }
        assertThatThrownBy(() -> c.decrypt(java.util.Arrays.copyOf(v, 20), "findings/demo/unit-b-1/description"))
                .isInstanceOf(KeysException.class);
        assertThatThrownBy(() -> RecordCipher.generate().decrypt(v, "findings/demo/unit-b-1/description"))
                .isInstanceOf(KeysException.class);
    }

    @Test
    void theKey_opensOnlyAsSealedByItsHolder() throws Exception {
        TestPki pki = TestPki.create(dir);
        Identity server = pki.person("archive", "server", "midang");
        RecordCipher c = RecordCipher.generate();
        byte[] v = c.encrypt(TEXT, "x");
        byte[] sealed = c.sealKey(server, pki.clock);
        assertThat(RecordCipher.openKey(sealed, server, pki.validator()).decrypt(v, "x")).isEqualTo(TEXT);
        assertThatThrownBy(() -> RecordCipher.openKey(PositionalCipher.generate().sealKey(server, pki.clock), server, pki.validator()))
                .as("an index key is not a record key").isInstanceOf(KeysException.class);
    }
}
