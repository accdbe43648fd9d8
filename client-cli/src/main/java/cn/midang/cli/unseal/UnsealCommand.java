package cn.midang.cli.unseal;

import cn.midang.cli.CliFailure;
import cn.midang.cli.CliFiles;
import cn.midang.cli.ExitCode;
import cn.midang.cli.ClientOptions;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import cn.midang.cli.net.MidangClient;
import cn.midang.forms.KeyShare;
import cn.midang.keys.pki.Certificate;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A key holder unseals the archive: the share is opened on this computer with the holder's key,
 * and travels to the server only sealed to the one-time key of the server's current start.
 */
@Command(name = "unseal", mixinStandardHelpOptions = true,
        description = {"Unseal the archive with your share of its key (解封), as one of the joint-review departments' key holders.",
            "A server whose archive key is split among the departments starts sealed: it accepts, searches and serves nothing",
            "until enough key holders have run this. Your share file is opened here with your key (--identity) and sent only",
            "sealed to a one-time key of this start of the server, signed by you; the server rebuilds the archive key in its",
            "memory once enough shares are in. Run it again after every restart of the server.",
            "When the operator has begun replacing the archive key (midang-server rekey), this unseal also moves the archive to",
            "the next key and its holders: the command shows the plan and counts your share only with --agree-rekey and the",
            "next key's identifier, which your signature then covers."},
        footer = {"", "Examples:", "  midang unseal --share 公安局审批人.share --identity approver-police.p12",
            "  midang unseal --share 公安局审批人.share --identity approver-police.p12 --agree-rekey 3f5c…（下一把档案库密钥的标识）"})
public final class UnsealCommand extends MidangCommand {
    @Mixin ClientOptions client;

    @Option(names = "--share", required = true, paramLabel = "FILE", description = "Your share (NAME.share, written for you by 'midang-server init').")
    Path share;

    @Option(names = "--agree-rekey", paramLabel = "ID", description = "Agree that this unseal moves the archive to the next key "
            + "with this identifier (shown by this command and by 'midang-server status' when a rekey is ready).")
    String agreeRekey;

    @Override
    public Integer call() throws Exception {
        MidangClient c = client.client();
        Certificate signing = c.serverInfo().signing();
        JsonNode status = c.unsealStatus();
        if (!status.path("sealed").asBoolean()) {
            Output.result(out(), globals(), Map.of("sealed", false), "unseal.notSealed");
            return 0;
        }
        KeyShare.Share mine = KeyShare.open(Files.readAllBytes(CliFiles.requireFile(share, "key share")), c.identity(), signing);
        Certificate startKey = Certificate.parse(status.path("start_key").asText().getBytes(StandardCharsets.US_ASCII));
        JsonNode rekey = status.path("rekey");
        String agreed = null;
        if (!rekey.isMissingNode()) {
            String next = rekey.path("archive").asText();
            if (!next.equals(agreeRekey)) {
                List<String> holders = new ArrayList<>();
                rekey.path("holders").forEach(h -> holders.add(h.asText()));
                throw new CliFailure(ExitCode.USAGE, agreeRekey == null ? "unseal.rekeyPlan" : "unseal.rekeyOther", next,
                        rekey.path("threshold").asInt(), holders.size(), String.join("；", holders),
                        messages().time(java.time.Instant.parse(rekey.path("begun").asText())), agreeRekey);
            }
            agreed = next;
        }
        JsonNode after = c.unseal(KeyShare.deliver(mine, c.identity(), startKey, agreed, client.clock()));
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("sealed", after.path("sealed").asBoolean());
        f.put("shares_in", after.path("shares_in").asInt());
        f.put("threshold", after.path("threshold").asInt());
        if (after.path("sealed").asBoolean()) {
            Output.result(out(), globals(), f, "unseal.in", after.path("shares_in").asInt(), after.path("threshold").asInt(),
                    after.path("threshold").asInt() - after.path("shares_in").asInt());
        } else if (agreed != null) {
            f.put("rekeyed_to", agreed);
            Output.result(out(), globals(), f, "unseal.rekeyed", agreed);
        } else {
            Output.result(out(), globals(), f, "unseal.done");
        }
        return 0;
    }
}
