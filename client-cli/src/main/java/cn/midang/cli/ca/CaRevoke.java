package cn.midang.cli.ca;

import cn.midang.cli.CliFiles;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.CertificateAuthority;
import cn.midang.keys.pki.RevocationList;
import cn.midang.keys.pki.RevocationReason;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "revoke", mixinStandardHelpOptions = true,
        description = {"Revoke a certificate this CA issued, and rewrite the CA's crl.pem. Give the new crl.pem to the server."},
        footer = {"", "Example:", "  midang ca revoke --dir CA --cert zhangsan.pem --reason key_compromise"})
public final class CaRevoke extends MidangCommand {
    @Mixin CaOptions ca;

    @Option(names = "--cert", required = true, paramLabel = "CERT.pem", description = "The certificate to revoke.")
    Path cert;

    @Option(names = "--reason", defaultValue = "UNSPECIFIED",
            description = "Why: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    RevocationReason reason;

    @Override
    public Integer call() throws Exception {
        Certificate c = Certificate.read(CliFiles.requireFile(cert, "certificate"));
        CertificateAuthority authority = ca.open(Clock.systemUTC());
        Optional<RevocationList.Entry> before = authority.revocationList().find(c);
        RevocationList crl = authority.revoke(c, reason);
        Path crlFile = ca.dir.resolve("crl.pem");
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("serial", c.serialHex());
        f.put("subject", c.subject());
        f.put("already_revoked", before.isPresent());
        f.put("revoked_at", crl.find(c).orElseThrow().revokedAt().toString());
        f.put("crl", crlFile.toString());
        f.put("crl_number", crl.number());
        if (before.isPresent()) {
            Output.result(spec.commandLine().getOut(), globals(), f, "ca.revoke.already", c.serialHex(), before.get().revokedAt(), crlFile);
        } else {
            Output.result(spec.commandLine().getOut(), globals(), f, "ca.revoke.done", c.serialHex(), c.subject(), crlFile,
                    crl.entries().size());
        }
        return 0;
    }
}
