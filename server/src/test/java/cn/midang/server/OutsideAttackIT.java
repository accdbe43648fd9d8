package cn.midang.server;

import static cn.midang.server.Refusals.refusal;
import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.cli.net.MidangClient;
import cn.midang.cli.net.Receipt;
import cn.midang.cli.net.ServerRefusal;
import cn.midang.keys.digest.Sm3;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.CertificateAuthority;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.seal.Sealer;
import cn.midang.server.access.AccessRecords;
import cn.midang.server.access.Engagement;
import cn.midang.server.campaign.Campaign;
import cn.midang.server.campaign.CampaignState;
import cn.midang.server.campaign.Campaigns;
import cn.midang.server.campaign.ShippedCampaigns;
import cn.midang.server.deploy.Deployment;
import cn.midang.server.identity.Accounts;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outside attack of issue 13, replayed against a real dev server through the real client and
 * hand-made requests: each finding's attack, its refusal with the catalogue's code, that nothing
 * was kept, and (where it matters) the audit record. One test per finding, numbered as the issue
 * numbers them; each works on campaigns and engagements of its own, so the order does not matter.
 */
class OutsideAttackIT {

    @TempDir
    static Path tmp;

    static DevServer dev;
    static final ObjectMapper JSON = new ObjectMapper();
    static final String LAB = Deployment.DEMO_IDENTITIES.get("tester")[1];

    @BeforeAll
    static void start() throws Exception {
        dev = DevServer.start(tmp.resolve("data"));
    }

    @AfterAll
    static void stop() throws Exception {
        dev.close();
    }

    static Path file(String name, String text) throws Exception {
        Path dir = Files.createTempDirectory(tmp, "f");
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    static Receipt submit(String who, String campaign, String kind, String unit, String text) throws Exception {
        return dev.client(who).submit(file("文件-" + System.nanoTime() + ".txt", text), campaign, kind, unit).receipt();
    }


    /** A campaign of unit-a and unit-b in {@code state}, open for submissions now. */
    static void campaign(String id, CampaignState state) throws Exception {
        Instant now = dev.clock.instant();
        new Campaigns(dev.deployment.database()).create(new Campaign(id, "攻击测试 " + id, state, now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(7)), true, List.of(new Campaign.Unit("unit-a", "甲", "市", true),
                        new Campaign.Unit("unit-b", "乙", "县区", false)), ShippedCampaigns.yuxi2009().areas()));
    }

    static void engage(String id, String org, String campaign) throws Exception {
        Instant now = dev.clock.instant();
        new AccessRecords(dev.deployment.database()).createEngagement(new Engagement(id, org, campaign, List.of("unit-a", "unit-b"),
                now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(7)), null), dev.identity("admin").certificate().fingerprint(), now);
    }

    static void assign(String inspector, String campaign) throws Exception {
        new AccessRecords(dev.deployment.database()).assign(campaign, dev.identity(inspector).certificate().fingerprint(),
                dev.clock.instant());
    }

    /** The audit records of request {@code requestId}: actor, role, action, object, decision, reason. */
    static List<Map<String, String>> audit(String requestId) throws Exception {
        List<Map<String, String>> out = new ArrayList<>();
        try (Connection c = dev.deployment.database().connection();
                PreparedStatement ps = c.prepareStatement("SELECT actor, role, action, object, decision, reason FROM audit_log "
                        + "WHERE request_id = ? ORDER BY seq")) {
            ps.setString(1, requestId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, String> m = new LinkedHashMap<>();
                    for (String k : List.of("actor", "role", "action", "object", "decision", "reason")) {
                        m.put(k, rs.getString(k));
                    }
                    out.add(m);
                }
            }
        }
        return out;
    }

    static String requestId(HttpResponse<?> r) {
        return r.headers().firstValue("X-Midang-Request").orElseThrow();
    }

    static JsonNode json(HttpResponse<byte[]> r) throws Exception {
        return JSON.readTree(r.body());
    }

    static HttpResponse<byte[]> permit(List<String> ids) throws Exception {
        return RawApi.signed(dev, dev.identity("admin"), "POST", "/api/v1/permits", "", JSON.writeValueAsBytes(Map.of(
                "tester_org", LAB, "submissions", ids, "expires_at", dev.clock.instant().plus(Duration.ofDays(1)).toString())));
    }

    // 1. A retention permit may name only test results this testing body handed in under its engagements.
    @Test
    void f01_permit_coversOnlyTheTestersOwnResults_andItsAuditRecordNamesThem() throws Exception {
        campaign("att-permit", CampaignState.OPEN);
        engage("permit-lab", LAB, "att-permit");
        assign("inspector-info", "att-permit");
        Receipt own = submit("tester", "att-permit", "test-result", "unit-a", "渗透测试结果 甲");
        Receipt report = submit("unit-a", "att-permit", "report", null, "甲单位自查报告");
        Receipt record = submit("inspector-info", "att-permit", "inspection-record", "unit-a", "检查记录");
        // Another laboratory's result, under its own engagement.
        Identity otherLab = issued("other-lab", "tester", "另一检测机构");
        engage("permit-other-lab", "另一检测机构", "att-permit");
        Receipt foreign = new MidangClient(dev.uri(), otherLab, dev.clock).submit(file("结果.txt", "另一机构的结果"), "att-permit",
                "test-result", "unit-b").receipt();

        for (String id : List.of(report.id(), record.id(), foreign.id(), "0".repeat(32))) {
            HttpResponse<byte[]> r = permit(List.of(own.id(), id));
            assertThat(r.statusCode()).as(id).isEqualTo(403);
            assertThat(json(r).path("code").asText()).isEqualTo("permit_out_of_scope");
            assertThat(json(r).path("problems").toString()).contains(id).doesNotContain(own.id());
            assertThat(audit(requestId(r))).extracting(m -> m.get("decision")).containsExactly("allow", "fail");
        }
        // Nothing was granted: the tester still cannot read the report.
        assertThat(refusal(() -> dev.client("tester").getInMemory(report.id(), 1 << 20)).code()).isEqualTo("not_found");

        HttpResponse<byte[]> ok = permit(List.of(own.id()));
        assertThat(ok.statusCode()).isEqualTo(201);
        List<Map<String, String>> records = audit(requestId(ok));
        assertThat(records).hasSize(1);
        assertThat(records.get(0).get("object")).contains("tester:" + LAB).contains("submissions:" + own.id());
        dev.client("tester").getInMemory(own.id(), 1 << 20);
    }

    // 2. A unit cannot freeze its campaign with a large form: refused at upload, and what cannot be read counts as incomplete.
    @Test
    void f02_oversizedForm_isRefusedAtUpload_andAnUnreadableStoredForm_countsAsIncomplete() throws Exception {
        campaign("att-form", CampaignState.OPEN);
        assign("inspector-info", "att-form");
        Receipt form = submit("unit-a", "att-form", "form", null, "表: midang-报告表/1\n检查工作: att-form\n单位: unit-a\n");
        long before = dev.submissions();
        StringBuilder big = new StringBuilder("表: midang-报告表/1\n检查工作: att-form\n单位: unit-a\n");
        while (big.length() < 5 << 20) {
            big.append("# 填充注释行 padding comment line to make the form large\n");
        }
        ServerRefusal r = refusal(() -> dev.client("unit-a").submit(file("报告表.yaml", big.toString()), "att-form", "form", null));
        assertThat(r.code()).isEqualTo("body_too_large");
        assertThat(r.status()).isEqualTo(413);
        assertThat(dev.submissions()).isEqualTo(before);

        // A stored form that cannot be opened (its blob damaged on disk) makes no request fail.
        Path blob;
        try (Connection c = dev.deployment.database().connection();
                PreparedStatement ps = c.prepareStatement("SELECT blob_name FROM submissions WHERE id = ?")) {
            ps.setString(1, form.id());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                blob = Files.walk(dev.data.resolve("blobs")).filter(p -> p.getFileName().toString().equals(rsName(rs)))
                        .findFirst().orElseThrow();
            }
        }
        byte[] bytes = Files.readAllBytes(blob);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(blob, bytes);
        for (String who : List.of("inspector-info", "admin", "unit-a")) {
            JsonNode unitA = unitRow(dev.client(who).status("att-form"), "unit-a");
            assertThat(unitA.path("form").asText()).as(who).isEqualTo("incomplete");
        }
        try (Connection c = dev.deployment.database().connection(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE campaigns SET state = 'summary' WHERE id = 'att-form'");
        }
        JsonNode summary = dev.client("inspector-info").generateSummary("att-form");
        assertThat(summary.path("version").asInt()).isEqualTo(1);
    }

    static String rsName(ResultSet rs) {
        try {
            return Path.of(rs.getString(1)).getFileName().toString();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode unitRow(JsonNode status, String unit) {
        for (JsonNode u : status.path("units")) {
            if (u.path("id").asText().equals(unit)) {
                return u;
            }
        }
        throw new AssertionError("no row for " + unit + " in " + status);
    }

    // 3. A unit's status counts only what it may list.
    @Test
    void f03_unitStatus_doesNotCountWhatTestersAndInspectorsFiledAboutIt() throws Exception {
        campaign("att-status", CampaignState.OPEN);
        engage("status-lab", LAB, "att-status");
        assign("inspector-police", "att-status");
        submit("unit-a", "att-status", "report", null, "自查报告");
        submit("tester", "att-status", "test-result", "unit-a", "检测结果");
        submit("inspector-police", "att-status", "inspection-record", "unit-a", "检查记录");
        JsonNode own = unitRow(dev.client("unit-a").status("att-status"), "unit-a").path("submissions_by_kind");
        assertThat(own.toString()).isEqualTo("{\"report\":1}");
        JsonNode all = unitRow(dev.client("inspector-police").status("att-status"), "unit-a").path("submissions_by_kind");
        assertThat(all.path("test-result").asLong()).isEqualTo(1);
        assertThat(all.path("inspection-record").asLong()).isEqualTo(1);
    }

    // 4. Receipt numbers count the submitter's organisation's receipts only.
    @Test
    void f04_receiptNumbers_doNotDependOnOtherUnitsTraffic() throws Exception {
        campaign("att-seq", CampaignState.OPEN);
        Receipt first = submit("unit-a", "att-seq", "report", null, "甲 一");
        for (int i = 0; i < 3; i++) {
            submit("unit-b", "att-seq", "report", null, "乙 " + i);
        }
        Receipt second = submit("unit-a", "att-seq", "report", null, "甲 二");
        assertThat(second.sequence()).isEqualTo(first.sequence() + 1);
        JsonNode listed = dev.client("unit-a").list("att-seq", null, null, 10, 0).path("submissions");
        assertThat(listed.get(0).path("id").asText()).isEqualTo(second.id());
        assertThat(listed.get(0).path("sequence").asLong()).isEqualTo(second.sequence());
        assertThat(listed.get(1).path("sequence").asLong()).isEqualTo(first.sequence());
    }

    // 5 is in SubmissionIT (metrics only on the operator's listener).

    // 6. Requests Jetty refuses get the catalogue's JSON, a request id and an audit record.
    @Test
    void f06_requestsTheHttpLayerRefuses_areAnsweredFromTheCatalogue_andAudited() throws Exception {
        Identity unitA = dev.identity("unit-a");
        Map<String, String> signed = RawApi.headers(unitA, dev.clock.instant(), "GET", "/api/v1/me", "", Sm3.digest(new byte[0]),
                RawApi.nonce());
        StringBuilder h = new StringBuilder();
        signed.forEach((k, v) -> h.append(k).append(": ").append(v).append("\r\n"));
        Map<String, String> attacks = new LinkedHashMap<>();
        attacks.put("malformed_http", "GET //api/v1/me HTTP/1.1\r\nHost: x\r\n" + h + "\r\n");
        attacks.put("malformed_http ", "GET /api/v1/%2e%2e/v1/me HTTP/1.1\r\nHost: x\r\n" + h + "\r\n");
        attacks.put("malformed_http  ", "GET /api/v1/..%2fme HTTP/1.1\r\nHost: x\r\n" + h + "\r\n");
        attacks.put("malformed_http   ", "GET /api/v1/me%00 HTTP/1.1\r\nHost: x\r\n" + h + "\r\n");
        attacks.put("malformed_http    ", "GET /%ZZ HTTP/1.1\r\nHost: x\r\n\r\n");
        attacks.put("malformed_http     ", "POST /api/v1/submissions HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        attacks.put("malformed_http      ", "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
        attacks.put("http_version_not_supported", "GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n");
        attacks.put("headers_too_large", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
        attacks.put("not_found", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
        for (var a : attacks.entrySet()) {
            String answer = raw(a.getValue());
            String head = answer.substring(0, answer.indexOf("\r\n\r\n"));
            String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
            assertThat(head).as(a.getValue()).containsIgnoringCase("content-type: application/json");
            JsonNode n = JSON.readTree(body);
            assertThat(n.path("code").asText()).as(a.getValue()).isEqualTo(a.getKey().strip());
            assertThat(n.path("message_zh").asText()).isNotBlank();
            String id = head.lines().filter(l -> l.toLowerCase().startsWith("x-midang-request:")).findFirst().orElseThrow()
                    .substring("x-midang-request:".length()).strip();
            List<Map<String, String>> records = audit(id);
            assertThat(records).as(a.getValue()).hasSize(1);
            assertThat(records.get(0).get("decision")).isEqualTo("fail");
            assertThat(records.get(0).get("reason")).startsWith(a.getKey().strip());
            // A certificate the request presented is named, marked unauthenticated, when Jetty kept the headers (for some
            // refusals it keeps only Host: then there is no actor).
            if (!records.get(0).get("actor").equals("-")) {
                assertThat(a.getValue()).contains("X-Midang-Certificate");
                assertThat(records.get(0)).containsEntry("actor", unitA.certificate().fingerprint()).containsEntry("role", "unauthenticated");
            }
        }
    }

    /** Sends {@code request} as it is on a new connection and returns the whole answer. */
    static String raw(String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", dev.server.port())) {
            s.setSoTimeout(300_000); // each answer closes the connection; the bound only keeps a broken server from hanging the build
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                got.write(buf, 0, n);
                String sofar = got.toString(StandardCharsets.UTF_8);
                int end = sofar.indexOf("\r\n\r\n");
                if (end > 0) {
                    var length = sofar.substring(0, end).lines().filter(l -> l.toLowerCase().startsWith("content-length:")).findFirst();
                    if (length.isPresent() && got.size() - (end + 4) >= Integer.parseInt(length.get().substring(15).strip())) {
                        break;
                    }
                }
            }
            return got.toString(StandardCharsets.UTF_8);
        }
    }

    // 7. A draft is, for units and testers, exactly an unknown campaign.
    @Test
    void f07_draftCampaign_answersUnitsAndTestersExactlyAsAnUnknownOne() throws Exception {
        campaign("att-draft", CampaignState.DRAFT);
        engage("draft-lab", LAB, "att-draft");
        for (String who : List.of("unit-a", "tester")) {
            MidangClient c = dev.client(who);
            String kind = who.equals("tester") ? "test-result" : "report";
            String unit = who.equals("tester") ? "unit-a" : null;
            for (ThrowingCall call : List.<ThrowingCall>of(
                    id -> c.status(id),
                    id -> c.findings(id, null),
                    id -> c.results(id),
                    id -> c.submit(file("r.txt", "x"), id, kind, unit),
                    id -> c.submit(file("r.txt", "x"), id, kind, "unit-b"))) {
                ServerRefusal draft = refusal(() -> call.run("att-draft"));
                ServerRefusal unknown = refusal(() -> call.run("att-nothing"));
                assertThat(draft.status()).as(who).isEqualTo(unknown.status());
                assertThat(draft.code()).as(who).isEqualTo(unknown.code());
                assertThat(draft.getMessage()).isEqualTo(unknown.getMessage());
            }
            assertThat(c.campaigns().toString()).doesNotContain("att-draft");
        }
    }

    interface ThrowingCall {
        Object run(String campaign) throws Exception;
    }

    // 8. Approvers and leaders get one answer for every id that is not a summary.
    @Test
    void f08_approversAndLeaders_cannotTellWhichSubmissionIdsExist() throws Exception {
        Receipt report = submit("unit-a", "demo", "report", null, "甲单位自查报告");
        for (String who : List.of("approver-info", "leader")) {
            for (String path : List.of("/api/v1/submissions/%s", "/api/v1/submissions/%s/receipt")) {
                HttpResponse<byte[]> existing = RawApi.signed(dev, dev.identity(who), "GET", path.formatted(report.id()), "", null);
                HttpResponse<byte[]> missing = RawApi.signed(dev, dev.identity(who), "GET", path.formatted("f".repeat(32)), "", null);
                assertThat(existing.statusCode()).as(who + " " + path).isEqualTo(404).isEqualTo(missing.statusCode());
                assertThat(existing.body()).isEqualTo(missing.body());
            }
        }
    }

    // 9. The joint review is the deployment's three departments, each once.
    @Test
    void f09_campaignFile_cannotShrinkOrRepeatTheJointReview() throws Exception {
        String yuxi = ShippedCampaigns.text("yuxi-2009.yaml");
        String review = yuxi.substring(yuxi.indexOf("joint_review:"), yuxi.indexOf("# 五、检查程序"));
        Map<String, String> files = Map.of(
                "one department", yuxi.replace("id: yuxi-2009", "id: att-one").replace(review,
                        "joint_review:\n  - {id: info-office, name: 市信息产业办}\n\n"),
                "the same department twice", yuxi.replace("id: yuxi-2009", "id: att-twice").replace(review,
                        "joint_review:\n  - {id: a, name: 市公安局}\n  - {id: b, name: 市公安局}\n  - {id: c, name: 市保密局}\n\n"),
                "a department of no deployment", yuxi.replace("id: yuxi-2009", "id: att-foreign").replace(review,
                        "joint_review:\n  - {id: a, name: 市信息产业办}\n  - {id: b, name: 市公安局}\n  - {id: c, name: 某某办}\n\n"));
        for (var f : files.entrySet()) {
            ServerRefusal r = refusal(() -> dev.client("admin").postJson("/api/v1/campaigns", Map.of("definition", f.getValue())));
            assertThat(r.code()).as(f.getKey()).isEqualTo("invalid_campaign");
            assertThat(String.join("\n", r.problems())).as(f.getKey()).contains("line ").containsAnyOf("missing", "twice", "not a joint");
        }
        assertThat(new Campaigns(dev.deployment.database()).exists("att-one")).isFalse();
        JsonNode ok = dev.client("admin").postJson("/api/v1/campaigns", Map.of("definition",
                yuxi.replace("id: yuxi-2009", "id: att-three")));
        assertThat(ok.path("details").path("joint_review")).hasSize(3);
    }

    // 10. A destruction attestation ends the engagement; nothing is filed against approved results.
    @Test
    void f10_attestationEndsTheEngagement_andApprovedCampaignsTakeNoResultsOrRecords() throws Exception {
        campaign("att-attest", CampaignState.OPEN);
        engage("attest-lab", LAB, "att-attest");
        submit("tester", "att-attest", "test-result", "unit-a", "结果 一");
        dev.client("tester").attestDestruction("attest-lab", "已全部销毁");
        long before = dev.submissions();
        assertThat(refusal(() -> submit("tester", "att-attest", "test-result", "unit-a", "结果 二")).code()).isEqualTo("no_engagement");
        assertThat(dev.submissions()).isEqualTo(before);
        JsonNode engagement = null;
        for (JsonNode e : dev.client("tester").engagements().path("engagements")) {
            if (e.path("id").asText().equals("attest-lab")) {
                engagement = e;
            }
        }
        assertThat(engagement.path("open").asBoolean()).isFalse();
        assertThat(engagement.path("ended").asBoolean()).isTrue();

        for (CampaignState state : List.of(CampaignState.APPROVED, CampaignState.PUBLISHED)) {
            String id = "att-" + state.name().toLowerCase();
            campaign(id, state);
            engage(id + "-lab", LAB, id);
            assign("inspector-secrecy", id);
            assertThat(refusal(() -> submit("tester", id, "test-result", "unit-a", "迟到的结果")).code()).isEqualTo("campaign_closed");
            assertThat(refusal(() -> submit("inspector-secrecy", id, "inspection-record", "unit-a", "迟到的记录")).code())
                    .isEqualTo("campaign_closed");
        }
        assertThat(dev.submissions()).isEqualTo(before);
    }

    // 11. Hostile file names are refused by the server (and by the client before anything is sent).
    @Test
    void f11_hostileFileNames_areRefused_andNothingIsStored() throws Exception {
        Identity unitA = dev.identity("unit-a");
        Certificate archive = dev.deployment.archiveIdentity().certificate();
        long before = dev.submissions();
        for (String name : List.of("..", ".", "report\u202Etxt.exe", "a\u007Fb.txt", "a\u0085b.txt", "a\u2028b.txt", "\u200B",
                "\uFEFF", "\u200B\u00A0\u200D", "长".repeat(86), "a\u001B]0;pwned\u0007.txt")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Sealer.signedBy(unitA).to(archive).describedAs(name).clock(dev.clock).forRequest(RawApi.nonce()).build()
                    .seal(new ByteArrayInputStream("内容".getBytes(StandardCharsets.UTF_8)), out);
            HttpResponse<String> r = RawApi.upload(dev, unitA, "campaign=demo&kind=report", out.toByteArray(), h -> { });
            assertThat(r.statusCode()).as(name).isEqualTo(422);
            assertThat(JSON.readTree(r.body()).path("code").asText()).isEqualTo("bad_file_name");
        }
        assertThat(dev.submissions()).isEqualTo(before);
        // Names that are odd but harmless as a name are kept exactly (the client never uses them as a path).
        for (String name : List.of("CON", "-rf", "a\u2215b.txt", "长".repeat(85))) {
            assertThat(submitNamed(name).fileName()).isEqualTo(name);
        }
        // The client refuses before sealing or sending.
        Path hostile = file("report\u202Etxt.exe", "x");
        DevServer.CliRun run = dev.midang("unit-a", "submit", "--campaign", "demo", "--kind", "report", hostile.toString());
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("<U+202E>").doesNotContain("\u202E");
        assertThat(dev.submissions()).isEqualTo(before + 4);
    }

    static Receipt submitNamed(String name) throws Exception {
        return dev.client("unit-a").submit(file(name, "名字测试"), "demo", "report", null).receipt();
    }

    // 12. A refused authentication is audited with the certificate it presented.
    @Test
    void f12_refusedAuthentication_isAuditedWithThePresentedCertificate() throws Exception {
        Identity unitA = dev.identity("unit-a");
        byte[] none = Sm3.digest(new byte[0]);
        Map<String, String> h = RawApi.headers(unitA, dev.clock.instant(), "GET", "/api/v1/me", "", none, RawApi.nonce());
        assertThat(RawApi.send(dev.uri(), "GET", "/api/v1/me", "", null, h).statusCode()).isEqualTo(200);
        HttpResponse<String> replay = RawApi.send(dev.uri(), "GET", "/api/v1/me", "", null, h);
        Map<String, String> forged = RawApi.headers(unitA, dev.clock.instant(), "GET", "/api/v1/me", "", none, RawApi.nonce());
        forged.put("X-Midang-Nonce", RawApi.nonce()); // signed over another nonce
        HttpResponse<String> badSignature = RawApi.send(dev.uri(), "GET", "/api/v1/me", "", null, forged);
        for (var r : Map.of("replayed_request", replay, "bad_signature", badSignature).entrySet()) {
            assertThat(r.getValue().statusCode()).isEqualTo(401);
            List<Map<String, String>> records = audit(requestId(r.getValue()));
            assertThat(records).hasSize(1);
            assertThat(records.get(0)).containsEntry("actor", unitA.certificate().fingerprint()).containsEntry("role", "unauthenticated")
                    .containsEntry("decision", "fail");
            assertThat(records.get(0).get("reason")).startsWith(r.getKey());
        }
    }

    // 13. What a user is told of a document that is not indexed comes from the catalogue, not from inside the file.
    @Test
    void f13_notIndexedReason_isACatalogueReason_andKeepsNothingFromInsideTheFile() throws Exception {
        Path bomb = tmp.resolve("炸弹.docx");
        Files.write(bomb, Documents.zipBombDocx());
        String id = dev.client("unit-a").submit(bomb, "demo", "report", null).receipt().id();
        dev.server.awaitIndexed();
        JsonNode row = null;
        for (JsonNode s : dev.client("unit-a").list("demo", null, null, 500, 0).path("submissions")) {
            if (s.path("id").asText().equals(id)) {
                row = s;
            }
        }
        assertThat(row.path("index_state").asText()).isEqualTo("not_indexed");
        assertThat(row.path("index_reason").asText()).isEqualTo("parse_failed");
        assertThat(row.path("index_note_zh").asText()).contains("已归档");
        assertThat(row.toString()).doesNotContain("word/document.xml").doesNotContain("Exception");
        try (Connection c = dev.deployment.database().connection();
                PreparedStatement ps = c.prepareStatement("SELECT reason FROM index_status WHERE submission_id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("parse_failed");
            }
        }
    }

    /** A new identity issued by the deployment's CA, with an account. */
    static Identity issued(String name, String role, String org) throws Exception {
        CertificateAuthority ca = CertificateAuthority.open(dev.data.resolve("ca"), dev.passphrase, dev.clock);
        Identity fresh = Identity.generate(name, dev.clock);
        Identity id = fresh.withIssuedCertificate(ca.issue(fresh.request(), role, org, Duration.ofDays(30)), ca.certificate());
        new Accounts(dev.deployment.database()).register(id.certificate(), dev.clock.instant());
        return id;
    }
}
