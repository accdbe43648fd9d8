package cn.midang.keys.internal;

import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.Identity;
import java.security.PrivateKey;
import java.util.List;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * Lets the {@code sign} and {@code seal} packages reach what {@code pki} keeps package-private
 * (the private key of an {@link Identity}, the Bouncy Castle form of a {@link Certificate})
 * without making it public API. The {@code pki} package installs the implementation when its
 * classes load.
 */
public final class Access {

    /** What {@code pki} exposes to the rest of the module. */
    public interface Pki {
        PrivateKey privateKey(Identity identity);

        X509CertificateHolder holder(Certificate certificate);

        Certificate certificate(X509CertificateHolder holder);

        List<Certificate> chain(Identity identity);
    }

    private static volatile Pki pki;

    private Access() {}

    public static void install(Pki implementation) {
        if (pki == null) {
            pki = implementation;
        }
    }

    public static Pki pki() {
        Pki p = pki;
        if (p == null) {
            try {
                Class.forName(Certificate.class.getName(), true, Access.class.getClassLoader());
                Class.forName(Identity.class.getName(), true, Access.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            p = pki;
        }
        return p;
    }
}
