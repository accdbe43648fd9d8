package cn.midang.keys.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.keys.KeysException;
import cn.midang.keys.KeysException.Reason;
import cn.midang.keys.testkit.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PkiTest {

    @TempDir
    Path dir;

    static void assertReason(ThrowingCallable call, Reason reason, String messagePart) {
        assertThatThrownBy(call).isInstanceOf(KeysException.class)
                .hasMessageContaining(messagePart)
                .extracting(e -> ((KeysException) e).reason()).isEqualTo(reason);
    }

    @Test
    void init_writesCaFilesAndEmptyCrl() throws Exception {
        TestPki pki = TestPki.create(dir, "玉溪市 Test CA");
        assertThat(pki.caDir().resolve("ca.crt")).exists();
        assertThat(pki.caDir().resolve("ca.p12")).exists();
        assertThat(pki.caDir().resolve("crl.pem")).exists();
        assertThat(pki.ca.certificate().isCa()).isTrue();
        assertThat(pki.ca.certificate().commonName()).isEqualTo("玉溪市 Test CA");
        assertThat(pki.ca.revocationList().entries()).isEmpty();
        assertThat(pki.ca.revocationList().number()).isEqualTo(1);
    }

    @Test
    void init_existingCa_isRefused() {
        TestPki pki = TestPki.create(dir);
        assertReason(() -> CertificateAuthority.init(pki.caDir(), "again", pki.passphrase, pki.clock), Reason.IO, "already exists");
    }

    @Test
    void issue_carriesNameRoleAndOrganisation() {
        TestPki pki = TestPki.create(dir);
        Identity id = pki.person("张三", "inspector", "市公安局");
        Certificate c = id.certificate();
        assertThat(c.commonName()).isEqualTo("张三");
        assertThat(c.role()).isEqualTo("inspector");
        assertThat(c.organisation()).isEqualTo("市公安局");
        assertThat(c.isCa()).isFalse();
        assertThat(id.ca()).contains(pki.ca.certificate());
        assertThat(pki.caDir().resolve("issued").resolve(c.serialHex() + ".pem")).exists();
    }

    @Test
    void issue_invalidRole_isRefused() throws Exception {
        TestPki pki = TestPki.create(dir);
        Identity fresh = Identity.generate("x", pki.clock);
        assertReason(() -> pki.ca.issue(fresh.request(), "Root Admin", "Org", Duration.ofDays(1)), Reason.MALFORMED, "role");
    }

    @Test
    void identity_saveAndLoad_roundTrips() throws Exception {
        TestPki pki = TestPki.create(dir);
        Identity id = pki.person("alice", "unit", "Unit A");
        Path file = dir.resolve("alice.p12");
        id.save(file, pki.passphrase);
        Identity loaded = Identity.load(file, pki.passphrase);
        assertThat(loaded.chain()).isEqualTo(id.chain());
        assertThat(Files.getPosixFilePermissions(file)).hasSize(2); // owner read + write only
    }

    @Test
    void identity_wrongPassphrase_saysSo() throws Exception {
        TestPki pki = TestPki.create(dir);
        Path file = dir.resolve("alice.p12");
        pki.person("alice", "unit", "Unit A").save(file, pki.passphrase);
        assertReason(() -> Identity.load(file, "wrong".toCharArray()), Reason.WRONG_PASSPHRASE, "passphrase");
    }

    @Test
    void identity_notAKeyFile_isMalformed() throws Exception {
        Path file = dir.resolve("junk.p12");
        Files.writeString(file, "not a key store");
        assertThatThrownBy(() -> Identity.load(file, "x".toCharArray())).isInstanceOfSatisfying(KeysException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED));
    }

    @Test
    void identity_missingFile_namesIt() {
        assertReason(() -> Identity.load(dir.resolve("nope.p12"), "x".toCharArray()), Reason.IO, "nope.p12 does not exist");
    }

    @Test
    void withIssuedCertificate_otherKeysCertificate_isRefused() throws Exception {
        TestPki pki = TestPki.create(dir);
        Identity a = Identity.generate("a", pki.clock);
        Identity b = pki.person("b", "unit", "Unit B");
        assertReason(() -> a.withIssuedCertificate(b.certificate(), pki.ca.certificate()), Reason.MISMATCH, "another key");
    }

    @Test
    void request_roundTripsThroughPem() throws Exception {
        Identity a = Identity.generate("申请人", cn.midang.keys.testkit.MutableClock.fixed());
        CertificationRequest r = CertificationRequest.parse(a.request().toPem().getBytes());
        assertThat(r.commonName()).isEqualTo("申请人");
    }

    @Test
    void request_tampered_isRefused() throws Exception {
        Identity a = Identity.generate("alice", cn.midang.keys.testkit.MutableClock.fixed());
        byte[] der = a.request().der();
        der[der.length - 5] ^= 0x01; // inside the signature
        assertThatThrownBy(() -> CertificationRequest.parse(der)).isInstanceOfSatisfying(KeysException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.BAD_SIGNATURE));
    }

    @Test
    void validate_freshCertificate_passes() throws Exception {
        TestPki pki = TestPki.create(dir);
        pki.validator().validate(pki.person("alice", "unit", "Unit A").certificate());
    }

    @Test
    void validate_expired_saysExpired() throws Exception {
        TestPki pki = TestPki.create(dir);
        Certificate c = pki.person("alice", "unit", "Unit A").certificate();
        assertReason(() -> pki.validator().validateAt(c, c.notAfter().plusSeconds(1)), Reason.EXPIRED, "expired at");
    }

    @Test
    void validate_beforeIssue_saysNotYetValid() throws Exception {
        TestPki pki = TestPki.create(dir);
        Certificate c = pki.person("alice", "unit", "Unit A").certificate();
        assertReason(() -> pki.validator().validateAt(c, c.notBefore().minusSeconds(1)), Reason.NOT_YET_VALID, "not valid until");
    }

    @Test
    void validate_revoked_saysRevokedWithReason() throws Exception {
        TestPki pki = TestPki.create(dir);
        Certificate c = pki.person("alice", "unit", "Unit A").certificate();
        pki.clock.advance(Duration.ofHours(1));
        RevocationList crl = pki.ca.revoke(c, RevocationReason.KEY_COMPROMISE);
        assertThat(crl.entries()).extracting(RevocationList.Entry::serial).containsExactly(c.serial());
        assertThat(crl.number()).isEqualTo(2);
        assertReason(() -> pki.validator().validate(c), Reason.REVOKED, "key compromise");
        // The CRL on disk says the same after reopening the CA.
        CertificateAuthority reopened = CertificateAuthority.open(pki.caDir(), pki.passphrase, pki.clock);
        assertReason(() -> reopened.validator().validate(c), Reason.REVOKED, "revoked");
    }

    @Test
    void validate_otherCa_saysUntrusted() throws Exception {
        TestPki ours = TestPki.create(dir.resolve("ours"));
        TestPki theirs = TestPki.create(dir.resolve("theirs"), "Midang Test CA"); // same name, other key
        Certificate c = theirs.person("mallory", "unit", "Unit A").certificate();
        assertReason(() -> ours.validator().validate(c), Reason.UNTRUSTED_ISSUER, "not issued by the trusted CA");
    }

    @Test
    void aRememberedSignature_vouchesForThoseExactBytesOnly_andPeriodAndRevocationAreCheckedEachTime() throws Exception {
        TestPki pki = TestPki.create(dir);
        Certificate c = pki.person("alice", "unit", "Unit A").certificate();
        ChainValidator v = pki.validator();
        v.validate(c);
        v.validate(c); // the CA's signature on these bytes is now remembered
        byte[] der = c.der();
        der[der.length - 1] ^= 1; // the last byte of the CA's signature
        Certificate forged = Certificate.parse(der);
        assertThat(forged.subject()).isEqualTo(c.subject());
        assertReason(() -> v.validate(forged), Reason.UNTRUSTED_ISSUER, "not issued by the trusted CA");
        assertReason(() -> v.validateAt(c, c.notAfter().plusSeconds(1)), Reason.EXPIRED, "expired at");
        pki.clock.advance(Duration.ofHours(1));
        pki.ca.revoke(c, RevocationReason.KEY_COMPROMISE);
        ChainValidator afterRevocation = pki.validator();
        afterRevocation.validate(pki.person("bob", "unit", "Unit A").certificate());
        assertReason(() -> afterRevocation.validate(c), Reason.REVOKED, "key compromise");
    }

    @Test
    void validate_staleCrl_isRefused() throws Exception {
        TestPki pki = TestPki.create(dir);
        Certificate c = pki.person("alice", "unit", "Unit A").certificate();
        ChainValidator v = pki.validator();
        pki.clock.advance(CertificateAuthority.CRL_VALIDITY.plusDays(1));
        assertReason(() -> v.validate(c), Reason.CRL_INVALID, "stale");
        pki.ca.refreshRevocationList();
        pki.ca.validator().validate(c);
    }

    @Test
    void validator_crlFromOtherCa_isRefused() throws Exception {
        TestPki ours = TestPki.create(dir.resolve("ours"));
        TestPki theirs = TestPki.create(dir.resolve("theirs"));
        assertReason(() -> ChainValidator.of(ours.ca.certificate(), theirs.ca.revocationList(), ours.clock),
                Reason.CRL_INVALID, "not signed by the CA");
    }

    @Test
    void validate_caCertificateAsPerson_isRefused() throws Exception {
        TestPki pki = TestPki.create(dir);
        assertReason(() -> pki.validator().validate(pki.ca.certificate()), Reason.WRONG_KEY_USAGE, "CA certificate");
    }

    @Test
    void revoke_certificateOfOtherCa_isRefused() throws Exception {
        TestPki ours = TestPki.create(dir.resolve("ours"));
        TestPki theirs = TestPki.create(dir.resolve("theirs"));
        Certificate c = theirs.person("x", "unit", "U").certificate();
        assertReason(() -> ours.ca.revoke(c, RevocationReason.UNSPECIFIED), Reason.UNTRUSTED_ISSUER, "only its own CA");
    }

    @Test
    void open_wrongPassphrase_isRefused() {
        TestPki pki = TestPki.create(dir);
        assertReason(() -> CertificateAuthority.open(pki.caDir(), "nope".toCharArray(), pki.clock), Reason.WRONG_PASSPHRASE, "passphrase");
    }

    @Test
    void aValidatorWithoutRevocation_saysSo_andOnlyACaCertificateMayBeTheAnchor() throws Exception {
        TestPki pki = TestPki.create(dir);
        Identity alice = pki.person("alice", "unit", "unit-a");
        ChainValidator full = ChainValidator.of(pki.ca.certificate(), pki.ca.revocationList(), pki.clock);
        assertThat(full.checksRevocation()).isTrue();
        assertThat(full.ca()).isEqualTo(pki.ca.certificate());
        ChainValidator offline = ChainValidator.ignoringRevocation(pki.ca.certificate(), pki.clock);
        assertThat(offline.checksRevocation()).isFalse();
        assertThat(offline.ca()).isEqualTo(pki.ca.certificate());
        pki.ca.revoke(alice.certificate(), RevocationReason.KEY_COMPROMISE);
        offline.validate(alice.certificate()); // revocation is not what it checks
        assertThatThrownBy(() -> ChainValidator.of(pki.ca.certificate(), pki.ca.revocationList(), pki.clock).validate(alice.certificate()))
                .isInstanceOfSatisfying(KeysException.class, e -> assertThat(e.reason()).isEqualTo(Reason.REVOKED));
        // An end entity's certificate is no anchor, with or without a list
        assertThatThrownBy(() -> ChainValidator.ignoringRevocation(alice.certificate(), pki.clock))
                .isInstanceOfSatisfying(KeysException.class, e -> assertThat(e.reason()).isEqualTo(Reason.WRONG_KEY_USAGE));
        assertThatThrownBy(() -> ChainValidator.of(alice.certificate(), pki.ca.revocationList(), pki.clock))
                .isInstanceOfSatisfying(KeysException.class, e -> assertThat(e.reason()).isEqualTo(Reason.WRONG_KEY_USAGE));
        // A list another CA signed is refused as the list of this one
        TestPki other = TestPki.create(dir.resolve("other"), "Other CA");
        assertThatThrownBy(() -> ChainValidator.of(pki.ca.certificate(), other.ca.revocationList(), pki.clock))
                .isInstanceOfSatisfying(KeysException.class, e -> assertThat(e.reason()).isEqualTo(Reason.CRL_INVALID));
        assertThat(other.ca.revocationList().namesIssuer(pki.ca.certificate())).isFalse();
        assertThat(other.ca.revocationList().isSignedBy(other.ca.certificate())).isTrue();
        assertThat(other.ca.revocationList().issuer()).contains("Other CA");
    }
}
