package cn.midang.cli.net;

import cn.midang.keys.tls.TransportKey;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts exactly one server transport certificate, by SHA-256. Until the pin is set it lets a
 * handshake through so the client can fetch {@code /api/v1/server} (public data, nothing of the
 * user's is sent); {@link MidangClient} then checks the binding signed by the server's SM2 key,
 * certified by the user's CA, against the certificate actually presented on that connection, and
 * pins it. After that, any other certificate is refused.
 */
final class PinningTrustManager extends X509ExtendedTrustManager {

    private volatile String pin;

    void pin(String sha256) {
        this.pin = sha256;
    }

    String pin() {
        return pin;
    }

    boolean pinned() {
        return pin != null;
    }

    private void check(X509Certificate[] chain) throws CertificateException {
        String p = pin;
        if (p == null) {
            return;
        }
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the server presented no certificate");
        }
        String seen;
        try {
            seen = TransportKey.sha256Hex(chain[0].getEncoded());
        } catch (CertificateEncodingException e) {
            throw new CertificateException(e);
        }
        if (!MessageDigest.isEqual(seen.getBytes(), p.getBytes())) {
            throw new CertificateException("the server's TLS certificate (SHA-256 " + seen
                    + ") is not the one its signing key vouched for (" + p + ")");
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a client does not accept connections");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("a client does not accept connections");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("a client does not accept connections");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
