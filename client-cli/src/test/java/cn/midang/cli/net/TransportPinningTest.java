package cn.midang.cli.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.keys.KeysException;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.sign.RawSignatures;
import cn.midang.keys.testkit.TestPki;
import cn.midang.keys.tls.TransportKey;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client pins the server's TLS certificate only through a binding signed by the server's SM2 key. */
class TransportPinningTest {

    @TempDir
    Path dir;

    TestPki pki;
    Identity signing;
    TransportKey real;
    TransportKey impostor;

    @BeforeEach
    void setUp() {
        pki = TestPki.create(dir);
        signing = pki.person("Midang server signing", "server", "Midang");
        real = TransportKey.generate("localhost", pki.clock, Duration.ofDays(30), "x".toCharArray());
        impostor = TransportKey.generate("localhost", pki.clock, Duration.ofDays(30), "x".toCharArray());
    }

    byte[] der(TransportKey k) throws Exception {
        return ((X509Certificate) k.keyStore().getCertificate("tls")).getEncoded();
    }

    byte[] binding(Identity by, TransportKey k) throws Exception {
        return RawSignatures.sign(by, TransportKey.bindingStatement(k.certificateSha256(), signing.certificate().fingerprint()));
    }

    @Test
    void binding_ofThePresentedCertificate_givesThePin() throws Exception {
        String pin = MidangClient.checkTransportBinding(der(real), real.certificateSha256(), binding(signing, real), signing.certificate());
        assertThat(pin).isEqualTo(real.certificateSha256());
    }

    @Test
    void interceptor_relayingTheRealBinding_isRefused() throws Exception {
        // A man in the middle presents its own certificate but relays the real server's answer.
        assertThatThrownBy(() -> MidangClient.checkTransportBinding(der(impostor), real.certificateSha256(),
                binding(signing, real), signing.certificate()))
                .isInstanceOfSatisfying(KeysException.class, e -> assertThat(e.reason()).isEqualTo(KeysException.Reason.MISMATCH));
    }

    @Test
    void binding_signedByAnotherKey_isRefused() throws Exception {
        Identity mallory = pki.person("mallory", "server", "Midang");
        assertThatThrownBy(() -> MidangClient.checkTransportBinding(der(impostor), impostor.certificateSha256(),
                binding(mallory, impostor), signing.certificate()))
                .isInstanceOfSatisfying(KeysException.class, e -> assertThat(e.reason()).isEqualTo(KeysException.Reason.BAD_SIGNATURE));
    }

    @Test
    void trustManager_afterPinning_refusesAnyOtherCertificate() throws Exception {
        PinningTrustManager tm = new PinningTrustManager();
        X509Certificate realCert = (X509Certificate) real.keyStore().getCertificate("tls");
        X509Certificate otherCert = (X509Certificate) impostor.keyStore().getCertificate("tls");
        tm.checkServerTrusted(new X509Certificate[] {otherCert}, "EC"); // not pinned yet: only /api/v1/server is fetched
        tm.pin(real.certificateSha256());
        tm.checkServerTrusted(new X509Certificate[] {realCert}, "EC");
        assertThatThrownBy(() -> tm.checkServerTrusted(new X509Certificate[] {otherCert}, "EC"))
                .isInstanceOf(CertificateException.class).hasMessageContaining("not the one");
    }
}
