package cn.midang.cli.submit;

import cn.midang.cli.CliFailure;
import cn.midang.cli.CliFiles;
import cn.midang.cli.ClientOptions;
import cn.midang.cli.ExitCode;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import cn.midang.cli.TerminalProgress;
import cn.midang.cli.net.MidangClient;
import cn.midang.cli.net.ServerKeys;
import cn.midang.forms.SafeText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "submit", mixinStandardHelpOptions = true,
        description = {"Sign and encrypt each file, upload it, and verify the server's signed receipt.",
            "Each receipt is written as DIR/<id>.receipt (the signed bytes) and DIR/<id>.receipt.sig (the server's SM2 signature),",
            "next to the server's signing certificate, so 'midang verify DIR/<id>.receipt' can check it offline.",
            "On a terminal, files over 1 MiB show a progress bar (bytes, rate, time left) on standard error."},
        footer = {"", "Examples:", "  midang submit --campaign demo --kind report 自查报告.docx",
            "  midang submit --campaign demo --kind form 报告表.yaml",
            "  midang submit --campaign demo --kind rectification --finding unit-b-1 整改报告.docx"})
public final class SubmitCommand extends MidangCommand {
    @Mixin ClientOptions client;

    @Option(names = "--campaign", required = true, description = "The campaign, e.g. demo.")
    String campaign;

    @Option(names = "--kind", required = true, description = "report, form, test-result, inspection-record or rectification.")
    String kind;

    @Option(names = "--unit", description = "The unit the document is for (testers; units submit for themselves).")
    String unit;

    @Option(names = "--area", paramLabel = "AREA", description = "The check area the document is about: its id or its name "
            + "(e.g. cryptography or 密码技术与产品使用情况); it goes into the signed receipt and search can filter on it.")
    String area;

    @Option(names = "--finding", paramLabel = "ID", description = "With --kind rectification: the finding the report answers "
            + "(e.g. yx-gaj-1; 'midang finding list' shows your unit's findings once results are published).")
    String finding;

    @Option(names = "--receipt-dir", paramLabel = "DIR", description = "Where receipts go (default: ~/.midang/receipts).")
    Path receiptDir;

    @Option(names = {"-q", "--quiet"}, description = "Print only the id of each submission, one per line (for scripts: ID=$(midang submit -q ...)).")
    boolean quiet;

    @Option(names = "--no-progress", description = "Draw no progress bar (one is drawn on a terminal for files over 1 MiB).")
    boolean noProgress;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "The files to submit.")
    List<Path> files;

    @Override
    public Integer call() throws Exception {
        for (Path f : files) {
            CliFiles.requireFile(f, "input");
            Optional<String> bad = SafeText.fileNameProblem(f.getFileName().toString());
            if (bad.isPresent()) {
                throw new CliFailure(ExitCode.USAGE, "submit.bad-name", f, bad.get());
            }
        }
        Path dir = receiptDir != null ? receiptDir : home().resolve(".midang").resolve("receipts");
        MidangClient c = client.client();
        // The server's signing key, checked against the CA in the user's identity, is remembered, so
        // 'midang verify' trusts the receipts it signs offline later.
        ServerKeys.remember(home(), c.serverInfo().signing(), c.server().toString());
        List<Map<String, Object>> done = new ArrayList<>();
        for (Path f : files) {
            MidangClient.Submitted s = c.submit(f, campaign, kind, unit, area, finding,
                    TerminalProgress.forFile(messages(), f.getFileName().toString(), Files.size(f), noProgress));
            Path[] written = MidangClient.writeReceipt(s.receipt(), dir, c.serverInfo().signing());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", s.receipt().id());
            m.put("file", f.toString());
            m.put("sequence", s.receipt().sequence());
            m.put("content_sm3", s.receipt().contentSm3());
            m.put("late", s.receipt().late());
            m.put("area", s.receipt().area());
            m.put("finding", s.receipt().finding());
            m.put("received_at", s.receipt().receivedAt());
            m.put("receipt", written[0].toString());
            m.put("receipt_signature", written[1].toString());
            done.add(m);
            if (quiet && !globals().json) {
                spec.commandLine().getOut().println(s.receipt().id());
            } else if (!globals().json) {
                spec.commandLine().getOut().println(messages().get("submit.done", f, s.receipt().id(),
                        messages().time(s.receipt().received()),
                        s.receipt().late() ? messages().get("submit.late") : "", written[0]));
            }
        }
        if (globals().json) {
            spec.commandLine().getOut().println(Output.json(Map.of("submitted", done)));
        }
        spec.commandLine().getOut().flush();
        return 0;
    }
}
