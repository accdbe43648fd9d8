package cn.midang.console;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.cli.ExitCode;
import cn.midang.keys.testkit.Processes;
import cn.midang.keys.testkit.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance commands of the foundation issue, exactly as a person types them: bin/midang
 * (the real launcher and jar) makes keys, certificates, CRLs and signatures, and OpenSSL 3 checks
 * them. Passphrases come from MIDANG_PASSPHRASE.
 */
class OpenSslCommandsIT {

    @TempDir
    Path dir;

    Map<String, String> env;
    String midang;

    @BeforeEach
    void setUp() {
        Path root = Path.of(System.getProperty("user.dir")).getParent();
        midang = root.resolve("bin/midang").toString();
        env = new HashMap<>();
        env.put("MIDANG_PASSPHRASE", new String(TestPki.randomPassphrase()));
        env.put("MIDANG_NO_BUILD", "1"); // Failsafe runs after 'package': the jar is fresh
        env.put("MIDANG_LANG", "en");
    }

    Processes.Result midang(String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(midang));
        cmd.addAll(List.of(args));
        Processes.Result r = Processes.run(dir, env, cmd);
        assertThat(r.exit()).as("midang %s\n%s", String.join(" ", args), r.all()).isZero();
        return r;
    }

    Processes.Result openssl(String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        return Processes.run(dir, env, cmd);
    }

    @Test
    void acceptanceCommands_areCheckedByOpenssl() throws Exception {
        midang("ca", "init", "--dir", "CA", "--name", "Yuxi Info Office CA");
        assertThat(dir.resolve("CA/ca.crt")).exists();
        assertThat(dir.resolve("CA/ca.p12")).exists();
        assertThat(dir.resolve("CA/crl.pem")).exists();

        Processes.Result gen = midang("key", "gen", "--name", "unit-a clerk", "--out", "KEY.p12", "--csr", "REQ.csr");
        assertThat(gen.all()).contains("MIDANG_PASSPHRASE"); // a new key's passphrase taken from the environment is announced
        midang("ca", "issue", "--dir", "CA", "--csr", "REQ.csr", "--role", "unit", "--org", "unit-a", "--out", "CERT.pem");

        // Certificates read as SM2-with-SM3.
        Processes.Result text = openssl("x509", "-in", "CERT.pem", "-noout", "-text");
        assertThat(text.out()).contains("Signature Algorithm: SM2-with-SM3").contains("ASN1 OID: SM2")
                .contains("OU = unit").contains("O = unit-a");
        assertThat(openssl("x509", "-in", "CA/ca.crt", "-noout", "-text").out()).contains("CA:TRUE");
        // The request and the certificate verify with the standard SM2 ID.
        Processes.Result req = openssl("req", "-in", "REQ.csr", "-noout", "-verify", "-vfyopt", "distid:1234567812345678");
        assertThat(req.exit()).as(req.all()).isZero();
        assertThat(req.all()).contains("verify OK");
        Processes.Result ver = openssl("verify", "-vfyopt", "distid:1234567812345678", "-CAfile", "CA/ca.crt", "CERT.pem");
        assertThat(ver.exit()).as(ver.all()).isZero();
        assertThat(ver.out()).contains("CERT.pem: OK");
        // A certificate from another CA does not verify.
        midang("ca", "init", "--dir", "OTHER", "--name", "Yuxi Info Office CA");
        assertThat(openssl("verify", "-vfyopt", "distid:1234567812345678", "-CAfile", "OTHER/ca.crt", "CERT.pem").exit()).isNotZero();

        // OpenSSL reads our key files without -legacy.
        Processes.Result p12 = openssl("pkcs12", "-in", "KEY.p12", "-passin", "env:MIDANG_PASSPHRASE", "-nokeys", "-info");
        assertThat(p12.exit()).as(p12.all()).isZero();
        assertThat(p12.all()).contains("PBES2").contains("BEGIN CERTIFICATE");

        // Raw signatures: OpenSSL accepts ours, refuses them on a tampered file.
        Files.writeString(dir.resolve("report.txt"), "玉溪市政府信息系统安全自查报告", StandardCharsets.UTF_8);
        midang("sign", "--identity", "KEY.p12", "--raw", "--out", "report.sig", "report.txt");
        assertThat(openssl("x509", "-in", "CERT.pem", "-pubkey", "-noout", "-out", "pub.pem").exit()).isZero();
        Processes.Result dgst = openssl("dgst", "-sm3", "-verify", "pub.pem", "-sigopt", "distid:1234567812345678",
                "-signature", "report.sig", "report.txt");
        assertThat(dgst.out()).as(dgst.all()).contains("Verified OK");
        Processes.Result check = midang("verify", "--cert", "CERT.pem", "--raw-signature", "report.sig", "report.txt");
        assertThat(check.out()).contains("openssl dgst -sm3 -verify");

        Files.writeString(dir.resolve("tampered.txt"), "玉溪市政府信息系统安全自查报告。", StandardCharsets.UTF_8);
        Processes.Result bad = openssl("dgst", "-sm3", "-verify", "pub.pem", "-sigopt", "distid:1234567812345678",
                "-signature", "report.sig", "tampered.txt");
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.out()).contains("Verification failure");
        Processes.Result ourBad = Processes.run(dir, env, List.of(midang, "verify", "--cert", "CERT.pem",
                "--raw-signature", "report.sig", "tampered.txt"));
        assertThat(ourBad.exit()).isEqualTo(ExitCode.INTEGRITY);

        // Our verify accepts a signature OpenSSL made with the same key.
        assertThat(openssl("pkcs12", "-in", "KEY.p12", "-passin", "env:MIDANG_PASSPHRASE", "-nocerts", "-nodes",
                "-out", "key.pem").exit()).isZero();
        Processes.Result osign = openssl("pkeyutl", "-sign", "-rawin", "-digest", "sm3", "-inkey", "key.pem",
                "-in", "report.txt", "-out", "openssl.sig", "-pkeyopt", "distid:1234567812345678");
        assertThat(osign.exit()).as(osign.all()).isZero();
        midang("verify", "--cert", "CERT.pem", "--raw-signature", "openssl.sig", "report.txt");

        // CMS form: signed and verified by our own verify, with the CA and CRL.
        midang("key", "install", "--identity", "KEY.p12", "--cert", "CERT.pem", "--ca", "CA/ca.crt");
        midang("sign", "--identity", "KEY.p12", "--out", "report.p7s", "report.txt");
        midang("verify", "--signature", "report.p7s", "--ca", "CA/ca.crt", "--crl", "CA/crl.pem", "report.txt");

        // Revocation rewrites the CRL; OpenSSL lists the serial; our verify refuses the signer.
        String serial = openssl("x509", "-in", "CERT.pem", "-noout", "-serial").out().strip().replace("serial=", "");
        midang("ca", "revoke", "--dir", "CA", "--cert", "CERT.pem");
        Processes.Result crl = openssl("crl", "-in", "CA/crl.pem", "-noout", "-text");
        assertThat(crl.out()).contains("Serial Number: " + serial).contains("SM2-with-SM3");
        Processes.Result revoked = Processes.run(dir, env, List.of(midang, "verify", "--signature", "report.p7s",
                "--ca", "CA/ca.crt", "--crl", "CA/crl.pem", "report.txt"));
        assertThat(revoked.exit()).isEqualTo(ExitCode.INTEGRITY);
        assertThat(revoked.err()).contains("revoked");
    }

    @Test
    void launcher_withoutJdk21_saysSoInOneSentence() {
        Map<String, String> noJdk = new HashMap<>(env);
        noJdk.put("JAVA_HOME", "/nonexistent");
        noJdk.put("PATH", "/usr/bin:/bin");
        noJdk.put("MIDANG_JVM_DIRS", dir.toString()); // an empty folder instead of /usr/lib/jvm
        Processes.Result r = Processes.run(dir, noJdk, List.of(midang, "--version"));
        assertThat(r.exit()).isNotZero();
        assertThat(r.err().strip()).startsWith("midang: no Java 22 or newer found").doesNotContain("\n");
    }

    /**
     * A UTF-8 locale that is named but not installed (LANG=zh_CN.UTF-8 on a minimal server): the JVM
     * alone falls back to ASCII, prints every Chinese character as "?" and refuses a Chinese file
     * name; the launcher gives it C.UTF-8 instead, and the messages still follow the language asked for.
     */
    @Test
    void launcher_withAUtf8LocaleThatIsNotInstalled_stillWritesChinese_andTakesChineseFileNames() {
        Map<String, String> missing = new HashMap<>(env);
        missing.put("LC_ALL", "zz_ZZ.UTF-8"); // no such locale anywhere; it overrides LANG and LC_CTYPE
        missing.put("MIDANG_LANG", "zh");
        Processes.Result r = Processes.run(dir, missing,
                List.of(midang, "key", "gen", "--name", "测试单位", "--out", "密钥.p12", "--csr", "请求.csr"));
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.all()).contains("已为“测试单位”生成新的 SM2 密钥").doesNotContain("?");
        assertThat(dir.resolve("密钥.p12")).isRegularFile();
        assertThat(dir.resolve("请求.csr")).isRegularFile();
    }

    /**
     * The launcher's start-up cache (D53): the first command that does work records the classes it
     * loads, a background job assembles them, and the next command maps them instead of loading them
     * from the jars. Nothing of this reaches the command's output; a rebuilt jar is not run with a
     * cache made for the old one.
     */
    @Test
    void launcher_makesItsStartUpCache_fromTheFirstCommand_andDropsItWhenTheJarChanges() throws Exception {
        Path target = Path.of(System.getProperty("user.dir")).resolve("target");
        Path jar = target.resolve("midang-console.jar");
        try (var old = Files.list(target)) {
            for (Path p : old.filter(p -> p.getFileName().toString().matches("midang-console\\..*\\.aot(conf)?")).toList()) {
                Files.delete(p);
            }
        }
        Processes.Result version = midang("--version");
        assertThat(cacheFiles(target)).as("--version records nothing").isEmpty();

        Processes.Result first = midang("ca", "init", "--dir", "CA", "--name", "Yuxi Info Office CA");
        assertThat(first.all()).doesNotContain("[warning]").doesNotContain("AOT").doesNotContain("aot");
        // The launcher hands its lock to the job that assembles the cache: this waits for that job.
        assertThat(Processes.run(dir, env, List.of("flock", target.resolve("midang-console.aot.lock").toString(), "true")).exit())
                .isZero();
        assertThat(cacheFiles(target)).hasSize(1);

        assertThat(loadedFrom(Map.of(), "cn.midang.cli.Midang")).isEqualTo("shared objects file");
        assertThat(midang("--version").out()).isEqualTo(version.out());
        assertThat(loadedFrom(Map.of("MIDANG_AOT", "off"), "cn.midang.cli.Midang")).startsWith("file:");

        // As if the jar were rebuilt after the cache was made.
        Files.setLastModifiedTime(cacheFiles(target).get(0),
                java.nio.file.attribute.FileTime.from(Files.getLastModifiedTime(jar).toInstant().minusSeconds(60)));
        assertThat(loadedFrom(Map.of(), "cn.midang.cli.Midang")).as("a cache older than the jar is not used").startsWith("file:");
    }

    private static List<Path> cacheFiles(Path target) throws java.io.IOException {
        try (var files = Files.list(target)) {
            return files.filter(p -> p.getFileName().toString().matches("midang-console\\..*\\.aot")).toList();
        }
    }

    /** Where the JVM of "midang --version" took {@code className} from: a jar, or the start-up cache. */
    private String loadedFrom(Map<String, String> extra, String className) throws java.io.IOException {
        Path log = dir.resolve("class-load-" + System.nanoTime() + ".log");
        Map<String, String> e = new HashMap<>(env);
        e.putAll(extra);
        e.put("MIDANG_JAVA_OPTS", "-Xlog:class+load=info:file=" + log);
        Processes.Result r = Processes.run(dir, e, List.of(midang, "--version"));
        assertThat(r.exit()).as(r.all()).isZero();
        String prefix = className + " source: ";
        return Files.readAllLines(log).stream().filter(l -> l.contains("] " + prefix))
                .map(l -> l.substring(l.indexOf("] " + prefix) + 2 + prefix.length()).strip()).findFirst().orElseThrow();
    }
}
