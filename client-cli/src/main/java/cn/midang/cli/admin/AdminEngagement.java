package cn.midang.cli.admin;

import cn.midang.cli.ClientOptions;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "engagement", mixinStandardHelpOptions = true,
        description = {"Engage a testing body (委托检测机构): its testers may upload test results for the named units of the",
            "campaign between --from and --until, and nothing else. When it ends they must file a destruction attestation."},
        footer = {"", "Example:",
            "  midang admin engagement --id yuxi-2009-lab --tester-org 安全检测机构 --campaign demo --unit unit-a --unit unit-b \\",
            "      --from 2026-12-07T00:00:00Z --until 2026-12-19T00:00:00Z"})
public final class AdminEngagement extends MidangCommand {
    @Mixin ClientOptions client;

    @Option(names = "--id", paramLabel = "E", description = "A name for the engagement (default: generated).")
    String id;

    @Option(names = "--tester-org", required = true, paramLabel = "ORG", description = "The testing body (the O of its testers' certificates).")
    String testerOrg;

    @Option(names = "--campaign", required = true, paramLabel = "C", description = "The campaign.")
    String campaign;

    @Option(names = "--unit", required = true, paramLabel = "UNIT", description = "A unit it may test (repeat for more).")
    List<String> units;

    @Option(names = "--from", required = true, paramLabel = "TIME", description = "Start, ISO-8601 UTC, e.g. 2026-12-07T00:00:00Z.")
    Instant from;

    @Option(names = "--until", required = true, paramLabel = "TIME", description = "End (exclusive), ISO-8601 UTC.")
    Instant until;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        if (id != null) {
            body.put("id", id);
        }
        body.put("tester_org", testerOrg);
        body.put("campaign", campaign);
        body.put("units", units);
        body.put("starts_at", from.toString());
        body.put("ends_at", until.toString());
        JsonNode n = client.client().postJson("/api/v1/engagements", body);
        Output.result(out(), globals(), Map.of("engagement", n), "admin.engagement.done", n.path("id").asText(), testerOrg,
                String.join(", ", units), campaign, from, until);
        return 0;
    }
}
