package cn.midang.server;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.keys.testkit.Processes;
import cn.midang.server.DevServer.CliRun;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.apache.poi.xwpf.extractor.XWPFWordExtractor;
import org.apache.poi.xwpf.usermodel.XWPFDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notice's process after the self-check, through the real client and server: findings, the
 * campaign status, the summary (JSON, .xlsx, .docx) and its joint review by the three departments,
 * the leadership's approval, the published per-unit notices, and rectification with overdue
 * findings; each step's refusals (wrong role, wrong state, missing signatures, a summary changed
 * after signing) on the way. Server and command share one test clock that moves only when the test
 * moves it past a deadline, so no step races the machine's speed.
 */
class CampaignWorkflowIT {

    @TempDir
    static Path tmp;

    static DevServer dev;
    static final ObjectMapper JSON = new ObjectMapper();
    static final DateTimeFormatter LOCAL = DateTimeFormatter.ISO_OFFSET_DATE_TIME.withZone(ZoneOffset.ofHours(8));

    @BeforeAll
    static void start() throws Exception {
        // A clock that moves only when the test moves it, shared with the in-process command: each deadline is
        // crossed by an explicit step, never by how long the steps before it took on this machine.
        dev = DevServer.start(tmp.resolve("data"));
    }

    @AfterAll
    static void stop() throws Exception {
        dev.close();
    }

    /**
     * The shipped campaign as {@code id}, with unit-a and unit-b (the demo units) in its scope, the
     * deadline two minutes from now and a one-minute on-site inspection after it.
     */
    static Path campaignFile(String id, Instant deadline) throws Exception {
        return campaignFile(tmp, id, deadline);
    }

    /** As above, written in {@code dir}. */
    static Path campaignFile(Path dir, String id, Instant deadline) throws Exception {
        String text = Files.readString(CampaignIT.SHIPPED).replace("id: yuxi-2009", "id: " + id)
                .replace("{id: yx-fgw,", "{id: unit-a,").replace("{id: hongta,", "{id: unit-b,")
                .replaceAll("self_check_start: \\S+", "self_check_start: " + LOCAL.format(deadline.minus(Duration.ofHours(1))))
                .replaceAll("submission_deadline: \\S+", "submission_deadline: " + LOCAL.format(deadline))
                .replaceAll("on_site_start: \\S+", "on_site_start: " + LOCAL.format(deadline))
                .replaceAll("on_site_end: \\S+", "on_site_end: " + LOCAL.format(deadline.plus(Duration.ofMinutes(1))));
        Path f = dir.resolve(id + ".yaml");
        Files.writeString(f, text);
        return f;
    }

    CliRun ok(String who, String... args) throws Exception {
        CliRun r = dev.midang(who, args);
        assertThat(r.exit()).as(who + " " + String.join(" ", args) + "\n" + r.err()).isZero();
        return r;
    }

    CliRun refused(int exit, String code, String who, String... args) throws Exception {
        CliRun r = dev.midang(who, args);
        assertThat(r.exit()).as(who + " " + String.join(" ", args) + "\n" + r.out() + r.err()).isEqualTo(exit);
        assertThat(r.err()).as(who + " " + String.join(" ", args)).contains(code);
        return r;
    }

    /** A form for {@code who}: every item 符合, except the first, answered {@code first} with a note. */
    Path form(String who, String c, String first) throws Exception {
        Path f = tmp.resolve(who + "-报告表.yaml");
        ok(who, "form", "template", "--campaign", c, "-o", f.toString());
        String filled = Files.readString(f).replace("填报人: \"\"", "填报人: 张三").replace("联系电话: \"\"", "联系电话: 0877-2011111")
                .replace("答复: \"\"", "答复: 符合").replaceFirst("答复: 符合", "答复: " + first)
                .replaceFirst("说明: \"\"", "说明: 领导小组尚未调整");
        Files.writeString(f, filled);
        ok(who, "form", "check", f.toString());
        return f;
    }

    Path file(String name, String text) throws Exception {
        Path f = tmp.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    @Test
    void theNoticesProcess_fromFindingsToRectification() throws Exception {
        String c = "flow-2009";
        String rc = tmp.resolve("receipts").toString();
        Instant deadline = dev.clock.instant().plus(Duration.ofMinutes(2)).truncatedTo(ChronoUnit.SECONDS);
        ok("admin", "campaign", "create", campaignFile(c, deadline).toString());
        ok("admin", "admin", "assign", "--campaign", c, "--inspector", "inspector-info");
        ok("admin", "campaign", "advance", c, "--to", "open");

        // Self-check: unit-a on time, with a complete form.
        ok("unit-a", "submit", "--campaign", c, "--kind", "report", "--receipt-dir", rc,
                file("甲-自查报告.txt", "单位甲自查报告：已建立信息安全责任制，涉密计算机未接入互联网。").toString());
        ok("unit-a", "submit", "--campaign", c, "--kind", "form", "--receipt-dir", rc, form("unit-a", c, "符合").toString());
        refused(5, "wrong_state", "inspector-info", "finding", "add", "--campaign", c, "--unit", "unit-b", "--area", "cryptography",
                "--severity", "high", "--description", "x", "--rectification", "y", "--deadline", "2099-01-01");

        // The deadline passes; unit-b's report comes late (accepted, marked late).
        dev.clock.advance(Duration.ofMinutes(2).plusSeconds(10));
        JsonNode late = JSON.readTree(ok("unit-b", "submit", "--campaign", c, "--kind", "report", "--receipt-dir", rc, "--json",
                file("乙-自查报告.txt", "县区乙自查报告：政务外网边界未部署密码设备。").toString()).out());
        assertThat(late.path("submitted").get(0).path("late").asBoolean()).isTrue();
        ok("unit-b", "submit", "--campaign", c, "--kind", "form", "--receipt-dir", rc, form("unit-b", c, "不符合").toString());
        for (String to : List.of("closed", "on_site")) {
            ok("admin", "campaign", "advance", c, "--to", to);
        }

        // On site: an inspection record and findings; a bad finding is refused whole, nothing kept.
        String record = ok("inspector-info", "submit", "--campaign", c, "--kind", "inspection-record", "--unit", "unit-b", "-q",
                "--receipt-dir", rc, file("现场检查记录-乙.txt", "现场检查记录：县区乙机房门禁失效，边界未使用商用密码。").toString()).out().strip();
        CliRun bad = refused(2, "invalid_finding", "inspector-info", "finding", "add", "--campaign", c, "--unit", "unit-b",
                "--area", "no-such-area", "--severity", "critical", "--description", "x", "--rectification", "y", "--deadline", "2001-01-01");
        assertThat(bad.err()).contains("area: 'no-such-area' is not one of").contains("severity: write high, medium or low")
                .contains("deadline: 2001-01-01 has passed already");
        ok("inspector-info", "finding", "add", "--campaign", c, "--unit", "unit-b", "--area", "密码技术与产品使用情况", "--severity", "高",
                "--description", "政务外网边界未使用商用密码设备", "--rectification", "部署经国家密码管理部门认可的VPN网关", "--deadline", "2099-12-31",
                "--record", record);
        String soon = dev.clock.instant().plus(Duration.ofSeconds(30)).truncatedTo(ChronoUnit.SECONDS).toString();
        JsonNode second = JSON.readTree(ok("inspector-info", "finding", "add", "--campaign", c, "--unit", "unit-b", "--area", "protection",
                "--severity", "low", "--description", "机房门禁失效", "--rectification", "修复门禁并登记出入", "--deadline", soon, "--json").out());
        assertThat(second.path("id").asText()).isEqualTo("unit-b-2");
        refused(5, "not_permitted", "unit-a", "finding", "add", "--campaign", c, "--unit", "unit-b", "--area", "protection",
                "--severity", "low", "--description", "x", "--rectification", "y", "--deadline", "2099-01-01");
        refused(5, "no_results", "unit-b", "finding", "list", "--campaign", c);

        JsonNode status = JSON.readTree(ok("inspector-info", "status", "--campaign", c, "--json").out()).path("status");
        JsonNode a = unit(status, "unit-a");
        JsonNode b = unit(status, "unit-b");
        assertThat(a.path("report_on_time").asBoolean()).isTrue();
        assertThat(a.path("form").asText()).isEqualTo("complete");
        assertThat(b.path("report_in").asBoolean()).isTrue();
        assertThat(b.path("report_on_time").asBoolean()).isFalse();
        assertThat(b.path("form").asText()).isEqualTo("complete");
        assertThat(b.path("findings").path("high").asInt()).isEqualTo(1);
        assertThat(b.path("findings").path("low").asInt()).isEqualTo(1);
        assertThat(status.path("totals").path("reports_in").asInt()).isEqualTo(2);
        assertThat(status.path("totals").path("reports_missing").asInt()).isEqualTo(20);
        assertThat(status.path("totals").path("forms_complete").asInt()).isEqualTo(2);
        // The forms' answers per check area (the dashboard's chart): unit-b answered its first item 不符合, the rest 符合.
        JsonNode answers = status.path("totals").path("form_answers");
        assertThat(answers.path("organisation").path("符合").asInt()).isEqualTo(5);
        assertThat(answers.path("organisation").path("不符合").asInt()).isEqualTo(1);
        assertThat(answers.path("rules").path("符合").asInt()).isEqualTo(6);
        assertThat(ok("inspector-info", "--lang", "zh", "status", "--campaign", c).out()).contains("报告表完整的单位：2 个")
                .contains("高 1 个，中 0 个，低 1 个");

        // The summary: not before state summary, not by the administrator.
        refused(5, "wrong_state", "inspector-info", "summary", "generate", "--campaign", c);
        CliRun early = refused(5, "precondition_failed", "admin", "campaign", "advance", c, "--to", "summary");
        assertThat(early.err()).contains("the on-site inspection runs until");
        dev.clock.advance(Duration.ofMinutes(1));
        ok("admin", "campaign", "advance", c, "--to", "summary");
        refused(5, "no_summary", "inspector-info", "summary", "show", "--campaign", c);
        refused(5, "not_permitted", "admin", "summary", "generate", "--campaign", c);
        JsonNode gen = JSON.readTree(ok("inspector-info", "summary", "generate", "--campaign", c, "--json").out());
        assertThat(gen.path("version").asInt()).isEqualTo(1);
        refused(5, "wrong_state", "approver-info", "summary", "sign", "--campaign", c);
        ok("admin", "campaign", "advance", c, "--to", "joint_review");
        refused(5, "wrong_state", "inspector-info", "summary", "generate", "--campaign", c);

        // Joint review: each department once; never a unit, an inspector or the leadership; the leader waits for all three.
        String sm3 = gen.path("json_sm3").asText();
        signaturesThatAreNotTheCallersOwnOverTheseBytes_areRefused(c, sm3);
        ok("approver-info", "summary", "sign", "--campaign", c, "--expect-sm3", sm3);
        refused(5, "already_signed", "approver-info", "summary", "sign", "--campaign", c);
        refused(6, "it changed; read it again before signing", "approver-police", "summary", "sign", "--campaign", c,
                "--expect-sm3", "0".repeat(64));
        for (String who : List.of("unit-a", "inspector-info", "leader")) {
            refused(5, "not_permitted", who, "summary", "sign", "--campaign", c);
        }
        ok("approver-police", "summary", "sign", "--campaign", c, "--expect-sm3", sm3);
        CliRun waiting = refused(5, "precondition_failed", "leader", "campaign", "advance", c, "--to", "approved");
        assertThat(waiting.err()).contains("only 2 of the 3 joint-review departments have signed the summary");
        ok("approver-secrecy", "summary", "sign", "--campaign", c);
        assertThat(ok("leader", "summary", "show", "--campaign", c).out()).contains("Still to sign: -");

        // The signed summary, offline: the CLI and OpenSSL verify it; one changed byte breaks every signature.
        Path got = tmp.resolve("汇总");
        ok("leader", "summary", "get", "--campaign", c, "-o", got.toString());
        String ca = dev.data.resolve("ca.crt").toString();
        CliRun verified = dev.midang("leader", "summary", "verify", got.toString(), "--ca", ca);
        assertThat(verified.exit()).as(verified.out() + verified.err()).isZero();
        assertThat(verified.out().lines().filter(l -> l.startsWith("✓"))).hasSize(6); // two files, the CA, three departments
        Path json = got.resolve(c + "-汇总-v1.json");
        for (String dept : List.of("info-office", "public-security", "secrecy-bureau")) {
            Processes.ok(got, Map.of(), "openssl", "x509", "-in", dept + ".pem", "-pubkey", "-noout", "-out", dept + "-pub.pem");
            assertThat(Processes.ok(got, Map.of(), "openssl", "dgst", "-sm3", "-verify", dept + "-pub.pem", "-sigopt",
                    "distid:1234567812345678", "-signature", json.getFileName() + "." + dept + ".sig", json.getFileName().toString()).out())
                    .contains("Verified OK");
        }
        Path tampered = tmp.resolve("汇总-篡改");
        copy(got, tampered);
        byte[] bytes = Files.readAllBytes(tampered.resolve(json.getFileName()));
        int at = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("\"reports_in\" : 2") + "\"reports_in\" : ".length();
        bytes[at] = '3';
        Files.write(tampered.resolve(json.getFileName()), bytes);
        CliRun broken = dev.midang("leader", "summary", "verify", tampered.toString(), "--ca", ca);
        assertThat(broken.exit()).isEqualTo(6);
        assertThat(broken.out().lines().filter(l -> l.startsWith("✗"))).hasSize(3);
        // Whoever changes the JSON and re-signs it for all three departments with a CA of their own, put in the folder,
        // fools a check that trusts the folder's ca.pem, and no check against the deployment's CA.
        cn.midang.keys.testkit.TestPki forger = cn.midang.keys.testkit.TestPki.create(Files.createDirectories(tmp.resolve("forger")));
        forger.ca.certificate().writePem(tampered.resolve("ca.pem"));
        byte[] forgedJson = Files.readAllBytes(tampered.resolve(json.getFileName()));
        for (String[] d : new String[][] {{"info-office", "市信息产业办"}, {"public-security", "市公安局"}, {"secrecy-bureau", "市保密局"}}) {
            cn.midang.keys.pki.Identity fake = forger.person("fake-" + d[0], "approver", d[1]);
            Files.delete(tampered.resolve(d[0] + ".pem"));
            fake.certificate().writePem(tampered.resolve(d[0] + ".pem"));
            Files.write(tampered.resolve(json.getFileName() + "." + d[0] + ".sig"), cn.midang.keys.sign.RawSignatures.sign(fake, forgedJson));
        }
        CliRun fooled = dev.midang("leader", "summary", "verify", tampered.toString());
        assertThat(fooled.exit()).isZero();
        assertThat(fooled.out()).contains("taken from the folder itself; give --ca");
        CliRun caught = dev.midang("leader", "summary", "verify", tampered.toString(), "--ca", ca);
        assertThat(caught.exit()).isEqualTo(6);
        assertThat(caught.out().lines().filter(l -> l.startsWith("✗"))).hasSize(3);
        Path xlsxChanged = tmp.resolve("汇总-表格被改");
        copy(got, xlsxChanged);
        Path x = xlsxChanged.resolve(c + "-汇总-v1.xlsx");
        byte[] xb = Files.readAllBytes(x);
        xb[xb.length / 2] ^= 1;
        Files.write(x, xb);
        CliRun xbroken = dev.midang("leader", "summary", "verify", xlsxChanged.toString(), "--ca", ca);
        assertThat(xbroken.exit()).isEqualTo(6);
        assertThat(xbroken.out()).contains("✗ " + x.getFileName());

        // The .xlsx and .docx open with POI and carry the per-area totals.
        try (InputStream in = Files.newInputStream(got.resolve(c + "-汇总-v1.xlsx")); XSSFWorkbook wb = new XSSFWorkbook(in)) {
            Sheet byArea = wb.getSheet("按检查内容");
            assertThat(byArea).isNotNull();
            Row crypto = rowOf(byArea, "cryptography");
            Row total = rowOf(byArea, "合计");
            // columns: id, name, items, 符合, 基本符合, 不符合, 不适用, 未答, high, medium, low, total
            assertThat(crypto.getCell(8).getNumericCellValue()).isEqualTo(1.0);
            assertThat(total.getCell(8).getNumericCellValue()).isEqualTo(1.0);
            assertThat(total.getCell(10).getNumericCellValue()).isEqualTo(1.0);
            assertThat(total.getCell(11).getNumericCellValue()).isEqualTo(2.0);
            assertThat(total.getCell(5).getNumericCellValue()).as("不符合: unit-b's first item").isEqualTo(1.0);
            assertThat(total.getCell(3).getNumericCellValue()).as("符合: 2 forms x 22 items - 1").isEqualTo(43.0);
            assertThat(total.getCell(7).getNumericCellValue()).as("未答: 20 units without a form x 22 items").isEqualTo(440.0);
            assertThat(wb.getSheet("问题清单").getRow(1).getCell(4).getStringCellValue()).isEqualTo("政务外网边界未使用商用密码设备");
        }
        try (InputStream in = Files.newInputStream(got.resolve(c + "-汇总-v1.docx")); XWPFDocument doc = new XWPFDocument(in);
                XWPFWordExtractor text = new XWPFWordExtractor(doc)) {
            assertThat(text.getText()).contains("二、按检查内容汇总").contains("密码技术与产品使用情况").contains("合计")
                    .contains("部署经国家密码管理部门认可的VPN网关").contains("玉政办明电[2009]286号");
        }
        // ... and their text is indexed like any document.
        dev.server.awaitIndexed();
        JsonNode hits = JSON.readTree(ok("inspector-info", "search", "按检查内容汇总", "--campaign", c, "--json").out());
        List<String> names = new ArrayList<>();
        hits.path("hits").forEach(h -> names.add(h.path("file_name").asText()));
        assertThat(names).contains(c + "-汇总-v1.docx");
        // An approver reads summaries only: a raw report answers as an id that does not exist.
        refused(4, "not_found", "approver-info", "get", late.path("submitted").get(0).path("id").asText(), "-o",
                tmp.resolve("raw.txt").toString());

        // Approval and publication: the notices, each unit its own.
        refused(5, "not_permitted", "admin", "campaign", "advance", c, "--to", "approved");
        ok("leader", "campaign", "advance", c, "--to", "approved");
        refused(5, "wrong_state", "approver-info", "summary", "sign", "--campaign", c); // the joint review is over
        refused(5, "no_results", "leader", "results", "--campaign", c);
        refused(5, "not_permitted", "leader", "campaign", "advance", c, "--to", "published");
        ok("admin", "campaign", "advance", c, "--to", "published");
        JsonNode mine = JSON.readTree(ok("unit-b", "results", "--campaign", c, "--json").out()).path("notices");
        assertThat(mine).hasSize(1);
        assertThat(mine.get(0).path("notice").path("outcome").asText()).isEqualTo("rectification");
        assertThat(mine.get(0).path("notice").path("findings")).hasSize(2);
        assertThat(mine.get(0).path("notice").path("summary_sm3").asText()).isEqualTo(sm3);
        JsonNode theirs = JSON.readTree(ok("unit-a", "results", "--campaign", c, "--json").out()).path("notices");
        assertThat(theirs).hasSize(1);
        assertThat(theirs.get(0).path("notice").path("outcome").asText()).isEqualTo("commendation");
        assertThat(theirs.toString()).doesNotContain("unit-b");
        Path kept = tmp.resolve("结果");
        JsonNode all = JSON.readTree(ok("leader", "results", "--campaign", c, "-o", kept.toString(), "--json").out()).path("notices");
        assertThat(all).hasSize(22);
        Path cert;
        try (Stream<Path> s = Files.list(kept)) {
            cert = s.filter(p -> p.getFileName().toString().startsWith("server-")).findFirst().orElseThrow();
        }
        Processes.ok(kept, Map.of(), "openssl", "x509", "-in", cert.getFileName().toString(), "-pubkey", "-noout", "-out", "server-pub.pem");
        assertThat(Processes.ok(kept, Map.of(), "openssl", "dgst", "-sm3", "-verify", "server-pub.pem", "-sigopt",
                "distid:1234567812345678", "-signature", "unit-b.result.json.sig", "unit-b.result.json").out()).contains("Verified OK");
        refused(5, "not_permitted", "approver-info", "results", "--campaign", c);

        // Rectification: against the unit's own findings only; the other finding goes overdue.
        JsonNode own = JSON.readTree(ok("unit-b", "finding", "list", "--campaign", c, "--json").out()).path("findings");
        assertThat(own).hasSize(2);
        // Naming another unit changes nothing: a unit's listing is its own, whatever it asks for (C2).
        assertThat(JSON.readTree(ok("unit-a", "finding", "list", "--campaign", c, "--unit", "unit-b", "--json").out())
                .path("findings")).isEmpty();
        refused(2, "unknown_finding", "unit-b", "submit", "--campaign", c, "--kind", "rectification", "--finding", "unit-a-1",
                "--receipt-dir", rc, file("整改-错.txt", "整改报告").toString());
        refused(2, "unknown_finding", "unit-b", "submit", "--campaign", c, "--kind", "rectification", "--receipt-dir", rc,
                file("整改-无.txt", "整改报告").toString());
        ok("admin", "campaign", "advance", c, "--to", "rectification");
        JsonNode fixed = JSON.readTree(ok("unit-b", "submit", "--campaign", c, "--kind", "rectification", "--finding", "unit-b-1",
                "--receipt-dir", rc, "--json", file("整改报告-乙.txt", "已部署经认可的VPN网关。").toString()).out());
        assertThat(fixed.path("submitted").get(0).path("finding").asText()).isEqualTo("unit-b-1");
        refused(5, "campaign_closed", "unit-a", "submit", "--campaign", c, "--kind", "report", "--receipt-dir", rc,
                file("补交.txt", "补交").toString());
        dev.clock.advance(Duration.ofSeconds(40));
        JsonNode after = unit(JSON.readTree(ok("inspector-info", "status", "--campaign", c, "--json").out()).path("status"), "unit-b");
        assertThat(after.path("findings_rectified").asInt()).isEqualTo(1);
        assertThat(after.path("findings_overdue").asInt()).isEqualTo(1);
        assertThat(ok("inspector-info", "finding", "list", "--campaign", c).out()).contains("OVERDUE");
        refused(5, "not_permitted", "leader", "campaign", "advance", c, "--to", "archived");
        ok("admin", "campaign", "advance", c, "--to", "archived");
        // Findings and notices are in H2 only encrypted (C4): no trace of their text anywhere under the data directory.
        for (String text : List.of("政务外网边界未使用商用密码设备", "部署经国家密码管理部门认可的VPN网关", "通报表扬", "修复门禁并登记出入")) {
            assertThat(cn.midang.keys.testkit.PlaintextScan.firstFileContaining(dev.data, cn.midang.keys.testkit.PlaintextScan.encodings(text)))
                    .as(text).isEmpty();
        }
        CliRun last = refused(5, "wrong_state", "admin", "campaign", "advance", c, "--to", "archived");
        assertThat(last.err()).contains("the campaign is archived; it has no further step");
        refused(5, "campaign_closed", "unit-b", "submit", "--campaign", c, "--kind", "rectification", "--finding", "unit-b-2",
                "--receipt-dir", rc, tmp.resolve("整改报告-乙.txt").toString());

        // Everything the archive attested on the way is an entry of the transparency log, with a proof that verifies (C7):
        // every step, the three departments' sign-offs over the summary's bytes, every published result.
        dev.server.log().integrate();
        int steps = 0;
        try (var conn = dev.deployment.database().connection();
                var ps = conn.prepareStatement("SELECT statement, signature FROM campaign_transitions WHERE campaign_id = ?")) {
            ps.setString(1, c);
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    dev.assertLogged(cn.midang.keys.tlog.LogEntry.Kind.TRANSITION, rs.getBytes(1), rs.getBytes(2));
                    steps++;
                }
            }
        }
        assertThat(steps).as("draft→open … rectification→archived").isEqualTo(9);
        for (String dept : List.of("info-office", "public-security", "secrecy-bureau")) {
            dev.assertLogged(cn.midang.keys.tlog.LogEntry.Kind.SIGN_OFF, Files.readAllBytes(json),
                    Files.readAllBytes(got.resolve(json.getFileName() + "." + dept + ".sig")));
        }
        try (Stream<Path> s = Files.list(kept)) {
            List<Path> notices = s.filter(p -> p.toString().endsWith(".result.json")).toList();
            assertThat(notices).hasSize(22);
            for (Path n : notices) {
                dev.assertLogged(cn.midang.keys.tlog.LogEntry.Kind.RESULT, Files.readAllBytes(n),
                        Files.readAllBytes(Path.of(n + ".sig")));
            }
        }
    }

    /**
     * The administrator moves a campaign's dates: only dates still ahead, never into the past, in
     * order, each while the campaign is at a step where it matters; receipts already given keep
     * their mark; closing and ending the inspection follow the new dates, not the file's (the test
     * clock does not move past the file's deadline at all).
     */
    @Test
    void reschedule_movesOnlyDatesStillAhead_andReceiptsKeepTheirMark() throws Exception {
        String c = "moved-2009";
        String rc = tmp.resolve("receipts-moved").toString();
        Instant deadline = dev.clock.instant().plus(Duration.ofDays(7)).truncatedTo(ChronoUnit.SECONDS);
        Path f = campaignFile(c, deadline);
        Files.writeString(f, Files.readString(f).replaceAll("self_check_start: \\S+",
                "self_check_start: " + LOCAL.format(dev.clock.instant().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS))));
        ok("admin", "campaign", "create", f.toString());
        ok("admin", "campaign", "advance", c, "--to", "open");
        ok("unit-a", "submit", "--campaign", c, "--kind", "report", "--receipt-dir", rc, file("甲-延期.txt", "单位甲按时提交。").toString());

        refused(5, "not_permitted", "inspector-info", "campaign", "reschedule", c, "--submission-deadline", "now");
        refused(5, "not_permitted", "leader", "campaign", "reschedule", c, "--submission-deadline", "now");
        refused(2, "invalid_dates", "admin", "campaign", "reschedule", c, "--submission-deadline", "2001-01-01 17:00");
        refused(2, "invalid_dates", "admin", "campaign", "reschedule", c, "--submission-deadline", "next week");
        CliRun none = dev.midang("admin", "campaign", "reschedule", c);
        assertThat(none.exit()).isEqualTo(2);
        JsonNode unchanged = dev.client("admin").campaign(c).orElseThrow();
        assertThat(unchanged.path("submission_deadline").asText()).isEqualTo(deadline.toString());

        // Extended by a week (China time), then brought to now: unit-b's report after it is late, unit-a's stays on time.
        CliRun week = ok("admin", "campaign", "reschedule", c, "--submission-deadline",
                LOCAL.format(deadline.plus(Duration.ofDays(7))).substring(0, 16).replace('T', ' '));
        assertThat(week.out()).contains("Campaign " + c + ": submission deadline " + cn.midang.cli.Messages.chinaTime(deadline.plus(Duration.ofDays(7)), false));
        JsonNode now = JSON.readTree(ok("admin", "campaign", "reschedule", c, "--submission-deadline", "now", "--json").out());
        assertThat(Instant.parse(now.path("submission_deadline").asText())).isEqualTo(dev.clock.instant());
        dev.clock.advance(Duration.ofSeconds(1)); // a report at the deadline's very instant is on time
        JsonNode late = JSON.readTree(ok("unit-b", "submit", "--campaign", c, "--kind", "report", "--receipt-dir", rc, "--json",
                file("乙-延期.txt", "县区乙逾期提交。").toString()).out());
        assertThat(late.path("submitted").get(0).path("late").asBoolean()).isTrue();
        JsonNode status = dev.client("admin").status(c);
        Map<String, Boolean> onTime = new java.util.HashMap<>();
        status.path("units").forEach(u -> onTime.put(u.path("id").asText(), u.path("report_on_time").asBoolean()));
        assertThat(onTime).containsEntry("unit-a", true).containsEntry("unit-b", false);
        CliRun passed = refused(2, "invalid_dates", "admin", "campaign", "reschedule", c, "--submission-deadline", "2099-01-01 00:00");
        assertThat(passed.err()).contains("has passed");

        // Closed at once (the file's deadline is a week away); the deadline no longer moves, the on-site dates do.
        ok("admin", "campaign", "advance", c, "--to", "closed");
        ok("admin", "campaign", "advance", c, "--to", "on_site");
        refused(5, "wrong_state", "admin", "campaign", "reschedule", c, "--submission-deadline", "2099-01-01 00:00");
        CliRun order = refused(2, "invalid_dates", "admin", "campaign", "reschedule", c, "--on-site-end", "now");
        assertThat(order.err()).contains("is not after on_site_start");
        refused(5, "precondition_failed", "admin", "campaign", "advance", c, "--to", "summary");
        ok("admin", "campaign", "reschedule", c, "--on-site-start", "now");
        dev.clock.advance(Duration.ofSeconds(1));
        ok("admin", "campaign", "reschedule", c, "--on-site-end", "now");
        ok("admin", "campaign", "advance", c, "--to", "summary");
        refused(5, "wrong_state", "admin", "campaign", "reschedule", c, "--on-site-end", "2099-01-01 00:00");
    }

    @Test
    void documentsRecordedTogether_areRecordedNotAtAll_whenAnyPartFails() throws Exception {
        var submissions = dev.records();
        String fp = dev.identity("inspector-info").certificate().fingerprint();
        java.util.function.Function<String, cn.midang.server.submission.Submissions.Pending> pending = name ->
                new cn.midang.server.submission.Submissions.Pending(cn.midang.server.submission.api.SubmissionService.newId(),
                        new cn.midang.server.submission.Submissions.Placement("demo", "", cn.midang.server.submission.Kind.SUMMARY, null, null),
                        new cn.midang.server.submission.Submissions.Content(name, 1, "0".repeat(64), 1, "b" + System.nanoTime()),
                        fp, fp, dev.clock.instant(), false);
        long before = dev.submissions();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> submissions.recordAll(List.of(pending.apply("a.json"),
                pending.apply("a.xlsx")), bytes -> new byte[] {1}, conn -> {
                    throw new java.sql.SQLException("the summary row could not be written");
                })).isInstanceOf(java.sql.SQLException.class);
        assertThat(dev.submissions()).isEqualTo(before);
    }

    /**
     * Straight to the API, as an approver of a department: a signature over other bytes, one made
     * with another approver's key, one for another version, and one that is not base64 are refused,
     * and none is counted.
     */
    void signaturesThatAreNotTheCallersOwnOverTheseBytes_areRefused(String c, String sm3) throws Exception {
        cn.midang.keys.pki.Identity info = dev.identity("approver-info");
        byte[] json = dev.client("approver-info").getInMemory(JSON.readTree(ok("approver-info", "summary", "show", "--campaign", c,
                "--json").out()).path("summary").path("documents").path("json").asText(), 1 << 24);
        byte[] other = json.clone();
        other[other.length / 2] ^= 1;
        String path = "/api/v1/campaigns/" + c + "/summary/signatures";
        Map<String, byte[]> attacks = new java.util.LinkedHashMap<>();
        attacks.put("over other bytes", body(1, sm3, cn.midang.keys.sign.RawSignatures.sign(info, other)));
        attacks.put("with another approver's key", body(1, sm3, cn.midang.keys.sign.RawSignatures.sign(dev.identity("approver-police"), json)));
        attacks.put("for another version", body(2, sm3, cn.midang.keys.sign.RawSignatures.sign(info, json)));
        attacks.put("for other bytes' SM3", body(1, "0".repeat(64), cn.midang.keys.sign.RawSignatures.sign(info, json)));
        attacks.put("not base64", JSON.writeValueAsBytes(Map.of("version", 1, "json_sm3", sm3, "signature", "%%%")));
        Map<String, String> expected = Map.of("over other bytes", "bad_summary_signature", "with another approver's key",
                "bad_summary_signature", "for another version", "summary_changed", "for other bytes' SM3", "summary_changed",
                "not base64", "bad_summary_signature");
        for (var a : attacks.entrySet()) {
            var r = RawApi.signedAs(dev, info, "POST", path, "", a.getValue());
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).as(a.getKey()).contains(expected.get(a.getKey()));
            assertThat(r.statusCode()).as(a.getKey()).isIn(409, 422);
        }
        assertThat(JSON.readTree(ok("leader", "summary", "show", "--campaign", c, "--json").out()).path("summary").path("signatures"))
                .as("no signature counted").isEmpty();
    }

    static byte[] body(int version, String sm3, byte[] signature) throws Exception {
        return JSON.writeValueAsBytes(Map.of("version", version, "json_sm3", sm3, "signature",
                java.util.Base64.getEncoder().encodeToString(signature)));
    }

    static JsonNode unit(JsonNode status, String id) {
        for (JsonNode u : status.path("units")) {
            if (u.path("id").asText().equals(id)) {
                return u;
            }
        }
        throw new AssertionError("no unit " + id + " in " + status);
    }

    static Row rowOf(Sheet sheet, String first) {
        for (Row r : sheet) {
            if (r.getCell(0) != null && first.equals(r.getCell(0).toString())) {
                return r;
            }
        }
        throw new AssertionError("no row " + first);
    }

    static void copy(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.copy(p, to.resolve(p.getFileName().toString()));
            }
        }
    }
}
