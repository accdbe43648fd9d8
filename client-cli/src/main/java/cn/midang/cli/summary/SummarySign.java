package cn.midang.cli.summary;

import cn.midang.cli.CliFailure;
import cn.midang.cli.ClientOptions;
import cn.midang.cli.ExitCode;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import cn.midang.cli.net.MidangClient;
import cn.midang.keys.sign.RawSignatures;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "sign", mixinStandardHelpOptions = true,
        description = {"Sign the current summary for your department (approvers, while the campaign is in joint_review):",
            "the summary's JSON is downloaded, checked against its SM3, and signed byte for byte with your key (raw SM2,",
            "SM3, the standard ID), the same signature 'openssl dgst -sm3 -verify' checks. Give --expect-sm3 with the SM3",
            "of the version you read (midang summary get / show print it) so that you never sign another one."},
        footer = {"", "Example:", "  midang summary sign --campaign yuxi-2009 --expect-sm3 9f2c..."})
public final class SummarySign extends MidangCommand {
    @Mixin ClientOptions client;

    @Option(names = "--campaign", required = true, paramLabel = "C", description = "The campaign.")
    String campaign;

    @Option(names = "--expect-sm3", paramLabel = "SM3", description = "Sign only if the summary's JSON has this SM3 (the version you read).")
    String expect;

    @Override
    public Integer call() throws Exception {
        MidangClient c = client.client();
        SummaryCommand.Current cur = SummaryCommand.current(c, campaign);
        String sm3 = cur.meta().path("json_sm3").asText();
        if (expect != null && !expect.equalsIgnoreCase(sm3)) {
            throw new CliFailure(ExitCode.INTEGRITY, "summary.not-expected", campaign, sm3, expect);
        }
        int version = cur.meta().path("version").asInt();
        byte[] signature = RawSignatures.sign(c.identity(), cur.json());
        JsonNode after = c.signSummary(campaign, version, sm3, signature);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("campaign", campaign);
        m.put("version", version);
        m.put("json_sm3", sm3);
        m.put("signature", Base64.getEncoder().encodeToString(signature));
        m.put("signatures", after.path("signatures").size());
        m.put("missing", after.path("missing"));
        Output.result(out(), globals(), m, "summary.signed-now", campaign, version, sm3, after.path("signatures").size(),
                after.path("departments").size());
        return 0;
    }
}
