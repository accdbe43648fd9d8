package cn.midang.server;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.server.DevServer.CliRun;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Campaigns defined from their file through the real client and server: the notice's campaign as
 * shipped, a file with mistakes (every problem named with its line, nothing recorded), an id
 * taken twice, and roles other than the administrator refused. A new campaign is a draft that
 * units do not see.
 */
class CampaignIT {

    @TempDir
    static Path tmp;

    static DevServer dev;
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path SHIPPED = Path.of(System.getProperty("user.dir")).resolve("../config/campaigns/yuxi-2009.yaml").normalize();

    @BeforeAll
    static void start() throws Exception {
        dev = DevServer.startForCli(tmp.resolve("data"));
    }

    @AfterAll
    static void stop() throws Exception {
        dev.close();
    }

    @Test
    void theAdministratorDefinesTheNoticesCampaign_fromTheShippedFile() throws Exception {
        CliRun made = dev.midang("admin", "campaign", "create", SHIPPED.toString(), "--json");
        assertThat(made.exit()).as(made.err()).isZero();
        JsonNode m = JSON.readTree(made.out());
        assertThat(m.path("id").asText()).isEqualTo("yuxi-2009");
        assertThat(m.path("state").asText()).isEqualTo("draft");
        assertThat(m.path("units").asInt()).isEqualTo(22);
        assertThat(m.path("areas").asInt()).isEqualTo(9);
        CliRun zh = dev.midang("admin", "--lang", "zh", "campaign", "create", SHIPPED.toString());
        assertThat(zh.exit()).isEqualTo(5);
        assertThat(zh.err()).contains("已存在相同编号的检查工作").contains("campaign_exists");

        JsonNode listed = JSON.readTree(dev.midang("admin", "status", "--json").out());
        JsonNode yuxi = null;
        for (JsonNode c : listed.path("campaigns")) {
            if (c.path("id").asText().equals("yuxi-2009")) {
                yuxi = c;
            }
        }
        assertThat(yuxi).isNotNull();
        assertThat(yuxi.path("details").path("document").asText()).isEqualTo("玉政办明电[2009]286号");
        assertThat(yuxi.path("areas").get(5).path("name").asText()).isEqualTo("密码技术与产品使用情况");
        assertThat(yuxi.path("areas").get(5).path("items").get(0).path("text").asText()).contains("密码产品");
        assertThat(dev.midang("unit-a", "status", "--json").out()).as("a draft is not shown to units").doesNotContain("yuxi-2009");
    }

    @Test
    void aFileWithMistakes_isRefusedWithEveryLine_andNothingIsRecorded() throws Exception {
        Path bad = tmp.resolve("bad.yaml");
        Files.writeString(bad, Files.readString(SHIPPED).replace("id: yuxi-2009", "id: yuxi-2010")
                .replace("level: 县区, key_spot_check: true}", "level: 省, key_spot_check: true}")
                .replace("late_submissions: accepted", "late_submissions: sometimes"));
        CliRun r = dev.midang("admin", "campaign", "create", bad.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("invalid_campaign")
                .contains("late_submissions must be accepted or refused, not 'sometimes'")
                .containsPattern("line \\d+: level must be 市 \\(city\\) or 县区");
        assertThat(r.err().lines().filter(l -> l.contains("level must be"))).hasSize(3);
        assertThat(dev.midang("admin", "status", "--json").out()).doesNotContain("yuxi-2010");
    }

    @Test
    void onlyTheAdministratorDefinesCampaigns() throws Exception {
        for (String who : new String[] {"unit-a", "inspector-info", "tester", "leader"}) {
            CliRun r = dev.midang(who, "campaign", "create", SHIPPED.toString());
            assertThat(r.exit()).as(who).isEqualTo(5);
            assertThat(r.err()).as(who).contains("not_permitted");
        }
    }

    @Test
    void aUnitWritesTheReportForm_checksItOffline_andSubmitsIt() throws Exception {
        Path form = tmp.resolve("报告表.yaml");
        CliRun t = dev.midang("unit-a", "--lang", "zh", "form", "template", "--campaign", "demo", "-o", form.toString());
        assertThat(t.exit()).as(t.err()).isZero();
        assertThat(t.out()).contains("9 项检查内容，22 个检查项");
        String blank = Files.readString(form);
        assertThat(blank).contains("单位: \"unit-a\"").contains("密码技术与产品使用情况").contains("使用国家密码管理部门认可的密码产品");
        assertThat(dev.midang("unit-a", "form", "template", "--campaign", "demo", "-o", form.toString()).exit())
                .as("never overwrites").isEqualTo(2);

        CliRun blankCheck = dev.midang("unit-a", "form", "check", form.toString());
        assertThat(blankCheck.exit()).isEqualTo(2);
        assertThat(blankCheck.err()).contains(form + ":").contains("item organisation-1 is not answered")
                .contains("24 problem(s)"); // 22 items, the filler and the telephone

        String filled = blank.replace("填报人: \"\"", "填报人: 李四").replace("联系电话: \"\"", "联系电话: 0877-2072595")
                .replace("答复: \"\"", "答复: 符合");
        String oneWrong = filled.replaceFirst("答复: 符合", "答复: 不符合");
        Files.writeString(form, oneWrong);
        CliRun notes = dev.midang("unit-a", "--lang", "zh", "form", "check", form.toString());
        assertThat(notes.exit()).isEqualTo(2);
        int line = oneWrong.lines().toList().indexOf("        说明: \"\"") + 1;
        assertThat(notes.err()).contains(form + ":" + line + ": 检查项 organisation-1 答复为不符合：请在“说明”中写明存在的问题和整改打算");

        Files.writeString(form, filled);
        CliRun ok = dev.midang("unit-a", "form", "check", form.toString(), "--json");
        assertThat(ok.exit()).as(ok.err()).isZero();
        JsonNode checked = JSON.readTree(ok.out());
        assertThat(checked.path("complete").asBoolean()).isTrue();
        assertThat(checked.path("answers").path("符合").asInt()).isEqualTo(22);
        CliRun sent = dev.midang("unit-a", "submit", "--campaign", "demo", "--kind", "form", "--receipt-dir",
                tmp.resolve("rc").toString(), form.toString());
        assertThat(sent.exit()).as(sent.err()).isZero();
    }

    @Test
    void lifecycle_stepByStep_signedByWhoeverTakesIt_andRefusedWithTheReason() throws Exception {
        Path file = tmp.resolve("lifecycle.yaml");
        Files.writeString(file, Files.readString(SHIPPED).replace("id: yuxi-2009", "id: lifecycle-2009"));
        Path future = tmp.resolve("future.yaml");
        Files.writeString(future, Files.readString(SHIPPED).replace("id: yuxi-2009", "id: future-2099")
                .replace("submission_deadline: 2009-11-30", "submission_deadline: 2099-11-30"));
        assertThat(dev.midang("admin", "campaign", "create", file.toString()).exit()).isZero();
        assertThat(dev.midang("admin", "campaign", "create", future.toString()).exit()).isZero();

        // Out of order: a draft goes only to open, and says so.
        CliRun skip = dev.midang("admin", "campaign", "advance", "lifecycle-2009", "--to", "closed");
        assertThat(skip.exit()).isEqualTo(5);
        assertThat(skip.err()).contains("wrong_state").contains("the campaign is draft; its next step is open");
        // Not the leader's step, and never a unit's.
        CliRun leader = dev.midang("leader", "campaign", "advance", "lifecycle-2009", "--to", "open");
        assertThat(leader.exit()).isEqualTo(5);
        assertThat(leader.err()).contains("not_permitted");
        assertThat(dev.midang("unit-a", "campaign", "advance", "lifecycle-2009", "--to", "open").exit()).isIn(4, 5);

        CliRun open = dev.midang("admin", "campaign", "advance", "lifecycle-2009", "--to", "open", "--json");
        assertThat(open.exit()).as(open.err()).isZero();
        JsonNode step = JSON.readTree(open.out());
        assertThat(step.path("state").asText()).isEqualTo("open");
        byte[] statement = java.util.Base64.getDecoder().decode(step.path("statement").asText());
        cn.midang.keys.sign.RawSignatures.verify(dev.identity("admin").certificate(),
                java.util.Base64.getDecoder().decode(step.path("signature").asText()), statement);
        assertThat(new String(statement, java.nio.charset.StandardCharsets.UTF_8))
                .contains("\"from\":\"draft\"").contains("\"to\":\"open\"").contains("\"type\":\"midang-transition/1\"");
        // and OpenSSL alone, with the administrator's certificate, agrees (C6)
        Path dir = Files.createDirectories(tmp.resolve("openssl"));
        Files.write(dir.resolve("step.json"), statement);
        Files.write(dir.resolve("step.sig"), java.util.Base64.getDecoder().decode(step.path("signature").asText()));
        Files.writeString(dir.resolve("admin.crt"), dev.identity("admin").certificate().toPem());
        cn.midang.keys.testkit.Processes.ok(dir, java.util.Map.of(), "openssl", "x509", "-in", "admin.crt", "-pubkey", "-noout",
                "-out", "admin.pub");
        assertThat(cn.midang.keys.testkit.Processes.ok(dir, java.util.Map.of(), "openssl", "dgst", "-sm3", "-verify", "admin.pub",
                "-sigopt", "distid:1234567812345678", "-signature", "step.sig", "step.json").out()).contains("Verified OK");

        // The 2009 deadline has passed: the campaign closes; the 2099 one does not, and says why.
        assertThat(dev.midang("admin", "campaign", "advance", "future-2099", "--to", "open").exit()).isZero();
        CliRun early = dev.midang("admin", "--lang", "zh", "campaign", "advance", "future-2099", "--to", "closed");
        assertThat(early.exit()).isEqualTo(5);
        assertThat(early.err()).contains("前提条件尚未满足").contains("the submission deadline 2099-11-30T15:59:59Z has not passed yet");
        for (String to : new String[] {"closed", "on_site", "summary"}) {
            CliRun r = dev.midang("admin", "campaign", "advance", "lifecycle-2009", "--to", to);
            assertThat(r.exit()).as(to + ": " + r.err()).isZero();
        }
        CliRun review = dev.midang("admin", "campaign", "advance", "lifecycle-2009", "--to", "joint_review");
        assertThat(review.exit()).isEqualTo(5);
        assertThat(review.err()).contains("no summary has been generated for the campaign yet");

        JsonNode shown = null;
        for (JsonNode c : JSON.readTree(dev.midang("admin", "status", "--json").out()).path("campaigns")) {
            if (c.path("id").asText().equals("lifecycle-2009")) {
                shown = c;
            }
        }
        assertThat(shown).isNotNull();
        assertThat(shown.path("state").asText()).isEqualTo("summary");
        assertThat(shown.path("transitions")).hasSize(4);
        assertThat(shown.path("transitions").get(3).path("by").asText()).isEqualTo("admin");
    }

    /** Forged, misdirected, stale, borrowed and replayed step statements: refused, the campaign unmoved. */
    @Test
    void stepStatements_thatAreNotExactlyTheCallersOwn_areRefused() throws Exception {
        Path file = tmp.resolve("attack.yaml");
        Files.writeString(file, Files.readString(SHIPPED).replace("id: yuxi-2009", "id: attack-2009"));
        assertThat(dev.midang("admin", "campaign", "create", file.toString()).exit()).isZero();
        cn.midang.keys.pki.Identity admin = dev.identity("admin");
        String path = "/api/v1/campaigns/attack-2009/transitions";
        java.util.function.Function<Map<String, Object>, Map<String, Object>> step = extra -> {
            Map<String, Object> m = new java.util.LinkedHashMap<>(Map.of("type", "midang-transition/1", "campaign", "attack-2009",
                    "from", "draft", "to", "open", "signed_at", java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                            .toString()));
            m.putAll(extra);
            return m;
        };
        Map<String, byte[]> attacks = new java.util.LinkedHashMap<>();
        attacks.put("for another campaign", RawApi.signedStatement(admin, step.apply(Map.of("campaign", "lifecycle-2009"))));
        attacks.put("signed 11 minutes ago", RawApi.signedStatement(admin, step.apply(Map.of("signed_at",
                java.time.Instant.now().minusSeconds(660).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString()))));
        attacks.put("signed by the leader, sent by the administrator", RawApi.signedStatement(dev.identity("leader"), step.apply(Map.of())));
        JsonNode good = JSON.readTree(RawApi.signedStatement(admin, step.apply(Map.of())));
        byte[] statement = java.util.Base64.getDecoder().decode(good.path("statement").asText());
        byte[] altered = new String(statement, java.nio.charset.StandardCharsets.UTF_8).replace("\"to\":\"open\"", "\"to\":\"opEn\"")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        attacks.put("altered after signing", RawApi.statementBody(altered, java.util.Base64.getDecoder().decode(good.path("signature").asText())));
        attacks.put("another type of statement", RawApi.signedStatement(admin, step.apply(Map.of("type", "midang-destruction-attestation/1"))));
        for (var a : attacks.entrySet()) {
            var r = RawApi.signedAs(dev, admin, "POST", path, "", a.getValue());
            assertThat(r.statusCode()).as(a.getKey()).isEqualTo(422);
            assertThat(new String(r.body(), java.nio.charset.StandardCharsets.UTF_8)).as(a.getKey()).contains("bad_statement");
        }
        assertThat(state("attack-2009")).isEqualTo("draft");

        byte[] valid = RawApi.signedStatement(admin, step.apply(Map.of()));
        assertThat(RawApi.signedAs(dev, admin, "POST", path, "", valid).statusCode()).isEqualTo(200);
        var replay = RawApi.signedAs(dev, admin, "POST", path, "", valid);
        assertThat(replay.statusCode()).as("the same statement again").isEqualTo(409);
        assertThat(new String(replay.body(), java.nio.charset.StandardCharsets.UTF_8)).contains("wrong_state");
        assertThat(state("attack-2009")).isEqualTo("open");
    }

    static String state(String campaign) throws Exception {
        for (JsonNode c : JSON.readTree(dev.midang("admin", "status", "--json").out()).path("campaigns")) {
            if (c.path("id").asText().equals(campaign)) {
                return c.path("state").asText();
            }
        }
        throw new AssertionError("no campaign " + campaign);
    }
}
