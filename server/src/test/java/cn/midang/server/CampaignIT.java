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
}
