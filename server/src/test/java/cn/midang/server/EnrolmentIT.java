package cn.midang.server;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.CertificateAuthority;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.pki.RevocationList;
import cn.midang.keys.pki.RevocationReason;
import cn.midang.server.DevServer.CliRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Enrolment through the real client against a real server (issue 21): accounts added from
 * certificates, listed, disabled and enabled, renewed; revocation lists published. Every attack —
 * a certificate of another CA, an expired or a revoked one, a non-administrator enrolling, a
 * disabled account, a CRL of another CA, with a bad signature, or older than the installed one —
 * is refused with its own code, changes nothing, and leaves an audit record.
 */
class EnrolmentIT {

    @TempDir
    static Path tmp;

    static DevServer dev;

    @BeforeAll
    static void start() throws Exception {
        dev = DevServer.start(tmp.resolve("data"));
    }

    @AfterAll
    static void stop() throws Exception {
        dev.close();
    }

    /** A new key with a certificate of the dev CA, saved where {@code dev.midang(name, …)} finds it; returns its certificate file. */
    static Path person(String name, String role, String org) throws Exception {
        Identity id = dev.issue(name, role, org);
        id.saveWithIterations(dev.identityFile(name), dev.passphrase, 10_000);
        Path crt = tmp.resolve(name + ".crt");
        id.certificate().writePem(crt);
        return crt;
    }

    static long accounts() throws Exception {
        return count("SELECT COUNT(*) FROM account_certificates");
    }

    static long count(String sql) throws Exception {
        try (Connection c = dev.deployment.database().connection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The newest audit record: action, decision, reason. */
    static String lastAudit() throws Exception {
        try (Connection c = dev.deployment.database().connection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT action, decision, reason FROM audit_log ORDER BY seq DESC LIMIT 1")) {
            rs.next();
            return rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3);
        }
    }

    /** Asserts a refusal with {@code code} and exit code {@code exit}, nothing changed in the accounts, and its audit record. */
    static void refused(CliRun r, String code, int exit, long accountsBefore, String action) throws Exception {
        assertThat(r.err()).as("stderr").contains("(" + code + ")");
        assertThat(r.exit()).as("exit code; stderr: %s", r.err()).isEqualTo(exit);
        assertThat(accounts()).as("accounts after a refusal").isEqualTo(accountsBefore);
        assertThat(lastAudit()).startsWith(action).contains(code);
    }

    @Test
    void enrolListDisableEnable_asTheAdministrator() throws Exception {
        Path a = person("张敏", "inspector", "市公安局");
        Path b = person("李强", "approver", "市保密局");
        assertThat(dev.midang("张敏", "whoami").err()).contains("unknown_account");

        CliRun added = dev.midang("admin", "admin", "account", "add", a.toString(), b.toString());
        assertThat(added.exit()).as(added.err()).isZero();
        assertThat(added.out()).contains("张敏").contains("李强");
        assertThat(dev.midang("张敏", "whoami").exit()).isZero();

        CliRun list = dev.midang("admin", "admin", "account", "list", "--role", "inspector", "--json");
        assertThat(list.exit()).isZero();
        assertThat(list.json().path("accounts").findValuesAsText("name")).contains("张敏", "inspector-info").doesNotContain("李强");

        long before = accounts();
        CliRun disabled = dev.midang("admin", "admin", "account", "disable", a.toString());
        assertThat(disabled.exit()).as(disabled.err()).isZero();
        refused(dev.midang("张敏", "whoami"), "account_disabled", 3, before, "whoami");
        assertThat(dev.midang("admin", "--lang", "zh", "admin", "account", "list").out()).contains("停用");
        assertThat(dev.midang("admin", "admin", "account", "enable", a.toString()).exit()).isZero();
        assertThat(dev.midang("张敏", "whoami").exit()).isZero();

        // The same holder again, without --renew: refused, nothing changed
        refused(dev.midang("admin", "admin", "account", "add", a.toString()), "account_exists", 5, before, "enrol-accounts");
        // An administrator cannot lock themselves out
        Path adminCrt = tmp.resolve("admin.crt");
        dev.identity("admin").certificate().writePem(adminCrt);
        CliRun self = dev.midang("admin", "admin", "account", "disable", adminCrt.toString());
        assertThat(self.exit()).isEqualTo(2);
        assertThat(self.err()).contains("your own account");
        assertThat(dev.midang("admin", "whoami").exit()).isZero();
    }

    @Test
    void aBatchIsAllOrNothing_andEveryProblemIsListed() throws Exception {
        Path good = person("王芳", "inspector", "市信息产业办");
        CertificateAuthority other = CertificateAuthority.init(tmp.resolve("other-ca"), "Other CA", "pw".toCharArray(), dev.clock,
                Duration.ofDays(3650));
        Identity stranger = Identity.generate("陌生人", dev.clock);
        Path strangerCrt = tmp.resolve("stranger.crt");
        other.issue(stranger.request(), "inspector", "市公安局", Duration.ofDays(365)).writePem(strangerCrt);
        long before = accounts();
        CliRun r = dev.midang("admin", "admin", "account", "add", good.toString(), strangerCrt.toString());
        refused(r, "enrol_untrusted", 6, before, "enrol-accounts");
        assertThat(r.err()).contains("陌生人");
        assertThat(dev.midang("王芳", "whoami").err()).contains("unknown_account");
    }

    @Test
    void aNonAdministrator_cannotEnrol_disable_orPublish() throws Exception {
        Path c = person("赵磊", "inspector", "市公安局");
        long before = accounts();
        refused(dev.midang("unit-a", "admin", "account", "add", c.toString()), "not_permitted", 5, before, "enrol-accounts");
        refused(dev.midang("inspector-info", "admin", "account", "disable", c.toString()), "not_permitted", 5, before, "disable-account");
        refused(dev.midang("leader", "admin", "account", "list"), "not_permitted", 5, before, "list-accounts");
        Path crl = tmp.resolve("fresh-crl.pem");
        dev.ca().refreshRevocationList().writePem(crl);
        byte[] installed = Files.readAllBytes(dev.data.resolve("crl.pem"));
        refused(dev.midang("approver-info", "admin", "crl", "publish", crl.toString()), "not_permitted", 5, before, "publish-crl");
        assertThat(Files.readAllBytes(dev.data.resolve("crl.pem"))).isEqualTo(installed);
    }

    @Test
    void anExpiredCertificate_isNotEnrolled() throws Exception {
        // Issued by the right CA with the right role, for one day, two days ago (the CA's clock set back)
        CertificateAuthority back = CertificateAuthority.open(dev.data.resolve("ca"), dev.passphrase,
                java.time.Clock.fixed(dev.clock.instant().minus(Duration.ofDays(2)), java.time.ZoneOffset.UTC));
        Identity old = Identity.generate("钱伟", dev.clock);
        Path crt = tmp.resolve("expired.crt");
        back.issue(old.request(), "inspector", "市公安局", Duration.ofDays(1)).writePem(crt);
        long before = accounts();
        refused(dev.midang("admin", "admin", "account", "add", crt.toString()), "enrol_expired", 6, before, "enrol-accounts");
    }

    @Test
    void revocationReachesTheServer_andARevokedCertificateIsNotEnrolled() throws Exception {
        Path enrolled = person("孙丽", "inspector", "市保密局");
        Path notYet = person("周杰", "inspector", "市保密局");
        assertThat(dev.midang("admin", "admin", "account", "add", enrolled.toString()).exit()).isZero();
        assertThat(dev.midang("孙丽", "whoami").exit()).isZero();

        CertificateAuthority ca = dev.ca();
        ca.revoke(Certificate.read(enrolled), RevocationReason.KEY_COMPROMISE);
        RevocationList crl = ca.revoke(Certificate.read(notYet), RevocationReason.KEY_COMPROMISE);
        Path crlFile = tmp.resolve("crl-revoked.pem");
        crl.writePem(crlFile);
        CliRun published = dev.midang("admin", "admin", "crl", "publish", crlFile.toString());
        assertThat(published.exit()).as(published.err()).isZero();
        assertThat(published.out()).contains(crl.number().toString());

        long before = accounts();
        refused(dev.midang("孙丽", "whoami"), "certificate_revoked", 3, before, "whoami");
        refused(dev.midang("admin", "admin", "account", "add", notYet.toString()), "enrol_revoked", 6, before, "enrol-accounts");

        // The same list again (a replay), and an older one: refused, the installed list unchanged
        byte[] installed = Files.readAllBytes(dev.data.resolve("crl.pem"));
        refused(dev.midang("admin", "admin", "crl", "publish", crlFile.toString()), "crl_not_newer", 5, before, "publish-crl");
        assertThat(Files.readAllBytes(dev.data.resolve("crl.pem"))).isEqualTo(installed);
    }

    @Test
    void aRevocationListNotFromTheDeploymentsCa_isRefused() throws Exception {
        long before = accounts();
        byte[] installed = Files.readAllBytes(dev.data.resolve("crl.pem"));
        // Another CA, another name
        CertificateAuthority other = CertificateAuthority.init(tmp.resolve("crl-other"), "Another CA", "pw".toCharArray(), dev.clock,
                Duration.ofDays(3650));
        Path foreign = tmp.resolve("foreign-crl.pem");
        other.refreshRevocationList().writePem(foreign);
        refused(dev.midang("admin", "admin", "crl", "publish", foreign.toString()), "crl_wrong_issuer", 6, before, "publish-crl");
        // Another key under the deployment CA's own name
        CertificateAuthority impostor = CertificateAuthority.init(tmp.resolve("crl-impostor"), "Midang Dev CA", "pw".toCharArray(),
                dev.clock, Duration.ofDays(3650));
        for (int i = 0; i < 5; i++) {
            impostor.refreshRevocationList(); // a number above the installed one
        }
        Path forged = tmp.resolve("impostor-crl.pem");
        impostor.refreshRevocationList().writePem(forged);
        refused(dev.midang("admin", "admin", "crl", "publish", forged.toString()), "crl_bad_signature", 6, before, "publish-crl");
        // The deployment CA's own fresh list with one bit of its signature flipped
        byte[] der = dev.ca().refreshRevocationList().der();
        der[der.length - 5] ^= 0x01;
        Path flipped = tmp.resolve("flipped-crl.pem");
        Files.writeString(flipped, "-----BEGIN X509 CRL-----\n" + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END X509 CRL-----\n", StandardCharsets.US_ASCII);
        refused(dev.midang("admin", "admin", "crl", "publish", flipped.toString()), "crl_bad_signature", 6, before, "publish-crl");
        assertThat(Files.readAllBytes(dev.data.resolve("crl.pem"))).isEqualTo(installed);
    }

    @Test
    void aRenewedCertificate_replacesTheOld_andTheAccountKeepsItsAssignments() throws Exception {
        Path first = person("吴刚", "inspector", "市信息产业办");
        assertThat(dev.midang("admin", "admin", "account", "add", first.toString()).exit()).isZero();
        assertThat(dev.midang("admin", "admin", "assign", "--campaign", "demo", "--inspector", "吴刚").exit()).isZero();
        assertThat(dev.midang("吴刚", "status", "--campaign", "demo").exit()).isZero();

        // A new key and certificate for the same holder (saved under another file name)
        Identity renewed = dev.issue("吴刚", "inspector", "市信息产业办");
        renewed.saveWithIterations(dev.identityFile("吴刚-2027"), dev.passphrase, 10_000);
        Path second = tmp.resolve("wugang-2027.crt");
        renewed.certificate().writePem(second);
        CliRun r = dev.midang("admin", "admin", "account", "add", second.toString(), "--renew");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("Renewed");

        assertThat(dev.midang("吴刚-2027", "status", "--campaign", "demo").exit()).as("the assignment follows the account").isZero();
        long before = accounts();
        refused(dev.midang("吴刚", "whoami"), "certificate_replaced", 3, before, "whoami");
        CliRun listed = dev.midang("admin", "admin", "account", "list", "--role", "inspector", "--json");
        assertThat(listed.out()).contains(renewed.certificate().serialHex());
    }

    @Test
    void aUnitBoundToNoCampaign_isToldWhichBindingIsMissing() throws Exception {
        Path unit = person("玉溪市某局", "unit", "yx-nowhere");
        CliRun added = dev.midang("admin", "admin", "account", "add", unit.toString());
        assertThat(added.exit()).as(added.err()).isZero();
        assertThat(added.out()).contains("yx-nowhere").contains("no campaign names unit id yx-nowhere");
        assertThat(dev.midang("玉溪市某局", "whoami").out()).contains("no campaign names your unit id (yx-nowhere)");
        Path report = tmp.resolve("report.txt");
        Files.writeString(report, "自查报告");
        long before = accounts();
        refused(dev.midang("玉溪市某局", "submit", "--campaign", "demo", "--kind", "report", report.toString()), "unit_not_bound", 5,
                before, "submit");
        // Bound explicitly to a unit id the demo campaign names, it may submit
        Path bound = person("演示单位甲 经办人", "unit", "演示单位甲");
        CliRun explicit = dev.midang("admin", "admin", "account", "add", bound.toString(), "--unit", "unit-a");
        assertThat(explicit.exit()).as(explicit.err()).isZero();
        CliRun submitted = dev.midang("演示单位甲 经办人", "submit", "--campaign", "demo", "--kind", "report", "--unit", "unit-a",
                report.toString());
        assertThat(submitted.exit()).as(submitted.err()).isZero();
    }
}
