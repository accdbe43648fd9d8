package cn.midang.server;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.keys.testkit.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/demo} as a user runs it: the whole notice process against a fresh dev server, each
 * step one line; it exits non-zero on the first step that does not behave as the SPEC says.
 */
class DemoIT {

    @TempDir
    Path dir;

    @Test
    void binDemo_runsTheWholeProcess() throws Exception {
        Path root = Path.of(System.getProperty("user.dir")).getParent();
        Path keep = dir.resolve("demo");
        Processes.Result r = Processes.run(dir, Map.of("MIDANG_NO_BUILD", "1", "LANG", "C.UTF-8"),
                List.of(root.resolve("bin/demo").toString(), "--keep", keep.toString()), 600);
        System.out.println(r.out());
        assertThat(r.exit()).as("bin/demo stopped:\n%s", r.all()).isZero();
        assertThat(r.out()).contains("all 47 steps behaved as SPEC.md says").doesNotContain("✗");
        assertThat(r.out().lines().filter(l -> l.matches("\\s*\\d+ ✓ .*"))).hasSize(48);
        // what the demo left behind is what it claims: a tester's copy was never written, the summary verifies
        assertThat(keep.resolve("检测结果-副本.txt")).doesNotExist();
        assertThat(Files.list(keep.resolve("汇总")).map(p -> p.getFileName().toString()).toList())
                .contains("ca.pem", "info-office.pem", "public-security.pem", "secrecy-bureau.pem")
                .anyMatch(n -> n.endsWith(".docx")).anyMatch(n -> n.endsWith(".json.secrecy-bureau.sig"));
    }
}
