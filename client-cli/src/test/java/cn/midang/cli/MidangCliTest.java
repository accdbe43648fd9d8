package cn.midang.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI's contract with people and scripts: help, exit codes, one-line errors, JSON, Chinese. */
class MidangCliTest {

    @TempDir
    Path dir;

    Path pass;

    @BeforeEach
    void setUp() throws Exception {
        pass = dir.resolve("pass.txt");
        Files.writeString(pass, new String(cn.midang.keys.testkit.TestPki.randomPassphrase()) + "\n");
        ownerOnly(pass);
    }

    static void ownerOnly(Path p) throws Exception {
        Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }

    String p(String name) {
        return dir.resolve(name).toString();
    }

    /** A CA, a key with its issued certificate, a signed file. */
    void makeSignedFile(boolean raw) throws Exception {
        assertThat(CliRunner.run("ca", "init", "--dir", p("CA"), "--name", "Test CA", "--passphrase-file", pass.toString()).exit()).isZero();
        assertThat(CliRunner.run("key", "gen", "--name", "张三", "--out", p("k.p12"), "--csr", p("k.csr"), "--passphrase-file", pass.toString()).exit()).isZero();
        assertThat(CliRunner.run("ca", "issue", "--dir", p("CA"), "--csr", p("k.csr"), "--role", "inspector", "--org", "市公安局",
                "--out", p("k.pem"), "--passphrase-file", pass.toString()).exit()).isZero();
        if (!raw) {
            assertThat(CliRunner.run("key", "install", "--identity", p("k.p12"), "--cert", p("k.pem"), "--ca", p("CA/ca.crt"),
                    "--passphrase-file", pass.toString()).exit()).isZero();
        }
        Files.writeString(dir.resolve("report.txt"), "玉溪市 2009 自查报告");
        List<String> sign = new ArrayList<>(List.of("sign", "--identity", p("k.p12"), "--out", p(raw ? "report.sig" : "report.p7s"),
                "--passphrase-file", pass.toString()));
        if (raw) {
            sign.add("--raw");
        }
        sign.add(p("report.txt"));
        CliRunner.Run r = CliRunner.run(sign.toArray(String[]::new));
        assertThat(r.exit()).as(r.err()).isZero();
    }

    @Test
    void help_everyCommandTeachesWithAnExample() {
        List<String> missing = new ArrayList<>();
        walk(Midang.allCommands(), missing);
        assertThat(missing).isEmpty();
    }

    private static void walk(CommandLine cl, List<String> missing) {
        String usage = cl.getUsageMessage();
        if (cl.getSubcommands().isEmpty() || !cl.getCommandName().equals("help")) {
            if (!cl.getCommandName().equals("help") && !usage.contains("Example")) {
                missing.add(cl.getCommandSpec().qualifiedName());
            }
        }
        cl.getSubcommands().values().stream().distinct().forEach(sub -> walk(sub, missing));
    }

    @Test
    void unknownOption_isUsageError_exit2() {
        CliRunner.Run r = CliRunner.run("ca", "init", "--dir", p("CA"), "--name", "x", "--nope");
        assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("--nope").contains("--help");
        assertThat(dir.resolve("CA")).doesNotExist();
    }

    @Test
    void missingInputFile_isNotFound_exit4_oneLine() {
        CliRunner.Run r = CliRunner.run("verify", "--cert", p("none.pem"), "--raw-signature", p("none.sig"), p("none.txt"));
        assertThat(r.exit()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(r.err().strip()).doesNotContain("\n").doesNotContain("Exception").contains("none.txt");
    }

    @Test
    void wrongPassphrase_isAuthentication_exit3() throws Exception {
        makeSignedFile(true);
        Path wrong = dir.resolve("wrong.txt");
        Files.writeString(wrong, "not-the-passphrase\n");
        ownerOnly(wrong);
        CliRunner.Run r = CliRunner.run("sign", "--identity", p("k.p12"), "--raw", "--out", p("x.sig"),
                "--passphrase-file", wrong.toString(), p("report.txt"));
        assertThat(r.exit()).isEqualTo(ExitCode.AUTHENTICATION);
        assertThat(r.err()).contains("passphrase").doesNotContain("not-the-passphrase").doesNotContain("at cn.");
    }

    @Test
    void noPassphraseAnywhere_saysWhereToPutIt() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.console() == null);
        CliRunner.Run r = CliRunner.run("ca", "init", "--dir", p("CA"), "--name", "x");
        assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("MIDANG_PASSPHRASE");
        assertThat(dir.resolve("CA")).doesNotExist();
    }

    @Test
    void verifyRaw_tamperedFile_isIntegrityFailure_exit6_json() throws Exception {
        makeSignedFile(true);
        Files.writeString(dir.resolve("report.txt"), "玉溪市 2009 自查报告（改）");
        CliRunner.Run r = CliRunner.run("verify", "--json", "--cert", p("k.pem"), "--raw-signature", p("report.sig"), p("report.txt"));
        assertThat(r.exit()).isEqualTo(ExitCode.INTEGRITY);
        assertThat(r.err()).startsWith("{").contains("\"exit_code\":6").contains("does not match");
    }

    @Test
    void verifyCms_goodSignatureWithCaAndCrl_passes_andPinnedOtherCert_fails() throws Exception {
        makeSignedFile(false);
        CliRunner.Run ok = CliRunner.run("verify", "--json", "--signature", p("report.p7s"), "--ca", p("CA/ca.crt"),
                "--crl", p("CA/crl.pem"), p("report.txt"));
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("\"valid\":true").contains("\"revocation_checked\":true").contains("张三");

        CliRunner.run("key", "gen", "--name", "李四", "--out", p("o.p12"), "--csr", p("o.csr"), "--passphrase-file", pass.toString());
        CliRunner.run("ca", "issue", "--dir", p("CA"), "--csr", p("o.csr"), "--role", "unit", "--org", "unit-b",
                "--out", p("o.pem"), "--passphrase-file", pass.toString());
        CliRunner.Run pinned = CliRunner.run("verify", "--cert", p("o.pem"), "--signature", p("report.p7s"), p("report.txt"));
        assertThat(pinned.exit()).isEqualTo(ExitCode.INTEGRITY);
    }

    @Test
    void verifyCms_revokedSigner_isIntegrityFailure() throws Exception {
        makeSignedFile(false);
        assertThat(CliRunner.run("ca", "revoke", "--dir", p("CA"), "--cert", p("k.pem"), "--reason", "key_compromise",
                "--passphrase-file", pass.toString()).exit()).isZero();
        CliRunner.Run r = CliRunner.run("verify", "--signature", p("report.p7s"), "--ca", p("CA/ca.crt"), "--crl", p("CA/crl.pem"), p("report.txt"));
        assertThat(r.exit()).isEqualTo(ExitCode.INTEGRITY);
        assertThat(r.err()).contains("revoked");
    }

    @Test
    void chinese_messagesAreChinese() throws Exception {
        makeSignedFile(true);
        CliRunner.Run r = CliRunner.run("verify", "--lang", "zh", "--cert", p("k.pem"), "--raw-signature", p("report.sig"), p("report.txt"));
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("签名有效").contains("openssl dgst -sm3");
        Files.writeString(dir.resolve("report.txt"), "changed");
        CliRunner.Run bad = CliRunner.run("verify", "--lang", "zh", "--cert", p("k.pem"), "--raw-signature", p("report.sig"), p("report.txt"));
        assertThat(bad.err()).contains("签名不符");
    }

    @Test
    void keyGen_existingIdentity_isNotOverwritten() throws Exception {
        Files.writeString(dir.resolve("k.p12"), "precious");
        CliRunner.Run r = CliRunner.run("key", "gen", "--name", "x", "--out", p("k.p12"), "--csr", p("k.csr"), "--passphrase-file", pass.toString());
        assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(Files.readString(dir.resolve("k.p12"))).isEqualTo("precious");
    }

    @Test
    void cmsSign_beforeCertificateIsInstalled_isRefusedWithTheFix() throws Exception {
        makeSignedFile(true);
        CliRunner.Run r = CliRunner.run("sign", "--identity", p("k.p12"), "--out", p("r.p7s"), "--passphrase-file", pass.toString(), p("report.txt"));
        assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("midang key install");
        assertThat(dir.resolve("r.p7s")).doesNotExist();
    }

    @Test
    void keyInstall_thenCmsSignatureCarriesIssuedCertificate() throws Exception {
        makeSignedFile(false);
        CliRunner.run("sign", "--identity", p("k.p12"), "--out", p("r2.p7s"), "--passphrase-file", pass.toString(), p("report.txt"));
        CliRunner.Run r = CliRunner.run("verify", "--cert", p("k.pem"), "--signature", p("r2.p7s"), "--ca", p("CA/ca.crt"),
                "--crl", p("CA/crl.pem"), p("report.txt"));
        assertThat(r.exit()).as(r.err()).isZero();
    }
    @Test
    void passphrases_aFileOthersCanRead_isRefused_aNewOneIsLongEnough_andLongEnough() throws Exception {
        Path open = dir.resolve("open-pass.txt");
        Files.writeString(open, "a-long-enough-passphrase\n");
        Files.setPosixFilePermissions(open, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        CliRunner.Run r = CliRunner.run("key", "gen", "--name", "王五", "--out", p("w.p12"), "--csr", p("w.csr"), "--passphrase-file",
                open.toString());
        assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("chmod 600");
        assertThat(dir.resolve("w.p12")).doesNotExist();

        Path shortOne = dir.resolve("short.txt");
        Files.writeString(shortOne, "abc123\n");
        ownerOnly(shortOne);
        r = CliRunner.run("key", "gen", "--name", "王五", "--out", p("w.p12"), "--csr", p("w.csr"), "--passphrase-file", shortOne.toString());
        assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("12");

        // A new passphrase taken from MIDANG_PASSPHRASE is announced: OpenSslCommandsIT (a real process) checks it.
    }
}
