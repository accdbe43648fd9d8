package cn.midang.cli.submit;

import cn.midang.cli.ClientOptions;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import cn.midang.keys.seal.Opened;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "get", mixinStandardHelpOptions = true,
        description = {"Download a submission, decrypt it with your key, verify its author's signature, and write it",
            "atomically: OUT appears only when everything verified, and is never left half-written."},
        footer = {"", "Example:", "  midang get 3f2a9c…e1 -o 自查报告.docx"})
public final class GetCommand extends MidangCommand {
    @Mixin ClientOptions client;

    @Parameters(paramLabel = "ID", description = "The submission id (from the receipt).")
    String id;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "OUT", description = "Where to write the file.")
    Path out;

    @Override
    public Integer call() throws Exception {
        Opened o = client.client().get(id, out);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("out", out.toString());
        m.put("author", o.signer().subject());
        m.put("signed_at", o.signingTime().toString());
        m.put("size", o.contentSize());
        m.put("content_sm3", o.contentSm3Hex());
        Output.result(spec.commandLine().getOut(), globals(), m, "get.done", out, o.signer().commonName(),
                o.signer().organisation(), o.signingTime(), o.contentSize());
        return 0;
    }
}
