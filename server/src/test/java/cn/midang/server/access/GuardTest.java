package cn.midang.server.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.keys.audit.AuditRecord;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.seal.RecordCipher;
import cn.midang.keys.testkit.TestPki;
import cn.midang.server.audit.AuditLog;
import cn.midang.server.campaign.Campaign;
import cn.midang.server.campaign.CampaignState;
import cn.midang.server.campaign.Campaigns;
import cn.midang.server.identity.Account;
import cn.midang.server.identity.Accounts;
import cn.midang.server.identity.Caller;
import cn.midang.server.identity.Role;
import cn.midang.server.refusal.ApiException;
import cn.midang.server.refusal.ErrorCode;
import cn.midang.server.storage.Database;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guard, with a real audit log and access records, in seconds: every decision is recorded
 * before anything else happens (allow and deny alike), a grant carries the listing scope the policy
 * gave, a denial is already audited, and a guard whose log cannot be written refuses (fail closed).
 */
class GuardTest {

    @TempDir
    Path tmp;

    Database db;
    TestPki pki;
    AuditLog audit;
    AccessRecords records;
    Guard guard;
    Caller unit;
    Caller inspector;

    static Caller caller(Identity id, Role role, String org) {
        return new Caller(new Account(id.certificate().fingerprint(), id.certificate().subject(), role, org), id.certificate());
    }

    @BeforeEach
    void setUp() throws Exception {
        db = Database.open(tmp.resolve("db"));
        pki = TestPki.create(tmp.resolve("pki"));
        audit = AuditLog.open(db, tmp.resolve("audit/checkpoints.jsonl"), pki.person("server", "server", "midang"),
                RecordCipher.generate(), pki.clock, 1000, Duration.ofHours(1));
        records = new AccessRecords(db);
        guard = new Guard(records, audit, pki.clock);
        unit = caller(pki.person("unit-a", "unit", "unit-a"), Role.UNIT, "unit-a");
        inspector = caller(pki.person("inspector", "inspector", "市公安局"), Role.INSPECTOR, "市公安局");
        Accounts accounts = new Accounts(db);
        accounts.register(unit.certificate(), pki.clock.instant());
        accounts.register(inspector.certificate(), pki.clock.instant());
        Instant now = pki.clock.instant();
        new Campaigns(db).create(new Campaign("demo", "演示", CampaignState.OPEN, now, now.plus(Duration.ofDays(7)), true,
                List.of(new Campaign.Unit("unit-a", "甲", "市", false))));
    }

    @AfterEach
    void tearDown() {
        audit.close();
        db.close();
    }

    AuditRecord last() throws Exception {
        List<AuditRecord> all = audit.records(1, audit.head());
        return all.get(all.size() - 1);
    }

    @Test
    void anAllowedListing_isRecorded_andItsGrantCarriesTheScope() throws Exception {
        Grant<Target.None> g = guard.check("req-1", unit, Action.LIST_SUBMISSIONS, Target.NONE);
        assertThat(g.caller()).isSameAs(unit);
        assertThat(g.action()).isEqualTo(Action.LIST_SUBMISSIONS);
        assertThat(g.scope().unit()).isEqualTo("unit-a");
        AuditRecord r = last();
        assertThat(r.request()).isEqualTo("req-1");
        assertThat(r.decision()).isEqualTo("allow");
        assertThat(r.actor()).isEqualTo(unit.certificate().fingerprint());
        assertThat(r.role()).isEqualTo("unit");
        assertThat(r.action()).isEqualTo("list-submissions");
    }

    @Test
    void theStandingComesFromTheAccessRecords_readForEachDecision() throws Exception {
        Instant now = pki.clock.instant();
        Grant<Target.None> before = guard.check("req-2", inspector, Action.LIST_SUBMISSIONS, Target.NONE);
        assertThat(before.scope().campaigns()).isEmpty();
        records.assign("demo", inspector.certificate().fingerprint(), now);
        Grant<Target.None> after = guard.check("req-3", inspector, Action.LIST_SUBMISSIONS, Target.NONE);
        assertThat(after.scope().campaigns()).containsExactly("demo");
    }

    @Test
    void aDenial_isRecordedAsDeny_andThrownAlreadyAudited() throws Exception {
        long head = audit.head();
        assertThatThrownBy(() -> guard.check("req-4", unit, Action.AUDIT_EXPORT, new Target.Named("audit:1-")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.NOT_PERMITTED);
                    assertThat(e.audited()).isTrue();
                });
        assertThat(audit.head()).isEqualTo(head + 1);
        AuditRecord r = last();
        assertThat(r.decision()).isEqualTo("deny");
        assertThat(r.reason()).startsWith("not_permitted");
        assertThat(r.object()).isEqualTo("audit:1-");
    }

    @Test
    void nobody_mayReachOnlyThePublicActions_andIsRecordedAsNobody() throws Exception {
        guard.check("req-5", null, Action.HEALTH, Target.NONE);
        assertThat(last().actor()).isEqualTo("-");
        assertThatThrownBy(() -> guard.check("req-6", null, Action.WHOAMI, Target.NONE)).isInstanceOf(ApiException.class);
        assertThat(last().decision()).isEqualTo("deny");
    }

    @Test
    void aRefusalBeforeAuthentication_namesThePresentedCertificate() throws Exception {
        guard.refused("req-7", null, "ab".repeat(32), "download", "/api/v1/submissions/x", ErrorCode.BAD_SIGNATURE, "forged");
        AuditRecord r = last();
        assertThat(r.actor()).isEqualTo("ab".repeat(32));
        assertThat(r.role()).isEqualTo(Guard.UNAUTHENTICATED);
        assertThat(r.decision()).isEqualTo("fail");
        assertThat(r.reason()).startsWith("bad_signature");
    }

    @Test
    void whenTheLogCannotBeWritten_theRequestIsRefused_failClosed() throws Exception {
        db.close(); // the audit store is gone
        assertThatThrownBy(() -> guard.check("req-8", unit, Action.LIST_SUBMISSIONS, Target.NONE))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.AUDIT_UNAVAILABLE));
    }

    @Test
    void aTargetOfTheWrongKind_isADefect_notADecision() {
        assertThatThrownBy(() -> guard.check("req-9", unit, Action.DOWNLOAD, Target.NONE)).isInstanceOf(IllegalArgumentException.class);
    }
}
