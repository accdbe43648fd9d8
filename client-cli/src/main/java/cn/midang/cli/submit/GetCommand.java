package cn.midang.cli.submit;

import cn.midang.cli.CliFailure;
import cn.midang.cli.ClientOptions;
import cn.midang.cli.ExitCode;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import cn.midang.cli.net.MidangClient;
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

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "OUT",
            description = "Where to write the file; - writes it to standard output after it is verified in memory (at most 64 MiB). "
                    + "Testers may only use -: in tester mode nothing decrypted is written to disk.")
    Path out;

    /** The most a tester's in-memory view, or {@code -o -}, holds. */
    static final int IN_MEMORY_LIMIT = 64 << 20;

    @Override
    public Integer call() throws Exception {
        var c = client.client();
        boolean tester = "tester".equals(c.identity().certificate().role());
        if (tester || out.toString().equals("-")) {
            // In tester mode nothing decrypted touches the disk (SPEC C3): the content is opened and
            // verified in memory, and shown only on standard output.
            byte[] content = c.getInMemory(id, IN_MEMORY_LIMIT);
            if (!out.toString().equals("-")) {
                throw new CliFailure(ExitCode.POLICY, "error.tester.disk");
            }
            System.out.write(content);
            System.out.flush();
            return 0;
        }
        MidangClient.Fetched f = c.fetch(id, out);
        Opened o = f.opened();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("out", out.toString());
        m.put("campaign", f.receipt().campaign());
        m.put("unit", f.receipt().unit());
        m.put("kind", f.receipt().kind());
        m.put("file_name", f.receipt().fileName());
        m.put("author", o.signer().subject());
        m.put("signed_at", o.signingTime().toString());
        m.put("size", o.contentSize());
        m.put("content_sm3", o.contentSm3Hex());
        Output.result(spec.commandLine().getOut(), globals(), m, "get.done", out, o.signer().commonName(),
                o.signer().organisation(), messages().time(o.signingTime()), o.contentSize(), f.receipt().kind(),
                f.receipt().unit().isEmpty() ? "-" : f.receipt().unit(), f.receipt().campaign(), id);
        return 0;
    }
}
