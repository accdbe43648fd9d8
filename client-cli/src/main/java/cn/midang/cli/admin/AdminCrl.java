package cn.midang.cli.admin;

import cn.midang.cli.ClientOptions;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code midang admin crl}: revocation that reaches the server. */
@Command(name = "crl", mixinStandardHelpOptions = true,
        description = {"Revocation lists: the CA signs them offline ('midang ca revoke', 'midang ca crl'); 'publish' installs one on",
            "the server. Publish a fresh list at least every 30 days (its next update): a stale list refuses everyone, and the",
            "server warns a week before (its log, /healthz, 'midang status' for the administrator)."},
        footer = {"", "Example:", "  midang admin crl publish CA/crl.pem"},
        subcommands = {AdminCrl.Publish.class})
public final class AdminCrl {

    private AdminCrl() {}

    @Command(name = "publish", mixinStandardHelpOptions = true,
            description = {"Install this revocation list on the server: it must be signed by the deployment's CA, newer than the one",
                "installed (a higher number) and current. The certificates it lists are refused from the next request on."},
            footer = {"", "Example:", "  midang admin crl publish CA/crl.pem"})
    public static final class Publish extends MidangCommand {
        @Mixin ClientOptions client;

        @Parameters(arity = "1", paramLabel = "CRL.pem", description = "The revocation list (PEM), e.g. CA/crl.pem.")
        Path crl;

        @Override
        public Integer call() throws Exception {
            JsonNode n = client.client().postJson("/api/v1/crl", Map.of("crl", AdminAccount.pem(crl, "revocation list")));
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("number", n.path("number").asText());
            f.put("this_update", n.path("this_update").asText());
            f.put("next_update", n.path("next_update").asText());
            f.put("revoked", n.path("revoked").asInt());
            Output.result(out(), globals(), f, "admin.crl.published", n.path("number").asText(), n.path("revoked").asInt(),
                    messages().time(Instant.parse(n.path("next_update").asText())));
            return 0;
        }
    }
}
