package cn.midang.cli.key;

import cn.midang.cli.CliFiles;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import cn.midang.cli.Passphrases;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.Identity;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "install", mixinStandardHelpOptions = true,
        description = {"Put the certificate your CA issued (and the CA's own certificate, which you will trust) into your identity file."},
        footer = {"", "Example:", "  midang key install --identity zhangsan.p12 --cert zhangsan.pem --ca ca.crt"})
public final class KeyInstall extends MidangCommand {

    @Option(names = "--identity", required = true, paramLabel = "KEY.p12", description = "Your identity file from 'midang key gen'.")
    Path identity;

    @Option(names = "--cert", required = true, paramLabel = "CERT.pem", description = "The certificate the CA issued for your key.")
    Path cert;

    @Option(names = "--ca", required = true, paramLabel = "CA.crt", description = "The CA's certificate.")
    Path caCert;

    @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Read the passphrase from the first line of FILE.")
    Path passphraseFile;

    @Override
    public Integer call() throws Exception {
        CliFiles.requireFile(identity, "identity");
        Certificate issued = Certificate.read(CliFiles.requireFile(cert, "certificate"));
        Certificate ca = Certificate.read(CliFiles.requireFile(caCert, "CA certificate"));
        char[] pass = Passphrases.existing(passphraseFile, "Passphrase of " + identity);
        Identity updated = Identity.load(identity, pass).withIssuedCertificate(issued, ca);
        updated.save(identity, pass);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("identity", identity.toString());
        f.put("subject", issued.subject());
        f.put("ca", ca.subject());
        Output.result(spec.commandLine().getOut(), globals(), f, "key.install.done", issued.commonName(), issued.role(),
                issued.organisation(), identity, ca.commonName());
        return 0;
    }
}
