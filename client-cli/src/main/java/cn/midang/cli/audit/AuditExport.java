package cn.midang.cli.audit;

import cn.midang.cli.ClientOptions;
import cn.midang.cli.CliFiles;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Fetch the audit log from record --from to the newest, with every signed checkpoint and the server's",
            "signing certificate (the server signs a fresh checkpoint first, so the whole range is covered). Administrator only.",
            "The file is what you hand to a second party; 'midang audit verify' checks it offline."},
        footer = {"", "Example:", "  midang audit export -o audit-2026-11.json"})
public final class AuditExport extends MidangCommand {
    @Mixin ClientOptions client;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE", description = "Where to write the export (not overwritten).")
    Path out;

    @Option(names = "--from", defaultValue = "1", paramLabel = "N", description = "First record (default ${DEFAULT-VALUE}).")
    long from;

    @Override
    public Integer call() throws Exception {
        CliFiles.requireAbsent(out);
        byte[] body = client.client().auditExport(from);
        JsonNode n = new ObjectMapper().readTree(body);
        CliFiles.writeAtomically(out, body);
        Output.result(out(), globals(), Map.of("out", out.toString(), "from", n.path("from").asLong(), "to", n.path("to").asLong(),
                "checkpoints", n.path("checkpoints").size()), "audit.export.done", out, n.path("from").asLong(),
                n.path("to").asLong(), n.path("checkpoints").size());
        return 0;
    }
}
