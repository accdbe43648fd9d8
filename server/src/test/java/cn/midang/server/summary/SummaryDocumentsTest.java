package cn.midang.server.summary;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.forms.ReportForm;
import cn.midang.keys.digest.Sm3;
import cn.midang.server.campaign.Campaign;
import cn.midang.server.campaign.CampaignState;
import cn.midang.server.campaign.Findings;
import cn.midang.server.campaign.Overviews;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.apache.poi.xwpf.extractor.XWPFWordExtractor;
import org.apache.poi.xwpf.usermodel.XWPFDocument;
import org.junit.jupiter.api.Test;

class SummaryDocumentsTest {

    static final Instant T = Instant.parse("2009-12-20T02:00:00Z");
    static final Campaign C = new Campaign("t", "测试检查", CampaignState.SUMMARY, T, T, true,
            List.of(new Campaign.Unit("a", "甲单位", "市", true), new Campaign.Unit("b", "乙县", "县区", false),
                    new Campaign.Unit("c", "丙局", "市", false)),
            List.of(new Campaign.Area("org", "组织机构建设情况", List.of(new Campaign.Item("org-1", "领导小组"), new Campaign.Item("org-2", "责任人"))),
                    new Campaign.Area("crypto", "密码技术与产品使用情况", List.of(new Campaign.Item("crypto-1", "认可的密码产品")))),
            new Campaign.Details("玉政办明电[2009]286号", null, "市信息产业办",
                    List.of(new Campaign.Department("info", "市信息产业办"), new Campaign.Department("police", "市公安局")), T, T));

    static ReportForm.Checked form(String unit, String... answers) {
        List<ReportForm.Answer> a = List.of(new ReportForm.Answer("org", "org-1", answers[0], ""),
                new ReportForm.Answer("org", "org-2", answers[1], ""), new ReportForm.Answer("crypto", "crypto-1", answers[2], "说明"));
        return new ReportForm.Checked("t", unit, "张三", "0877-1", 2, 3, Map.of(), a, List.of());
    }

    static Findings.Finding finding(String unit, String area, Findings.Severity s) {
        return new Findings.Finding("t", unit + "-1", unit, area, s, "发现" + area, "整改" + area, T.plusSeconds(86400), null, "fp", T,
                null, null);
    }

    static Overviews.Overview overview() {
        return new Overviews.Overview(C, List.of(
                new Overviews.UnitOverview(C.units().get(0), Map.of("report", 1L), T.minusSeconds(10), true, "f1",
                        form("a", "符合", "符合", "符合"), List.of()),
                new Overviews.UnitOverview(C.units().get(1), Map.of("report", 1L), T.plusSeconds(10), false, "f2",
                        form("b", "符合", "基本符合", "不符合"), List.of(finding("b", "crypto", Findings.Severity.HIGH))),
                new Overviews.UnitOverview(C.units().get(2), Map.of(), null, false, null, null,
                        List.of(finding("c", "org", Findings.Severity.LOW)))));
    }

    static Row row(Sheet sheet, String first) {
        for (Row r : sheet) {
            if (first.equals(r.getCell(0).toString())) {
                return r;
            }
        }
        throw new AssertionError(first);
    }

    @Test
    void perAreaTotals_agreeAcrossTheThreeDocuments_andTheJsonBindsTheOtherTwo() throws Exception {
        SummaryDocuments.Built b = SummaryDocuments.build(overview(), 2, T, "fp");
        assertThat(b.stem()).isEqualTo("t-汇总-v2");
        JsonNode j = new ObjectMapper().readTree(b.json());
        assertThat(j.path("documents").path("xlsx").path("sm3").asText()).isEqualTo(Sm3.hex(b.xlsx()));
        assertThat(j.path("documents").path("docx").path("sm3").asText()).isEqualTo(Sm3.hex(b.docx()));
        JsonNode org = j.path("areas").get(0);
        // org: a 符合 x2, b 符合 + 基本符合, c no form -> 未答 x2; one low finding (c)
        assertThat(org.path("answers").path("符合").asInt()).isEqualTo(3);
        assertThat(org.path("answers").path("基本符合").asInt()).isEqualTo(1);
        assertThat(org.path("answers").path("未答").asInt()).isEqualTo(2);
        assertThat(org.path("findings").path("low").asInt()).isEqualTo(1);
        assertThat(j.path("totals").path("reports_late").asInt()).isEqualTo(1);
        assertThat(j.path("totals").path("forms_complete").asInt()).isEqualTo(2);
        assertThat(j.path("units").get(2).path("report").asText()).isEqualTo("未报送");

        try (XSSFWorkbook wb = new XSSFWorkbook(new ByteArrayInputStream(b.xlsx()))) {
            Sheet s = wb.getSheet("按检查内容");
            Row total = row(s, "合计");
            // items 3 x 3 units = 9 answers: 符合 4, 基本符合 1, 不符合 1, 不适用 0, 未答 3; findings high 1, low 1
            assertThat(total.getCell(2).getNumericCellValue()).isEqualTo(3.0);
            assertThat(total.getCell(3).getNumericCellValue()).isEqualTo(4.0);
            assertThat(total.getCell(4).getNumericCellValue()).isEqualTo(1.0);
            assertThat(total.getCell(5).getNumericCellValue()).isEqualTo(1.0);
            assertThat(total.getCell(7).getNumericCellValue()).isEqualTo(3.0);
            assertThat(total.getCell(8).getNumericCellValue()).isEqualTo(1.0);
            assertThat(total.getCell(10).getNumericCellValue()).isEqualTo(1.0);
            assertThat(total.getCell(11).getNumericCellValue()).isEqualTo(2.0);
            assertThat(row(s, "crypto").getCell(5).getNumericCellValue()).isEqualTo(1.0);
            assertThat(row(wb.getSheet("按单位"), "b").getCell(4).getStringCellValue()).isEqualTo("逾期");
            assertThat(wb.getSheet("问题清单").getPhysicalNumberOfRows()).isEqualTo(3);
        }
        try (XWPFDocument d = new XWPFDocument(new ByteArrayInputStream(b.docx())); XWPFWordExtractor x = new XWPFWordExtractor(d)) {
            assertThat(x.getText()).contains("测试检查汇总情况").contains("依据玉政办明电[2009]286号").contains("市信息产业办、市公安局共同审定")
                    .contains("检查范围内单位 3 个，报送自查报告 2 个（按时 1 个，逾期 1 个，未报送 1 个）").contains("检查发现问题 2 个")
                    .contains("合计").contains("整改crypto");
        }
    }

    @Test
    void noFindings_isSaidInWords() throws Exception {
        Overviews.Overview o = new Overviews.Overview(C, List.of(new Overviews.UnitOverview(C.units().get(0), Map.of(), null, false,
                null, null, List.of())));
        SummaryDocuments.Built b = SummaryDocuments.build(o, 1, T, "fp");
        try (XWPFDocument d = new XWPFDocument(new ByteArrayInputStream(b.docx())); XWPFWordExtractor x = new XWPFWordExtractor(d)) {
            assertThat(x.getText()).contains("未发现问题。");
        }
    }
}
