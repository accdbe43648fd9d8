package cn.midang.cli.summary;

import cn.midang.cli.ClientOptions;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import cn.midang.cli.Table;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "show", mixinStandardHelpOptions = true,
        description = {"Show the current summary: the answers of the report forms and the findings per check area with",
            "totals, and which departments have signed it (inspectors, approvers, the leadership)."},
        footer = {"", "Example:", "  midang summary show --campaign yuxi-2009"})
public final class SummaryShow extends MidangCommand {
    @Mixin ClientOptions client;

    @Option(names = "--campaign", required = true, paramLabel = "C", description = "The campaign.")
    String campaign;

    @Override
    public Integer call() throws Exception {
        SummaryCommand.Current cur = SummaryCommand.current(client.client(), campaign);
        JsonNode meta = cur.meta();
        if (globals().json) {
            out().println(Output.json(Map.of("summary", meta, "content", cur.content())));
            out().flush();
            return 0;
        }
        out().println(messages().get("summary.header", campaign, meta.path("version").asInt(), meta.path("state").asText(),
                meta.path("generated_at").asText(), meta.path("json_sm3").asText()));
        Table t = new Table(messages().get("summary.col.area"), "符合", "基本符合", "不符合", "不适用", "未答",
                messages().get("summary.col.findings"));
        for (JsonNode a : cur.content().path("areas")) {
            JsonNode ans = a.path("answers");
            JsonNode f = a.path("findings");
            t.row(a.path("name").asText(), ans.path("符合").asLong(), ans.path("基本符合").asLong(), ans.path("不符合").asLong(),
                    ans.path("不适用").asLong(), ans.path("未答").asLong(),
                    f.path("high").asLong() + "/" + f.path("medium").asLong() + "/" + f.path("low").asLong());
        }
        JsonNode tot = cur.content().path("totals");
        JsonNode ta = tot.path("answers");
        JsonNode tf = tot.path("findings");
        t.row(messages().get("summary.total"), ta.path("符合").asLong(), ta.path("基本符合").asLong(), ta.path("不符合").asLong(),
                ta.path("不适用").asLong(), ta.path("未答").asLong(),
                tf.path("high").asLong() + "/" + tf.path("medium").asLong() + "/" + tf.path("low").asLong());
        t.print(out());
        out().println(messages().get("summary.totals", tot.path("units").asLong(), tot.path("reports_in").asLong(),
                tot.path("reports_on_time").asLong(), tot.path("reports_late").asLong(), tot.path("forms_complete").asLong()));
        List<String> signed = new ArrayList<>();
        meta.path("signatures").forEach(s -> signed.add(s.path("department").asText() + " (" + s.path("signer").asText() + ")"));
        List<String> missing = new ArrayList<>();
        meta.path("missing").forEach(x -> missing.add(x.asText()));
        out().println(messages().get("summary.signed", signed.isEmpty() ? "-" : String.join(", ", signed),
                missing.isEmpty() ? "-" : String.join(", ", missing)));
        out().flush();
        return 0;
    }
}
