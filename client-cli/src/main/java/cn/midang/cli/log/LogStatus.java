package cn.midang.cli.log;

import cn.midang.cli.ClientOptions;
import cn.midang.cli.CliFiles;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import cn.midang.cli.net.LogWatch;
import cn.midang.cli.net.MidangClient;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.tlog.LogCheckpoint;
import cn.midang.keys.tlog.NoteKey;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show the log's newest checkpoint, checked: signed by the server's key and consistent with the newest one this",
            "computer saw before (a consistency proof). With --witness and --require K: the newest checkpoint that K of those",
            "departments' approvers cosigned (each witness checked it extends the last one it cosigned). Exit 6 when the history",
            "was rewritten or forked, or too few witnesses cosigned."},
        footer = {"", "Example:", "  midang log status --witness xxcyb.crt --witness gaj.crt --witness bmj.crt --require 2"})
public final class LogStatus extends MidangCommand {
    @Mixin ClientOptions client;

    @Option(names = "--witness", paramLabel = "CERT.pem", description = "A witness's certificate (a joint-review department's approver); repeatable.")
    List<Path> witnesses = new ArrayList<>();

    @Option(names = "--require", paramLabel = "K", description = "Cosignatures of the --witness certificates required (default: all of them).")
    Integer require;

    @Override
    public Integer call() throws Exception {
        MidangClient c = client.client();
        MidangClient.ServerInfo si = c.serverInfo();
        List<NoteKey> keys = new ArrayList<>();
        for (Path w : witnesses) {
            keys.add(NoteKey.forWitness(Certificate.read(CliFiles.requireFile(w, "witness certificate"))));
        }
        int k = require == null ? keys.size() : require;
        if (k < 0 || k > keys.size()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--require must be 0.." + keys.size()
                    + " (the number of --witness certificates)");
        }
        String served = c.logCheckpoint(k);
        LogWatch.Seen seen = LogWatch.observe(LogWatch.clientState(home()), si.signing(), served, c::logConsistency);
        LogCheckpoint cp = LogCheckpoint.open(served, NoteKey.forLog(si.signing()), keys, k);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("origin", cp.head().origin());
        f.put("size", cp.head().size());
        f.put("root", Base64.getEncoder().encodeToString(cp.head().root()));
        f.put("cosigners", cp.cosigners());
        f.put("required_cosignatures", k);
        // What was remembered before this command's first request, which already checked and remembered the newest checkpoint.
        var before = c.logSeen().map(LogWatch.Seen::before).orElseGet(seen::before);
        f.put("seen_before_size", before.map(b -> b.head().size()).orElse(null));
        f.put("consistent", true);
        f.put("checkpoint", cp.note().format());
        Output.result(out(), globals(), f, "log.status", cp.head().origin(), cp.head().size(), f.get("root"),
                before.map(b -> messages().get("log.status.before", b.head().size())).orElse(messages().get("log.status.first")),
                cp.cosigners().isEmpty() ? messages().get("log.status.noCosigners") : String.join(", ", cp.cosigners()));
        return 0;
    }
}
