package cn.midang.keys.seal;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.keys.testkit.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OpenSSL's SM4-CTR, which no one here wrote, produces the same bytes as the index cipher. */
class PositionalCipherOpenSslIT {

    @TempDir
    Path dir;

    @Test
    void apply_equalsOpensslSm4Ctr() throws Exception {
        Random r = new Random(42);
        byte[] key = new byte[16];
        byte[] iv = new byte[16];
        byte[] plain = new byte[70_001];
        r.nextBytes(key);
        r.nextBytes(iv);
        r.nextBytes(plain);
        Files.write(dir.resolve("plain.bin"), plain);
        Processes.ok(dir, Map.of(), "openssl", "enc", "-sm4-ctr", "-K", HexFormat.of().formatHex(key), "-iv",
                HexFormat.of().formatHex(iv), "-in", "plain.bin", "-out", "ct.bin");
        byte[] ours = plain.clone();
        PositionalCipher.fromKeyBytes(key).apply(iv, 0, ours, 0, ours.length);
        assertThat(ours).isEqualTo(Files.readAllBytes(dir.resolve("ct.bin")));
    }
}
