package cn.midang.server;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.keys.testkit.Processes;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's production section, run as written (issue 21): every {@code sh} block between
 * {@code <!-- production:start -->} and {@code <!-- production:end -->}, in order, in one
 * {@code bash -euo pipefail}, in an empty folder, with the real launchers — an offline CA, the
 * server initialised from the CA's public part and the first administrator's certificate, its own
 * certificates issued from its requests, HTTPS with the pinned transport key, enrolment, a unit's
 * report searched by an inspector, a disabled account, a revoked certificate refused once the CRL
 * is published, a renewal; the archive key split among the three departments' approvers, the
 * server sealed until two of them unseal it. Only the port 8443 is replaced by a free one.
 */
class ProductionTourIT {

    @TempDir
    Path dir;

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void readmeProductionSection_runsAsWritten() throws Exception {
        Path root = Path.of(System.getProperty("user.dir")).getParent();
        List<String> blocks = TourIT.blocks(Files.readString(root.resolve("README.md")), "production");
        assertThat(blocks).hasSizeGreaterThanOrEqualTo(4);
        Map<String, String> env = TourIT.workspace(dir, root);
        Path work = dir.resolve("work");
        // The server started in the background by the section is stopped when the script ends, however it ends.
        String script = "trap 'kill $(jobs -p) 2>/dev/null; wait' EXIT\n"
                + String.join("\n", blocks).replace("8443", Integer.toString(freePort()));
        Processes.Result r = Processes.run(work, env, List.of("bash", "-euo", "pipefail", "-c", script), 1200);
        String all = r.out() + "\n" + r.err();
        assertThat(r.exit()).as("the production section stopped:\n%s\n--- server.log:\n%s", all,
                Files.exists(work.resolve("server.log")) ? Files.readString(work.resolve("server.log")) : "(none)").isZero();

        // The CA's private key never reached the server's data directory
        try (Stream<Path> files = Files.walk(work.resolve("srv"))) {
            assertThat(files.map(p -> p.getFileName().toString())).doesNotContain("ca.p12");
        }
        // HTTPS, pinned
        assertThat(all).contains("https://127.0.0.1:").contains("TLS certificate SHA-256: ");
        // Refused where the README says, each with its own reason
        assertThat(all).contains("(unknown_account)").contains("(account_disabled)").contains("(certificate_revoked)");
        assertThat(all.split("exit code 3", -1)).hasSize(6);
        // Sealed until two of the three key holders unsealed it; then it serves (issue 16)
        assertThat(all).contains("SEALED: 0 of 2 key shares in").contains("Your share is in: 1 of 2 needed")
                .contains("the archive is unsealed").contains("unsealed: the archive key is open in the server's memory only");
        // A holder replaced: the plan shown, a share without agreement not sent, the archive moved to the next key (issue 16)
        assertThat(all).contains("this unseal replaces the archive key by").contains("This unseal also REPLACES the archive key")
                .contains("exit code 2").contains("every stored package is now addressed to the next key")
                .contains("保密局新审定人.share");
        assertThat(all.split("【国产密码】", -1).length).as("found before and after the rekey").isGreaterThanOrEqualTo(3);
        assertThat(Files.readString(work.resolve("server-rekey.log"))).contains("the archive key is replaced").doesNotContain("ERROR");
        // Enrolled, searched, renewed
        assertThat(all).contains("Enrolled \"公安局检查员\"").contains("【国产密码】").contains("Renewed the account of \"发改委信息科\"");
        assertThat(Files.readString(work.resolve("server.log"))).doesNotContain("ERROR");
    }
}
