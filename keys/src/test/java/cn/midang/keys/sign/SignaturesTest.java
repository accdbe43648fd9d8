package cn.midang.keys.sign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.keys.KeysException;
import cn.midang.keys.KeysException.Reason;
import cn.midang.keys.digest.Sm3;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.testkit.TestPki;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SignaturesTest {

    @TempDir
    Path dir;

    TestPki pki;
    Identity alice;
    Identity bob;
    final byte[] content = "玉溪市2009年度政府信息系统安全检查报告".getBytes(StandardCharsets.UTF_8);

    @BeforeEach
    void setUp() {
        pki = TestPki.create(dir);
        alice = pki.person("alice", "unit", "Unit A");
        bob = pki.person("bob", "unit", "Unit B");
    }

    @Test
    void raw_signThenVerify_passes() throws Exception {
        byte[] sig = RawSignatures.sign(alice, content);
        RawSignatures.verify(alice.certificate(), sig, content);
        assertThat(sig[0]).isEqualTo((byte) 0x30);
    }

    @Test
    void raw_reusedSigner_signsManyMessages() throws Exception {
        RawSignatures.Signer s = RawSignatures.newSigner(alice);
        for (int i = 0; i < 5; i++) {
            byte[] m = ("message " + i).getBytes(StandardCharsets.UTF_8);
            RawSignatures.verify(alice.certificate(), s.sign(m), m);
        }
    }

    @Test
    void raw_tamperedContent_isBadSignature() throws Exception {
        byte[] sig = RawSignatures.sign(alice, content);
        byte[] changed = content.clone();
        changed[3] ^= 1;
        assertThatThrownBy(() -> RawSignatures.verify(alice.certificate(), sig, changed))
                .isInstanceOf(KeysException.class)
                .extracting(e -> ((KeysException) e).reason()).isEqualTo(Reason.BAD_SIGNATURE);
    }

    @Test
    void raw_otherSignersKey_isBadSignature() throws Exception {
        byte[] sig = RawSignatures.sign(bob, content);
        assertThatThrownBy(() -> RawSignatures.verify(alice.certificate(), sig, content))
                .isInstanceOf(KeysException.class)
                .extracting(e -> ((KeysException) e).reason()).isEqualTo(Reason.BAD_SIGNATURE);
    }

    @Test
    void raw_garbageSignature_isMalformed() {
        assertThatThrownBy(() -> RawSignatures.verify(alice.certificate(), new byte[] {1, 2, 3}, content))
                .isInstanceOf(KeysException.class)
                .extracting(e -> ((KeysException) e).reason()).isIn(Reason.MALFORMED, Reason.BAD_SIGNATURE);
    }

    @Test
    void cms_signThenVerify_returnsSignerTimeAndDigest() throws Exception {
        byte[] sig = CmsSignatures.sign(alice, new ByteArrayInputStream(content), pki.clock);
        CmsSignatures.Verified v = CmsSignatures.verify(sig, new ByteArrayInputStream(content), pki.validator());
        assertThat(v.signer()).isEqualTo(alice.certificate());
        assertThat(v.signingTime()).isEqualTo(pki.clock.instant());
        assertThat(v.contentSm3()).isEqualTo(Sm3.digest(content));
        assertThat(v.chainValidated()).isTrue();
    }

    @Test
    void cms_tamperedContent_isBadSignature() throws Exception {
        byte[] sig = CmsSignatures.sign(alice, new ByteArrayInputStream(content), pki.clock);
        byte[] changed = content.clone();
        changed[0] ^= 1;
        assertThatThrownBy(() -> CmsSignatures.verify(sig, new ByteArrayInputStream(changed), pki.validator()))
                .isInstanceOf(KeysException.class)
                .extracting(e -> ((KeysException) e).reason()).isEqualTo(Reason.BAD_SIGNATURE);
    }

    @Test
    void cms_signerFromOtherCa_isUntrusted() throws Exception {
        TestPki other = TestPki.create(dir.resolve("other"));
        Identity mallory = other.person("mallory", "unit", "Unit A");
        byte[] sig = CmsSignatures.sign(mallory, new ByteArrayInputStream(content), pki.clock);
        assertThatThrownBy(() -> CmsSignatures.verify(sig, new ByteArrayInputStream(content), pki.validator()))
                .isInstanceOf(KeysException.class)
                .extracting(e -> ((KeysException) e).reason()).isEqualTo(Reason.UNTRUSTED_ISSUER);
    }

    @Test
    void cms_revokedSigner_isRevoked() throws Exception {
        byte[] sig = CmsSignatures.sign(alice, new ByteArrayInputStream(content), pki.clock);
        pki.ca.revoke(alice.certificate(), cn.midang.keys.pki.RevocationReason.KEY_COMPROMISE);
        assertThatThrownBy(() -> CmsSignatures.verify(sig, new ByteArrayInputStream(content), pki.ca.validator()))
                .isInstanceOf(KeysException.class)
                .extracting(e -> ((KeysException) e).reason()).isEqualTo(Reason.REVOKED);
    }

    @Test
    void cms_expiredSigner_isExpired() throws Exception {
        byte[] sig = CmsSignatures.sign(alice, new ByteArrayInputStream(content), pki.clock);
        var v = pki.validator();
        assertThatThrownBy(() -> v.validateAt(
                CmsSignatures.verifyWithoutTrust(sig, new ByteArrayInputStream(content)).signer(),
                alice.certificate().notAfter().plusSeconds(60)))
                .isInstanceOf(KeysException.class)
                .extracting(e -> ((KeysException) e).reason()).isEqualTo(Reason.EXPIRED);
    }

    @Test
    void cms_notASignature_isMalformed() {
        assertThatThrownBy(() -> CmsSignatures.verifyWithoutTrust(new byte[] {0x30, 0x03, 1, 2, 3}, new ByteArrayInputStream(content)))
                .isInstanceOf(KeysException.class)
                .extracting(e -> ((KeysException) e).reason()).isEqualTo(Reason.MALFORMED);
    }

    @Test
    void raw_signAStream_verifiesAsTheBytes_andAFailingStreamIsAnIoError_andTheSignerStillWorks() throws Exception {
        byte[] sig = RawSignatures.sign(alice, new ByteArrayInputStream(content));
        RawSignatures.verify(alice.certificate(), sig, content);
        RawSignatures.verify(alice.certificate(), sig, new ByteArrayInputStream(content));
        RawSignatures.Signer s = RawSignatures.newSigner(alice);
        java.io.InputStream broken = new java.io.SequenceInputStream(new ByteArrayInputStream(content), new java.io.InputStream() {
            @Override
            public int read() throws java.io.IOException {
                throw new java.io.IOException("disk gone");
            }
        });
        assertThatThrownBy(() -> s.sign(broken)).isInstanceOf(KeysException.class).hasMessageContaining("disk gone")
                .extracting(e -> ((KeysException) e).reason()).isEqualTo(Reason.IO);
        // What was read before the failure does not leak into the next signature.
        RawSignatures.verify(alice.certificate(), s.sign(content), content);
    }
}
