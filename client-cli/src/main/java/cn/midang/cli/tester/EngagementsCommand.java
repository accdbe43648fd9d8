package cn.midang.cli.tester;

import cn.midang.cli.ClientOptions;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import cn.midang.cli.Table;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "engagements", mixinStandardHelpOptions = true,
        description = {"List engagements of testing bodies: window, units, and whether the destruction attestation is in.",
            "The administrator sees all (an ended engagement without attestation is flagged); a tester sees its own."},
        footer = {"", "Example:", "  midang engagements --json"})
public final class EngagementsCommand extends MidangCommand {
    @Mixin ClientOptions client;

    @Override
    public Integer call() throws Exception {
        JsonNode list = client.client().engagements().path("engagements");
        if (globals().json) {
            out().println(Output.json(Map.of("engagements", list)));
            out().flush();
            return 0;
        }
        print(list);
        return 0;
    }

    void print(JsonNode list) {
        Table t = new Table(messages().get("eng.col.id"), messages().get("eng.col.org"), messages().get("status.col.campaign"),
                messages().get("eng.col.units"), messages().get("eng.col.window"), messages().get("eng.col.attestation"));
        for (JsonNode e : list) {
            StringBuilder units = new StringBuilder();
            e.path("units").forEach(u -> units.append(units.isEmpty() ? "" : ",").append(u.asText()));
            String att = !e.path("attested_at").isNull() ? e.path("attested_at").asText()
                    : e.path("attestation_missing").asBoolean() ? messages().get("eng.missing") : "-";
            t.row(e.path("id").asText(), e.path("tester_org").asText(), e.path("campaign").asText(), units,
                    e.path("starts_at").asText() + " – " + e.path("ends_at").asText(), att);
        }
        if (t.isEmpty()) {
            out().println(messages().get("eng.none"));
            out().flush();
        } else {
            t.print(out());
        }
    }
}
