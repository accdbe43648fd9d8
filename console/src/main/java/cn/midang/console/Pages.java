package cn.midang.console;

import cn.midang.cli.net.MidangClient;
import cn.midang.cli.net.Receipt;
import cn.midang.cli.net.ServerRefusal;
import cn.midang.forms.SafeText;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.thymeleaf.TemplateEngine;
import org.thymeleaf.context.Context;
import org.thymeleaf.templatemode.TemplateMode;
import org.thymeleaf.templateresolver.ClassLoaderTemplateResolver;

/**
 * The console's pages, at stable addresses: {@code /} (the role's home), {@code /campaigns/{id}}
 * (the status dashboard), {@code /search?q=…&campaign=…}, {@code /submissions/{id}} (a document:
 * its verified receipt, its text, the original), {@code /campaigns/{id}/results}. Each asks the
 * server through the user's own {@link MidangClient} — signed with the key on this computer,
 * downloads opened here — and shows what the server answered; a refusal is shown as the server's
 * catalogue message. Every piece of text reaches the page escaped by the templates ({@code th:text}
 * only; no template writes unescaped text).
 */
public final class Pages {

    static final ObjectMapper JSON = new ObjectMapper();
    /** The largest document the console opens in memory to show or hand to the browser. */
    static final int MAX_OPEN = 64 * 1024 * 1024;
    private static final Pattern CAMPAIGN = Pattern.compile("/campaigns/([A-Za-z0-9][A-Za-z0-9._-]{0,63})(/results|/summary|/summary/sign|/approve|/form|/findings|/advance|/dates|/inspectors)?");
    private static final Pattern ATTEST = Pattern.compile("/engagements/([A-Za-z0-9][A-Za-z0-9._-]{0,63})/attest");
    private static final Pattern SUBMISSION = Pattern.compile("/submissions/([0-9a-f]{32})(/original|/receipt|/receipt\\.sig)?");

    private final MidangClient client;
    private final Clock clock;
    private final TemplateEngine engine;
    private final String role;
    private final ReportFormPage form;
    private final AdminPages admin;

    public Pages(MidangClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
        this.role = client.identity().certificate().role();
        ClassLoaderTemplateResolver r = new ClassLoaderTemplateResolver(Pages.class.getClassLoader());
        r.setPrefix("cn/midang/console/templates/");
        r.setSuffix(".html");
        r.setTemplateMode(TemplateMode.HTML);
        r.setCharacterEncoding("UTF-8");
        r.setCacheable(true);
        engine = new TemplateEngine();
        engine.setTemplateResolver(r);
        form = new ReportFormPage(this, client);
        admin = new AdminPages(this, client);
    }

    /** What a page answers: written once the page is made. */
    @FunctionalInterface
    public interface Answer {
        void write(Response response, Callback callback) throws Exception;
    }

    /** The answer to {@code method path}, or null when there is no such page. */
    Answer answer(String method, String path, Fields query, Request request, Text t) throws Exception {
        if ("POST".equals(method) && path.equals("/upload")) {
            return upload(query, request, t);
        }
        if ("POST".equals(method) && path.equals("/admin/campaigns")) {
            return admin.createCampaign(request);
        }
        if ("POST".equals(method) && path.equals("/admin/engagements")) {
            return admin.engagement(request);
        }
        if ("POST".equals(method) && path.equals("/admin/permits")) {
            return admin.permit(request);
        }
        if ("POST".equals(method) && ATTEST.matcher(path).matches()) {
            Matcher e = ATTEST.matcher(path);
            e.matches();
            client.attestDestruction(e.group(1), cn.midang.cli.tester.AttestDestructionCommand.STATEMENT);
            return redirect("/?done=attested&id=" + e.group(1));
        }
        if ("POST".equals(method)) {
            Matcher c = CAMPAIGN.matcher(path);
            if (c.matches() && "/summary/sign".equals(c.group(2))) {
                return sign(c.group(1), query.getValue("expect"), t);
            }
            if (c.matches() && "/approve".equals(c.group(2))) {
                return approve(c.group(1), t);
            }
            if (c.matches() && "/form".equals(c.group(2))) {
                return form.submit(c.group(1), request, t);
            }
            if (c.matches() && "/findings".equals(c.group(2))) {
                return addFinding(c.group(1), request);
            }
            if (c.matches() && "/advance".equals(c.group(2))) {
                return admin.advance(c.group(1), request);
            }
            if (c.matches() && "/dates".equals(c.group(2))) {
                return admin.reschedule(c.group(1), request);
            }
            if (c.matches() && "/inspectors".equals(c.group(2))) {
                return admin.assign(c.group(1), request);
            }
            return null;
        }
        if (!"GET".equals(method)) {
            return null;
        }
        if (path.equals("/")) {
            return home(query.getValue("done"), query.getValue("id"), t);
        }
        if (path.equals("/search")) {
            return search(query, t);
        }
        if (path.equals("/admin/campaigns/new")) {
            return admin.newCampaign(t);
        }
        if (path.equals("/admin/audit")) {
            return admin.audit(query, t);
        }
        Matcher c = CAMPAIGN.matcher(path);
        if (c.matches()) {
            String id = c.group(1);
            if (c.group(2) == null) {
                return campaign(id, query.getValue("done"), "1".equals(query.getValue("all")), t);
            }
            return switch (c.group(2)) {
                case "/results" -> results(id, t);
                case "/summary" -> summary(id, query.getValue("done"), t);
                case "/form" -> form.show(id, t);
                default -> null;
            };
        }
        Matcher s = SUBMISSION.matcher(path);
        if (s.matches()) {
            if (s.group(2) == null) {
                return submission(s.group(1), query.getValue("done"), t);
            }
            return s.group(2).equals("/original") ? original(s.group(1), t) : receiptFile(s.group(1), s.group(2).endsWith(".sig"));
        }
        return null;
    }

    Map<String, Object> model(Text t, String title) throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("t", t);
        m.put("title", title);
        m.put("role", role);
        m.put("roleName", t.get("role." + role));
        m.put("me", client.identity().certificate().commonName());
        m.put("organisation", client.identity().certificate().organisation());
        m.put("server", client.server().toString());
        m.put("tester", "tester".equals(role));
        return m;
    }

    Answer page(int status, String template, Map<String, Object> model, Text t) {
        String html = engine.process(template, new Context(t.chinese() ? Locale.SIMPLIFIED_CHINESE : Locale.ROOT, model));
        return (response, callback) -> {
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/html; charset=utf-8");
            Content.Sink.write(response, true, html, callback);
        };
    }

    Answer home(String done, String id, Text t) throws Exception {
        Map<String, Object> m = model(t, t.get("home.title"));
        m.put("done", done != null && List.of("engagement", "permit", "attested").contains(done)
                ? t.get("done." + done, id == null ? "" : id) : "");
        m.put("statement", cn.midang.cli.tester.AttestDestructionCommand.STATEMENT);
        List<Map<String, Object>> campaigns = new ArrayList<>();
        for (JsonNode c : client.campaigns().path("campaigns")) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", c.path("id").asText());
            row.put("title", c.path("title").asText());
            row.put("state", t.get("state." + c.path("state").asText()));
            row.put("deadline", t.time(c.path("submission_deadline").asText()));
            row.put("countdown", t.countdown(c.path("submission_deadline").asText(), clock.instant()));
            row.put("open", "open".equals(c.path("state").asText()));
            // Approvers and the leadership work on the summary; the others see the campaign's progress.
            row.put("href", "/campaigns/" + c.path("id").asText() + ("approver".equals(role) || "leader".equals(role) ? "/summary" : ""));
            campaigns.add(row);
        }
        m.put("campaigns", campaigns);
        m.put("submissions", "unit".equals(role) ? rows(client.list(MidangClient.Filter.NONE, 50, 0).path("submissions"), t) : List.of());
        m.put("mayUpload", "unit".equals(role) || "tester".equals(role) || "inspector".equals(role));
        m.put("kinds", switch (role) {
            case "unit" -> List.of("report", "form", "rectification");
            case "tester" -> List.of("test-result");
            case "inspector" -> List.of("inspection-record");
            default -> List.of();
        });
        if ("tester".equals(role) || "admin".equals(role)) {
            List<Map<String, Object>> engagements = new ArrayList<>();
            for (JsonNode e : client.engagements().path("engagements")) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("id", e.path("id").asText());
                row.put("tester", e.path("tester_org").asText());
                row.put("campaign", e.path("campaign").asText());
                row.put("units", String.join(", ", texts(e.path("units"))));
                row.put("ends", t.time(e.path("ends_at").asText()));
                row.put("open", e.path("open").asBoolean());
                row.put("missing", e.path("attestation_missing").asBoolean());
                row.put("attested", e.path("attested_at").isTextual() ? t.time(e.path("attested_at").asText()) : "");
                engagements.add(row);
            }
            m.put("engagements", engagements);
        } else {
            m.put("engagements", List.of());
        }
        List<String> warnings = new ArrayList<>();
        if ("admin".equals(role)) {
            client.health().path("warnings").forEach(w -> warnings.add(w.asText()));
        }
        m.put("warnings", warnings);
        return page(200, "home", m, t);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** Listed submissions as the templates show them. */
    private List<Map<String, Object>> rows(JsonNode items, Text t) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (JsonNode s : items) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", s.path("id").asText());
            row.put("file", s.path("file_name").asText());
            row.put("campaign", s.path("campaign").asText());
            row.put("unit", s.path("unit").asText());
            row.put("kind", t.get("kind." + s.path("kind").asText()));
            row.put("submitter", s.path("submitter").asText());
            row.put("received", t.time(s.path("received_at").asText()));
            row.put("late", s.path("late").asBoolean());
            row.put("size", t.size(s.path("size").asLong()));
            row.put("pieces", Text.pieces(s.path("snippet").asText(null)));
            row.put("recognised", s.path("recognised").asBoolean());
            out.add(row);
        }
        return out;
    }

    Answer campaign(String id, String done, boolean allUnits, Text t) throws Exception {
        // The findings are asked for beside the status, not after it: the page waits for the slower of the two.
        FutureTask<JsonNode> pendingFindings = "unit".equals(role) || "inspector".equals(role)
                ? new FutureTask<>(() -> client.findings(id, null)) : null;
        if (pendingFindings != null) {
            Thread.ofVirtual().start(pendingFindings);
        }
        JsonNode n;
        try {
            n = client.status(id);
        } catch (Exception e) {
            if (pendingFindings != null) {
                pendingFindings.cancel(true);
            }
            throw e;
        }
        Map<String, Object> m = model(t, n.path("title").asText());
        m.put("done", done != null && List.of("finding", "created", "advanced", "rescheduled", "assigned").contains(done)
                ? t.get("done." + done) : "");
        m.put("id", n.path("id").asText());
        Map<String, String> dates = new LinkedHashMap<>();
        dates.put("submission_deadline", AdminPages.localChinaTime(n.path("submission_deadline").asText()));
        dates.put("on_site_start", AdminPages.localChinaTime(n.path("details").path("on_site_start").asText()));
        dates.put("on_site_end", AdminPages.localChinaTime(n.path("details").path("on_site_end").asText()));
        m.put("dates", dates);
        m.put("state", t.get("state." + n.path("state").asText()));
        m.put("deadline", t.time(n.path("submission_deadline").asText()));
        m.put("asOf", t.time(n.path("as_of").asText()));
        List<Map<String, Object>> units = new ArrayList<>();
        for (JsonNode u : n.path("units")) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", u.path("id").asText());
            row.put("name", u.path("name").asText());
            row.put("level", u.path("level").asText());
            row.put("reportIn", u.path("report_in").asBoolean());
            row.put("onTime", u.path("report_on_time").asBoolean());
            row.put("form", t.get("form." + u.path("form").asText()));
            JsonNode f = u.path("findings");
            row.put("findings", f.isMissingNode() ? "—" : f.path("high").asLong() + " / " + f.path("medium").asLong() + " / "
                    + f.path("low").asLong());
            row.put("attention", attention(u));
            units.add(row);
        }
        // Those that need attention first (no report, late, form not complete), each group in the campaign's order; a long
        // list shows its first UNITS_SHOWN, the rest one click away.
        m.put("allUnits", List.copyOf(units));
        units.sort(java.util.Comparator.comparingInt(r -> (int) r.get("attention")));
        m.put("unitsTotal", units.size());
        m.put("unitsCut", !allUnits && units.size() > UNITS_SHOWN);
        m.put("units", allUnits || units.size() <= UNITS_SHOWN ? units : units.subList(0, UNITS_SHOWN));
        JsonNode totals = n.path("totals");
        m.put("totals", Map.of("units", totals.path("units").asLong(), "reported", totals.path("reports_in").asLong(),
                "onTime", totals.path("reports_on_time").asLong(), "missing", totals.path("reports_missing").asLong(),
                "forms", totals.path("forms_complete").asLong()));
        m.put("charts", !"unit".equals(role));
        m.put("admin", "admin".equals(role));
        String state = n.path("state").asText();
        m.put("stateId", state);
        m.put("next", AdminPages.NEXT.getOrDefault(state, ""));
        m.put("nextName", AdminPages.NEXT.containsKey(state) ? t.get("state." + AdminPages.NEXT.get(state)) : "");
        m.put("inspector", "inspector".equals(role));
        m.put("unit", "unit".equals(role));
        // A unit sees its own findings (the server shows a unit only its own) with, for each not yet answered, its
        // rectification upload; an inspector the campaign's, and a form to record one.
        JsonNode findings = pendingFindings == null ? null : answerOf(pendingFindings).path("findings");
        List<Map<String, Object>> rows = new ArrayList<>();
        if (findings != null) {
            findings.forEach(f -> rows.add(findingRow(f, t)));
        }
        m.put("findings", rows);
        Map<String, String> areaNames = new LinkedHashMap<>();
        if (!"unit".equals(role)) {
            n.path("areas").forEach(a -> areaNames.put(a.path("id").asText(), a.path("name").asText()));
        }
        List<Map<String, String>> areas = new ArrayList<>();
        areaNames.forEach((k, v) -> areas.add(Map.of("id", k, "name", v)));
        m.put("areas", areas);
        // In the page itself (an attribute the template escapes), not a second request that would ask the server again.
        m.put("chartData", chartData(n, areaNames, findings, t));
        return page(200, "campaign", m, t);
    }

    /** How many units the dashboard lists before "show all". */
    static final int UNITS_SHOWN = 100;

    /** 0: no report; 1: reported late; 2: form missing or incomplete; 3: nothing to chase. */
    static int attention(JsonNode u) {
        if (!u.path("report_in").asBoolean()) {
            return 0;
        }
        if (!u.path("report_on_time").asBoolean()) {
            return 1;
        }
        return "complete".equals(u.path("form").asText()) ? 3 : 2;
    }

    /** The answer of a request run beside another, its refusal thrown as if it had been made here. */
    private static JsonNode answerOf(FutureTask<JsonNode> request) throws Exception {
        try {
            return request.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }
    }

    /**
     * An inspector's finding, posted from the dashboard: sent as {@code midang finding add} sends it;
     * the server decides whether it may be recorded now (its state, the inspector's assignment).
     */
    Answer addFinding(String id, Request request) throws Exception {
        Fields posted = org.eclipse.jetty.server.FormFields.getFields(request, 32, 64 * 1024);
        Map<String, Object> body = new LinkedHashMap<>();
        for (String field : List.of("unit", "area", "severity", "description", "rectification", "deadline", "record")) {
            String v = blankToNull(posted.getValue(field));
            if (v != null) {
                body.put(field, v);
            }
        }
        client.addFinding(id, body);
        return redirect("/campaigns/" + id + "?done=finding");
    }

    private static Map<String, Object> findingRow(JsonNode f, Text t) {
        Map<String, Object> row = new LinkedHashMap<>();
        boolean rectified = f.path("rectification_report").isTextual();
        row.put("id", f.path("id").asText());
        row.put("unit", f.path("unit").asText());
        row.put("area", f.path("area").asText());
        row.put("severity", t.get("severity." + f.path("severity").asText()));
        row.put("description", f.path("description").asText());
        row.put("rectification", f.path("rectification").asText());
        row.put("deadline", t.time(f.path("deadline").asText()));
        row.put("rectified", rectified);
        row.put("report", rectified ? f.path("rectification_report").asText() : "");
        row.put("state", rectified ? t.get("finding.rectified") : f.path("overdue").asBoolean() ? t.get("finding.overdue")
                : t.get("finding.open"));
        return row;
    }

    /**
     * The dashboard's charts as data for the page's own script (ECharts): reports in, on time and
     * missing; findings by severity and, for an inspector, by check area; reports received over
     * time (each unit's first report, by day in China); the forms' answers per check area.
     */
    private String chartData(JsonNode status, Map<String, String> areaNames, JsonNode findings, Text t) throws IOException {
        JsonNode totals = status.path("totals");
        Map<String, Object> body = new LinkedHashMap<>();
        long in = totals.path("reports_in").asLong();
        long onTime = totals.path("reports_on_time").asLong();
        body.put("reports", List.of(
                Map.of("name", t.get("chart.onTime"), "value", onTime),
                Map.of("name", t.get("chart.late"), "value", in - onTime),
                Map.of("name", t.get("chart.missing"), "value", totals.path("reports_missing").asLong())));
        JsonNode f = totals.path("findings");
        body.put("severities", List.of(t.get("severity.high"), t.get("severity.medium"), t.get("severity.low")));
        body.put("findings", List.of(f.path("high").asLong(), f.path("medium").asLong(), f.path("low").asLong()));
        java.util.TreeMap<String, Long> byDay = new java.util.TreeMap<>();
        java.time.format.DateTimeFormatter day = java.time.format.DateTimeFormatter.ofPattern(t.chinese() ? "M月d日" : "MM-dd")
                .withZone(java.time.ZoneId.of("Asia/Shanghai"));
        java.time.format.DateTimeFormatter sortable = java.time.format.DateTimeFormatter.ISO_LOCAL_DATE.withZone(java.time.ZoneId.of("Asia/Shanghai"));
        Map<String, String> label = new LinkedHashMap<>();
        for (JsonNode u : status.path("units")) {
            if (u.path("first_report_at").isTextual()) {
                java.time.Instant at = java.time.Instant.parse(u.path("first_report_at").asText());
                byDay.merge(sortable.format(at), 1L, Long::sum);
                label.put(sortable.format(at), day.format(at));
            }
        }
        List<String> days = new ArrayList<>();
        List<Long> cumulative = new ArrayList<>();
        long sum = 0;
        for (var e : byDay.entrySet()) {
            sum += e.getValue();
            days.add(label.get(e.getKey()));
            cumulative.add(sum);
        }
        body.put("timeline", Map.of("days", days, "reports", cumulative));
        List<String> areaLabels = new ArrayList<>();
        Map<String, List<Long>> answers = new LinkedHashMap<>();
        cn.midang.forms.ReportForm.ANSWERS.forEach(a -> answers.put(a, new ArrayList<>()));
        totals.path("form_answers").fields().forEachRemaining(a -> {
            areaLabels.add(areaNames.getOrDefault(a.getKey(), a.getKey()));
            answers.forEach((answer, counts) -> counts.add(a.getValue().path(answer).asLong()));
        });
        body.put("answers", Map.of("areas", areaLabels, "series", answers));
        if (findings != null) {
            Map<String, Long> byArea = new LinkedHashMap<>();
            areaNames.values().forEach(name -> byArea.put(name, 0L));
            findings.forEach(x -> byArea.merge(areaNames.getOrDefault(x.path("area").asText(), x.path("area").asText()), 1L, Long::sum));
            body.put("findingsByArea", Map.of("areas", new ArrayList<>(byArea.keySet()), "counts", new ArrayList<>(byArea.values())));
        }
        body.put("titles", Map.of("reports", t.get("chart.reports"), "findings", t.get("chart.findings"), "timeline",
                t.get("chart.timeline"), "answers", t.get("chart.answers"), "findingsByArea", t.get("chart.findingsByArea")));
        return JSON.writeValueAsString(body);
    }

    Answer search(Fields query, Text t) throws Exception {
        String q = Optional.ofNullable(query.getValue("q")).orElse("").strip();
        String campaign = blankToNull(query.getValue("campaign"));
        String unit = blankToNull(query.getValue("unit"));
        String kind = blankToNull(query.getValue("kind"));
        int offset = Math.max(0, parseInt(query.getValue("offset"), 0));
        Map<String, Object> m = model(t, t.get("search.title"));
        m.put("q", q);
        m.put("campaign", campaign == null ? "" : campaign);
        m.put("hits", List.of());
        m.put("facets", List.of());
        m.put("total", 0);
        m.put("searched", !q.isEmpty());
        m.put("next", null);
        m.put("previous", null);
        if (!q.isEmpty() && !"tester".equals(role)) {
            JsonNode r = client.search(q, new MidangClient.Filter(campaign, unit, kind, null, null), null, "relevance", 20, offset);
            m.put("hits", rows(r.path("hits"), t));
            long total = r.path("total").asLong();
            m.put("total", total);
            List<Map<String, Object>> facets = new ArrayList<>();
            r.path("facets").fields().forEachRemaining(facet -> facet.getValue().fields().forEachRemaining(v -> {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("label", t.get("facet." + facet.getKey()) + ": " + (facet.getKey().equals("kind") ? t.get("kind." + v.getKey())
                        : v.getKey()));
                f.put("count", v.getValue().asLong());
                f.put("href", searchHref(q, facet.getKey().equals("campaign") ? v.getKey() : campaign,
                        facet.getKey().equals("unit") ? v.getKey() : unit, facet.getKey().equals("kind") ? v.getKey() : kind, 0));
                facets.add(f);
            }));
            m.put("facets", facets);
            if (offset + 20 < total) {
                m.put("next", searchHref(q, campaign, unit, kind, offset + 20));
            }
            if (offset > 0) {
                m.put("previous", searchHref(q, campaign, unit, kind, Math.max(0, offset - 20)));
            }
        }
        return page(200, "search", m, t);
    }

    private static String searchHref(String q, String campaign, String unit, String kind, int offset) {
        StringBuilder b = new StringBuilder("/search?q=").append(enc(q));
        if (campaign != null) {
            b.append("&campaign=").append(enc(campaign));
        }
        if (unit != null) {
            b.append("&unit=").append(enc(unit));
        }
        if (kind != null) {
            b.append("&kind=").append(enc(kind));
        }
        if (offset > 0) {
            b.append("&offset=").append(offset);
        }
        return b.toString();
    }

    /** A document: its receipt as the client verified it (the server's signature, against the CA), and its text when it is text. */
    Answer submission(String id, String done, Text t) throws Exception {
        Receipt r = client.receipt(id);
        Map<String, Object> m = model(t, r.fileName());
        m.put("done", "form".equals(done) || "draft".equals(done) ? t.get("form.done." + done) : "");
        m.put("id", r.id());
        m.put("file", r.fileName());
        m.put("campaign", r.campaign());
        m.put("unit", r.unit());
        m.put("kind", t.get("kind." + r.kind()));
        m.put("size", t.size(r.size()));
        m.put("received", t.time(r.receivedAt()));
        m.put("late", r.late());
        m.put("sm3", r.contentSm3());
        m.put("serverKey", client.serverInfo().signing().fingerprint());
        m.put("sequence", r.sequence());
        // A text document is shown in the page. For a tester the server answers only under a
        // retention permit, and the console never offers the original as a file (download: false).
        String text = null;
        boolean extracted = false;
        int recognisedPages = 0;
        if (isText(r.fileName()) && r.size() <= 2 * 1024 * 1024) {
            text = new String(client.openInMemory(r, MAX_OPEN).content(), StandardCharsets.UTF_8);
        } else {
            // An office document, a PDF: the text the server extracted for search, under the same rule as the download.
            JsonNode x = client.text(r.id());
            if (x.path("indexed").asBoolean() && !x.path("text").asText().isBlank()) {
                text = x.path("text").asText();
                extracted = true;
                recognisedPages = x.path("recognised_pages").asInt();
            }
        }
        m.put("text", text);
        m.put("extracted", extracted && recognisedPages == 0);
        m.put("recognised", recognisedPages > 0 ? t.get("submission.recognised", recognisedPages) : "");
        m.put("large", r.size() > MAX_OPEN ? t.get("submission.large", t.size(r.size()), r.id()) : "");
        m.put("download", !"tester".equals(role));
        return page(200, "submission", m, t);
    }

    private static boolean isText(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".txt") || n.endsWith(".md") || n.endsWith(".csv") || n.endsWith(".yaml") || n.endsWith(".yml");
    }

    /**
     * The signed receipt ({@code ID.receipt}) or its signature ({@code ID.receipt.sig}), exactly as
     * the server signed them and the client verified them: to keep, and to check later with
     * {@code midang verify ID.receipt} or OpenSSL.
     */
    Answer receiptFile(String id, boolean signature) throws Exception {
        Receipt r = client.receipt(id);
        byte[] bytes = signature ? r.signature() : r.bytes();
        String name = id + (signature ? ".receipt.sig" : ".receipt");
        return (response, callback) -> {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, signature ? "application/octet-stream" : "application/json; charset=utf-8");
            response.getHeaders().put("Content-Disposition", "attachment; filename=\"" + name + "\"");
            response.write(true, java.nio.ByteBuffer.wrap(bytes), callback);
        };
    }

    /** The original, opened here with the user's key, handed to the browser as a download (never to a tester). */
    Answer original(String id, Text t) throws Exception {
        if ("tester".equals(role)) {
            return message(403, t.get("tester.noDownload"), t);
        }
        Receipt described = client.receipt(id);
        if (described.size() > MAX_OPEN) {
            // Nothing unverified reaches the browser: a document is opened and checked whole before it is handed over,
            // in memory (as `midang get -o -`); a larger one is for `midang get`, which checks it in a file.
            return message(413, t.get("submission.large", t.size(described.size()), id), t);
        }
        MidangClient.InMemory doc = client.openInMemory(described, MAX_OPEN);
        Receipt r = doc.receipt();
        byte[] plain = doc.content();
        return (response, callback) -> {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
            response.getHeaders().put("Content-Disposition", "attachment; filename=\"download\"; filename*=UTF-8''"
                    + enc(r.fileName()).replace("+", "%20"));
            response.write(true, java.nio.ByteBuffer.wrap(plain), callback);
        };
    }

    /**
     * The summary under joint review: what each department has signed, the units and check areas as
     * the summary's JSON says (its SM3 checked), its documents; for an approver whose department has
     * not signed, the button that signs these exact bytes; for the leadership, once all have signed,
     * the button that approves.
     */
    Answer summary(String id, String done, Text t) throws Exception {
        MidangClient.CurrentSummary s = client.currentSummary(id);
        JsonNode meta = s.meta();
        JsonNode content = JSON.readTree(s.json());
        Map<String, Object> m = model(t, t.get("summary.title", content.path("campaign").path("title").asText(id)));
        m.put("id", id);
        m.put("state", t.get("state." + meta.path("state").asText()));
        m.put("version", s.version());
        m.put("sm3", s.sm3());
        m.put("generated", t.time(meta.path("generated_at").asText()));
        List<String> missing = texts(meta.path("missing"));
        List<Map<String, Object>> departments = new ArrayList<>();
        boolean mine = false;
        for (JsonNode d : meta.path("departments")) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", d.path("name").asText());
            String signedBy = null;
            String at = null;
            for (JsonNode sig : meta.path("signatures")) {
                if (sig.path("department").asText().equals(d.path("id").asText())) {
                    signedBy = sig.path("signer").asText();
                    at = t.time(sig.path("signed_at").asText());
                }
            }
            row.put("signed", signedBy != null);
            row.put("by", signedBy == null ? "" : signedBy);
            row.put("at", at == null ? "" : at);
            departments.add(row);
            mine |= missing.contains(d.path("id").asText()) && d.path("name").asText().equals(client.identity().certificate().organisation());
        }
        boolean review = "joint_review".equals(meta.path("state").asText());
        m.put("departments", departments);
        m.put("maySign", review && "approver".equals(role) && mine);
        m.put("mayApprove", review && "leader".equals(role) && missing.isEmpty());
        List<Map<String, Object>> units = new ArrayList<>();
        for (JsonNode u : content.path("units")) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", u.path("id").asText());
            row.put("name", u.path("name").asText());
            row.put("findings", u.path("findings").size());
            units.add(row);
        }
        m.put("units", units);
        List<Map<String, Object>> areas = new ArrayList<>();
        for (JsonNode a : content.path("areas")) {
            JsonNode f = a.path("findings");
            areas.add(Map.of("name", a.path("name").asText(), "findings", f.path("high").asLong() + " / " + f.path("medium").asLong()
                    + " / " + f.path("low").asLong()));
        }
        m.put("areas", areas);
        m.put("xlsx", meta.path("documents").path("xlsx").asText());
        m.put("docx", meta.path("documents").path("docx").asText());
        m.put("done", done == null ? "" : t.get("summary.done." + (done.equals("approved") ? "approved" : "signed")));
        return page(200, "summary", m, t);
    }

    /**
     * Signs the current summary for the approver's department — only if it is still the version whose
     * SM3 the page showed ({@code expect}), so that no one signs bytes they did not see.
     */
    Answer sign(String id, String expect, Text t) throws Exception {
        MidangClient.CurrentSummary s = client.currentSummary(id);
        if (expect == null || !expect.equalsIgnoreCase(s.sm3())) {
            return message(409, t.get("summary.changed", s.sm3()), t);
        }
        client.signSummary(id, s);
        return redirect("/campaigns/" + id + "/summary?done=signed");
    }

    /** The leadership's approval: the lifecycle step joint_review → approved, signed with the leader's key. */
    Answer approve(String id, Text t) throws Exception {
        client.advance(id, "joint_review", "approved");
        return redirect("/campaigns/" + id + "/summary?done=approved");
    }

    static Answer redirect(String location) {
        return (response, callback) -> {
            response.setStatus(303);
            response.getHeaders().put(HttpHeader.LOCATION, location);
            callback.succeeded();
        };
    }

    /**
     * The published results: each notice's signature checked with the server's key (itself checked
     * against the CA in the user's identity) before it is shown, and the page says so.
     */
    Answer results(String id, Text t) throws Exception {
        List<MidangClient.Notice> verified = client.verifiedResults(id); // a notice that does not verify is never shown
        MidangClient.ServerInfo si = client.serverInfo();
        Map<String, Object> m = model(t, t.get("results.title", id));
        m.put("id", id);
        m.put("serverKey", si.signing().fingerprint());
        m.put("ca", si.trust().ca().subject());
        List<Map<String, Object>> notices = new ArrayList<>();
        for (MidangClient.Notice x : verified) {
            JsonNode notice = x.content();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("unit", notice.path("unit").asText());
            row.put("name", notice.path("unit_name").asText());
            row.put("outcome", t.chinese() ? notice.path("outcome_zh").asText() : notice.path("outcome").asText());
            row.put("rectifyBy", notice.path("rectify_by").isTextual() ? t.time(notice.path("rectify_by").asText()) : "—");
            List<String> findings = new ArrayList<>();
            for (JsonNode f : notice.path("findings")) {
                findings.add(f.path("id").asText() + " [" + t.get("severity." + f.path("severity").asText()) + "] "
                        + f.path("description").asText() + " → " + f.path("rectification").asText() + " ("
                        + t.time(f.path("deadline").asText()) + ")");
            }
            row.put("findings", findings);
            notices.add(row);
        }
        m.put("notices", notices);
        return page(200, "results", m, t);
    }

    /**
     * An upload from the page (drag and drop or the file picker): the file arrives raw with its name
     * in {@code X-File-Name}, is kept in a private folder only while the client seals, signs and
     * uploads it exactly as {@code midang submit} does, and is then deleted.
     */
    Answer upload(Fields query, Request request, Text t) throws Exception {
        String name = URLDecoder.decode(Optional.ofNullable(request.getHeaders().get("X-File-Name")).orElse(""), StandardCharsets.UTF_8);
        Optional<String> bad = SafeText.fileNameProblem(name);
        if (bad.isPresent()) {
            return json(400, Map.of("error", t.get("upload.badName", bad.get())));
        }
        Path dir = Files.createTempDirectory("midang-console-", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        Path file = dir.resolve(name);
        try {
            try (InputStream in = Content.Source.asInputStream(request)) {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            }
            MidangClient.Submitted s = client.submit(file, query.getValue("campaign"), query.getValue("kind"),
                    blankToNull(query.getValue("unit")), blankToNull(query.getValue("area")), blankToNull(query.getValue("finding")),
                    cn.midang.cli.net.Progress.NONE);
            return json(201, Map.of("id", s.receipt().id(), "message", t.get("upload.done", s.receipt().fileName(),
                    t.time(s.receipt().received()), s.receipt().id())));
        } catch (ServerRefusal r) {
            return json(r.status(), Map.of("error", (t.chinese() ? r.messageZh() : r.getMessage()) + " (" + r.code() + ")"));
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    private static Answer json(int status, Map<String, ?> body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        return (response, callback) -> {
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
            response.write(true, java.nio.ByteBuffer.wrap(bytes), callback);
        };
    }

    /** The server's refusal, as its catalogue says it, in the page's language. */
    Answer refusal(ServerRefusal r, Text t) throws Exception {
        Map<String, Object> m = model(t, t.get("refusal.title"));
        m.put("message", t.chinese() ? r.messageZh() : r.getMessage());
        m.put("code", r.code());
        m.put("problems", r.problems());
        return page(r.status() >= 400 && r.status() < 600 ? r.status() : 500, "refusal", m, t);
    }

    Answer failure(Exception e, Text t) {
        try {
            return message(502, t.get("failure", e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), t);
        } catch (Exception inner) {
            return (response, callback) -> {
                response.setStatus(500);
                Content.Sink.write(response, true, "midang console: " + inner, callback);
            };
        }
    }

    private Answer message(int status, String message, Text t) throws Exception {
        Map<String, Object> m = model(t, t.get("refusal.title"));
        m.put("message", message);
        m.put("code", "");
        m.put("problems", List.of());
        return page(status, "refusal", m, t);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private static int parseInt(String s, int fallback) {
        try {
            return s == null ? fallback : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
