package cn.midang.cli.admin;

import cn.midang.cli.ClientOptions;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "permit", mixinStandardHelpOptions = true,
        description = {"Issue a retention permit (留存许可): the testing body may read back the named results until --until",
            "(at most 90 days). Without one, testers can read back, list or download nothing."},
        footer = {"", "Example:",
            "  midang admin permit --tester-org 安全检测机构 --submission 3f2a9c0d5e6f47a8b9c0d1e2f3a4b5c6 --until 2026-12-31T00:00:00Z"})
public final class AdminPermit extends MidangCommand {
    @Mixin ClientOptions client;

    @Option(names = "--tester-org", required = true, paramLabel = "ORG", description = "The testing body.")
    String testerOrg;

    @Option(names = "--submission", required = true, paramLabel = "ID", description = "A result it may read (repeat for more).")
    List<String> submissions;

    @Option(names = "--until", required = true, paramLabel = "TIME", description = "Expiry, ISO-8601 UTC.")
    Instant until;

    @Override
    public Integer call() throws Exception {
        JsonNode n = client.client().postJson("/api/v1/permits", Map.of("tester_org", testerOrg, "submissions", submissions,
                "expires_at", until.toString()));
        Output.result(out(), globals(), Map.of("permit", n.path("permit").asText(), "tester_org", testerOrg,
                "submissions", submissions, "expires_at", until.toString()), "admin.permit.done", n.path("permit").asText(),
                testerOrg, submissions.size(), until);
        return 0;
    }
}
