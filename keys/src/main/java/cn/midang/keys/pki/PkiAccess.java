package cn.midang.keys.pki;

import cn.midang.keys.internal.Access;
import java.security.PrivateKey;
import java.util.List;
import org.bouncycastle.cert.X509CertificateHolder;

/** Installs this package's side of {@link Access}. */
final class PkiAccess implements Access.Pki {

    static void install() {
        Access.install(new PkiAccess());
    }

    @Override
    public PrivateKey privateKey(Identity identity) {
        return identity.privateKey();
    }

    @Override
    public X509CertificateHolder holder(Certificate certificate) {
        return certificate.holder();
    }

    @Override
    public Certificate certificate(X509CertificateHolder holder) {
        return new Certificate(holder);
    }

    @Override
    public List<Certificate> chain(Identity identity) {
        return identity.chain();
    }
}
