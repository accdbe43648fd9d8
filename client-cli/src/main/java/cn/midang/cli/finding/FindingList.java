package cn.midang.cli.finding;

import cn.midang.cli.ClientOptions;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import cn.midang.cli.Table;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "list", mixinStandardHelpOptions = true,
        description = {"The findings of a campaign you may see: all of them for its inspectors; a unit its own, once",
            "results are published. Each shows whether a rectification report answered it and whether it is overdue."},
        footer = {"", "Examples:", "  midang finding list --campaign yuxi-2009", "  midang finding list --campaign yuxi-2009 --unit yx-gaj --json"})
public final class FindingList extends MidangCommand {
    @Mixin ClientOptions client;

    @Option(names = "--campaign", required = true, paramLabel = "C", description = "The campaign.")
    String campaign;

    @Option(names = "--unit", paramLabel = "UNIT", description = "Only this unit's findings.")
    String unit;

    @Override
    public Integer call() throws Exception {
        JsonNode n = client.client().findings(campaign, unit);
        if (globals().json) {
            out().println(Output.json(Map.of("findings", n.path("findings"))));
            out().flush();
            return 0;
        }
        Table t = new Table(messages().get("finding.col.id"), messages().get("finding.col.unit"), messages().get("finding.col.area"),
                messages().get("finding.col.severity"), messages().get("finding.col.deadline"), messages().get("finding.col.state"));
        for (JsonNode f : n.path("findings")) {
            String state = !f.path("rectification_report").isNull() ? messages().get("finding.rectified", f.path("rectified_at").asText())
                    : f.path("overdue").asBoolean() ? messages().get("finding.overdue") : messages().get("finding.open");
            t.row(f.path("id").asText(), f.path("unit").asText(), f.path("area").asText(), f.path("severity").asText(),
                    f.path("deadline").asText(), state);
            t.note(f.path("description").asText() + " → " + f.path("rectification").asText());
        }
        if (t.isEmpty()) {
            out().println(messages().get("finding.none"));
            out().flush();
        } else {
            t.print(out());
        }
        return 0;
    }
}
