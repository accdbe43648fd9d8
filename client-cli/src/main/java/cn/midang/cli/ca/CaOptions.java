package cn.midang.cli.ca;

import cn.midang.cli.CliFiles;
import cn.midang.cli.Passphrases;
import cn.midang.keys.KeysException;
import cn.midang.keys.pki.CertificateAuthority;
import java.nio.file.Path;
import java.time.Clock;
import picocli.CommandLine.Option;

/** Options shared by the CA commands: where the CA lives and how to unlock it. */
final class CaOptions {
    @Option(names = "--dir", required = true, paramLabel = "CA", description = "The CA folder (ca.crt, ca.p12, crl.pem, issued/).")
    Path dir;

    @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Read the CA passphrase from the first line of FILE (else MIDANG_PASSPHRASE, else a prompt).")
    Path passphraseFile;

    CertificateAuthority open(Clock clock) throws KeysException {
        CliFiles.requireFile(dir.resolve("ca.p12"), "CA key");
        return CertificateAuthority.open(dir, Passphrases.existing(passphraseFile, "CA passphrase"), clock);
    }
}
