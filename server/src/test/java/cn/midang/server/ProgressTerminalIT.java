package cn.midang.server;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.keys.testkit.Processes;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The progress bar as a person sees it: {@code bin/midang submit} of a 100 MiB file run in a
 * pseudo-terminal ({@code script} from util-linux), against a real server. The bar must draw,
 * reach 100 %, and end with a line break before the result; with standard error captured by a
 * script instead of a terminal, no bar is drawn at all.
 */
class ProgressTerminalIT {

    @TempDir
    static Path tmp;

    static DevServer dev;
    static Path big;

    @BeforeAll
    static void start() throws Exception {
        dev = DevServer.startForCli(tmp.resolve("data"));
        big = tmp.resolve("扫描件.bin");
        byte[] chunk = new byte[1 << 20];
        Random r = new Random(7);
        try (OutputStream out = Files.newOutputStream(big)) {
            for (int i = 0; i < 100; i++) {
                r.nextBytes(chunk);
                out.write(chunk);
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        dev.close();
    }

    static Map<String, String> env() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("MIDANG_NO_BUILD", "1");
        env.put("MIDANG_SERVER", dev.uri().toString());
        env.put("MIDANG_IDENTITY", dev.identityFile("unit-a").toString());
        env.put("MIDANG_PASSPHRASE", new String(dev.passphrase));
        env.put("MIDANG_LANG", "en");
        env.put("MIDANG_CONFIG", tmp.resolve("no-config").toString());
        env.put("TERM", "xterm");
        return env;
    }

    static String midang() {
        return Path.of(System.getProperty("user.dir")).getParent().resolve("bin/midang").toString();
    }

    @Test
    void onATerminal_theBarDrawsReaches100PercentAndEndsCleanly() throws Exception {
        Path typescript = tmp.resolve("typescript");
        String command = "stty cols 100; " + midang() + " submit --campaign demo --kind report --receipt-dir "
                + tmp.resolve("receipts") + " " + big;
        Processes.Result r = Processes.run(tmp, env(), List.of("script", "-q", "-e", "-f", "-c", command, typescript.toString()));
        String screen = Files.readString(typescript, StandardCharsets.UTF_8);
        assertThat(r.exit()).as(screen).isZero();
        assertThat(screen).contains("Sealing and uploading 扫描件.bin").doesNotContain("Reading 扫描件.bin")
                .contains("100/100 MiB").contains("MiB/s").contains("100%");
        // Every bar is redrawn in place with carriage returns and finished by a line break, so the
        // result starts on a line of its own.
        int lastBar = screen.lastIndexOf("Sealing and uploading 扫描件.bin 100%");
        int result = screen.indexOf("Submitted " + big);
        assertThat(lastBar).isPositive();
        assertThat(result).isGreaterThan(lastBar);
        String between = screen.substring(lastBar, result);
        assertThat(between).contains("\n");
        assertThat(screen.substring(result)).doesNotContain("MiB/s").doesNotContain("\r" + "Sealing and uploading");
        // The time left is shown while the transfer runs (h:mm:ss after the elapsed time).
        assertThat(screen).containsPattern("\\(\\d:\\d\\d:\\d\\d / \\d:\\d\\d:\\d\\d\\)");
    }

    @Test
    void withStandardErrorCaptured_noBarIsDrawn() throws Exception {
        Processes.Result r = Processes.run(tmp, env(), List.of(midang(), "submit", "--campaign", "demo", "--kind", "report",
                "--receipt-dir", tmp.resolve("receipts2").toString(), big.toString()));
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).contains("Submitted").doesNotContain("%");
    }
}
