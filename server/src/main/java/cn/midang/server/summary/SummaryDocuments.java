package cn.midang.server.summary;

import cn.midang.forms.ReportForm;
import cn.midang.keys.digest.Sm3;
import cn.midang.server.campaign.Campaign;
import cn.midang.server.campaign.Findings;
import cn.midang.server.campaign.Overviews;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.apache.poi.xwpf.usermodel.XWPFDocument;
import org.apache.poi.xwpf.usermodel.XWPFParagraph;
import org.apache.poi.xwpf.usermodel.XWPFRun;
import org.apache.poi.xwpf.usermodel.XWPFTable;

/**
 * The summary (汇总) of a campaign, in Chinese, from its overview: per check area the answers of
 * the units' report forms and the findings by severity, with totals; per unit its report, form,
 * answers and findings; and the list of findings. Written as an .xlsx and a .docx (Apache POI) and
 * as JSON that carries the two files' SM3, so one signature over the JSON bytes covers all three.
 */
public final class SummaryDocuments {

    public static final String TYPE = "midang-summary/1";
    /** Answer columns in order, the last for items a unit's form left unanswered (or no form). */
    static final List<String> ANSWER_COLUMNS = List.of("符合", "基本符合", "不符合", "不适用", "未答");
    static final DateTimeFormatter CHINA_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.ofHours(8));
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The three documents of one version; {@code stem} names them, e.g. {@code yuxi-2009-汇总-v1}. */
    public record Built(String stem, byte[] json, byte[] xlsx, byte[] docx, Map<String, Object> model) {}

    private SummaryDocuments() {}

    /** Per area: answers counted across units and findings by severity. */
    record AreaRow(Campaign.Area area, Map<String, Long> answers, Map<Findings.Severity, Long> findings) {
        long findingsTotal() {
            return findings.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    static List<AreaRow> areaRows(Overviews.Overview o) {
        List<AreaRow> rows = new ArrayList<>();
        for (Campaign.Area a : o.campaign().areas()) {
            Map<String, Long> answers = new LinkedHashMap<>();
            ANSWER_COLUMNS.forEach(k -> answers.put(k, 0L));
            Map<Findings.Severity, Long> bySeverity = new LinkedHashMap<>();
            for (Findings.Severity s : Findings.Severity.values()) {
                bySeverity.put(s, 0L);
            }
            for (Overviews.UnitOverview u : o.units()) {
                for (Campaign.Item item : a.items()) {
                    String answer = answerOf(u, a.id(), item.id());
                    answers.merge(answer, 1L, Long::sum);
                }
                u.findings().stream().filter(f -> f.area().equals(a.id())).forEach(f -> bySeverity.merge(f.severity(), 1L, Long::sum));
            }
            rows.add(new AreaRow(a, answers, bySeverity));
        }
        return rows;
    }

    static String answerOf(Overviews.UnitOverview u, String area, String item) {
        if (u.form() == null) {
            return "未答";
        }
        return u.form().answered().stream().filter(x -> x.area().equals(area) && x.item().equals(item))
                .map(ReportForm.Answer::answer).findFirst().orElse("未答");
    }

    /** A unit's answers counted over the campaign's items, in {@link #ANSWER_COLUMNS} order. */
    static Map<String, Long> unitAnswers(Campaign c, Overviews.UnitOverview u) {
        Map<String, Long> answers = new LinkedHashMap<>();
        ANSWER_COLUMNS.forEach(k -> answers.put(k, 0L));
        for (Campaign.Area a : c.areas()) {
            for (Campaign.Item i : a.items()) {
                answers.merge(answerOf(u, a.id(), i.id()), 1L, Long::sum);
            }
        }
        return answers;
    }

    static String report(Overviews.UnitOverview u) {
        return !u.reportIn() ? "未报送" : u.reportOnTime() ? "按时" : "逾期";
    }

    static String form(Campaign c, Overviews.UnitOverview u) {
        return u.form() == null ? "未报送" : u.formComplete(c) ? "完整" : "不完整";
    }

    /** Builds the three documents of version {@code version}. */
    public static Built build(Overviews.Overview o, int version, Instant now, String generatedBy) {
        Campaign c = o.campaign();
        List<AreaRow> areas = areaRows(o);
        String stem = c.id() + "-汇总-v" + version;
        byte[] xlsx = xlsx(o, areas);
        byte[] docx = docx(o, areas, version, now);

        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", TYPE);
        Map<String, Object> cm = new LinkedHashMap<>();
        cm.put("id", c.id());
        cm.put("title", c.title());
        cm.put("document", c.details().document());
        cm.put("lead_office", c.details().leadOffice());
        cm.put("joint_review", c.details().jointReview().stream().map(d -> Map.of("id", d.id(), "name", d.name())).toList());
        m.put("campaign", cm);
        m.put("version", version);
        m.put("generated_at", now.toString());
        m.put("generated_by", generatedBy);
        m.put("totals", totals(o, areas));
        m.put("areas", areas.stream().map(r -> {
            Map<String, Object> am = new LinkedHashMap<>();
            am.put("id", r.area().id());
            am.put("name", r.area().name());
            am.put("items", r.area().items().size());
            am.put("answers", r.answers());
            am.put("findings", severityMap(r.findings()));
            return am;
        }).toList());
        m.put("units", o.units().stream().map(u -> {
            Map<String, Object> um = new LinkedHashMap<>();
            um.put("id", u.unit().id());
            um.put("name", u.unit().name());
            um.put("level", u.unit().level());
            um.put("key_spot_check", u.unit().keySpotCheck());
            um.put("report", report(u));
            um.put("form", form(c, u));
            um.put("form_submission", u.formId());
            um.put("answers", unitAnswers(c, u));
            um.put("findings", u.findings().stream().map(SummaryDocuments::finding).toList());
            return um;
        }).toList());
        Map<String, Object> docs = new LinkedHashMap<>();
        docs.put("xlsx", Map.of("file_name", stem + ".xlsx", "sm3", Sm3.hex(xlsx)));
        docs.put("docx", Map.of("file_name", stem + ".docx", "sm3", Sm3.hex(docx)));
        m.put("documents", docs);
        try {
            return new Built(stem, JSON.writeValueAsBytes(m), xlsx, docx, m);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, Object> finding(Findings.Finding f) {
        Map<String, Object> fm = new LinkedHashMap<>();
        fm.put("id", f.id());
        fm.put("unit", f.unit());
        fm.put("area", f.area());
        fm.put("severity", f.severity().label());
        fm.put("description", f.description());
        fm.put("rectification", f.rectification());
        fm.put("deadline", f.deadline().toString());
        return fm;
    }

    private static Map<String, Long> severityMap(Map<Findings.Severity, Long> m) {
        Map<String, Long> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k.label(), v));
        return out;
    }

    private static Map<String, Object> totals(Overviews.Overview o, List<AreaRow> areas) {
        Campaign c = o.campaign();
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("units", o.units().size());
        t.put("reports_in", o.units().stream().filter(Overviews.UnitOverview::reportIn).count());
        t.put("reports_on_time", o.units().stream().filter(u -> u.reportIn() && u.reportOnTime()).count());
        t.put("reports_late", o.units().stream().filter(u -> u.reportIn() && !u.reportOnTime()).count());
        t.put("forms_complete", o.units().stream().filter(u -> u.formComplete(c)).count());
        Map<String, Long> answers = new LinkedHashMap<>();
        ANSWER_COLUMNS.forEach(k -> answers.put(k, areas.stream().mapToLong(r -> r.answers().get(k)).sum()));
        t.put("answers", answers);
        Map<String, Long> findings = new LinkedHashMap<>();
        for (Findings.Severity s : Findings.Severity.values()) {
            findings.put(s.label(), areas.stream().mapToLong(r -> r.findings().get(s)).sum());
        }
        t.put("findings", findings);
        return t;
    }

    static final List<String> AREA_HEADER = List.of("编号", "检查内容", "检查项数", "符合", "基本符合", "不符合", "不适用", "未答",
            "问题（高）", "问题（中）", "问题（低）", "问题合计");

    /** Per area: the row's cells, as both files print them. */
    static List<Object> areaCells(AreaRow r) {
        List<Object> cells = new ArrayList<>(List.of(r.area().id(), r.area().name(), (long) r.area().items().size()));
        ANSWER_COLUMNS.forEach(k -> cells.add(r.answers().get(k)));
        for (Findings.Severity s : Findings.Severity.values()) {
            cells.add(r.findings().get(s));
        }
        cells.add(r.findingsTotal());
        return cells;
    }

    /** The totals row under the areas: 合计. */
    static List<Object> totalCells(List<AreaRow> areas) {
        List<Object> cells = new ArrayList<>(List.of("合计", "全部检查内容", areas.stream().mapToLong(r -> r.area().items().size()).sum()));
        ANSWER_COLUMNS.forEach(k -> cells.add(areas.stream().mapToLong(r -> r.answers().get(k)).sum()));
        for (Findings.Severity s : Findings.Severity.values()) {
            cells.add(areas.stream().mapToLong(r -> r.findings().get(s)).sum());
        }
        cells.add(areas.stream().mapToLong(AreaRow::findingsTotal).sum());
        return cells;
    }

    static final List<String> UNIT_HEADER = List.of("单位编号", "单位名称", "级别", "重点抽查", "自查报告", "报告表", "符合", "基本符合",
            "不符合", "不适用", "未答", "问题（高）", "问题（中）", "问题（低）");

    static List<Object> unitCells(Campaign c, Overviews.UnitOverview u) {
        List<Object> cells = new ArrayList<>(List.of(u.unit().id(), u.unit().name(), u.unit().level(),
                u.unit().keySpotCheck() ? "是" : "否", report(u), form(c, u)));
        cells.addAll(unitAnswers(c, u).values());
        u.findingsBySeverity().values().forEach(cells::add);
        return cells;
    }

    static final List<String> FINDING_HEADER = List.of("问题编号", "单位", "检查内容", "严重程度", "问题描述", "整改要求", "整改期限");

    static List<Object> findingCells(Campaign c, Findings.Finding f) {
        String area = c.area(f.area()).map(Campaign.Area::name).orElse(f.area());
        return List.of(f.id(), f.unit(), area, f.severity().zh(), f.description(), f.rectification(), CHINA_TIME.format(f.deadline()));
    }

    static byte[] xlsx(Overviews.Overview o, List<AreaRow> areas) {
        Campaign c = o.campaign();
        try (XSSFWorkbook wb = new XSSFWorkbook(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            Sheet byArea = wb.createSheet("按检查内容");
            row(byArea, 0, List.of(c.title() + " — 按检查内容汇总"));
            row(byArea, 1, new ArrayList<>(AREA_HEADER));
            int r = 2;
            for (AreaRow a : areas) {
                row(byArea, r++, areaCells(a));
            }
            row(byArea, r, totalCells(areas));
            Sheet byUnit = wb.createSheet("按单位");
            row(byUnit, 0, new ArrayList<>(UNIT_HEADER));
            r = 1;
            for (Overviews.UnitOverview u : o.units()) {
                row(byUnit, r++, unitCells(c, u));
            }
            Sheet list = wb.createSheet("问题清单");
            row(list, 0, new ArrayList<>(FINDING_HEADER));
            r = 1;
            for (Overviews.UnitOverview u : o.units()) {
                for (Findings.Finding f : u.findings()) {
                    row(list, r++, findingCells(c, f));
                }
            }
            wb.write(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void row(Sheet sheet, int index, List<?> cells) {
        Row row = sheet.createRow(index);
        for (int i = 0; i < cells.size(); i++) {
            Object v = cells.get(i);
            if (v instanceof Number n) {
                row.createCell(i).setCellValue(n.doubleValue());
            } else {
                row.createCell(i).setCellValue(String.valueOf(v));
            }
        }
    }

    static byte[] docx(Overviews.Overview o, List<AreaRow> areas, int version, Instant now) {
        Campaign c = o.campaign();
        try (XWPFDocument doc = new XWPFDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            paragraph(doc, c.title() + "汇总情况", true);
            paragraph(doc, (c.details().document() == null ? "" : "依据" + c.details().document() + "。") + "本汇总根据各单位报送的报告表和检查工作组记录的问题生成（第 "
                    + version + " 版，" + CHINA_TIME.format(now) + "），由"
                    + String.join("、", c.details().jointReview().stream().map(Campaign.Department::name).toList()) + "共同审定。", false);
            long in = o.units().stream().filter(Overviews.UnitOverview::reportIn).count();
            long onTime = o.units().stream().filter(u -> u.reportIn() && u.reportOnTime()).count();
            long complete = o.units().stream().filter(u -> u.formComplete(c)).count();
            List<Object> total = totalCells(areas);
            paragraph(doc, "一、总体情况", true);
            paragraph(doc, "检查范围内单位 " + o.units().size() + " 个，报送自查报告 " + in + " 个（按时 " + onTime + " 个，逾期 " + (in - onTime)
                    + " 个，未报送 " + (o.units().size() - in) + " 个），报告表完整 " + complete + " 个。检查发现问题 "
                    + total.get(total.size() - 1) + " 个。", false);
            paragraph(doc, "二、按检查内容汇总", true);
            table(doc, AREA_HEADER, areas.stream().map(SummaryDocuments::areaCells).toList(), total);
            paragraph(doc, "三、按单位汇总", true);
            table(doc, UNIT_HEADER, o.units().stream().map(u -> unitCells(c, u)).toList(), null);
            paragraph(doc, "四、发现的问题及整改要求", true);
            List<List<Object>> findings = new ArrayList<>();
            o.units().forEach(u -> u.findings().forEach(f -> findings.add(findingCells(c, f))));
            if (findings.isEmpty()) {
                paragraph(doc, "未发现问题。", false);
            } else {
                table(doc, FINDING_HEADER, findings, null);
            }
            doc.write(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void paragraph(XWPFDocument doc, String text, boolean bold) {
        XWPFParagraph p = doc.createParagraph();
        XWPFRun run = p.createRun();
        run.setBold(bold);
        run.setText(text);
    }

    private static void table(XWPFDocument doc, List<String> header, List<List<Object>> rows, List<Object> footer) {
        XWPFTable t = doc.createTable(1 + rows.size() + (footer == null ? 0 : 1), header.size());
        fill(t, 0, header);
        for (int i = 0; i < rows.size(); i++) {
            fill(t, i + 1, rows.get(i));
        }
        if (footer != null) {
            fill(t, rows.size() + 1, footer);
        }
    }

    private static void fill(XWPFTable t, int row, List<?> cells) {
        for (int i = 0; i < cells.size(); i++) {
            t.getRow(row).getCell(i).setText(String.valueOf(cells.get(i)));
        }
    }
}
