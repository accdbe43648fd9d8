package cn.midang.console;

import cn.midang.cli.audit.AuditFilter;
import cn.midang.cli.net.MidangClient;
import cn.midang.keys.audit.AuditChain;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.FormFields;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;

/**
 * The administrator's pages: a campaign created from its YAML definition (the server checks it
 * and names every problem at its line, as {@code midang campaign create}); the next lifecycle step
 * and inspector assignments on a campaign's dashboard; the audit log, verified against the
 * server's signing key before anything of it is shown, with the filters of {@code midang audit show}.
 * Every step is the server's decision; the page shows its answer.
 */
final class AdminPages {

    /** The step after each state that the administrator takes (joint_review → approved is the leadership's). */
    static final Map<String, String> NEXT = Map.of("draft", "open", "open", "closed", "closed", "on_site", "on_site", "summary",
            "summary", "joint_review", "approved", "published", "published", "rectification", "rectification", "archived");

    /** The most records the audit page shows at once (the latest of the range asked for). */
    static final int AUDIT_PAGE = 500;

    private final Pages pages;
    private final MidangClient client;

    AdminPages(Pages pages, MidangClient client) {
        this.pages = pages;
        this.client = client;
    }

    Pages.Answer newCampaign(Text t) throws Exception {
        Map<String, Object> m = pages.model(t, t.get("admin.newCampaign"));
        return pages.page(200, "campaign-new", m, t);
    }

    /** A campaign from its definition, posted from the page (pasted, or read from a file by the page's script). */
    Pages.Answer createCampaign(Request request) throws Exception {
        Fields posted = FormFields.getFields(request, 8, 2 * 1024 * 1024);
        String name = posted.getValue("file_name");
        JsonNode c = client.postJson("/api/v1/campaigns", Map.of("definition", String.valueOf(posted.getValue("definition")),
                "file_name", name == null || name.isBlank() ? "campaign.yaml" : name));
        return Pages.redirect("/campaigns/" + c.path("id").asText() + "?done=created");
    }

    Pages.Answer advance(String id, Request request) throws Exception {
        Fields posted = FormFields.getFields(request, 8, 1024);
        client.advance(id, posted.getValue("from"), posted.getValue("to"));
        return Pages.redirect("/campaigns/" + id + "?done=advanced");
    }

    /** The dates the administrator may move on a campaign's dashboard, as the server names them. */
    static final List<String> DATES = List.of("submission_deadline", "on_site_start", "on_site_end");

    /**
     * New campaign dates ({@code midang campaign reschedule}): a date whose field was changed (read as
     * China Standard Time) or whose "now" box was ticked; the others are not sent, so a date that has
     * passed is never asked to move. The server decides and names every problem.
     */
    Pages.Answer reschedule(String id, Request request) throws Exception {
        Fields posted = FormFields.getFields(request, 16, 4 * 1024);
        Map<String, String> dates = new LinkedHashMap<>();
        for (String d : DATES) {
            String value = blank(posted.getValue(d));
            if (posted.getValue(d + "_now") != null) {
                dates.put(d, "now");
            } else if (value != null && !value.equals(posted.getValue(d + "_was"))) {
                dates.put(d, chinaTime(value));
            }
        }
        client.reschedule(id, dates);
        return Pages.redirect("/campaigns/" + id + "?done=rescheduled");
    }

    private static final java.util.regex.Pattern INSTANT =
            java.util.regex.Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?Z");

    /** {@code text} (a refusal's reason) with every UTC instant in it written the Chinese way, in China Standard Time. */
    static String chinaTimes(String text, Text t) {
        return INSTANT.matcher(text).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(t.time(m.group())));
    }

    /** An instant as a {@code datetime-local} value in China Standard Time (what the page's date fields show), or "". */
    static String localChinaTime(String iso) {
        if (iso == null || iso.isBlank() || "null".equals(iso)) {
            return "";
        }
        try {
            return java.time.LocalDateTime.ofInstant(java.time.Instant.parse(iso), java.time.ZoneOffset.ofHours(8))
                    .truncatedTo(java.time.temporal.ChronoUnit.MINUTES).toString();
        } catch (java.time.format.DateTimeParseException e) {
            return "";
        }
    }

    Pages.Answer assign(String id, Request request) throws Exception {
        Fields posted = FormFields.getFields(request, 8, 1024);
        client.postJson("/api/v1/campaigns/" + java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8) + "/inspectors",
                Map.of("inspector", String.valueOf(posted.getValue("inspector")).strip()));
        return Pages.redirect("/campaigns/" + id + "?done=assigned");
    }

    /** An engagement of a testing body, as {@code midang admin engagement} makes it; times are read as China Standard Time. */
    Pages.Answer engagement(Request request) throws Exception {
        Fields posted = FormFields.getFields(request, 16, 16 * 1024);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("tester_org", String.valueOf(posted.getValue("tester_org")).strip());
        body.put("campaign", String.valueOf(posted.getValue("campaign")).strip());
        body.put("units", List.of(String.valueOf(posted.getValue("units")).strip().split("[\\s,，、]+")));
        body.put("starts_at", chinaTime(posted.getValue("from")));
        body.put("ends_at", chinaTime(posted.getValue("until")));
        JsonNode e = client.postJson("/api/v1/engagements", body);
        return Pages.redirect("/?done=engagement&id=" + java.net.URLEncoder.encode(e.path("id").asText(),
                java.nio.charset.StandardCharsets.UTF_8));
    }

    /** A retention permit: a testing body may read these results back until then ({@code midang admin permit}). */
    Pages.Answer permit(Request request) throws Exception {
        Fields posted = FormFields.getFields(request, 16, 64 * 1024);
        JsonNode n = client.postJson("/api/v1/permits", Map.of("tester_org", String.valueOf(posted.getValue("tester_org")).strip(),
                "submissions", List.of(String.valueOf(posted.getValue("submissions")).strip().split("[\\s,，、]+")),
                "expires_at", chinaTime(posted.getValue("until"))));
        return Pages.redirect("/?done=permit&id=" + n.path("permit").asText());
    }

    /** A {@code datetime-local} value (no zone) as the instant it names in China Standard Time; the server refuses what is not one. */
    static String chinaTime(String local) {
        try {
            return java.time.LocalDateTime.parse(String.valueOf(local).strip()).atOffset(java.time.ZoneOffset.ofHours(8)).toInstant().toString();
        } catch (java.time.format.DateTimeParseException e) {
            return String.valueOf(local);
        }
    }

    /**
     * The audit log from record {@code from}: fetched, checked (hashes, chain, checkpoint
     * signatures with the server's key) and only then shown; records after the last checkpoint are
     * marked as not yet signed.
     */
    Pages.Answer audit(Fields query, Text t) throws Exception {
        long from = Math.max(1, parseLong(query.getValue("from"), 1));
        AuditFilter filter = new AuditFilter(blank(query.getValue("action")), blank(query.getValue("decision")),
                blank(query.getValue("org")), blank(query.getValue("contains")));
        MidangClient.VerifiedAudit v = client.verifiedAudit(from);
        AuditChain.Result r = v.result();
        Map<String, Object> m = pages.model(t, t.get("audit.title"));
        m.put("ok", r.ok());
        m.put("problem", r.ok() ? "" : t.get("audit.broken", r.firstBad().orElse(0L), r.problem()));
        m.put("summary", t.get("audit.verified", v.export().path("from").asLong(1), r.lastRecord(), r.checkpoints(), r.lastSigned(),
                client.serverInfo().signing().fingerprint()));
        m.put("unsigned", r.lastSigned() < r.lastRecord() ? t.get("audit.unsigned", r.lastSigned() + 1, r.lastRecord()) : "");
        List<Map<String, Object>> rows = new ArrayList<>();
        if (r.ok()) {
            for (JsonNode x : v.export().path("records")) {
                if (filter.matches(x)) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("seq", x.path("seq").asLong());
                    row.put("at", t.time(x.path("at").asText()));
                    String actor = x.path("actor").asText();
                    // The account's id is its first certificate's SM3; its first 12 digits name it here as in `midang audit show`.
                    String role = x.path("role").asText();
                    row.put("who", (role.isEmpty() || "-".equals(role) ? "—" : t.get("role." + role)) + " · " + x.path("organisation").asText() + " · "
                            + (actor.length() > 12 ? actor.substring(0, 12) : actor));
                    row.put("action", x.path("action").asText());
                    row.put("object", AuditFilter.object(x));
                    row.put("decision", x.path("decision").asText());
                    row.put("reason", "allow".equals(x.path("decision").asText()) ? "" : chinaTimes(x.path("reason").asText(), t));
                    row.put("signed", x.path("seq").asLong() <= r.lastSigned());
                    rows.add(row);
                }
            }
        }
        int total = rows.size();
        m.put("records", rows.size() > AUDIT_PAGE ? rows.subList(rows.size() - AUDIT_PAGE, rows.size()) : rows);
        m.put("shown", t.get("audit.shown", Math.min(total, AUDIT_PAGE), total));
        m.put("from", from);
        m.put("action", filter.action() == null ? "" : filter.action());
        m.put("decision", filter.decision() == null ? "" : filter.decision());
        m.put("org", filter.org() == null ? "" : filter.org());
        m.put("contains", filter.contains() == null ? "" : filter.contains());
        return pages.page(200, "audit", m, t);
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private static long parseLong(String s, long fallback) {
        try {
            return s == null ? fallback : Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
