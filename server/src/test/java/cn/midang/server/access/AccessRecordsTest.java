package cn.midang.server.access;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.keys.pki.Identity;
import cn.midang.keys.testkit.TestPki;
import cn.midang.server.campaign.Campaign;
import cn.midang.server.campaign.CampaignState;
import cn.midang.server.campaign.Campaigns;
import cn.midang.server.identity.Account;
import cn.midang.server.identity.Accounts;
import cn.midang.server.identity.Role;
import cn.midang.server.storage.Database;
import cn.midang.server.submission.Kind;
import cn.midang.server.submission.Submissions;
import cn.midang.keys.seal.RecordCipher;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The facts the guard reads a caller's standing from (C1, C3): engagements, attestations, permits, accounts. */
class AccessRecordsTest {

    @TempDir
    Path tmp;

    Database db;
    TestPki pki;
    AccessRecords records;
    Accounts accounts;
    Identity admin;
    Identity tester;
    Instant now;

    @BeforeEach
    void setUp() throws Exception {
        db = Database.open(tmp.resolve("db"));
        pki = TestPki.create(tmp.resolve("pki"));
        now = pki.clock.instant();
        accounts = new Accounts(db);
        admin = pki.person("admin", "admin", "office");
        tester = pki.person("lab-1", "tester", "检测机构");
        accounts.register(admin.certificate(), now);
        accounts.register(tester.certificate(), now);
        new Campaigns(db).create(new Campaign("demo", "演示", CampaignState.OPEN, now, now.plus(Duration.ofDays(7)), true,
                List.of(new Campaign.Unit("unit-a", "甲", "市", false))));
        records = new AccessRecords(db);
        records.createEngagement(new Engagement("eng-1", "检测机构", "demo", List.of("unit-a"), now, now.plus(Duration.ofDays(2)), null),
                admin.certificate().fingerprint(), now);
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    @Test
    void anEngagement_isReadBack_andItsAttestationIsFiledOnce() throws Exception {
        Engagement e = records.engagement("eng-1").orElseThrow();
        assertThat(e.testerOrg()).isEqualTo("检测机构");
        assertThat(e.units()).containsExactly("unit-a");
        assertThat(e.openAt(now)).isTrue();
        assertThat(e.covers("demo", "unit-a")).isTrue();
        assertThat(e.covers("demo", "unit-b")).isFalse();
        assertThat(records.engagement("eng-none")).isEmpty();
        assertThat(records.engagements("检测机构")).extracting(Engagement::id).containsExactly("eng-1");
        assertThat(records.engagements("另一机构")).isEmpty();

        assertThat(records.attest("eng-1", tester.certificate().fingerprint(), new byte[] {1}, new byte[] {2}, now)).isTrue();
        assertThat(records.attest("eng-1", tester.certificate().fingerprint(), new byte[] {1}, new byte[] {2}, now))
                .as("a second attestation").isFalse();
        Engagement attested = records.engagement("eng-1").orElseThrow();
        assertThat(attested.attestedAt()).isEqualTo(now);
        assertThat(attested.openAt(now)).as("an attested engagement takes no more results").isFalse();
    }

    @Test
    void aPermit_namesItsSubmissions_untilItExpires_andOnlyForItsTestingBody() throws Exception {
        Submissions subs = new Submissions(db, RecordCipher.generate());
        for (String id : List.of("a".repeat(32), "b".repeat(32))) {
            subs.record(new Submissions.Pending(id, new Submissions.Placement("demo", "unit-a", Kind.TEST_RESULT, null, null),
                    new Submissions.Content("结果.txt", 1, "0".repeat(64), 100, "blob-" + id), tester.certificate().fingerprint(),
                    "0".repeat(64), now, false), bytes -> new byte[] {1});
        }
        records.issuePermit("permit-1", "检测机构", List.of("a".repeat(32), "b".repeat(32)), now.plus(Duration.ofDays(1)),
                admin.certificate().fingerprint(), now);
        assertThat(records.permitted("检测机构", now)).containsExactlyInAnyOrder("a".repeat(32), "b".repeat(32));
        assertThat(records.permitted("另一机构", now)).isEmpty();
        assertThat(records.permitted("检测机构", now.plus(Duration.ofDays(1)))).as("at its expiry").isEmpty();
        assertThat(records.permitted("检测机构", now.plus(Duration.ofDays(1)).minusMillis(1))).hasSize(2);
    }

    @Test
    void assignments_andAccounts_areFoundByWhatTheRequestsName() throws Exception {
        Identity inspector = pki.person("inspector-info", "inspector", "市公安局");
        Account a = accounts.register(inspector.certificate(), now);
        assertThat(a.role()).isEqualTo(Role.INSPECTOR);
        assertThat(accounts.byFingerprint(inspector.certificate().fingerprint())).contains(a);
        assertThat(accounts.byFingerprint("0".repeat(64))).isEmpty();
        assertThat(accounts.byName("inspector-info", Role.INSPECTOR)).containsExactly(a);
        assertThat(accounts.byName("inspector-info", Role.UNIT)).isEmpty();
        assertThat(accounts.byName("nobody", Role.INSPECTOR)).isEmpty();
        assertThat(records.assignedCampaigns(inspector.certificate().fingerprint())).isEmpty();
        records.assign("demo", inspector.certificate().fingerprint(), now);
        records.assign("demo", inspector.certificate().fingerprint(), now); // twice is once
        assertThat(records.assignedCampaigns(inspector.certificate().fingerprint())).containsExactly("demo");
        assertThat(Standing.of(new cn.midang.server.identity.Caller(a, inspector.certificate()), records, now).assignedCampaigns())
                .containsExactly("demo");
    }
}
