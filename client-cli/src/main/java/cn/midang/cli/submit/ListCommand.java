package cn.midang.cli.submit;

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
        description = {"List the submissions you may read, newest first: id, campaign, unit, kind, file name, size, arrival.",
            "A unit sees its own unit's submissions; inspectors see every unit's. A role that may read none is refused."},
        footer = {"", "Examples:", "  midang list --campaign demo", "  midang list --campaign demo --kind report --json"})
public final class ListCommand extends MidangCommand {
    @Mixin ClientOptions client;

    @Mixin FilterOptions filter;

    @Option(names = "--limit", defaultValue = "100", description = "At most this many (1 to 500; default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--offset", defaultValue = "0", description = "Skip this many (for paging; default ${DEFAULT-VALUE}).")
    int offset;

    @Override
    public Integer call() throws Exception {
        JsonNode list = client.client().list(filter.filter(), limit, offset).path("submissions");
        if (globals().json) {
            out().println(Output.json(Map.of("submissions", list)));
            out().flush();
            return 0;
        }
        if (list.isEmpty()) {
            out().println(messages().get("list.none"));
            out().flush();
            return 0;
        }
        Table t = new Table(messages().get("list.col.id"), messages().get("status.col.campaign"), messages().get("status.col.unit"),
                messages().get("list.col.kind"), messages().get("list.col.file"), messages().get("list.col.size"),
                messages().get("list.col.received"), messages().get("list.col.submitter"));
        for (JsonNode s : list) {
            t.row(s.path("id").asText(), s.path("campaign").asText(), s.path("unit").asText(), s.path("kind").asText(),
                    s.path("file_name").asText(), s.path("size").asLong(),
                    s.path("received_at").asText() + (s.path("late").asBoolean() ? messages().get("submit.late") : ""),
                    s.path("submitter").asText());
            if ("not_indexed".equals(s.path("index_state").asText())) {
                String note = s.path(messages().chinese() ? "index_note_zh" : "index_note").asText("");
                t.note(messages().get("list.not-indexed", note.isEmpty() ? s.path("index_reason").asText() : note));
            } else if (s.path("index_recognised_pages").asInt() > 0) {
                // Searchable, by text recognised from its pages (OCR): it may hold mistakes, and the reader should know.
                t.note(messages().get("list.recognised", s.path("index_recognised_pages").asInt(),
                        s.path(messages().chinese() ? "index_note_zh" : "index_note").asText("")));
            }
        }
        t.print(out());
        return 0;
    }
}
