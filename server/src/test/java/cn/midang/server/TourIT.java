package cn.midang.server;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.keys.testkit.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's tour, run as written: every {@code sh} block between {@code <!-- tour:start -->}
 * and {@code <!-- tour:end -->}, in order, in one {@code bash -euo pipefail}, in a fresh folder
 * next to a fresh {@code bin/midang-server dev} (only the port 8443 is replaced by the one the
 * server got). A command that fails stops the tour, so the README cannot drift from the product.
 */
class TourIT {

    @TempDir
    Path dir;

    static List<String> tourBlocks(String readme) {
        return blocks(readme, "tour");
    }

    /** The {@code sh} blocks of the README between {@code <!-- NAME:start -->} and {@code <!-- NAME:end -->}, in order. */
    static List<String> blocks(String readme, String name) {
        int start = readme.indexOf("<!-- " + name + ":start -->");
        int end = readme.indexOf("<!-- " + name + ":end -->");
        assertThat(start).as("README has a section %s", name).isPositive();
        assertThat(end).isGreaterThan(start);
        Matcher m = Pattern.compile("```sh\n(.*?)```", Pattern.DOTALL).matcher(readme.substring(start, end));
        List<String> blocks = new ArrayList<>();
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }

    /**
     * A fresh folder {@code dir}/work to run README commands in, as a new user would (bin, config and
     * docs linked from the checkout {@code root}, a fresh HOME, English), and the environment to run them with.
     */
    static Map<String, String> workspace(Path dir, Path root) throws java.io.IOException {
        Path work = Files.createDirectories(dir.resolve("work"));
        Path home = Files.createDirectories(dir.resolve("home"));
        Files.createSymbolicLink(work.resolve("bin"), root.resolve("bin"));
        Files.createSymbolicLink(work.resolve("config"), root.resolve("config"));
        Files.createSymbolicLink(work.resolve("docs"), root.resolve("docs"));
        Map<String, String> env = new HashMap<>();
        env.put("HOME", home.toString());
        env.put("MIDANG_NO_BUILD", "1");
        env.put("LANG", "C.UTF-8");
        env.put("MIDANG_LANG", "");
        return env;
    }

    @Test
    void readmeTour_runsAsWritten() throws Exception {
        Path root = Path.of(System.getProperty("user.dir")).getParent();
        List<String> blocks = tourBlocks(Files.readString(root.resolve("README.md")));
        assertThat(blocks).hasSizeGreaterThanOrEqualTo(2);

        Map<String, String> env = workspace(dir, root);
        Path work = dir.resolve("work");
        env.put("MIDANG_PASSPHRASE", "");

        Path log = dir.resolve("server.log");
        ProcessBuilder pb = new ProcessBuilder(work.resolve("bin/midang-server").toString(), "dev", "--data", ".midang-dev",
                "--port", "0").directory(work.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        pb.environment().remove("MIDANG_PASSPHRASE");
        Process server = pb.start();
        try {
            String port = AcceptanceIT.awaitPort(server, log);
            String script = String.join("\n", blocks).replace("127.0.0.1:8443", "127.0.0.1:" + port);
            Processes.Result r = Processes.run(work, env, List.of("bash", "-euo", "pipefail", "-c", script), 600);
            assertThat(r.exit()).as("the tour stopped:\n%s", r.all()).isZero();
            // The two steps that must be refused were refused with their documented exit codes.
            assertThat(r.out()).contains("exit code 4").contains("exit code 5").contains("exit code 6");
            assertThat(work.resolve("检测结果-副本.txt")).doesNotExist();
            assertThat(Files.readString(work.resolve("检测结果-检查组.txt"))).contains("未发现高危漏洞");
            assertThat(r.out()).contains("Verified OK").contains("Good receipt").contains("未报送");
            assertThat(r.out()).contains("您是“unit-a”");
        } finally {
            server.destroy();
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }
}
