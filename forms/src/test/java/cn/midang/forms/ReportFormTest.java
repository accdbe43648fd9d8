package cn.midang.forms;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportFormTest {

    static final JsonNode CAMPAIGN = json("""
            {"id": "yuxi-2009", "title": "2009年度玉溪市政府信息系统安全检查", "submission_deadline": "2009-11-30T15:59:59Z",
             "details": {"document": "玉政办明电[2009]286号"},
             "areas": [
               {"id": "organisation", "name": "组织机构建设情况", "items": [
                  {"id": "organisation-1", "text": "成立信息安全工作领导小组"},
                  {"id": "organisation-2", "text": "明确责任人"}]},
               {"id": "cryptography", "name": "密码技术与产品使用情况", "items": [
                  {"id": "cryptography-1", "text": "使用国家密码管理部门认可的密码产品"}]}]}
            """);

    static JsonNode json(String s) {
        try {
            return new ObjectMapper().readTree(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> keys(ReportForm.Checked c) {
        return c.problems().stream().map(p -> p.line() + " " + p.key() + " " + List.of(p.args())).toList();
    }

    static String filled() {
        return ReportForm.template(CAMPAIGN, "unit-a").replace("填报人: \"\"", "填报人: 张三").replace("联系电话: \"\"", "联系电话: 0877-2018628")
                .replaceFirst("答复: \"\"", "答复: 符合").replaceFirst("答复: \"\"", "答复: 不适用").replaceFirst("答复: \"\"", "答复: 符合");
    }

    @Test
    void aBlankTemplate_namesEveryUnansweredItemAtItsLine() {
        String blank = ReportForm.template(CAMPAIGN, "unit-a");
        assertThat(blank).contains("表: midang-报告表/1").contains("检查工作: yuxi-2009").contains("单位: \"unit-a\"")
                .contains("玉政办明电[2009]286号").contains("midang submit --campaign yuxi-2009 --kind form");
        ReportForm.Checked c = ReportForm.check(blank);
        List<String> lines = blank.lines().toList();
        int firstAnswer = lines.indexOf(lines.stream().filter(l -> l.contains("答复:")).findFirst().orElseThrow()) + 1;
        assertThat(keys(c)).contains(firstAnswer + " form.unanswered [organisation-1]");
        assertThat(c.problems().stream().filter(p -> p.key().equals("form.unanswered"))).hasSize(3);
        assertThat(c.problems().stream().map(ReportForm.Problem::key)).contains("form.empty");
        assertThat(c.complete()).isFalse();
    }

    /** Found by fuzzing (ParsersFuzzTest): "!%A" made SnakeYAML throw IllegalArgumentException through the check. */
    @Test
    void aMalformedTag_isAProblem_notACrash() {
        assertThat(ReportForm.check("!%A").complete()).isFalse();
        assertThat(ReportForm.check("!%A").problems()).isNotEmpty();
    }

    @Test
    void aFilledForm_isComplete_andCounted() {
        ReportForm.Checked c = ReportForm.check(filled());
        assertThat(keys(c)).isEmpty();
        assertThat(c.complete()).isTrue();
        assertThat(c.areas()).isEqualTo(2);
        assertThat(c.items()).isEqualTo(3);
        assertThat(c.answers()).containsEntry("符合", 2).containsEntry("不适用", 1);
        assertThat(c.unit()).isEqualTo("unit-a");
        assertThat(c.answered()).containsExactly(new ReportForm.Answer("organisation", "organisation-1", "符合", ""),
                new ReportForm.Answer("organisation", "organisation-2", "不适用", ""),
                new ReportForm.Answer("cryptography", "cryptography-1", "符合", ""));
    }

    @Test
    void badAnswers_missingNotes_unknownKeys_andRemovedItems_areNamed() {
        String f = filled().replaceFirst("答复: 符合", "答复: 差不多").replaceFirst("答复: 不适用", "答复: 不符合");
        List<String> k = keys(ReportForm.check(f));
        assertThat(k).anyMatch(s -> s.contains("form.bad-answer [organisation-1, 差不多]"));
        assertThat(k).anyMatch(s -> s.contains("form.needs-notes [organisation-2, 不符合]"));
        assertThat(keys(ReportForm.check(f.replace("        说明: \"\"\n", "        说明: \"\"\n        评分: 5\n"))))
                .anyMatch(s -> s.contains("form.unknown-key [评分"));
        String removed = filled().replaceAll("(?s)      - 编号: organisation-2.*?说明: \"\"\n", "");
        assertThat(keys(ReportForm.check(removed))).anyMatch(s -> s.contains("form.items-changed [yuxi-2009]"));
    }

    @Test
    void notYaml_orNotAForm_saysSo() {
        assertThat(keys(ReportForm.check("表: [unclosed\n  x: y"))).anyMatch(s -> s.contains("form.not-yaml"));
        assertThat(keys(ReportForm.check("- a\n- b\n"))).containsExactly("1 form.not-a-form []");
        assertThat(keys(ReportForm.check("表: something-else/1\n"))).anyMatch(s -> s.startsWith("1 form.wrong-format"));
    }

    /** What the console writes from its page reads back exactly, whatever the user typed: quotes, new lines, YAML of their own, control characters. */
    @Test
    void aFormFilledFromThePage_readsBackExactly_andIsCheckedAsOneFilledByHand() {
        String hostile = "端口 \"3389\" 未关闭\n第二行: 是 # 不是注释\t\\ \u0007 - [x] &a *b";
        Map<String, ReportForm.Answer> given = Map.of(
                "organisation/organisation-1", new ReportForm.Answer("organisation", "organisation-1", "符合", ""),
                "organisation/organisation-2", new ReportForm.Answer("organisation", "organisation-2", "不符合", hostile),
                "cryptography/cryptography-1", new ReportForm.Answer("cryptography", "cryptography-1", "不适用", ""));
        ReportForm.Checked c = ReportForm.check(ReportForm.filled(CAMPAIGN, "unit-a", "张三 \"李\"", "0877-2018628", given));
        assertThat(keys(c)).isEmpty();
        assertThat(c.filler()).isEqualTo("张三 \"李\"");
        assertThat(c.phone()).isEqualTo("0877-2018628");
        assertThat(c.answered()).containsExactly(given.get("organisation/organisation-1"), given.get("organisation/organisation-2"),
                given.get("cryptography/cryptography-1"));

        // An item left blank, and 不符合 without a note, are the same problems a hand-filled form has.
        Map<String, ReportForm.Answer> partial = Map.of(
                "organisation/organisation-2", new ReportForm.Answer("organisation", "organisation-2", "不符合", " "));
        assertThat(ReportForm.check(ReportForm.filled(CAMPAIGN, "unit-a", "", "", partial)).problems())
                .extracting(p -> p.key() + " " + List.of(p.args()))
                .containsExactlyInAnyOrder("form.empty [填报人]", "form.empty [联系电话]", "form.unanswered [organisation-1]",
                        "form.needs-notes [organisation-2, 不符合]", "form.unanswered [cryptography-1]");
    }
}
