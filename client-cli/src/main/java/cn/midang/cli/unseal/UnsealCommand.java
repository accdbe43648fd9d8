package cn.midang.cli.unseal;

import cn.midang.cli.CliFiles;
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
import java.util.LinkedHashMap;
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
            "memory once enough shares are in. Run it again after every restart of the server."},
        footer = {"", "Example:", "  midang unseal --share 公安局审批人.share --identity approver-police.p12"})
public final class UnsealCommand extends MidangCommand {
    @Mixin ClientOptions client;

    @Option(names = "--share", required = true, paramLabel = "FILE", description = "Your share (NAME.share, written for you by 'midang-server init').")
    Path share;

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
        JsonNode after = c.unseal(KeyShare.deliver(mine, c.identity(), startKey, client.clock()));
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("sealed", after.path("sealed").asBoolean());
        f.put("shares_in", after.path("shares_in").asInt());
        f.put("threshold", after.path("threshold").asInt());
        if (after.path("sealed").asBoolean()) {
            Output.result(out(), globals(), f, "unseal.in", after.path("shares_in").asInt(), after.path("threshold").asInt(),
                    after.path("threshold").asInt() - after.path("shares_in").asInt());
        } else {
            Output.result(out(), globals(), f, "unseal.done");
        }
        return 0;
    }
}
