package cn.midang.cli.admin;

import cn.midang.cli.ClientOptions;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "assign", mixinStandardHelpOptions = true,
        description = "Assign an inspector (by the name in their certificate) to a campaign: they may then list, read and search it.",
        footer = {"", "Example:", "  midang admin assign --campaign yuxi-2009 --inspector inspector-police"})
public final class AdminAssign extends MidangCommand {
    @Mixin ClientOptions client;

    @Option(names = "--campaign", required = true, paramLabel = "C", description = "The campaign.")
    String campaign;

    @Option(names = "--inspector", required = true, paramLabel = "NAME", description = "The inspector's name (certificate CN).")
    String inspector;

    @Override
    public Integer call() throws Exception {
        JsonNode n = client.client().postJson("/api/v1/campaigns/" + URLEncoder.encode(campaign,
                StandardCharsets.UTF_8) + "/inspectors", Map.of("inspector", inspector));
        Output.result(out(), globals(), Map.of("campaign", campaign, "inspector", inspector,
                "fingerprint", n.path("fingerprint").asText()), "admin.assign.done", inspector, campaign);
        return 0;
    }
}
