package cn.midang.cli.info;

import cn.midang.cli.ClientOptions;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import cn.midang.cli.net.MidangClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "whoami", mixinStandardHelpOptions = true,
        description = {"Show who you are (from your identity file), to which server you talk, and how the server sees you.",
            "The server is checked against the CA in your identity file before anything is shown; its signing",
            "certificate fingerprint (SM3) is printed so you can compare it with the one your administrator announced."},
        footer = {"", "Example:", "  MIDANG_SERVER=http://127.0.0.1:8443 midang whoami --identity unit-a.p12"})
public final class WhoamiCommand extends MidangCommand {
    @Mixin ClientOptions client;

    @Override
    public Integer call() throws Exception {
        MidangClient c = client.client();
        MidangClient.ServerInfo si = c.serverInfo();
        JsonNode me = c.me();
        var cert = c.identity().certificate();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", cert.commonName());
        m.put("role", cert.role());
        m.put("organisation", cert.organisation());
        m.put("certificate_fingerprint", cert.fingerprint());
        m.put("certificate_serial", cert.serialHex());
        m.put("certificate_not_after", cert.notAfter().toString());
        m.put("ca", si.trust().ca().subject());
        m.put("server", c.server().toString());
        m.put("server_signing_fingerprint", si.signing().fingerprint());
        m.put("server_archive_fingerprint", si.archive().fingerprint());
        m.put("server_tls_sha256", c.transportPin().orElse(null));
        m.put("account_role", me.path("role").asText());
        m.put("account_organisation", me.path("organisation").asText());
        if (me.has("unit_campaigns")) {
            m.put("unit_campaigns", me.path("unit_campaigns"));
        }
        Output.result(out(), globals(), m, "whoami.done", cert.commonName(), cert.role(), cert.organisation(),
                cert.fingerprint(), messages().time(cert.notAfter()), c.server(), si.signing().fingerprint(),
                c.transportPin().orElse(messages().get("whoami.noTls")), si.trust().ca().commonName());
        if (!globals().json && me.has("unit_campaigns") && me.path("unit_campaigns").isEmpty()) {
            out().println(messages().get("whoami.unbound", me.path("organisation").asText()));
            out().flush();
        }
        return 0;
    }
}
