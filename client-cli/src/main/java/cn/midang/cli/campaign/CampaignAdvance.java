package cn.midang.cli.campaign;

import cn.midang.cli.CliFailure;
import cn.midang.cli.ClientOptions;
import cn.midang.cli.ExitCode;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "advance", mixinStandardHelpOptions = true,
        description = {"Take a campaign's next lifecycle step, signed with your key: you name the step (--to) so that",
            "a step is never taken by mistake, and the server refuses it, saying why, when the campaign is elsewhere, the",
            "step is not yours to take, or its condition is not met (e.g. closing before the submission deadline)."},
        footer = {"", "Examples:", "  midang campaign advance yuxi-2009 --to open",
            "  midang campaign advance yuxi-2009 --to closed      # after the deadline"})
public final class CampaignAdvance extends MidangCommand {
    @Mixin ClientOptions client;

    @Parameters(paramLabel = "CAMPAIGN", description = "The campaign.")
    String campaign;

    @Option(names = "--to", required = true, paramLabel = "STATE",
            description = "The step: open, closed, on_site, summary, joint_review, approved, published, rectification, archived.")
    String to;

    @Override
    public Integer call() throws Exception {
        String from = client.client().campaign(campaign)
                .orElseThrow(() -> new CliFailure(ExitCode.NOT_FOUND, "campaign.unknown", campaign)).path("state").asText();
        JsonNode c = client.client().advance(campaign, from, to);
        JsonNode steps = c.path("transitions");
        JsonNode last = steps.get(steps.size() - 1);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("campaign", campaign);
        m.put("from", from);
        m.put("state", c.path("state").asText());
        m.put("step", last.path("step").asInt());
        m.put("at", last.path("at").asText());
        m.put("statement", last.path("statement").asText());
        m.put("signature", last.path("signature").asText());
        Output.result(out(), globals(), m, "campaign.advanced", campaign, from, c.path("state").asText(), last.path("step").asInt(),
                last.path("at").asText());
        return 0;
    }
}
