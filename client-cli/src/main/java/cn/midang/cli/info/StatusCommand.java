package cn.midang.cli.info;

import cn.midang.cli.ClientOptions;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import cn.midang.cli.Table;
import cn.midang.cli.net.MidangClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Where things stand: the campaigns that concern you, or one campaign unit by unit.",
            "Without --campaign: the campaigns that concern you, their state and submission deadline (for the",
            "administrator also the engagements that ended without a destruction attestation).",
            "With --campaign: per unit in scope, whether its report is in and on time, whether its report form is complete,",
            "its findings by severity (high/medium/low) with the overdue ones flagged, and what it has submitted, with totals",
            "(a unit sees its own row, and its findings once results are published; inspectors and the administrator see every unit)."},
        footer = {"", "Examples:", "  midang status", "  midang status --campaign demo --json"})
public final class StatusCommand extends MidangCommand {
    @Mixin ClientOptions client;

    @Option(names = "--campaign", paramLabel = "C", description = "Show the progress of this campaign.")
    String campaign;

    @Override
    public Integer call() throws Exception {
        MidangClient c = client.client();
        PrintWriter out = out();
        if (campaign == null) {
            JsonNode n = c.campaigns();
            if (globals().json) {
                out.println(Output.json(Map.of("campaigns", n.path("campaigns"))));
                out.flush();
                return 0;
            }
            Table t = new Table(messages().get("status.col.campaign"), messages().get("status.col.title"),
                    messages().get("status.col.state"), messages().get("status.col.deadline"), messages().get("status.col.late"),
                    messages().get("status.col.units"));
            for (JsonNode k : n.path("campaigns")) {
                t.row(k.path("id").asText(), k.path("title").asText(), k.path("state").asText(),
                        k.path("submission_deadline").asText(), yesNo(k.path("late_accepted").asBoolean()), k.path("units").size());
            }
            if (t.isEmpty()) {
                out.println(messages().get("status.none"));
                out.flush();
            } else {
                t.print(out);
            }
            if ("admin".equals(c.identity().certificate().role())) {
                for (JsonNode w : c.health().path("warnings")) {
                    out.println(messages().get("status.warning", w.asText()));
                }
                List<String> missing = new ArrayList<>();
                c.engagements().path("engagements").forEach(e -> {
                    if (e.path("attestation_missing").asBoolean()) {
                        missing.add(e.path("id").asText() + " (" + e.path("tester_org").asText() + ")");
                    }
                });
                out.println(messages().get("status.engagements.missing", missing.isEmpty() ? "-" : String.join(", ", missing)));
                out.flush();
            }
            return 0;
        }
        JsonNode n = c.status(campaign);
        if (globals().json) {
            out.println(Output.json(Map.of("status", n)));
            out.flush();
            return 0;
        }
        out.println(messages().get("status.header", n.path("id").asText(), n.path("title").asText(), n.path("state").asText(),
                n.path("submission_deadline").asText(), n.path("as_of").asText()));
        Table t = new Table(messages().get("status.col.unit"), messages().get("status.col.name"), messages().get("status.col.level"),
                messages().get("status.col.report"), messages().get("status.col.onTime"), messages().get("status.col.form"),
                messages().get("status.col.findings"), messages().get("status.col.submissions"));
        for (JsonNode u : n.path("units")) {
            var kinds = new ArrayList<String>();
            u.path("submissions_by_kind").fields().forEachRemaining(e -> kinds.add(e.getKey() + "×" + e.getValue().asLong()));
            boolean in = u.path("report_in").asBoolean();
            t.row(u.path("id").asText(), u.path("name").asText(), u.path("level").asText(),
                    in ? u.path("first_report_at").asText() : messages().get("status.missing"),
                    in ? yesNo(u.path("report_on_time").asBoolean()) : "-", messages().get("status.form." + u.path("form").asText("missing")),
                    findings(u), kinds.isEmpty() ? "-" : String.join(" ", kinds));
        }
        t.print(out);
        JsonNode tot = n.path("totals");
        out.println(messages().get("status.totals", tot.path("units").asLong(), tot.path("reports_in").asLong(),
                tot.path("reports_on_time").asLong(), tot.path("reports_missing").asLong()));
        out.println(messages().get("status.totals.forms", tot.path("forms_complete").asLong()));
        if (tot.has("findings")) {
            out.println(messages().get("status.totals.findings", tot.path("findings").path("high").asLong(),
                    tot.path("findings").path("medium").asLong(), tot.path("findings").path("low").asLong(),
                    tot.path("findings_rectified").asLong(), tot.path("findings_overdue").asLong()));
        }
        out.flush();
        return 0;
    }

    /** high/medium/low counts, with the overdue ones flagged: "1/0/2 ⚠1 overdue". */
    private String findings(JsonNode u) {
        if (!u.has("findings")) {
            return "-";
        }
        JsonNode f = u.path("findings");
        String s = f.path("high").asLong() + "/" + f.path("medium").asLong() + "/" + f.path("low").asLong();
        long overdue = u.path("findings_overdue").asLong();
        return overdue > 0 ? s + " " + messages().get("status.overdue", overdue) : s;
    }

    private String yesNo(boolean b) {
        return messages().get(b ? "word.yes" : "word.no");
    }
}
