package cn.midang.cli.sign;

import cn.midang.cli.CliFailure;
import cn.midang.cli.CliFiles;
import cn.midang.cli.ExitCode;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import cn.midang.cli.Passphrases;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.sign.CmsSignatures;
import cn.midang.keys.sign.RawSignatures;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "sign", mixinStandardHelpOptions = true,
        description = {"Sign a file with your SM2 key (SM3withSM2, user ID 1234567812345678), detached.",
            "Without --raw: a CMS signature carrying your certificate and the signing time (check it with 'midang verify --signature').",
            "With --raw: a plain DER SM2 signature that anyone can check with OpenSSL 3."},
        footer = {"", "Examples:",
            "  midang sign --identity zhangsan.p12 --raw --out report.sig report.docx",
            "  midang sign --identity zhangsan.p12 --out report.p7s report.docx"})
public final class SignCommand extends MidangCommand {

    @Option(names = "--identity", paramLabel = "KEY.p12",
            description = "Your identity file (default: MIDANG_IDENTITY, then identity in ~/.midang/config).")
    Path identity;

    @Option(names = "--raw", description = "Write a raw DER SM2 signature instead of CMS.")
    boolean raw;

    @Option(names = "--out", required = true, paramLabel = "SIG", description = "Where to write the signature.")
    Path out;

    @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Read the passphrase from the first line of FILE.")
    Path passphraseFile;

    @Parameters(paramLabel = "FILE", description = "The file to sign.")
    Path file;

    @Override
    public Integer call() throws Exception {
        CliFiles.requireFile(file, "input");
        if (identity == null) {
            throw new CliFailure(ExitCode.USAGE, "error.identity.none");
        }
        CliFiles.requireFile(identity, "identity");
        Identity me = Identity.load(identity, Passphrases.existing(passphraseFile, "Passphrase of " + identity));
        if (!raw && me.ca().isEmpty()) {
            // A CMS signature carries the certificate; a self-signed placeholder would only fail later.
            throw new CliFailure(ExitCode.USAGE, "error.identity.placeholder", identity);
        }
        byte[] sig;
        try (InputStream in = Files.newInputStream(file)) {
            sig = raw ? RawSignatures.sign(me, in) : CmsSignatures.sign(me, in, Clock.systemUTC());
        }
        CliFiles.writeAtomically(out, sig);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("file", file.toString());
        f.put("signature", out.toString());
        f.put("form", raw ? "raw" : "cms");
        f.put("signer", me.certificate().subject());
        Output.result(spec.commandLine().getOut(), globals(), f, raw ? "sign.done.raw" : "sign.done.cms", file, me.commonName(), out);
        return 0;
    }

}
