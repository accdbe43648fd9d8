package cn.midang.server;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.server.DevServer.CliRun;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.testkit.Processes;
import cn.midang.keys.testkit.TestPki;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code midang} command that talks to a server, run in-process exactly as typed, against
 * a real dev server (real keys, H2 and blob files on disk): what each prints for people and for
 * scripts, and the one clear sentence and exit code of each mistake a newcomer makes.
 */
class CliIT {

    @TempDir
    static Path tmp;

    static DevServer dev;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        dev = DevServer.startForCli(tmp.resolve("data"));
    }

    @AfterAll
    static void stop() throws Exception {
        dev.close();
    }

    static CliRun midang(String who, String... args) throws Exception {
        return dev.midang(who, args);
    }

    static CliRun midangWith(Map<String, String> env, String... args) throws Exception {
        return dev.midangWith(env, args);
    }

    static Path file(String name, String content) throws Exception {
        Path f = tmp.resolve(name);
        Files.writeString(f, content, StandardCharsets.UTF_8);
        return f;
    }

    static String submit(String who, Path f) throws Exception {
        CliRun r = midang(who, "submit", "-q", "--campaign", "demo", "--kind", "report", "--receipt-dir",
                tmp.resolve("receipts-" + who).toString(), f.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        return r.out().strip();
    }

    /** A failure a person can act on: one line on stderr, the documented exit code, no stack trace. */
    static void assertOneClearLine(CliRun r, int exit, String... says) {
        assertThat(r.exit()).as(r.err()).isEqualTo(exit);
        assertThat(r.err().strip()).doesNotContain("\n").doesNotContain("Exception").doesNotContain("\tat ").contains(says);
        assertThat(r.out()).isEmpty();
    }

    @Test
    void whoami_showsIdentityServerAndFingerprint() throws Exception {
        CliRun r = midang("unit-a", "whoami", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode n = r.json();
        assertThat(n.path("name").asText()).isEqualTo("unit-a");
        assertThat(n.path("role").asText()).isEqualTo("unit");
        assertThat(n.path("account_role").asText()).isEqualTo("unit");
        assertThat(n.path("server_signing_fingerprint").asText())
                .isEqualTo(dev.deployment.signingIdentity().certificate().fingerprint());
        CliRun zh = midang("inspector-info", "--lang", "zh", "whoami");
        assertThat(zh.out()).contains("您是“inspector-info”").contains("市信息产业办")
                .contains(dev.deployment.signingIdentity().certificate().fingerprint())
                // Dates for people in China Standard Time, written the Chinese way; ISO only in --json.
                .containsPattern("证书有效期至：\\d{4}年\\d{1,2}月\\d{1,2}日 \\d{2}:\\d{2}\n");
        assertThat(n.path("certificate_not_after").asText()).matches("\\d{4}-\\d{2}-\\d{2}T.*Z");
    }

    @Test
    void submitListShowGetVerify_roundTrip() throws Exception {
        Path f = file("自查报告-往返.txt", "玉溪市某单位自查报告：已使用国产密码产品。");
        String id = submit("unit-a", f);
        assertThat(id).matches("[0-9a-f]{32}");

        CliRun list = midang("unit-a", "list", "--campaign", "demo", "--json");
        assertThat(list.exit()).as(list.err()).isZero();
        List<String> ids = new ArrayList<>();
        list.json().path("submissions").forEach(s -> ids.add(s.path("id").asText()));
        assertThat(ids).contains(id);
        CliRun table = midang("unit-a", "--lang", "zh", "list", "--campaign", "demo");
        assertThat(table.out()).contains("编号").contains(id).contains("自查报告-往返.txt");

        CliRun show = midang("inspector-secrecy", "show", id, "--json", "--save-receipt", tmp.resolve("shown").toString());
        assertThat(show.exit()).as(show.err()).isZero();
        assertThat(show.json().path("file_name").asText()).isEqualTo("自查报告-往返.txt");
        assertThat(show.json().path("receipt_verified").asBoolean()).isTrue();

        Path back = tmp.resolve("往返-副本.txt");
        CliRun get = midang("unit-a", "get", id, "-o", back.toString());
        assertThat(get.exit()).as(get.err()).isZero();
        assertThat(get.out()).containsPattern(" at \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} CST, ").doesNotContainPattern("T\\d{2}:\\d{2}");
        assertThat(Files.mismatch(back, f)).isEqualTo(-1L);

        Path receipt = tmp.resolve("receipts-unit-a").resolve(id + ".receipt");
        CliRun verify = midang("unit-a", "verify", receipt.toString(), "--original", f.toString(), "--json");
        assertThat(verify.exit()).as(verify.err()).isZero();
        String openssl = verify.json().path("openssl").asText();
        Processes.Result o = Processes.run(tmp, Map.of(), List.of("bash", "-c", openssl));
        assertThat(o.all()).contains("Verified OK");

        CliRun saved = midang("unit-a", "verify", tmp.resolve("shown").resolve(id + ".receipt").toString());
        assertThat(saved.exit()).as(saved.err()).isZero();
    }

    @Test
    void list_seesOnlyWhatTheCallerMayRead_andRolesThatReadNothingAreRefused() throws Exception {
        String a = submit("unit-a", file("a-only.txt", "unit A's report"));
        CliRun asB = midang("unit-b", "list", "--json");
        assertThat(asB.exit()).isZero();
        assertThat(asB.out()).doesNotContain(a);
        CliRun asInspector = midang("inspector-police", "list", "--json", "--unit", "unit-a");
        assertThat(asInspector.out()).contains(a);
        assertOneClearLine(midang("approver-info", "list"), 5, "may not");
        assertOneClearLine(midang("leader", "list"), 5, "may not");
    }

    @Test
    void status_unitSeesItsOwnRow_inspectorSeesAll_testerIsRefused() throws Exception {
        submit("unit-a", file("status.txt", "report for status"));
        CliRun a = midang("unit-a", "status", "--campaign", "demo", "--json");
        assertThat(a.exit()).as(a.err()).isZero();
        JsonNode units = a.json().path("status").path("units");
        assertThat(units).hasSize(1);
        assertThat(units.get(0).path("id").asText()).isEqualTo("unit-a");
        assertThat(units.get(0).path("report_in").asBoolean()).isTrue();
        assertThat(units.get(0).path("report_on_time").asBoolean()).isTrue();

        CliRun insp = midang("inspector-info", "status", "--campaign", "demo", "--json");
        JsonNode all = insp.json().path("status");
        assertThat(all.path("units")).hasSize(2);
        assertThat(all.path("totals").path("units").asInt()).isEqualTo(2);
        CliRun table = midang("admin", "--lang", "zh", "status", "--campaign", "demo");
        assertThat(table.out()).contains("unit-a").contains("unit-b").contains("未报送").contains("单位 2 个");

        CliRun campaigns = midang("unit-b", "status");
        assertThat(campaigns.out()).contains("demo").contains("open");
        assertOneClearLine(midang("tester", "status", "--campaign", "demo"), 5, "may not");
        assertOneClearLine(midang("unit-a", "status", "--campaign", "nope"), 4, "no such campaign");
    }

    @Test
    void newcomerMistakes_eachGiveOneSentenceAndAnExitCode() throws Exception {
        Path report = file("mistakes.txt", "report");

        Path wrong = tmp.resolve("wrong-passphrase");
        Files.writeString(wrong, "not-the-passphrase\n");
        Files.setPosixFilePermissions(wrong, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertOneClearLine(midang("unit-a", "whoami", "--passphrase-file", wrong.toString()), 3, "passphrase");

        Map<String, String> noIdentity = new HashMap<>(Map.of("MIDANG_SERVER", dev.uri().toString(),
                "MIDANG_CONFIG", tmp.resolve("no-config").toString()));
        assertOneClearLine(midangWith(noIdentity, "whoami"), 2, "MIDANG_IDENTITY");

        Map<String, String> missingFile = new HashMap<>(noIdentity);
        missingFile.put("MIDANG_IDENTITY", tmp.resolve("unit-z.p12").toString());
        assertOneClearLine(midangWith(missingFile, "whoami"), 4, "unit-z.p12", "does not exist");

        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Map<String, String> down = new HashMap<>(noIdentity);
        down.put("MIDANG_IDENTITY", dev.identityFile("unit-a").toString());
        down.put("MIDANG_SERVER", "http://127.0.0.1:" + closed);
        assertOneClearLine(midangWith(down, "submit", "--campaign", "demo", "--kind", "report", report.toString()), 7,
                "cannot reach the server");

        // An identity from another deployment (another CA) meets this server: its certificates are not trusted.
        TestPki other = TestPki.create(tmp.resolve("other-pki"));
        Identity stranger = other.person("unit-a", "unit", "unit-a");
        Path strangerFile = tmp.resolve("stranger.p12");
        stranger.save(strangerFile, dev.passphrase);
        Map<String, String> otherCa = new HashMap<>(noIdentity);
        otherCa.put("MIDANG_IDENTITY", strangerFile.toString());
        assertOneClearLine(midangWith(otherCa, "whoami"), 6, "another deployment");

        assertOneClearLine(midang("unit-a", "submit", "--campaign", "demo", "--kind", "report", tmp.resolve("nope.docx").toString()),
                4, "nope.docx");
        assertOneClearLine(midang("unit-a", "submit", "--campaign", "no-such", "--kind", "report", report.toString()), 4,
                "no such campaign");
        assertOneClearLine(midang("unit-a", "--lang", "zh", "submit", "--campaign", "no-such", "--kind", "report",
                report.toString()), 4, "没有这个检查工作");
        assertOneClearLine(midang("unit-a", "get", "0123456789abcdef0123456789abcdef", "-o", tmp.resolve("x").toString()), 4,
                "Not found");

        CliRun debug = midangWith(down, "whoami", "--debug");
        assertThat(debug.exit()).isEqualTo(7);
        assertThat(debug.err()).contains("\tat ");
    }

    @Test
    void administrationTesterAndAudit_commands() throws Exception {
        CliRun eng = midang("admin", "admin", "engagement", "--id", "cli-lab", "--tester-org", "安全检测机构", "--campaign", "demo",
                "--unit", "unit-b", "--from", java.time.Instant.now().minusSeconds(60).toString(), "--until",
                java.time.Instant.now().plusSeconds(3600).toString());
        assertThat(eng.exit()).as(eng.err()).isZero();
        assertThat(eng.out()).contains("cli-lab");
        assertOneClearLine(midang("unit-a", "admin", "assign", "--campaign", "demo", "--inspector", "inspector-info"), 5, "may not");

        Path result = file("cli-result.txt", "检测结果 unit-b");
        CliRun handedIn = midang("tester", "submit", "-q", "--campaign", "demo", "--kind", "test-result", "--unit", "unit-b",
                "--receipt-dir", tmp.resolve("tester-rc").toString(), result.toString());
        assertThat(handedIn.exit()).as(handedIn.err()).isZero();
        String id = handedIn.out().strip();
        Path back = tmp.resolve("tester-back.txt");
        assertOneClearLine(midang("tester", "get", id, "-o", back.toString()), 5, "retention permit");
        CliRun permit = midang("admin", "admin", "permit", "--tester-org", "安全检测机构", "--submission", id, "--until",
                java.time.Instant.now().plusSeconds(3600).toString());
        assertThat(permit.exit()).as(permit.err()).isZero();
        assertOneClearLine(midang("tester", "get", id, "-o", back.toString()), 5, "-o -");
        assertThat(back).doesNotExist();
        // The allowed way: to the screen only, and nothing of the plaintext left on disk anywhere the test can see.
        // The document goes to standard output as bytes (System.out), which the in-process run shares with the test.
        java.io.ByteArrayOutputStream screen = new java.io.ByteArrayOutputStream();
        java.io.PrintStream real = System.out;
        CliRun shown;
        System.setOut(new java.io.PrintStream(screen, true));
        try {
            shown = midang("tester", "get", id, "-o", "-");
        } finally {
            System.setOut(real);
        }
        assertThat(shown.exit()).as(shown.err()).isZero();
        assertThat(screen.toString(StandardCharsets.UTF_8)).contains("检测结果 unit-b");
        Files.delete(result); // the tester's own original, which the scan would find
        assertThat(cn.midang.keys.testkit.PlaintextScan.firstFileContaining(tmp, cn.midang.keys.testkit.PlaintextScan.encodings(
                "检测结果 unit-b"))).isEmpty();
        assertThat(midang("tester", "list", "--json").out()).contains(id);

        CliRun attest = midang("tester", "attest-destruction", "--engagement", "cli-lab");
        assertThat(attest.exit()).as(attest.err()).isZero();
        CliRun engagements = midang("admin", "--lang", "zh", "engagements");
        assertThat(engagements.out()).contains("cli-lab").contains("安全检测机构");
        assertThat(midang("admin", "status").out()).contains("destruction attestation");

        // What an inspector searches for is kept in the audit record only sealed; the export opens it.
        String terms = "弱口令审计标记" + System.nanoTime();
        assertThat(midang("inspector-info", "search", terms).exit()).isZero();

        Path export = tmp.resolve("audit.json");
        CliRun exported = midang("admin", "audit", "export", "-o", export.toString());
        assertThat(exported.exit()).as(exported.err()).isZero();
        JsonNode searched = null;
        for (JsonNode r : new ObjectMapper().readTree(export.toFile())
                .path("records")) {
            if (terms.equals(r.path("object_text").asText())) {
                searched = r;
            }
        }
        assertThat(searched).as("the search's record, its terms opened").isNotNull();
        assertThat(searched.path("action").asText()).isEqualTo("search");
        assertThat(searched.path("object").asText()).startsWith("query:sealed:").doesNotContain(terms);
        assertThat(cn.midang.keys.testkit.PlaintextScan.firstFileContaining(dev.data,
                cn.midang.keys.testkit.PlaintextScan.encodings(terms))).as("the terms anywhere in the data directory").isEmpty();
        assertOneClearLine(midang("unit-a", "audit", "export", "-o", tmp.resolve("nope.json").toString()), 5, "may not");
        Path cert = dev.data.resolve("server-signing.crt");
        CliRun ok = midang("admin", "audit", "verify", export.toString(), "--cert", cert.toString());
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("intact");
        CliRun viaCa = midang("admin", "audit", "verify", export.toString(), "--ca", dev.data.resolve("ca.crt").toString(), "--json");
        assertThat(viaCa.json().path("valid").asBoolean()).isTrue();

        // Read it: the search with its terms opened; the tester's refused download, with the reason.
        CliRun searches = midang("admin", "audit", "show", export.toString(), "--cert", cert.toString(), "--action", "search",
                "--contains", terms);
        assertThat(searches.exit()).as(searches.err()).isZero();
        assertThat(searches.out()).contains("intact").contains("「" + terms + "」").contains("inspector").doesNotContain(":sealed:");
        CliRun denied = midang("admin", "audit", "show", export.toString(), "--ca", dev.data.resolve("ca.crt").toString(),
                "--decision", "deny", "--action", "download", "--json");
        assertThat(denied.exit()).as(denied.err()).isZero();
        assertThat(denied.json().path("records")).isNotEmpty().allSatisfy(r -> {
            assertThat(r.path("decision").asText()).isEqualTo("deny");
            assertThat(r.path("action").asText()).isEqualTo("download");
        });
        assertThat(denied.json().path("records").toString()).contains("tester").contains("retention");

        // One record changed in the export: named, exit code 6; and nothing of it is shown.
        String text = Files.readString(export);
        String tampered = text.replaceFirst("\"decision\":\"allow\"", "\"decision\":\"deny\"");
        assertThat(tampered).isNotEqualTo(text);
        Path bad = tmp.resolve("audit-tampered.json");
        Files.writeString(bad, tampered);
        assertOneClearLine(midang("admin", "audit", "verify", bad.toString(), "--cert", cert.toString()), 6, "first bad record");
        assertOneClearLine(midang("admin", "audit", "show", bad.toString(), "--cert", cert.toString()), 6, "first bad record");
    }

    @Test
    void search_findsWhatTheCallerMayRead_withPhrasesAndNot() throws Exception {
        String a = submit("unit-a", file("自查报告-检索演示.txt", "x"));
        String draft = submit("unit-a", file("检索演示-草稿.txt", "y"));
        dev.server.awaitIndexed();
        CliRun asA = midang("unit-a", "search", "检索演示", "--campaign", "demo", "--json");
        assertThat(asA.exit()).as(asA.err()).isZero();
        assertThat(asA.out()).contains(a).contains(draft);
        CliRun not = midang("inspector-info", "search", "检索演示", "-草稿", "--json");
        assertThat(not.out()).contains(a).doesNotContain(draft);
        CliRun notWord = midang("inspector-info", "search", "检索演示", "NOT", "自查报告", "--json");
        assertThat(notWord.out()).contains(draft).doesNotContain(a);
        CliRun phrase = midang("inspector-info", "search", "自查报告-检索", "--kind", "report");
        assertThat(phrase.out()).contains(a).doesNotContain(draft);
        CliRun asB = midang("unit-b", "search", "检索演示", "--json");
        assertThat(asB.exit()).isZero();
        assertThat(asB.out()).doesNotContain(a).doesNotContain(draft);
        assertThat(midang("unit-b", "--lang", "zh", "search", "检索演示").out()).contains("没有您有权查看");
        assertOneClearLine(midang("approver-info", "search", "检索演示"), 5, "may not");
        assertOneClearLine(midang("inspector-info", "search", "-草稿"), 2, "invalid");
    }
}
