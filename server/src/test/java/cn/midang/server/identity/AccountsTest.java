package cn.midang.server.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.keys.pki.Identity;
import cn.midang.keys.testkit.TestPki;
import cn.midang.server.storage.Database;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The account records (issue 21): batches all or nothing, holders found for a renewal, disabled and listed accounts. */
class AccountsTest {

    @TempDir
    Path tmp;

    Database db;
    TestPki pki;
    Accounts accounts;

    @BeforeEach
    void setUp() {
        db = Database.open(tmp.resolve("db"));
        pki = TestPki.create(tmp.resolve("pki"));
        accounts = new Accounts(db);
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    Accounts.NewAccount fresh(String name, String role, String org) {
        Identity id = pki.person(name, role, org);
        return new Accounts.NewAccount(id.certificate(), Role.fromLabel(role).orElseThrow(), org);
    }

    @Test
    void aBatch_isRegisteredWhole_orNotAtAll() throws Exception {
        var a = fresh("张敏", "inspector", "市公安局");
        var b = fresh("yx-fgw 经办人", "unit", "yx-fgw");
        List<Account> added = accounts.registerAll(List.of(a, b), pki.clock.instant());
        assertThat(added).extracting(Account::commonName).containsExactly("张敏", "yx-fgw 经办人");
        assertThat(added.get(1).organisation()).isEqualTo("yx-fgw");
        assertThat(accounts.byCertificate(b.certificate().fingerprint())).get().satisfies(e -> {
            assertThat(e.account().role()).isEqualTo(Role.UNIT);
            assertThat(e.disabled()).isFalse();
            assertThat(e.replaced()).isFalse();
        });

        var c = fresh("李强", "approver", "市保密局");
        assertThatThrownBy(() -> accounts.registerAll(List.of(c, a), pki.clock.instant())).isInstanceOf(SQLException.class);
        assertThat(accounts.byCertificate(c.certificate().fingerprint())).as("nothing of a refused batch").isEmpty();
        assertThat(accounts.list(null)).hasSize(2);
    }

    @Test
    void holders_areFoundByNameRoleAndOrganisation_only() throws Exception {
        var a = fresh("王芳", "inspector", "市公安局");
        accounts.registerAll(List.of(a), pki.clock.instant());
        assertThat(accounts.holders("王芳", Role.INSPECTOR, "市公安局")).extracting(Account::fingerprint)
                .containsExactly(a.certificate().fingerprint());
        assertThat(accounts.holders("王芳", Role.INSPECTOR, "市保密局")).isEmpty();
        assertThat(accounts.holders("王芳", Role.APPROVER, "市公安局")).isEmpty();
        assertThat(accounts.holders("王", Role.INSPECTOR, "市公安局")).isEmpty();
    }

    @Test
    void disablingAndEnabling_isSaidOfExistingAccountsOnly_andHidesADisabledInspectorFromAssignment() throws Exception {
        var a = fresh("赵磊", "inspector", "市公安局");
        accounts.registerAll(List.of(a), pki.clock.instant());
        String id = a.certificate().fingerprint();
        assertThat(accounts.setDisabled(id, pki.clock.instant())).isTrue();
        assertThat(accounts.byCertificate(id)).get().satisfies(e -> assertThat(e.disabledAt()).isEqualTo(pki.clock.instant()));
        assertThat(accounts.byName("赵磊", Role.INSPECTOR)).as("a disabled inspector cannot be assigned").isEmpty();
        assertThat(accounts.list(Role.INSPECTOR)).singleElement().satisfies(l -> assertThat(l.disabledAt()).isNotNull());
        assertThat(accounts.setDisabled(id, null)).isTrue();
        assertThat(accounts.byCertificate(id)).get().satisfies(e -> assertThat(e.disabled()).isFalse());
        assertThat(accounts.byName("赵磊", Role.INSPECTOR)).hasSize(1);
        assertThat(accounts.setDisabled("0".repeat(64), pki.clock.instant())).as("no such account").isFalse();
    }

    @Test
    void theList_isByRole_leavesOutTheServersOwnKeys_andShowsTheCurrentCertificate() throws Exception {
        accounts.register(pki.person("Midang server signing", "server", "Midang").certificate(), pki.clock.instant());
        var unit = fresh("孙丽", "unit", "yx-jyj");
        var inspector = fresh("周杰", "inspector", "市保密局");
        accounts.registerAll(List.of(unit, inspector), pki.clock.instant());
        assertThat(accounts.list(null)).extracting(l -> l.account().commonName()).containsExactlyInAnyOrder("孙丽", "周杰");
        assertThat(accounts.list(Role.UNIT)).extracting(l -> l.account().commonName()).containsExactly("孙丽");
        assertThat(accounts.list(Role.SERVER)).hasSize(1);
        pki.clock.advance(Duration.ofMinutes(1));
        Identity renewed = pki.person("孙丽", "unit", "yx-jyj");
        accounts.renew(unit.certificate().fingerprint(), renewed.certificate(), pki.clock.instant());
        assertThat(accounts.list(Role.UNIT)).singleElement().satisfies(l -> {
            assertThat(l.current()).isEqualTo(renewed.certificate());
            assertThat(l.certificates()).isEqualTo(2);
        });
        assertThat(accounts.byCertificate(unit.certificate().fingerprint())).get().satisfies(e -> assertThat(e.replaced()).isTrue());
    }

    @Test
    void aCertificateWithoutAMidangRole_isNoAccount() {
        Identity none = pki.person("无角色", "visitor", "某单位");
        assertThatThrownBy(() -> accounts.register(none.certificate(), pki.clock.instant())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no Midang role");
    }
}
