package cn.midang.cli.submit;

import cn.midang.cli.ClientOptions;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import cn.midang.cli.Table;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "search", mixinStandardHelpOptions = true,
        description = {"Search the text and file names of the documents you may read. Every word must appear (Chinese is",
            "matched as a phrase: 国产密码 finds exactly that, 码 any text with that character); \"a phrase\" is one term;",
            "-word or NOT word excludes. Each hit names the file, unit, kind and submission id, with a snippet of the",
            "text and the match marked 【like this】. A document is searchable a few seconds after its receipt."},
        footer = {"", "Examples:", "  midang search 自查报告 --campaign demo", "  midang search \"应急预案\" -草稿 --kind report --json"})
public final class SearchCommand extends MidangCommand {
    @Mixin ClientOptions client;

    @Parameters(paramLabel = "QUERY", arity = "1..*", description = "What to look for.")
    List<String> query;

    @Mixin FilterOptions filter;

    @Option(names = "--since", paramLabel = "TIME", description = "Only documents received at or after TIME (ISO-8601 UTC).")
    Instant since;

    /** How hits are ordered. */
    public enum Order { relevance, date }

    @Option(names = "--sort", defaultValue = "relevance", paramLabel = "relevance|date",
            description = "Order hits by relevance (default) or newest first.")
    Order sort;

    @Option(names = "--limit", defaultValue = "20", description = "At most this many hits (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--offset", defaultValue = "0", description = "Skip this many (paging; default ${DEFAULT-VALUE}).")
    int offset;

    @Override
    public Integer call() throws Exception {
        String q = String.join(" ", query.stream().map(w -> w.contains(" ") ? "\"" + w + "\"" : w).toList());
        JsonNode n = client.client().search(q, filter.filter(), since == null ? null : since.toString(), sort.name(), limit, offset);
        JsonNode hits = n.path("hits");
        if (globals().json) {
            out().println(Output.json(Map.of("query", q, "total", n.path("total").asLong(), "facets", n.path("facets"),
                    "hits", hits)));
            out().flush();
            return 0;
        }
        if (hits.isEmpty()) {
            out().println(messages().get("search.none", q));
            out().flush();
            return 0;
        }
        Table t = new Table(messages().get("list.col.id"), messages().get("status.col.unit"), messages().get("list.col.kind"),
                messages().get("list.col.area"), messages().get("list.col.file"), messages().get("list.col.received"));
        for (JsonNode h : hits) {
            t.row(h.path("id").asText(), h.path("unit").asText(), h.path("kind").asText(), h.path("area").asText("-"),
                    h.path("file_name").asText(),
                    h.path("received_at").asText() + (h.path("late").asBoolean() ? messages().get("submit.late") : ""));
            // Text recognised from a scan (OCR) is said to be so: it may hold mistakes a typed text would not.
            t.note((h.path("recognised").asBoolean() ? messages().get("search.recognised") + " " : "") + h.path("snippet").asText());
        }
        t.print(out());
        StringBuilder facets = new StringBuilder();
        n.path("facets").fields().forEachRemaining(f -> {
            facets.append(facets.isEmpty() ? "" : "; ").append(f.getKey()).append(": ");
            StringBuilder values = new StringBuilder();
            f.getValue().fields().forEachRemaining(v -> values.append(values.isEmpty() ? "" : ", ").append(v.getKey()).append(" ")
                    .append(v.getValue().asLong()));
            facets.append(values);
        });
        out().println(messages().get("search.total", n.path("total").asLong(), facets));
        out().flush();
        return 0;
    }
}
