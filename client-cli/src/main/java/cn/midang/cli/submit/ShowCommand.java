package cn.midang.cli.submit;

import cn.midang.cli.ClientOptions;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import cn.midang.cli.net.MidangClient;
import cn.midang.cli.net.Receipt;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "show", mixinStandardHelpOptions = true,
        description = {"Show one submission you may read: its receipt, fetched from the server and verified with the",
            "server's signing key before anything is printed. --save-receipt DIR keeps a copy for offline checks."},
        footer = {"", "Example:", "  midang show 3f2a9c0d5e6f47a8b9c0d1e2f3a4b5c6 --save-receipt receipts/"})
public final class ShowCommand extends MidangCommand {
    @Mixin ClientOptions client;

    @Parameters(paramLabel = "ID", description = "The submission id (from the receipt or 'midang list').")
    String id;

    @Option(names = "--save-receipt", paramLabel = "DIR", description = "Also write the receipt, its signature and the server certificate to DIR.")
    Path saveDir;

    @Override
    public Integer call() throws Exception {
        MidangClient c = client.client();
        Receipt r = c.receipt(id);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("sequence", r.sequence());
        m.put("campaign", r.campaign());
        m.put("unit", r.unit());
        m.put("kind", r.kind());
        m.put("file_name", r.fileName());
        m.put("size", r.size());
        m.put("content_sm3", r.contentSm3());
        m.put("submitter", r.submitter());
        m.put("received_at", r.receivedAt());
        m.put("late", r.late());
        m.put("server", r.server());
        m.put("receipt_verified", true);
        String saved = "";
        if (saveDir != null) {
            Path[] written = MidangClient.writeReceipt(r, saveDir, c.serverInfo().signing());
            m.put("receipt", written[0].toString());
            saved = messages().get("show.saved", written[0]);
        }
        Output.result(out(), globals(), m, "show.done", r.id(), r.fileName(), r.campaign(), r.unit(), r.kind(), r.size(),
                r.contentSm3(), r.submitter(), messages().time(r.received()),
                r.late() ? messages().get("submit.late") : "", r.sequence(), r.server(), saved);
        return 0;
    }
}
