package cn.midang.cli.finding;

import cn.midang.cli.ClientOptions;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "add", mixinStandardHelpOptions = true,
        description = {"Record a finding (inspectors assigned to the campaign, while it is on_site or in summary).",
            "Every problem with it is listed at once and nothing is recorded until all are fixed."},
        footer = {"", "Example:",
            "  midang finding add --campaign yuxi-2009 --unit yx-gaj --area 密码技术与产品使用情况 --severity 高 \\",
            "      --description \"...\" --rectification \"...\" --deadline 2010-01-31 --record 3f2a9c0d..."})
public final class FindingAdd extends MidangCommand {
    @Mixin ClientOptions client;

    @Option(names = "--campaign", required = true, paramLabel = "C", description = "The campaign.")
    String campaign;

    @Option(names = "--unit", required = true, paramLabel = "UNIT", description = "The unit the finding is about (its id).")
    String unit;

    @Option(names = "--area", required = true, paramLabel = "AREA", description = "The check area: its id or its name.")
    String area;

    @Option(names = "--severity", required = true, paramLabel = "S", description = "high, medium or low (高, 中, 低).")
    String severity;

    @Option(names = "--description", required = true, paramLabel = "TEXT", description = "What was found.")
    String description;

    @Option(names = "--rectification", required = true, paramLabel = "TEXT", description = "What the unit must do.")
    String rectification;

    @Option(names = "--deadline", required = true, paramLabel = "DATE",
            description = "By when: a date (2010-01-31, the end of that day in China) or an ISO-8601 time.")
    String deadline;

    @Option(names = "--record", paramLabel = "ID", description = "The inspection record (a submission of kind inspection-record) it comes from.")
    String record;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("unit", unit);
        body.put("area", area);
        body.put("severity", severity);
        body.put("description", description);
        body.put("rectification", rectification);
        body.put("deadline", deadline);
        if (record != null) {
            body.put("record", record);
        }
        JsonNode f = client.client().addFinding(campaign, body);
        Map<String, Object> m = new LinkedHashMap<>();
        f.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue()));
        Output.result(out(), globals(), m, "finding.added", f.path("id").asText(), f.path("unit").asText(), f.path("area").asText(),
                f.path("severity").asText(), f.path("deadline").asText());
        return 0;
    }
}
