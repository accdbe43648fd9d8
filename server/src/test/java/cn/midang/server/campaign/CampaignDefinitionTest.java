package cn.midang.server.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CampaignDefinitionTest {

    @Test
    void theNoticesCampaign_asShipped() {
        Campaign c = ShippedCampaigns.yuxi2009();
        assertThat(c.id()).isEqualTo("yuxi-2009");
        assertThat(c.state()).isEqualTo(CampaignState.DRAFT);
        assertThat(c.details().document()).isEqualTo("玉政办明电[2009]286号");
        assertThat(c.details().leadOffice()).isEqualTo("市信息产业办");
        assertThat(c.details().jointReview()).extracting(Campaign.Department::name).containsExactly("市信息产业办", "市公安局", "市保密局");
        assertThat(c.submissionsOpenAt()).isEqualTo(Instant.parse("2009-11-22T16:00:00Z"));
        assertThat(c.submissionDeadline()).isEqualTo(Instant.parse("2009-11-30T15:59:59Z"));
        assertThat(c.details().onSiteStart()).isEqualTo(Instant.parse("2009-12-06T16:00:00Z"));
        assertThat(c.lateAccepted()).isTrue();
        // 三、检查范围: 10 key city units and 3 key counties (the lists are an example, as the file says)
        assertThat(c.units().stream().filter(u -> u.keySpotCheck() && u.level().equals("市"))).hasSize(10);
        assertThat(c.units().stream().filter(u -> u.keySpotCheck() && u.level().equals("县区"))).hasSize(3);
        // 四、检查内容: the nine areas in the notice's order, each with items of the form
        assertThat(c.areas()).extracting(Campaign.Area::name).containsExactly("组织机构建设情况", "安全制度落实情况", "安全防范措施落实情况",
                "应急响应机制建设情况", "信息技术产品和服务国产化情况", "密码技术与产品使用情况", "安全教育培训情况", "责任追究情况", "安全隐患排查及整改情况");
        assertThat(c.areas()).allSatisfy(a -> assertThat(a.items()).isNotEmpty());
    }

    @Test
    void everyProblemIsNamedWithItsLine() {
        String file = String.join("\n",
                "id: Yuxi 2010",                                 // 1: bad id
                "colour: red",                                   // 2: unknown key
                "joint_review:",                                 // 3
                "  - {id: info, name: 信息办}",                   // 4
                "dates:",                                        // 5
                "  self_check_start: 2010-11-23T00:00:00+08:00", // 6
                "  submission_deadline: 2010-11-01",             // 7: no time, no zone
                "  late_submissions: maybe",                     // 8
                "units:",                                        // 9
                "  - {id: a, name: 甲, level: 省}",                // 10: bad level
                "  - {id: a, name: 乙, level: 市}",                // 11: id twice
                "areas:",                                        // 12
                "  - id: org",                                   // 13: no name
                "    items: []",                                 // 14: empty list
                "");
        assertThatThrownBy(() -> CampaignDefinition.parse(file)).isInstanceOfSatisfying(CampaignDefinition.Invalid.class, e -> {
            List<String> p = e.problems().stream().map(CampaignDefinition.Problem::toString).toList();
            assertThat(p).contains("line 1: id 'Yuxi 2010' must be lower-case letters, digits and '-', at most 64, e.g. yuxi-2009");
            assertThat(p).anyMatch(s -> s.startsWith("line 1: missing 'title'"));
            assertThat(p).anyMatch(s -> s.startsWith("line 2: unknown key 'colour' in the campaign"));
            assertThat(p).anyMatch(s -> s.startsWith("line 7: submission_deadline must be a time with its zone"));
            assertThat(p).contains("line 8: late_submissions must be accepted or refused, not 'maybe'");
            assertThat(p).contains("line 10: level must be 市 (city) or 县区 (county or district), not '省'");
            assertThat(p).contains("line 11: id 'a' is used twice");
            assertThat(p).contains("line 13: missing 'name'");
            assertThat(p).contains("line 14: 'items' must be a non-empty list");
        });
    }

    /** Found by fuzzing (ParsersFuzzTest): two items without an id threw NullPointerException instead of naming them. */
    @Test
    void itemsWithoutIds_areNamed_notACrash() {
        String file = ShippedCampaigns.text("yuxi-2009.yaml").replaceAll("\\{id: ([a-z]+-[0-9]+), text:", "{text:");
        assertThatThrownBy(() -> CampaignDefinition.parse(file))
                .isInstanceOfSatisfying(CampaignDefinition.Invalid.class, e -> assertThat(e.problems()).isNotEmpty());
    }

    /** Found by fuzzing (ParsersFuzzTest): SnakeYAML refuses a tag with spaces by IllegalArgumentException, not its own exception. */
    @Test
    void aMalformedTag_isNotYaml_notACrash() {
        assertThatThrownBy(() -> CampaignDefinition.parse("!% A"))
                .isInstanceOfSatisfying(CampaignDefinition.Invalid.class, e ->
                        assertThat(e.problems().get(0).toString()).contains("not valid YAML"));
    }

    @Test
    void notYaml_orNotAMapping_saysWhere() {
        assertThatThrownBy(() -> CampaignDefinition.parse("id: x\n  title: [unclosed\n"))
                .isInstanceOfSatisfying(CampaignDefinition.Invalid.class, e ->
                        assertThat(e.problems().get(0).toString()).startsWith("line ").contains("not valid YAML"));
        assertThatThrownBy(() -> CampaignDefinition.parse("- just\n- a list\n"))
                .isInstanceOfSatisfying(CampaignDefinition.Invalid.class, e ->
                        assertThat(e.problems().get(0).toString()).contains("a campaign file is a mapping"));
        assertThatThrownBy(() -> CampaignDefinition.parse("a: &x [1]\nb: [*x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x]\n"))
                .as("alias bombs are refused").isInstanceOf(CampaignDefinition.Invalid.class);
    }
}
