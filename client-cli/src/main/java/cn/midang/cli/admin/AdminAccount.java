package cn.midang.cli.admin;

import cn.midang.cli.CliFiles;
import cn.midang.cli.ClientOptions;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import cn.midang.cli.Table;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code midang admin account}: enrolment of the people the deployment's CA issued certificates to. */
@Command(name = "account", mixinStandardHelpOptions = true,
        description = {"Accounts: who may use this server. An account is made from a certificate the deployment's CA issued",
            "(its role and organisation come from the certificate); it can be disabled and enabled again, and given a",
            "new certificate (renewal) without losing what it did. Each request is signed and audited."},
        footer = {"", "Examples:", "  midang admin account add yx-fgw.crt yx-jyj.crt yx-gaj.crt",
            "  midang admin account add zhangsan-2027.crt --renew", "  midang admin account list --role unit",
            "  midang admin account disable zhangsan.crt"},
        subcommands = {AdminAccount.Add.class, AdminAccount.ListAccounts.class, AdminAccount.Disable.class, AdminAccount.Enable.class})
public final class AdminAccount {

    private AdminAccount() {}

    static String pem(Path file, String what) throws java.io.IOException {
        return Files.readString(CliFiles.requireFile(file, what), StandardCharsets.US_ASCII);
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Register the holders of these certificates (PEM, issued by the deployment's CA, valid, not revoked).",
                "All of them or none: every problem is listed. A unit's certificate names its unit id as organisation",
                "(as in the campaign file's 'units: - id:'); --unit binds it to another id. With --renew, the certificate",
                "replaces the current one of the existing account of the same name, role and organisation."},
            footer = {"", "Examples:", "  midang admin account add inspector-zhang.crt approver-li.crt",
                "  midang admin account add yx-fgw.crt --unit yx-fgw", "  midang admin account add zhangsan-2027.crt --renew"})
    public static final class Add extends MidangCommand {
        @Mixin ClientOptions client;

        @Parameters(arity = "1..*", paramLabel = "CERT.pem", description = "The certificates.")
        List<Path> certificates;

        @Option(names = "--unit", paramLabel = "ID", description = "Bind the (one) unit certificate to this unit id.")
        String unit;

        @Option(names = "--renew", description = "Give the existing account of this holder the (one) new certificate.")
        boolean renew;

        @Override
        public Integer call() throws Exception {
            List<String> pems = new ArrayList<>();
            for (Path p : certificates) {
                pems.add(pem(p, "certificate"));
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("certificates", pems);
            if (unit != null) {
                body.put("unit", unit);
            }
            if (renew) {
                body.put("renew", true);
            }
            JsonNode n = client.client().postJson("/api/v1/accounts", body);
            if (globals().json) {
                out().println(Output.json(Map.of("accounts", n.path("accounts"))));
                out().flush();
                return 0;
            }
            PrintWriter out = out();
            for (JsonNode a : n.path("accounts")) {
                out.println(messages().get(a.path("renewed").asBoolean() ? "admin.account.renewed" : "admin.account.added",
                        a.path("name").asText(), a.path("role").asText(), a.path("organisation").asText(),
                        a.path("certificate_serial").asText(), messages().time(Instant.parse(a.path("certificate_not_after").asText()))));
                if (a.has("unit_campaigns") && a.path("unit_campaigns").isEmpty()) {
                    out.println(messages().get("admin.account.unbound", a.path("organisation").asText()));
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "The accounts, with each one's current certificate, its validity, and whether it is disabled.",
            footer = {"", "Example:", "  midang admin account list --role inspector"})
    public static final class ListAccounts extends MidangCommand {
        @Mixin ClientOptions client;

        @Option(names = "--role", paramLabel = "R", description = "Only this role: unit, inspector, tester, approver, leader, admin.")
        String role;

        @Override
        public Integer call() throws Exception {
            JsonNode n = client.client().accounts(role);
            if (globals().json) {
                out().println(Output.json(Map.of("accounts", n.path("accounts"))));
                out().flush();
                return 0;
            }
            Table t = new Table(messages().get("admin.account.col.name"), messages().get("admin.account.col.role"),
                    messages().get("admin.account.col.org"), messages().get("admin.account.col.serial"),
                    messages().get("admin.account.col.until"), messages().get("admin.account.col.state"));
            for (JsonNode a : n.path("accounts")) {
                t.row(a.path("name").asText(), a.path("role").asText(), a.path("organisation").asText(),
                        a.path("certificate_serial").asText(), messages().time(Instant.parse(a.path("certificate_not_after").asText())),
                        a.path("disabled_at").isNull() ? messages().get("admin.account.enabled")
                                : messages().get("admin.account.disabledSince", messages().time(Instant.parse(a.path("disabled_at").asText()))));
            }
            if (t.isEmpty()) {
                out().println(messages().get("admin.account.none"));
                out().flush();
            } else {
                t.print(out());
            }
            return 0;
        }
    }

    /** Disable and enable differ only in the word. */
    abstract static class Change extends MidangCommand {
        @Mixin ClientOptions client;

        @Parameters(arity = "1", paramLabel = "CERT.pem", description = "A certificate of the account.")
        Path certificate;

        abstract boolean disable();

        @Override
        public Integer call() throws Exception {
            JsonNode n = client.client().postJson("/api/v1/accounts/" + (disable() ? "disable" : "enable"),
                    Map.of("certificate", pem(certificate, "certificate")));
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("account", n.path("account").asText());
            f.put("name", n.path("name").asText());
            f.put("role", n.path("role").asText());
            f.put("organisation", n.path("organisation").asText());
            f.put("disabled", disable());
            Output.result(out(), globals(), f, disable() ? "admin.account.disabled" : "admin.account.enabledDone",
                    n.path("name").asText(), n.path("role").asText(), n.path("organisation").asText());
            return 0;
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true,
            description = "Disable the account of this certificate: from its next request on, whatever certificate it uses, it is refused (account_disabled).",
            footer = {"", "Example:", "  midang admin account disable zhangsan.crt"})
    public static final class Disable extends Change {
        @Override
        boolean disable() {
            return true;
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enable a disabled account again.",
            footer = {"", "Example:", "  midang admin account enable zhangsan.crt"})
    public static final class Enable extends Change {
        @Override
        boolean disable() {
            return false;
        }
    }
}
