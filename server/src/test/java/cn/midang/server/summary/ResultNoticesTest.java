package cn.midang.server.summary;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.server.campaign.Overviews;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ResultNoticesTest {

    static final Summaries.Summary SUMMARY = new Summaries.Summary("t", 2, SummaryDocumentsTest.T, "fp", "j", "x", "d", "ab".repeat(32));

    static String notice(int unit) {
        Overviews.Overview o = SummaryDocumentsTest.overview();
        return new String(ResultNotices.notice(o, o.units().get(unit), SUMMARY, SummaryDocumentsTest.T, "server-fp"),
                StandardCharsets.UTF_8);
    }

    /** The signed bytes, pinned: canonical JSON (RFC 8785), keys sorted, nested findings too. */
    @Test
    void aRectificationOrder_isCanonicalJson_byteForByte() {
        assertThat(notice(1)).isEqualTo("{\"campaign\":\"t\",\"campaign_title\":\"测试检查\",\"document\":\"玉政办明电[2009]286号\","
                + "\"findings\":[{\"area\":\"crypto\",\"deadline\":\"2009-12-21T02:00:00Z\",\"description\":\"发现crypto\",\"id\":\"b-1\","
                + "\"rectification\":\"整改crypto\",\"severity\":\"high\",\"unit\":\"b\"}],\"form\":\"完整\",\"issued_at\":\"2009-12-20T02:00:00Z\","
                + "\"outcome\":\"rectification\",\"outcome_zh\":\"限期整改\",\"rectify_by\":\"2009-12-21T02:00:00Z\",\"report\":\"逾期\","
                + "\"server\":\"server-fp\",\"summary_sm3\":\"" + "ab".repeat(32) + "\",\"summary_version\":2,\"type\":\"midang-result/1\","
                + "\"unit\":\"b\",\"unit_name\":\"乙县\"}");
    }

    @Test
    void outcomes_commendationOnlyForOnTimeCompleteAndClean_otherwiseAPlainResult() {
        assertThat(notice(0)).contains("\"outcome\":\"commendation\"").contains("\"outcome_zh\":\"通报表扬\"").contains("\"findings\":[]")
                .doesNotContain("rectify_by");
        assertThat(notice(2)).contains("\"outcome\":\"rectification\"");
        Overviews.Overview o = SummaryDocumentsTest.overview();
        Overviews.UnitOverview late = o.units().get(1);
        Overviews.UnitOverview lateClean = new Overviews.UnitOverview(late.unit(), late.byKind(), late.firstReport(), false, late.formId(),
                late.form(), java.util.List.of());
        assertThat(ResultNotices.outcome(o.campaign(), lateClean)).isEqualTo("result");
    }
}
