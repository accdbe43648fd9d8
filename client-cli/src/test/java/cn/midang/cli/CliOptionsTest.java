package cn.midang.cli;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.keys.pki.Identity;
import cn.midang.keys.sign.RawSignatures;
import cn.midang.keys.testkit.Processes;
import cn.midang.keys.testkit.TestPki;
import cn.midang.cli.net.MidangClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Global options anywhere on the line, the user's settings file, completion, and offline receipt checks. */
class CliOptionsTest {

    @TempDir
    Path dir;

    String p(String name) {
        return dir.resolve(name).toString();
    }

    @Test
    void globalOptions_work_beforeAndAfterTheSubcommand() {
        CliRunner.Run before = CliRunner.run("--lang", "zh", "--json", "verify", "--cert", p("none.pem"), "--raw-signature",
                p("none.sig"), p("none.txt"));
        CliRunner.Run after = CliRunner.run("verify", "--cert", p("none.pem"), "--raw-signature", p("none.sig"), p("none.txt"),
                "--lang", "zh", "--json");
        assertThat(before.exit()).isEqualTo(ExitCode.NOT_FOUND).isEqualTo(after.exit());
        assertThat(before.err()).isEqualTo(after.err()).startsWith("{").contains("不存在");
        CliRunner.Run nested = CliRunner.run("--lang", "zh", "ca", "crl", "--dir", p("noCA"));
        assertThat(nested.exit()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(nested.err()).contains("不存在");
    }

    @Test
    void settingsFile_suppliesLanguageServerAndIdentity_andTypedOptionsWin() throws Exception {
        Path config = dir.resolve("config");
        Files.writeString(config, "# my settings\nlang = zh\nserver = http://127.0.0.1:1\nidentity = " + p("nobody.p12") + "\n",
                StandardCharsets.UTF_8);
        Map<String, String> env = Map.of("MIDANG_CONFIG", config.toString());
        CliRunner.Run r = CliRunner.run(env, "whoami");
        assertThat(r.exit()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(r.err()).contains("nobody.p12").contains("不存在");
        CliRunner.Run en = CliRunner.run(env, "whoami", "--lang", "en");
        assertThat(en.err()).contains("does not exist");
        CliRunner.Run envWins = CliRunner.run(Map.of("MIDANG_CONFIG", config.toString(), "MIDANG_LANG", "en"), "whoami");
        assertThat(envWins.err()).contains("does not exist");
    }

    @Test
    void settingsFile_withAnUnknownKey_isAUsageErrorNamingIt() throws Exception {
        Path config = dir.resolve("config");
        Files.writeString(config, "sever = http://127.0.0.1:8443\n");
        CliRunner.Run r = CliRunner.run(Map.of("MIDANG_CONFIG", config.toString()), "whoami");
        assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("sever").contains(config.toString()).doesNotContain("Exception");
    }

    @Test
    void noServer_saysHowToNameOne() {
        CliRunner.Run r = CliRunner.run("list");
        assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("MIDANG_SERVER").contains("~/.midang/config");
    }

    @Test
    void completion_bash_completesCommandsAndOptions() throws Exception {
        CliRunner.Run r = CliRunner.run("completion", "bash");
        assertThat(r.exit()).isZero();
        Path script = dir.resolve("midang-completion.bash");
        Files.writeString(script, r.out());
        Processes.Result syntax = Processes.run(dir, Map.of(), List.of("bash", "-n", script.toString()));
        assertThat(syntax.exit()).as(syntax.err()).isZero();
        String probe = "source " + script + "\n"
                + "COMP_WORDS=(midang su); COMP_CWORD=1; COMP_LINE='midang su'; COMP_POINT=9; _complete_midang; echo \"1:${COMPREPLY[*]}\"\n"
                + "COMP_WORDS=(midang submit --ca); COMP_CWORD=2; COMP_LINE='midang submit --ca'; COMP_POINT=18; _complete_midang; "
                + "echo \"2:${COMPREPLY[*]}\"\n";
        Processes.Result done = Processes.run(dir, Map.of(), List.of("bash", "-c", probe));
        assertThat(done.out()).contains("1:submit").contains("2:--campaign");
        assertThat(CliRunner.run("completion", "fish").exit()).isEqualTo(ExitCode.USAGE);
    }

    @Test
    void verifyReceipt_offline_goodTamperedOtherServerAndOriginal() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("pki"));
        Identity server = pki.person("Midang server signing", "server", "midang");
        Path original = dir.resolve("自查报告.txt");
        Files.writeString(original, "玉溪市 自查报告", StandardCharsets.UTF_8);
        long size = Files.size(original);
        String sm3 = cn.midang.keys.digest.Sm3.hex(Files.newInputStream(original));
        String id = "0123456789abcdef0123456789abcdef";
        byte[] receipt = ("{\"campaign\":\"demo\",\"content_sm3\":\"" + sm3 + "\",\"file_name\":\"自查报告.txt\",\"id\":\"" + id
                + "\",\"kind\":\"report\",\"late\":false,\"received_at\":\"2026-11-25T08:00:00Z\",\"sequence\":7,\"server\":\""
                + server.certificate().fingerprint() + "\",\"size\":" + size + ",\"submitter\":\"" + "ab".repeat(32) + "\",\"type\":\"midang-receipt/1\","
                + "\"unit\":\"unit-a\"}").getBytes(StandardCharsets.UTF_8);
        Path rc = Files.createDirectories(dir.resolve("receipts"));
        Path file = rc.resolve(id + ".receipt");
        Files.write(file, receipt);
        Files.write(rc.resolve(id + ".receipt.sig"), RawSignatures.sign(server, receipt));
        Files.writeString(rc.resolve(MidangClient.serverCertificateName(server.certificate().fingerprint())),
                server.certificate().toPem());

        Path ca = dir.resolve("ca.crt");
        pki.ca.certificate().writePem(ca);
        // The certificate beside the receipt is not trusted for being there: --ca (server role) or --cert must say so.
        CliRunner.Run unproven = CliRunner.run("verify", file.toString(), "--original", original.toString());
        assertThat(unproven.exit()).isEqualTo(ExitCode.INTEGRITY);
        assertThat(unproven.err()).contains("NOT verified");
        CliRunner.Run ok = CliRunner.run("verify", file.toString(), "--original", original.toString(), "--ca", ca.toString());
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("Good receipt").contains("自查报告.txt").contains("openssl dgst -sm3 -verify")
                .contains("with the server role");
        CliRunner.Run json = CliRunner.run("verify", "--json", file.toString(), "--ca", ca.toString());
        assertThat(json.out()).contains("\"valid\":true").contains("\"sequence\":7");

        Files.writeString(dir.resolve("other.txt"), "另一份文件");
        CliRunner.Run otherContent = CliRunner.run("verify", file.toString(), "--original", p("other.txt"), "--ca", ca.toString());
        assertThat(otherContent.exit()).isEqualTo(ExitCode.INTEGRITY);
        assertThat(otherContent.err()).contains("NOT the content");

        Identity stranger = pki.person("Someone else", "server", "midang");
        Path strangerPem = dir.resolve("stranger.pem");
        Files.writeString(strangerPem, stranger.certificate().toPem());
        CliRunner.Run otherServer = CliRunner.run("verify", file.toString(), "--cert", strangerPem.toString());
        assertThat(otherServer.exit()).isEqualTo(ExitCode.INTEGRITY);

        // A receipt signed by a unit's own key, naming that key as the server, its certificate beside it: refused both ways.
        Identity unit = pki.person("unit-a", "unit", "unit-a");
        byte[] forged = new String(receipt, StandardCharsets.UTF_8).replace(server.certificate().fingerprint(),
                unit.certificate().fingerprint()).getBytes(StandardCharsets.UTF_8);
        Path forgedDir = Files.createDirectories(dir.resolve("forged"));
        Path forgedFile = forgedDir.resolve(id + ".receipt");
        Files.write(forgedFile, forged);
        Files.write(forgedDir.resolve(id + ".receipt.sig"), RawSignatures.sign(unit, forged));
        Files.writeString(forgedDir.resolve(MidangClient.serverCertificateName(unit.certificate().fingerprint())), unit.certificate().toPem());
        for (CliRunner.Run r : List.of(CliRunner.run("verify", forgedFile.toString(), "--original", original.toString(), "--ca", ca.toString()),
                CliRunner.run("verify", forgedFile.toString(), "--original", original.toString()))) {
            assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCode.INTEGRITY);
            assertThat(r.out()).doesNotContain("Good receipt");
        }

        byte[] tampered = receipt.clone();
        int at = new String(receipt, StandardCharsets.ISO_8859_1).indexOf("\"sequence\":7") + 11;
        tampered[at] = '8';
        Files.write(file, tampered);
        CliRunner.Run bad = CliRunner.run("verify", file.toString());
        assertThat(bad.exit()).isEqualTo(ExitCode.INTEGRITY);
        assertThat(bad.err()).doesNotContain("Exception");
    }

    @Test
    void table_alignsChineseByDisplayWidth() {
        java.io.StringWriter s = new java.io.StringWriter();
        new Table("UNIT", "NAME").row("unit-a", "市公安局").row("unit-bb", "x").print(new java.io.PrintWriter(s));
        String[] lines = s.toString().split("\n");
        assertThat(lines[0]).isEqualTo("UNIT     NAME");
        assertThat(lines[1]).isEqualTo("unit-a   市公安局");
        assertThat(Table.displayWidth("市公安局 ab")).isEqualTo(11);
    }

    @Test
    void table_notesUnderARow_stackInOrder() {
        java.io.StringWriter s = new java.io.StringWriter();
        new Table("UNIT").row("unit-b").note("unit-b-1 高").note("unit-b-2 低").row("unit-c").print(new java.io.PrintWriter(s));
        assertThat(s.toString().split("\n")).containsExactly("UNIT", "unit-b", "    unit-b-1 高", "    unit-b-2 低", "unit-c");
    }
}
