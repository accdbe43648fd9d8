package cn.midang.cli.summary;

import cn.midang.cli.CliFailure;
import cn.midang.cli.ExitCode;
import cn.midang.cli.net.MidangClient;
import cn.midang.keys.KeysException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Command;

@Command(name = "summary", mixinStandardHelpOptions = true,
        description = {"The campaign summary (汇总) and its joint review (共同审定).",
            "An inspector generates it from the units' report forms and the findings, while the campaign is in state summary:",
            "JSON, .xlsx and .docx in Chinese, per check area and per unit, archived and searchable like any document.",
            "In joint_review each department's approver signs the exact bytes of the JSON, which carries the SM3 of the",
            ".xlsx and .docx, so one signature covers all three and any change to any of them breaks every signature.",
            "When all departments have signed, the leadership approves (midang campaign advance C --to approved)."},
        footer = {"", "Examples:",
            "  midang summary generate --campaign yuxi-2009                 # an inspector",
            "  midang summary get --campaign yuxi-2009 -o 汇总/               # read it: .docx, .xlsx, .json",
            "  midang summary sign --campaign yuxi-2009 --expect-sm3 SM3    # each department's approver",
            "  midang summary verify 汇总/                                    # offline, anyone"},
        subcommands = {SummaryGenerate.class, SummaryShow.class, SummaryGet.class, SummarySign.class, SummaryVerify.class})
public final class SummaryCommand {

    static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_JSON = 64 << 20;

    /** The current summary's description and its JSON bytes, checked against the SM3 the server gave. */
    record Current(JsonNode meta, byte[] json, JsonNode content) {}

    static Current current(MidangClient c, String campaign) throws Exception {
        MidangClient.CurrentSummary s;
        try {
            s = c.currentSummary(campaign);
        } catch (KeysException e) {
            if (e.reason() != KeysException.Reason.MISMATCH) {
                throw e;
            }
            JsonNode meta = c.summary(campaign);
            throw new CliFailure(ExitCode.INTEGRITY, "summary.sm3-differs", campaign, meta.path("json_sm3").asText(), e.getMessage());
        }
        return new Current(s.meta(), s.json(), JSON.readTree(s.json()));
    }
}
