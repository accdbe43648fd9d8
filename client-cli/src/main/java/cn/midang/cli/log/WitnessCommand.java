package cn.midang.cli.log;

import cn.midang.cli.ClientOptions;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import cn.midang.cli.net.LogWatch;
import cn.midang.cli.net.MidangClient;
import cn.midang.cli.net.ServerRefusal;
import cn.midang.keys.sign.RawSignatures;
import cn.midang.keys.tlog.LogCheckpoint;
import cn.midang.keys.tlog.Note;
import cn.midang.keys.tlog.NoteKey;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * A joint-review department witnesses the archive's history: it cosigns the newest checkpoint
 * only after checking that it extends the last one it cosigned, and remembers it in
 * {@code ~/.midang/witness/}.
 */
@Command(name = "witness", mixinStandardHelpOptions = true,
        description = {"Witness the archive's transparency log for your department (见证): fetch the newest checkpoint, check it is",
            "signed by the server and extends the last checkpoint you cosigned (a consistency proof), then cosign it with your",
            "key (C2SP tlog-cosignature, SM2) and hand the cosignature to the server, which serves it with the checkpoint.",
            "Run it as a department's approver, by hand or as a scheduled job (e.g. every hour). Exit 6, and nothing is",
            "cosigned, when the server shows a history that does not extend the one you cosigned; the evidence is kept in",
            "~/.midang/witness/."},
        footer = {"", "Examples:", "  midang witness --identity approver-police.p12",
            "  crontab: 0 * * * *  MIDANG_PASSPHRASE_FILE=… midang witness --json >> witness.log"})
public final class WitnessCommand extends MidangCommand {
    @Mixin ClientOptions client;

    @Override
    public Integer call() throws Exception {
        MidangClient c = client.client();
        MidangClient.ServerInfo si = c.serverInfo();
        String served = c.logCheckpoint(0);
        NoteKey me = NoteKey.forWitness(c.identity().certificate());
        // Checked against the last checkpoint this witness (this key) cosigned, not against what any other command saw.
        Path state = home().resolve(".midang").resolve("witness").resolve(c.identity().certificate().fingerprint().substring(0, 16));
        LogCheckpoint cp = LogWatch.observe(state, si.signing(), served, c::logConsistency).now();
        Note.Signature co = me.cosign(RawSignatures.newSigner(c.identity()), cp.note().text(), client.clock().instant());
        String line = new Note(cp.note().text(), List.of(co)).format().substring(cp.note().text().length() + 1).strip();
        boolean already = false;
        try {
            c.cosign(cp.head().size(), line);
        } catch (ServerRefusal e) {
            if (!"already_cosigned".equals(e.code())) {
                throw e;
            }
            already = true;
        }
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("witness", me.name());
        f.put("verifier_key", me.verifierKey());
        f.put("origin", cp.head().origin());
        f.put("size", cp.head().size());
        f.put("root", Base64.getEncoder().encodeToString(cp.head().root()));
        f.put("already_cosigned", already);
        Output.result(out(), globals(), f, already ? "witness.already" : "witness.done", me.name(), cp.head().size(), f.get("root"),
                cp.head().origin());
        return 0;
    }
}
