package cn.midang.cli.campaign;

import cn.midang.cli.CliFiles;
import cn.midang.cli.ClientOptions;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "create", mixinStandardHelpOptions = true,
        description = {"Define a campaign from its file (YAML; the notice's is config/campaigns/yuxi-2009.yaml).",
            "The server checks the whole file and names every problem with its line; the campaign starts as a draft.",
            "Administrators only."},
        footer = {"", "Example:", "  midang campaign create config/campaigns/yuxi-2009.yaml"})
public final class CampaignCreate extends MidangCommand {
    @Mixin ClientOptions client;

    @Parameters(paramLabel = "FILE", description = "The campaign file.")
    Path file;

    @Override
    public Integer call() throws Exception {
        CliFiles.requireFile(file, "input");
        String text = Files.readString(file, StandardCharsets.UTF_8);
        JsonNode c = client.client().postJson("/api/v1/campaigns", Map.of("definition", text, "file_name",
                file.getFileName().toString()));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.path("id").asText());
        m.put("title", c.path("title").asText());
        m.put("state", c.path("state").asText());
        m.put("units", c.path("units").size());
        m.put("areas", c.path("areas").size());
        Output.result(out(), globals(), m, "campaign.created", c.path("id").asText(), c.path("title").asText(),
                c.path("units").size(), c.path("areas").size());
        return 0;
    }
}
