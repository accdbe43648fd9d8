package cn.midang.keys.testkit;

import cn.midang.keys.KeysException;
import cn.midang.keys.pki.CertificateAuthority;
import cn.midang.keys.pki.ChainValidator;
import cn.midang.keys.pki.Identity;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;

/**
 * The test fixture of the module, shared with server and client tests: a CA in a temporary
 * folder, people issued by it, and a clock the test controls. Passphrases are random per run;
 * nothing here is a committed secret.
 */
public final class TestPki {

    public final Path dir;
    public final MutableClock clock;
    public final CertificateAuthority ca;
    public final char[] passphrase;

    private TestPki(Path dir, MutableClock clock, CertificateAuthority ca, char[] passphrase) {
        this.dir = dir;
        this.clock = clock;
        this.ca = ca;
        this.passphrase = passphrase;
    }

    /** A new CA named {@code name} in {@code dir}/ca, on a fixed clock. */
    public static TestPki create(Path dir, String name) {
        MutableClock clock = MutableClock.fixed();
        char[] pass = randomPassphrase();
        try {
            return new TestPki(dir, clock, CertificateAuthority.init(dir.resolve("ca"), name, pass, clock), pass);
        } catch (KeysException e) {
            throw new IllegalStateException(e);
        }
    }

    public static TestPki create(Path dir) {
        return create(dir, "Midang Test CA");
    }

    public static char[] randomPassphrase() {
        byte[] b = new byte[12];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b).toCharArray();
    }

    /** A person with a certificate issued by this CA for a year. */
    public Identity person(String name, String role, String organisation) {
        try {
            Identity fresh = Identity.generate(name, clock);
            return fresh.withIssuedCertificate(
                    ca.issue(fresh.request(), role, organisation, Duration.ofDays(365)), ca.certificate());
        } catch (KeysException e) {
            throw new IllegalStateException(e);
        }
    }

    public ChainValidator validator() {
        try {
            return ca.validator();
        } catch (KeysException e) {
            throw new IllegalStateException(e);
        }
    }

    public Path caDir() {
        return dir.resolve("ca");
    }
}
