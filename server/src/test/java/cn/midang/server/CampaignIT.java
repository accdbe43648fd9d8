package cn.midang.server;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.server.DevServer.CliRun;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
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
        CliRun made = dev.midang("admin", "admin", "campaign", "create", SHIPPED.toString(), "--json");
        assertThat(made.exit()).as(made.err()).isZero();
        JsonNode m = JSON.readTree(made.out());
        assertThat(m.path("id").asText()).isEqualTo("yuxi-2009");
        assertThat(m.path("state").asText()).isEqualTo("draft");
        assertThat(m.path("units").asInt()).isEqualTo(22);
        assertThat(m.path("areas").asInt()).isEqualTo(9);
        CliRun zh = dev.midang("admin", "--lang", "zh", "admin", "campaign", "create", SHIPPED.toString());
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
        CliRun r = dev.midang("admin", "admin", "campaign", "create", bad.toString());
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
            CliRun r = dev.midang(who, "admin", "campaign", "create", SHIPPED.toString());
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
}
