package cn.midang.cli.summary;

import cn.midang.cli.ClientOptions;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Generate the next version of a campaign's summary from the units' latest report forms and the",
            "findings (inspectors assigned to the campaign, in state summary). Each version is archived as three documents."},
        footer = {"", "Example:", "  midang summary generate --campaign yuxi-2009"})
public final class SummaryGenerate extends MidangCommand {
    @Mixin ClientOptions client;

    @Option(names = "--campaign", required = true, paramLabel = "C", description = "The campaign.")
    String campaign;

    @Override
    public Integer call() throws Exception {
        JsonNode s = client.client().generateSummary(campaign);
        Map<String, Object> m = new LinkedHashMap<>();
        s.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue()));
        Output.result(out(), globals(), m, "summary.generated", campaign, s.path("version").asInt(), s.path("json_sm3").asText(),
                s.path("documents").path("json").asText(), s.path("documents").path("xlsx").asText(), s.path("documents").path("docx").asText());
        return 0;
    }
}
