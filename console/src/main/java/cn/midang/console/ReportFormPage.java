package cn.midang.console;

import cn.midang.cli.Messages;
import cn.midang.cli.net.MidangClient;
import cn.midang.cli.net.Progress;
import cn.midang.cli.net.ServerRefusal;
import cn.midang.forms.ReportForm;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.FormFields;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;

/**
 * The report form (报告表) in the browser, for a unit: the campaign's check areas one under the
 * other, each item with the four answers and a note; filled in from the unit's last submitted form
 * when there is one. What the page sends becomes the same YAML file {@code midang form template}
 * writes, is checked by {@link ReportForm#check} exactly as {@code midang form check} checks it —
 * each problem shown at its item, in the CLI's words — and is then sealed, signed and submitted as
 * kind {@code form} like {@code midang submit --kind form}. "Save as incomplete" submits it
 * unchecked: the server keeps the latest form, and the dashboard shows it as incomplete until a
 * complete one follows.
 */
final class ReportFormPage {

    /** A form this size is far beyond any campaign's; a larger post is refused before it is read. */
    private static final int MAX_FIELDS = 10_000;

    private final Pages pages;
    private final MidangClient client;

    ReportFormPage(Pages pages, MidangClient client) {
        this.pages = pages;
        this.client = client;
    }

    /** The form, filled in from the unit's last submitted one (or blank). */
    Pages.Answer show(String id, Text t) throws Exception {
        JsonNode campaign = campaign(id);
        ReportForm.Checked last = lastSubmitted(id);
        Map<String, ReportForm.Answer> answers = new LinkedHashMap<>();
        if (last != null) {
            last.answered().forEach(a -> answers.put(a.area() + "/" + a.item(), a));
        }
        return render(200, campaign, last == null || last.filler() == null ? "" : last.filler(),
                last == null || last.phone() == null ? "" : last.phone(), answers, List.of(), last != null, t);
    }

    /** The form as posted: checked, then submitted, or shown again with each problem at its item. */
    Pages.Answer submit(String id, Request request, Text t) throws Exception {
        JsonNode campaign = campaign(id);
        Fields posted = FormFields.getFields(request, MAX_FIELDS, ReportForm.MAX_CHARS);
        String filler = value(posted, "filler");
        String phone = value(posted, "phone");
        Map<String, ReportForm.Answer> answers = new LinkedHashMap<>();
        for (JsonNode a : campaign.path("areas")) {
            for (JsonNode i : a.path("items")) {
                String key = a.path("id").asText() + "/" + i.path("id").asText();
                String answer = value(posted, "answer:" + key);
                String notes = value(posted, "notes:" + key);
                if (!answer.isEmpty() || !notes.isEmpty()) {
                    answers.put(key, new ReportForm.Answer(a.path("id").asText(), i.path("id").asText(), answer, notes));
                }
            }
        }
        String unit = client.identity().certificate().organisation();
        String yaml = ReportForm.filled(campaign, unit, filler, phone, answers);
        ReportForm.Checked checked = ReportForm.check(yaml);
        boolean draft = posted.getValue("draft") != null;
        if (!checked.complete() && !draft) {
            return render(422, campaign, filler, phone, answers, checked.problems(), false, t);
        }
        Path dir = Files.createTempDirectory("midang-console-", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        Path file = dir.resolve("报告表-" + id + ".yaml");
        try {
            Files.writeString(file, yaml, StandardCharsets.UTF_8);
            MidangClient.Submitted s = client.submit(file, id, "form", null, Progress.NONE);
            return Pages.redirect("/submissions/" + s.receipt().id() + "?done=" + (checked.complete() ? "form" : "draft"));
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    private JsonNode campaign(String id) throws Exception {
        JsonNode campaign = client.campaign(id).orElseThrow(() -> new ServerRefusal(404, "not_found",
                "no campaign " + id + " that you may see", "没有您可见的检查工作 " + id, List.of()));
        return campaign;
    }

    private Pages.Answer render(int status, JsonNode campaign, String filler, String phone, Map<String, ReportForm.Answer> answers,
            List<ReportForm.Problem> problems, boolean fromLast, Text t) throws Exception {
        Messages words = Messages.forLanguage(t.chinese() ? "zh" : "en"); // the problems in the words of midang form check
        Map<String, List<String>> atItem = new LinkedHashMap<>();
        List<String> general = new ArrayList<>();
        List<String> items = new ArrayList<>();
        campaign.path("areas").forEach(a -> a.path("items").forEach(i -> items.add(i.path("id").asText())));
        for (ReportForm.Problem p : problems) {
            String text = words.get(p.key(), p.args());
            Object first = p.args().length > 0 ? p.args()[0] : null;
            if (first != null && items.contains(first.toString())) {
                atItem.computeIfAbsent(first.toString(), k -> new ArrayList<>()).add(text);
            } else {
                general.add(text);
            }
        }
        List<Map<String, Object>> areas = new ArrayList<>();
        for (JsonNode a : campaign.path("areas")) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (JsonNode i : a.path("items")) {
                String key = a.path("id").asText() + "/" + i.path("id").asText();
                ReportForm.Answer given = answers.get(key);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("id", i.path("id").asText());
                row.put("key", key);
                row.put("text", i.path("text").asText());
                row.put("answer", given == null ? "" : given.answer());
                row.put("notes", given == null ? "" : given.notes());
                row.put("problems", atItem.getOrDefault(i.path("id").asText(), List.of()));
                rows.add(row);
            }
            areas.add(Map.of("id", a.path("id").asText(), "name", a.path("name").asText(), "items", rows));
        }
        String id = campaign.path("id").asText();
        Map<String, Object> m = pages.model(t, t.get("form.title", campaign.path("title").asText(id)));
        m.put("id", id);
        m.put("deadline", t.time(campaign.path("submission_deadline").asText()));
        m.put("filler", filler);
        m.put("phone", phone);
        m.put("areas", areas);
        m.put("answers", ReportForm.ANSWERS);
        m.put("general", general);
        m.put("problemCount", problems.size());
        m.put("fromLast", fromLast);
        return pages.page(status, "form", m, t);
    }

    /** The unit's latest form of this campaign, as checked, or null when it has sent none (or it cannot be read). */
    private ReportForm.Checked lastSubmitted(String id) throws Exception {
        JsonNode forms = client.list(new MidangClient.Filter(id, null, "form", null, null), 1, 0).path("submissions");
        if (forms.isEmpty()) {
            return null;
        }
        byte[] text = client.openInMemory(forms.get(0).path("id").asText(), ReportForm.MAX_BYTES).content();
        return ReportForm.check(new String(text, StandardCharsets.UTF_8));
    }

    private static String value(Fields posted, String name) {
        String v = posted.getValue(name);
        return v == null ? "" : v.strip();
    }
}
