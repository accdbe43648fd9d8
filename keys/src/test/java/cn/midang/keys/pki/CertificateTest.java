package cn.midang.keys.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.keys.KeysException;
import cn.midang.keys.KeysException.Reason;
import cn.midang.keys.testkit.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a certificate, a request and a revocation list say about themselves, and the two checks
 * every trust decision rests on: "issued by this CA" (name and signature both) for certificates
 * and lists. Each assertion here stands against a mutation PIT found unchecked.
 */
class CertificateTest {

    @TempDir
    Path dir;

    TestPki pki;
    Identity unit;

    @BeforeEach
    void setUp() {
        pki = TestPki.create(dir);
        unit = pki.person("unit-a", "unit", "玉溪市财政局");
    }

    @Test
    void aCertificate_readsBackFromPemDerAndFile_asTheSameCertificate() throws Exception {
        Certificate c = unit.certificate();
        Certificate fromDer = Certificate.parse(c.der());
        Certificate fromPem = Certificate.parse(c.toPem().getBytes(StandardCharsets.US_ASCII));
        Path file = dir.resolve("unit-a.crt");
        c.writePem(file);
        Certificate fromFile = Certificate.read(file);
        assertThat(fromDer).isEqualTo(c).hasSameHashCodeAs(c);
        assertThat(fromPem).isEqualTo(c).hasSameHashCodeAs(c);
        assertThat(fromFile).isEqualTo(c);
        assertThat(c.toPem()).startsWith("-----BEGIN CERTIFICATE-----\n").endsWith("-----END CERTIFICATE-----\n");
        assertThat(c).isNotEqualTo(pki.person("unit-b", "unit", "红塔区").certificate());
        assertThat(c.hashCode()).isNotEqualTo(pki.ca.certificate().hashCode());

        byte[] der = c.der();
        der[der.length - 1] ^= 1;
        assertThat(c.der()).as("der() is a copy").isNotEqualTo(der);
        assertThatThrownBy(() -> Certificate.parse("not a certificate".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(KeysException.class).extracting(e -> ((KeysException) e).reason()).isEqualTo(Reason.MALFORMED);
    }

    @Test
    void aCertificate_namesItsHolderAndIssuer() throws Exception {
        Certificate c = unit.certificate();
        assertThat(c.subject()).contains("CN=unit-a").contains("OU=unit");
        assertThat(c.issuer()).contains("CN=Midang Test CA").isEqualTo(pki.ca.certificate().subject());
        assertThat(c.organisation()).isEqualTo("玉溪市财政局");
        assertThat(c.toString()).startsWith(c.subject() + " (serial " + c.serialHex() + ", SM3 ")
                .contains(c.fingerprint().substring(0, 16));
        Certificate pending = Identity.generate("无单位", pki.clock).certificate();
        assertThat(pending.organisation()).as("a name without O").isEmpty();
        assertThat(pending.role()).as("a name without OU").isEmpty();
        assertThat(pending.commonName()).isEqualTo("无单位");
        assertThat(unit.toString()).isEqualTo("Identity[" + c.subject() + "]");
    }

    @Test
    void issuedBy_needsTheIssuersNameAndItsSignature() {
        TestPki other = TestPki.create(dir.resolve("other"), "Another CA");
        TestPki sameName = TestPki.create(dir.resolve("same-name"));
        assertThat(CertificateBuilder.isSignedBy(unit.certificate(), pki.ca.certificate())).isTrue();
        assertThat(CertificateBuilder.isSignedBy(unit.certificate(), other.ca.certificate())).as("another name").isFalse();
        assertThat(CertificateBuilder.isSignedBy(unit.certificate(), sameName.ca.certificate())).as("the same name, another key").isFalse();
    }

    @Test
    void aRevocationList_namesItsIssuer_andOnlyItsCaSignedIt() throws Exception {
        Identity gone = pki.person("unit-c", "unit", "通海县");
        RevocationList crl = pki.ca.revoke(gone.certificate(), RevocationReason.KEY_COMPROMISE);
        TestPki other = TestPki.create(dir.resolve("other"), "Another CA");
        TestPki sameName = TestPki.create(dir.resolve("same-name"));

        assertThat(crl.namesIssuer(pki.ca.certificate())).isTrue();
        assertThat(crl.namesIssuer(other.ca.certificate())).isFalse();
        assertThat(crl.isSignedBy(pki.ca.certificate())).isTrue();
        assertThat(crl.isSignedBy(other.ca.certificate())).isFalse();
        assertThat(crl.namesIssuer(sameName.ca.certificate())).isTrue();
        assertThat(crl.isSignedBy(sameName.ca.certificate())).as("named right, signed by another key").isFalse();

        RevocationList.Entry e = crl.find(gone.certificate()).orElseThrow();
        assertThat(e.serialHex()).isEqualTo(gone.certificate().serialHex()).isEqualTo(e.serial().toString(16));
        assertThat(e.reason()).isEqualTo(RevocationReason.KEY_COMPROMISE);
        assertThat(RevocationList.parse(crl.der()).entries()).containsExactly(e);
    }

    @Test
    void revocationReasons_readFromTheirCodes_andAnUnknownCodeIsUnspecified() {
        for (RevocationReason r : RevocationReason.values()) {
            assertThat(RevocationReason.fromCode(r.code)).isEqualTo(r);
        }
        assertThat(RevocationReason.fromCode(99)).isEqualTo(RevocationReason.UNSPECIFIED);
    }

    @Test
    void aRequest_readsBackFromItsFile_andNamesItsHolder() throws Exception {
        Identity pending = Identity.generate("新申请人", pki.clock);
        CertificationRequest csr = pending.request();
        Path file = dir.resolve("new.csr");
        csr.writePem(file);
        assertThat(Files.readString(file)).startsWith("-----BEGIN CERTIFICATE REQUEST-----");
        CertificationRequest back = CertificationRequest.read(file);
        assertThat(back.commonName()).isEqualTo("新申请人");
        assertThat(back.der()).isEqualTo(csr.der());
        assertThat(pending.ca()).as("not yet issued: no CA in the identity").isEmpty();
        assertThat(unit.ca()).contains(pki.ca.certificate());
    }

    @Test
    void anIdentitySavedWithFewIterations_loadsWithItsPassphraseOnly() throws Exception {
        Path file = dir.resolve("fast.p12");
        unit.saveWithIterations(file, "口令-123".toCharArray(), 1000);
        Identity back = Identity.load(file, "口令-123".toCharArray());
        assertThat(back.certificate()).isEqualTo(unit.certificate());
        assertThat(back.chain()).isEqualTo(unit.chain());
        assertThatThrownBy(() -> Identity.load(file, "wrong".toCharArray())).isInstanceOf(KeysException.class)
                .extracting(e -> ((KeysException) e).reason()).isEqualTo(Reason.WRONG_PASSPHRASE);
        assertThatThrownBy(() -> unit.saveWithIterations(dir.resolve("empty.p12"), new char[0], 1000))
                .isInstanceOf(KeysException.class).extracting(e -> ((KeysException) e).reason()).isEqualTo(Reason.WRONG_PASSPHRASE);
        assertThat(dir.resolve("empty.p12")).doesNotExist();
    }

    @Test
    void aCertificate_neverOutlivesItsCa_andNamesAreCheckedAtTheirLimits() throws Exception {
        Identity pending = Identity.generate("长期证书", pki.clock);
        Certificate c = pki.ca.issue(pending.request(), "unit", "玉溪市", java.time.Duration.ofDays(365L * 100));
        assertThat(c.notAfter()).isEqualTo(pki.ca.certificate().notAfter());
        Certificate year = pki.ca.issue(pending.request(), "unit", "玉溪市", java.time.Duration.ofDays(365));
        assertThat(year.notAfter()).isBefore(pki.ca.certificate().notAfter());

        assertThat(pki.ca.issue(pending.request(), "unit", "单".repeat(64), java.time.Duration.ofDays(1)).organisation())
                .hasSize(64);
        for (String bad : new String[] {"", "  ", "单".repeat(65), "玉溪\n市"}) {
            assertThatThrownBy(() -> pki.ca.issue(pending.request(), "unit", bad, java.time.Duration.ofDays(1)))
                    .as("organisation %s", bad).isInstanceOf(KeysException.class)
                    .extracting(e -> ((KeysException) e).reason()).isEqualTo(Reason.MALFORMED);
        }
        for (String bad : new String[] {"", "名".repeat(65), "a\u0000b"}) {
            assertThatThrownBy(() -> Identity.generate(bad, pki.clock)).as("name %s", bad).isInstanceOf(KeysException.class)
                    .extracting(e -> ((KeysException) e).reason()).isEqualTo(Reason.MALFORMED);
        }
    }

    @Test
    void serials_arePositiveSixteenByteNumbers() {
        int widest = 0;
        for (int i = 0; i < 64; i++) {
            java.math.BigInteger s = CertificateBuilder.newSerial();
            assertThat(s.signum()).isPositive();
            assertThat(s.bitLength()).isBetween(121, 127);
            widest = Math.max(widest, s.bitLength());
        }
        assertThat(widest).as("the first byte is random, not only its lowest bit").isGreaterThan(121);
    }

    @Test
    void anOrganisationWithACommaReadsBackAsWritten() throws Exception {
        Certificate c = pki.ca.issue(Identity.generate("甲", pki.clock).request(), "unit", "玉溪市, 财政局 + \"信息科\"",
                java.time.Duration.ofDays(1));
        assertThat(c.organisation()).isEqualTo("玉溪市, 财政局 + \"信息科\"");
    }

    @Test
    void aRefreshedRevocationList_isNewer_keepsItsEntries_andIsWrittenForTheServer() throws Exception {
        Identity gone = pki.person("unit-c", "unit", "通海县");
        RevocationList first = pki.ca.revoke(gone.certificate(), RevocationReason.SUPERSEDED);
        pki.clock.advance(java.time.Duration.ofDays(1));
        RevocationList refreshed = pki.ca.refreshRevocationList();
        assertThat(refreshed.thisUpdate()).isAfter(first.thisUpdate());
        assertThat(refreshed.number()).isGreaterThan(first.number());
        assertThat(refreshed.entries()).isEqualTo(first.entries());
        assertThat(RevocationList.read(dir.resolve("ca").resolve("crl.pem")).der()).isEqualTo(refreshed.der());
        assertThat(pki.ca.revocationList().der()).isEqualTo(refreshed.der());
    }
}
