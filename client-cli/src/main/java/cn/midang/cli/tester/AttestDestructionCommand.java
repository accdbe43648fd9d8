package cn.midang.cli.tester;

import cn.midang.cli.ClientOptions;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "attest-destruction", mixinStandardHelpOptions = true,
        description = {"File your organisation's signed destruction attestation (销毁声明) for an engagement: a statement that no",
            "copy of the results or reports remains with you, signed with your SM2 key and kept by the server.",
            "The attestation ends the engagement: no more results can be handed in under it."},
        footer = {"", "Example:", "  midang attest-destruction --engagement demo-tester"})
public final class AttestDestructionCommand extends MidangCommand {
    /** The statement signed unless --statement gives another. */
    public static final String STATEMENT = "本机构确认：在本次委托检测中获取的检测结果、报告及其副本已全部销毁，未以任何形式留存。"
            + " We confirm that all test results, reports and copies obtained in this engagement have been destroyed and none retained.";

    @Mixin ClientOptions client;

    @Option(names = "--engagement", required = true, paramLabel = "E", description = "The engagement (see 'midang engagements').")
    String engagement;

    @Option(names = "--statement", paramLabel = "TEXT", description = "The statement to sign (default: the standard statement in Chinese and English).")
    String statement;

    @Override
    public Integer call() throws Exception {
        JsonNode n = client.client().attestDestruction(engagement, statement == null ? STATEMENT : statement);
        Output.result(out(), globals(), Map.of("engagement", n), "attest.done", engagement, n.path("attested_at").asText());
        return 0;
    }
}
