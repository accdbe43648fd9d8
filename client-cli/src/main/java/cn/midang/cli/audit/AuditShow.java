package cn.midang.cli.audit;

import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import cn.midang.cli.Table;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "show", mixinStandardHelpOptions = true,
        description = {"Read an audit export: who did what to which object, when, and whether it was allowed.",
            "The file is checked first exactly as 'midang audit verify' checks it; nothing of a file that does not pass is shown.",
            "A search's terms, kept in the log only encrypted, are shown as the export opened them.",
            "Narrow it with --action, --decision, --org and --contains (all must match)."},
        footer = {"", "Examples:", "  midang audit show audit.json --cert server-signing.crt --decision deny",
            "  midang audit show audit.json --ca ca.crt --contains unit-b --action download",
            "  midang audit show audit.json --cert server-signing.crt --action search --json"})
public final class AuditShow extends MidangCommand {

    @Mixin ExportOptions export;

    @Option(names = "--action", paramLabel = "ACTION", description = "Only this action (download, search, submit, …).")
    String action;

    @Option(names = "--decision", paramLabel = "allow|deny|fail",
            description = "Only this outcome: allow, deny (refused by the rules) or fail (refused as invalid).")
    String decision;

    @Option(names = "--org", paramLabel = "ORG", description = "Only requests made by someone of this organisation.")
    String org;

    @Option(names = "--contains", paramLabel = "TEXT",
            description = "Only records whose object, search terms or reason contain TEXT (a submission id, a unit, a word).")
    String contains;

    @Override
    public Integer call() throws Exception {
        AuditExportFile v = export.verified();
        AuditFilter filter = new AuditFilter(action, decision, org, contains);
        List<JsonNode> shown = new ArrayList<>();
        for (JsonNode r : v.export().path("records")) {
            if (filter.matches(r)) {
                shown.add(r);
            }
        }
        if (globals().json) {
            out().println(Output.json(Map.of("file", export.file.toString(), "server", v.server().fingerprint(), "records", shown)));
            out().flush();
            return 0;
        }
        out().println(messages().get("audit.show.verified", export.file, v.from(), v.result().lastRecord(), v.server().fingerprint()));
        Table t = new Table(messages().get("audit.col.seq"), messages().get("audit.col.at"), messages().get("audit.col.who"),
                messages().get("audit.col.action"), messages().get("audit.col.object"), messages().get("audit.col.decision"));
        for (JsonNode r : shown) {
            t.row(r.path("seq").asText(), r.path("at").asText(), r.path("role").asText() + " " + r.path("organisation").asText(),
                    r.path("action").asText(), AuditFilter.object(r), r.path("decision").asText());
            if (!"allow".equals(r.path("decision").asText())) {
                t.note(r.path("reason").asText());
            }
        }
        if (t.isEmpty()) {
            out().println(messages().get("audit.show.none"));
        } else {
            t.print(out());
            if (shown.stream().anyMatch(r -> r.has("object_text"))) {
                // The chain covers the terms only sealed; what the export says they open to is the server's word.
                out().println(messages().get("audit.show.opened-note"));
            }
        }
        out().flush();
        return 0;
    }
}
