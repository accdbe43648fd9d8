package cn.midang.server;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.cli.net.MidangClient;
import cn.midang.keys.digest.Sm3;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.seal.Opened;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A 2 GiB upload and download through a server whose heap is capped at 512 MiB. */
class LargeUploadIT {

    @TempDir
    Path tmp;

    @Test
    void twoGibibytes_uploadAndDownload_withServerHeapOf512MiB() throws Exception {
        ChildServer.Deployed dev = ChildServer.deployDev(tmp);
        Path big = tmp.resolve("big.bin");
        byte[] block = new byte[1 << 20];
        new Random(7).nextBytes(block);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(big), 1 << 20)) {
            for (int i = 0; i < 2048; i++) {
                block[0] = (byte) i;
                out.write(block);
            }
        }
        String expected;
        try (InputStream in = Files.newInputStream(big)) {
            expected = Sm3.hex(in);
        }
        ChildServer server = ChildServer.start(dev, tmp.resolve("server.log"), "-Xmx512m", "-XX:+UseSerialGC");
        try {
            Identity unitA = dev.identity("unit-a");
            MidangClient client = new MidangClient(server.uri(), unitA, Clock.systemUTC());
            MidangClient.Submitted s = client.submit(big, "demo", "report", null);
            assertThat(s.receipt().size()).isEqualTo(2L << 30);
            assertThat(s.receipt().contentSm3()).isEqualTo(expected);
            Files.delete(big);
            Path back = tmp.resolve("back.bin");
            Opened o = client.get(s.receipt().id(), back);
            assertThat(HexFormat.of().formatHex(o.contentSm3())).isEqualTo(expected);
            assertThat(Files.size(back)).isEqualTo(2L << 30);
            assertThat(server.process().isAlive()).isTrue();
        } finally {
            assertThat(server.stop()).isTrue();
        }
        assertThat(Files.readString(server.log())).doesNotContain("OutOfMemoryError");
    }
}
