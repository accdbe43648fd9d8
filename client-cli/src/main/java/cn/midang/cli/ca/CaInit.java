package cn.midang.cli.ca;

import cn.midang.cli.CliFiles;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import cn.midang.cli.Passphrases;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.CertificateAuthority;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "init", mixinStandardHelpOptions = true,
        description = {"Create a new CA: an SM2 root key (ca.p12, passphrase-protected), its self-signed SM3withSM2 certificate (ca.crt) and an empty revocation list (crl.pem)."},
        footer = {"", "Example:", "  MIDANG_PASSPHRASE=... midang ca init --dir CA --name \"玉溪市信息产业办 CA\""})
public final class CaInit extends MidangCommand {
    @Mixin CaOptions ca;

    @Option(names = "--name", required = true, description = "The CA's name, shown in every certificate it issues.")
    String name;

    @Option(names = "--days", defaultValue = "3650", description = "How long the CA certificate is valid (default: ${DEFAULT-VALUE} days).")
    int days;

    @Override
    public Integer call() throws Exception {
        CliFiles.requireAbsent(ca.dir.resolve("ca.p12"));
        char[] pass = Passphrases.fresh(ca.passphraseFile, "New CA passphrase", key -> err().println(messages().get(key)));
        CertificateAuthority created;
        try {
            created = CertificateAuthority.init(ca.dir, name, pass, Clock.systemUTC(), Duration.ofDays(days));
        } finally {
            Passphrases.wipe(pass);
        }
        Certificate c = created.certificate();
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("ca_dir", ca.dir.toString());
        f.put("subject", c.subject());
        f.put("certificate", ca.dir.resolve("ca.crt").toString());
        f.put("fingerprint_sm3", c.fingerprint());
        f.put("not_after", c.notAfter().toString());
        f.put("crl", ca.dir.resolve("crl.pem").toString());
        Output.result(spec.commandLine().getOut(), globals(), f, "ca.init.done", name, ca.dir,
                ca.dir.resolve("ca.crt"), c.fingerprint(), messages().time(c.notAfter()), ca.dir.resolve("crl.pem"));
        return 0;
    }
}
