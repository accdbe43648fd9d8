package cn.midang.cli.ca;

import cn.midang.cli.CliFiles;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.CertificateAuthority;
import cn.midang.keys.pki.CertificationRequest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "issue", mixinStandardHelpOptions = true,
        description = {"Issue a certificate for a certification request (made with 'midang key gen'), naming the holder's role and organisation."},
        footer = {"", "Roles: unit, inspector, tester, approver, leader, admin (and server for the server's own keys).",
            "", "Example:", "  midang ca issue --dir CA --csr zhangsan.csr --role inspector --org 市公安局 --out zhangsan.pem"})
public final class CaIssue extends MidangCommand {
    @Mixin CaOptions ca;

    @Option(names = "--csr", required = true, paramLabel = "REQ.csr", description = "The holder's PKCS#10 request (PEM or DER).")
    Path csr;

    @Option(names = "--role", required = true, description = "The holder's role in Midang.")
    String role;

    @Option(names = "--org", required = true, description = "The holder's organisation, e.g. 市公安局 or unit-a.")
    String org;

    @Option(names = "--out", required = true, paramLabel = "CERT.pem", description = "Where to write the certificate (PEM).")
    Path out;

    @Option(names = "--days", defaultValue = "365", description = "Validity in days (default: ${DEFAULT-VALUE}); never beyond the CA's own.")
    int days;

    @Override
    public Integer call() throws Exception {
        CertificationRequest request = CertificationRequest.read(CliFiles.requireFile(csr, "certification request"));
        CertificateAuthority authority = ca.open(Clock.systemUTC());
        Certificate c = authority.issue(request, role, org, Duration.ofDays(days));
        c.writePem(out);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("subject", c.subject());
        f.put("serial", c.serialHex());
        f.put("fingerprint_sm3", c.fingerprint());
        f.put("not_after", c.notAfter().toString());
        f.put("certificate", out.toString());
        Output.result(spec.commandLine().getOut(), globals(), f, "ca.issue.done", c.commonName(), c.role(), c.organisation(),
                c.serialHex(), messages().time(c.notAfter()), out, ca.dir.resolve("ca.crt"));
        return 0;
    }
}
