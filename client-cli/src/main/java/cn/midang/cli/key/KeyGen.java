package cn.midang.cli.key;

import cn.midang.cli.CliFiles;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import cn.midang.cli.Passphrases;
import cn.midang.keys.pki.CertificationRequest;
import cn.midang.keys.pki.Identity;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "gen", mixinStandardHelpOptions = true,
        description = {"Generate a new SM2 key in a passphrase-protected PKCS#12 identity file, and a PKCS#10 certification request for your CA."},
        footer = {"", "Example:", "  midang key gen --name 张三 --out zhangsan.p12 --csr zhangsan.csr"})
public final class KeyGen extends MidangCommand {

    @Option(names = "--name", required = true, description = "Your name as it will appear in your certificate.")
    String name;

    @Option(names = "--out", required = true, paramLabel = "KEY.p12", description = "The new identity file (refuses to overwrite).")
    Path out;

    @Option(names = "--csr", required = true, paramLabel = "REQ.csr", description = "Where to write the certification request (PEM).")
    Path csr;

    @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Read the new passphrase from the first line of FILE.")
    Path passphraseFile;

    @Override
    public Integer call() throws Exception {
        CliFiles.requireAbsent(out);
        Identity id = Identity.generate(name, Clock.systemUTC());
        CertificationRequest request = id.request();
        char[] pass = Passphrases.fresh(passphraseFile, "New passphrase for " + out, key -> err().println(messages().get(key)));
        try {
            id.save(out, pass);
        } finally {
            Passphrases.wipe(pass);
        }
        request.writePem(csr);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("name", name);
        f.put("identity", out.toString());
        f.put("csr", csr.toString());
        Output.result(spec.commandLine().getOut(), globals(), f, "key.gen.done", name, out, csr);
        return 0;
    }
}
