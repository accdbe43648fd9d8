package cn.midang.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.keys.KeysException;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.CertificationRequest;
import cn.midang.keys.pki.RevocationReason;
import cn.midang.keys.testkit.TestPki;
import cn.midang.server.identity.Accounts;
import cn.midang.server.identity.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A production deployment made from the CA's public part only (issue 21): the first administrator
 * must be the CA's, with role admin, valid and not revoked; a refused init leaves nothing; the server
 * does not open until the CA has answered its two requests, and certify takes only certificates
 * for those keys, from that CA, with role server.
 */
class DeploymentTest {

    @TempDir
    Path tmp;

    TestPki pki;
    Path caPublic;
    Path data;
    final char[] pass = "server-passphrase".toCharArray();

    @BeforeEach
    void ca() throws Exception {
        pki = TestPki.create(tmp.resolve("pki"));
        caPublic = Files.createDirectories(tmp.resolve("ca-public"));
        Files.copy(pki.dir.resolve("ca").resolve("ca.crt"), caPublic.resolve("ca.crt"));
        Files.copy(pki.dir.resolve("ca").resolve("crl.pem"), caPublic.resolve("crl.pem"));
        data = tmp.resolve("srv");
    }

    Path certificate(String name, String role, String org) throws Exception {
        Path f = tmp.resolve(name + ".crt");
        pki.person(name, role, org).certificate().writePem(f);
        return f;
    }

    @Test
    void theFirstAdministrator_mustBeTheCasAdministrator_andARefusedInitLeavesNothing() throws Exception {
        TestPki other = TestPki.create(tmp.resolve("other"), "Other CA");
        Path foreign = tmp.resolve("foreign.crt");
        other.person("假管理员", "admin", "市信息产业办").certificate().writePem(foreign);
        assertThatThrownBy(() -> Deployment.initProduction(data, pass, caPublic, foreign, pki.clock))
                .isInstanceOfSatisfying(KeysException.class, e -> assertThat(e.reason()).isEqualTo(KeysException.Reason.UNTRUSTED_ISSUER));
        assertThatThrownBy(() -> Deployment.initProduction(data, pass, caPublic, certificate("某单位", "unit", "yx-fgw"), pki.clock))
                .isInstanceOfSatisfying(KeysException.class, e -> assertThat(e.reason()).isEqualTo(KeysException.Reason.WRONG_KEY_USAGE));
        Path revoked = certificate("旧管理员", "admin", "市信息产业办");
        pki.ca.revoke(Certificate.read(revoked), RevocationReason.KEY_COMPROMISE).writePem(caPublic.resolve("crl.pem"));
        assertThatThrownBy(() -> Deployment.initProduction(data, pass, caPublic, revoked, pki.clock))
                .isInstanceOfSatisfying(KeysException.class, e -> assertThat(e.reason()).isEqualTo(KeysException.Reason.REVOKED));
        assertThat(data).doesNotExist();
    }

    @Test
    void theServerRunsOnlyOnceTheCaAnsweredItsRequests_withCertificatesForItsOwnKeys() throws Exception {
        Path admin = certificate("系统管理员", "admin", "市信息产业办");
        // The CA's certificate may be named instead of its folder; the revocation list beside it is read
        Deployment.Created c = Deployment.initProduction(data, pass, caPublic.resolve("ca.crt"), admin, pki.clock);
        DataDir d = c.dir();
        try (Stream<Path> files = Files.walk(data)) {
            assertThat(files.map(p -> p.getFileName().toString())).doesNotContain("ca.p12").contains("server-signing.csr",
                    "server-archive.csr");
        }
        assertThatThrownBy(() -> Deployment.open(data, pass, pki.clock)).isInstanceOf(KeysException.class)
                .hasMessageContaining("not installed yet").hasMessageContaining("midang-server certify");

        CertificationRequest signingCsr = CertificationRequest.read(d.requests().resolve("server-signing.csr"));
        CertificationRequest archiveCsr = CertificationRequest.read(d.requests().resolve("server-archive.csr"));
        Path signing = tmp.resolve("signing.crt");
        Path archive = tmp.resolve("archive.crt");
        pki.ca.issue(signingCsr, "server", "Midang", Duration.ofDays(365)).writePem(signing);
        pki.ca.issue(archiveCsr, "server", "Midang", Duration.ofDays(365)).writePem(archive);

        // Swapped (each certifies the other key), another role, another key: refused, nothing installed
        assertThatThrownBy(() -> Deployment.certify(data, pass, archive, signing, pki.clock))
                .isInstanceOfSatisfying(KeysException.class, e -> assertThat(e.reason()).isEqualTo(KeysException.Reason.MISMATCH));
        Path asUnit = tmp.resolve("as-unit.crt");
        pki.ca.issue(signingCsr, "unit", "Midang", Duration.ofDays(365)).writePem(asUnit);
        assertThatThrownBy(() -> Deployment.certify(data, pass, asUnit, archive, pki.clock))
                .isInstanceOfSatisfying(KeysException.class, e -> assertThat(e.reason()).isEqualTo(KeysException.Reason.WRONG_KEY_USAGE));
        assertThatThrownBy(() -> Deployment.certify(data, pass, certificate("别人", "server", "Midang"), archive, pki.clock))
                .isInstanceOfSatisfying(KeysException.class, e -> assertThat(e.reason()).isEqualTo(KeysException.Reason.MISMATCH));
        assertThat(d.signingCertificate()).doesNotExist();

        Deployment.certify(data, pass, signing, archive, pki.clock);
        try (Deployment opened = Deployment.open(data, pass, pki.clock)) {
            assertThat(opened.signingIdentity().certificate()).isEqualTo(Certificate.read(signing));
            assertThat(opened.archiveIdentity().certificate()).isEqualTo(Certificate.read(archive));
            var admins = new Accounts(opened.database()).list(Role.ADMIN);
            assertThat(admins).singleElement().satisfies(l -> assertThat(l.account().commonName()).isEqualTo("系统管理员"));
            assertThat(opened.crlWarning(pki.clock.instant())).isEmpty();
            assertThat(opened.crlWarning(pki.clock.instant().plus(Duration.ofDays(25)))).get().asString().contains("must be replaced");
            assertThat(opened.crlWarning(pki.clock.instant().plus(Duration.ofDays(31)))).get().asString().contains("stale");
        }
    }
}
