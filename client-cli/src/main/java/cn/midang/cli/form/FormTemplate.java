package cn.midang.cli.form;

import cn.midang.cli.CliFailure;
import cn.midang.cli.CliFiles;
import cn.midang.cli.ClientOptions;
import cn.midang.cli.ExitCode;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import cn.midang.forms.ReportForm;
import cn.midang.keys.pki.Certificate;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "template", mixinStandardHelpOptions = true,
        description = {"Write a blank report form for a campaign: its check areas and items, in Chinese, as YAML",
            "to fill in with any text editor. A unit's form names the unit already."},
        footer = {"", "Example:", "  midang form template --campaign yuxi-2009 -o 报告表.yaml"})
public final class FormTemplate extends MidangCommand {
    @Mixin ClientOptions client;

    @Option(names = "--campaign", required = true, paramLabel = "C", description = "The campaign.")
    String campaign;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "Where to write the form (default: 报告表-CAMPAIGN.yaml here; '-' for standard output). Never overwrites.")
    String output;

    @Override
    public Integer call() throws Exception {
        JsonNode found = client.client().campaign(campaign)
                .orElseThrow(() -> new CliFailure(ExitCode.NOT_FOUND, "campaign.unknown", campaign));
        if (found.path("areas").isEmpty()) {
            throw new CliFailure(ExitCode.NOT_FOUND, "form.no-areas", campaign);
        }
        Certificate me = client.client().identity().certificate(); // role and unit are in it
        String unit = "unit".equals(me.role()) ? me.organisation() : "";
        String text = ReportForm.template(found, unit);
        if ("-".equals(output)) {
            out().print(text);
            out().flush();
            return 0;
        }
        Path file = CliFiles.requireAbsent(Path.of(output != null ? output : "报告表-" + campaign + ".yaml"));
        CliFiles.writeAtomically(file, text.getBytes(StandardCharsets.UTF_8));
        int items = 0;
        for (JsonNode a : found.path("areas")) {
            items += a.path("items").size();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", file.toString());
        m.put("campaign", campaign);
        m.put("areas", found.path("areas").size());
        m.put("items", items);
        Output.result(out(), globals(), m, "form.template.done", file, found.path("areas").size(), items);
        return 0;
    }
}
