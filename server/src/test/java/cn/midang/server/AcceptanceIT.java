package cn.midang.server;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.keys.testkit.Processes;
import cn.midang.keys.testkit.TestPki;
import java.nio.charset.StandardCharsets;
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
 * The acceptance flows of the server and policy issues through the real launchers:
 * bin/midang-server dev on a fresh data directory, bin/midang submit as unit-a, the receipt
 * checked by OpenSSL against server-signing.crt, bin/midang get and compare; unit-b's answer for
 * unit-a's id equals its answer for a random id; the tester cannot read back its own result and
 * nothing reaches the disk, an inspector can; then SIGTERM, a clean stop, and
 * midang-server audit verify.
 */
class AcceptanceIT {

    @TempDir
    Path dir;

    @Test
    void devServer_submitVerifyGet_throughLaunchers() throws Exception {
        Path root = Path.of(System.getProperty("user.dir")).getParent();
        DIR.set(dir);
        Path data = dir.resolve("data");
        Map<String, String> env = new HashMap<>();
        env.put("MIDANG_PASSPHRASE", new String(TestPki.randomPassphrase()));
        env.put("MIDANG_NO_BUILD", "1");
        env.put("MIDANG_LANG", "en");
        Path log = dir.resolve("server.log");
        ProcessBuilder pb = new ProcessBuilder(root.resolve("bin/midang-server").toString(), "dev", "--data", data.toString(),
                "--port", "0").redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process server = pb.start();
        try {
            String port = awaitPort(server, log);
            for (String name : List.of("unit-a", "unit-b", "inspector-info", "inspector-police", "inspector-secrecy", "tester",
                    "approver-info", "approver-police", "approver-secrecy", "leader", "admin")) {
                assertThat(data.resolve("identities/" + name + ".p12")).exists();
            }
            assertThat(data.resolve("server-signing.crt")).exists();
            env.put("MIDANG_SERVER", "http://127.0.0.1:" + port);
            env.put("MIDANG_IDENTITY", data.resolve("identities/unit-a.p12").toString());
            Files.writeString(dir.resolve("自查报告.txt"), "玉溪市政府信息系统安全自查报告（验收）", StandardCharsets.UTF_8);
            Files.write(dir.resolve("报告表.bin"), new byte[3 << 20]);

            Processes.Result submit = midang(root, env, "submit", "--json", "--campaign", "demo", "--kind", "report",
                    "--receipt-dir", dir.resolve("receipts").toString(), "自查报告.txt", "报告表.bin");
            Matcher ids = Pattern.compile("\"id\":\"([0-9a-f]{32})\"").matcher(submit.out());
            List<String> found = new ArrayList<>();
            while (ids.find()) {
                found.add(ids.group(1));
            }
            assertThat(found).hasSize(2);
            String id = found.get(0);

            Processes.ok(dir, env, "openssl", "x509", "-in", data.resolve("server-signing.crt").toString(), "-pubkey", "-noout",
                    "-out", "server.pub");
            Processes.Result v = Processes.ok(dir, env, "openssl", "dgst", "-sm3", "-verify", "server.pub", "-sigopt",
                    "distid:1234567812345678", "-signature", "receipts/" + id + ".receipt.sig", "receipts/" + id + ".receipt");
            assertThat(v.out()).contains("Verified OK");

            midang(root, env, "get", id, "-o", "back.txt");
            assertThat(Files.mismatch(dir.resolve("back.txt"), dir.resolve("自查报告.txt"))).isEqualTo(-1L);

            Map<String, String> asB = new HashMap<>(env);
            asB.put("MIDANG_IDENTITY", data.resolve("identities/unit-b.p12").toString());
            Processes.Result denied = Processes.run(dir, asB, List.of(root.resolve("bin/midang").toString(), "get", id, "-o", "b.txt"));
            assertThat(denied.exit()).isEqualTo(4);
            assertThat(dir.resolve("b.txt")).doesNotExist();

            // Issue 5's acceptance check. C2: unit-b asking for unit-a's id gets what it gets for a random id.
            String random = "0123456789abcdef0123456789abcdef";
            Processes.Result other = Processes.run(dir, asB, List.of(root.resolve("bin/midang").toString(), "get", id, "--json",
                    "-o", "b.txt"));
            Processes.Result missing = Processes.run(dir, asB, List.of(root.resolve("bin/midang").toString(), "get", random, "--json",
                    "-o", "b.txt"));
            assertThat(other.exit()).isEqualTo(missing.exit()).isEqualTo(4);
            assertThat(other.all().replace(id, "ID")).isEqualTo(missing.all().replace(random, "ID"));
            // The tester hands a result in and cannot read it back; nothing is written to disk.
            Map<String, String> asTester = new HashMap<>(env);
            asTester.put("MIDANG_IDENTITY", data.resolve("identities/tester.p12").toString());
            Files.writeString(dir.resolve("检测结果.txt"), "渗透测试结果", StandardCharsets.UTF_8);
            Processes.Result handedIn = midang(root, asTester, "submit", "-q", "--campaign", "demo", "--kind", "test-result",
                    "--unit", "unit-a", "--receipt-dir", dir.resolve("tester-receipts").toString(), "检测结果.txt");
            String result = handedIn.out().strip();
            Processes.Result readBack = Processes.run(dir, asTester, List.of(root.resolve("bin/midang").toString(), "get", result,
                    "-o", "back-by-tester.txt"));
            assertThat(readBack.exit()).as(readBack.all()).isEqualTo(5);
            assertThat(readBack.err()).contains("retention permit");
            assertThat(dir.resolve("back-by-tester.txt")).doesNotExist();
            // An inspector can.
            Map<String, String> asInspector = new HashMap<>(env);
            asInspector.put("MIDANG_IDENTITY", data.resolve("identities/inspector-secrecy.p12").toString());
            midang(root, asInspector, "get", result, "-o", "by-inspector.txt");
            assertThat(Files.readString(dir.resolve("by-inspector.txt"))).isEqualTo("渗透测试结果");
        } finally {
            server.destroy(); // SIGTERM
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(Files.readString(log)).contains("Midang server stopped");
        // After the server stops, the whole audit log verifies.
        Processes.Result audit = Processes.run(dir, Map.of("MIDANG_NO_BUILD", "1"),
                List.of(root.resolve("bin/midang-server").toString(), "audit", "verify", "--data", data.toString()));
        assertThat(audit.exit()).as(audit.all()).isZero();
        assertThat(audit.out()).contains("Audit log intact");
    }

    private static final ThreadLocal<Path> DIR = new ThreadLocal<>();

    static Processes.Result midang(Path root, Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(root.resolve("bin/midang").toString()));
        cmd.addAll(List.of(args));
        Processes.Result r = Processes.run(DIR.get(), env, cmd);
        assertThat(r.exit()).as("midang %s\n%s", String.join(" ", args), r.all()).isZero();
        return r;
    }

    static String awaitPort(Process p, Path log) throws Exception {
        Pattern listening = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            Matcher m = listening.matcher(Files.exists(log) ? Files.readString(log) : "");
            if (m.find()) {
                return m.group(1);
            }
            if (!p.isAlive()) {
                throw new AssertionError("server exited: " + Files.readString(log));
            }
            Thread.sleep(100);
        }
        throw new AssertionError("server did not start: " + Files.readString(log));
    }
}
