package cn.midang.cli.results;

import cn.midang.cli.CliFailure;
import cn.midang.cli.CliFiles;
import cn.midang.cli.ClientOptions;
import cn.midang.cli.ExitCode;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import cn.midang.cli.Table;
import cn.midang.cli.net.MidangClient;
import cn.midang.forms.SafeText;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "results", mixinStandardHelpOptions = true,
        description = {"The published results of a campaign (结果公布): per unit a notice signed by the server, a",
            "commendation (通报表扬), a rectification order (限期整改) listing the findings and the deadline, or a plain",
            "result (检查结果). A unit sees only its own; the leadership and the campaign's inspectors see all.",
            "Every notice's signature is checked before it is shown; -o DIR keeps each as UNIT.result.json with",
            "UNIT.result.json.sig and the server's certificate, for 'midang verify --cert ... --raw-signature ...' or openssl."},
        footer = {"", "Examples:", "  midang results --campaign yuxi-2009", "  midang results --campaign yuxi-2009 -o 结果 --json"})
public final class ResultsCommand extends MidangCommand {
    @Mixin ClientOptions client;

    @Option(names = "--campaign", required = true, paramLabel = "C", description = "The campaign.")
    String campaign;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", description = "Also keep each notice and its signature in DIR.")
    Path dir;

    @Override
    public Integer call() throws Exception {
        MidangClient c = client.client();
        List<MidangClient.Notice> notices;
        try {
            notices = c.verifiedResults(campaign); // a notice that does not verify is never shown
        } catch (MidangClient.ForeignNotice e) {
            throw new CliFailure(ExitCode.INTEGRITY, "results.other-campaign", campaign, SafeText.printable(e.found));
        }
        MidangClient.ServerInfo si = c.serverInfo();
        List<Map<String, Object>> shown = new ArrayList<>();
        Table t = new Table(messages().get("results.col.unit"), messages().get("results.col.outcome"),
                messages().get("results.col.findings"), messages().get("results.col.by"));
        if (dir != null) {
            Files.createDirectories(dir);
            Path cert = CliFiles.child(dir, MidangClient.serverCertificateName(si.signing().fingerprint()));
            if (!Files.exists(cert)) {
                si.signing().writePem(cert);
            }
        }
        for (MidangClient.Notice x : notices) {
            JsonNode notice = x.content();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("notice", notice);
            m.put("signature", Base64.getEncoder().encodeToString(x.signature()));
            if (dir != null) {
                String unit = CliFiles.requireId(notice.path("unit").asText(), "unit");
                Path f = CliFiles.requireAbsent(CliFiles.child(dir, unit + ".result.json"));
                CliFiles.writeNew(f, x.bytes());
                CliFiles.writeNew(CliFiles.requireAbsent(CliFiles.child(dir, unit + ".result.json.sig")), x.signature());
                m.put("file", f.toString());
            }
            shown.add(m);
            t.row(notice.path("unit").asText() + " " + notice.path("unit_name").asText(),
                    notice.path("outcome_zh").asText() + " (" + notice.path("outcome").asText() + ")", notice.path("findings").size(),
                    notice.path("rectify_by").asText("-"));
            for (JsonNode f : notice.path("findings")) {
                t.note(f.path("id").asText() + " [" + f.path("severity").asText() + "] " + f.path("description").asText() + " → "
                        + f.path("rectification").asText() + " (" + f.path("deadline").asText() + ")");
            }
        }
        if (globals().json) {
            out().println(Output.json(Map.of("campaign", campaign, "notices", shown)));
        } else {
            out().println(messages().get("results.header", campaign, shown.size()));
            t.print(out());
        }
        out().flush();
        return 0;
    }
}
