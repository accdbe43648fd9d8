package cn.midang.server.search;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.keys.pki.Identity;
import cn.midang.keys.seal.RecordCipher;
import cn.midang.keys.testkit.TestPki;
import cn.midang.server.campaign.Campaign;
import cn.midang.server.campaign.CampaignState;
import cn.midang.server.campaign.Campaigns;
import cn.midang.server.identity.Accounts;
import cn.midang.server.storage.Database;
import cn.midang.server.submission.Kind;
import cn.midang.server.submission.Submissions;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each node's index statuses are its own (several nodes on one database, issue 18): what one node
 * indexed is still pending for another, a rebuild forgets only its own node's, and the quick look
 * at the latest receipts finds what the full one finds among them.
 */
class IndexStatusTest {

    @TempDir
    Path tmp;

    @Test
    void statusesArePerNode_andTheRecentLookSeesOnlyTheLatestReceipts() throws Exception {
        try (Database db = Database.open(tmp.resolve("db"))) {
            TestPki pki = TestPki.create(tmp.resolve("pki"));
            Instant now = pki.clock.instant();
            Identity unit = pki.person("unit-a", "unit", "unit-a");
            new Accounts(db).register(unit.certificate(), now);
            new Campaigns(db).create(new Campaign("demo", "演示", CampaignState.OPEN, now, now.plus(Duration.ofDays(7)), true,
                    List.of(new Campaign.Unit("unit-a", "甲", "市", false))));
            Submissions submissions = new Submissions(db, RecordCipher.generate());
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                String id = String.format("%032x", i + 1);
                submissions.record(new Submissions.Pending(id, new Submissions.Placement("demo", "unit-a", Kind.REPORT, null, null),
                        new Submissions.Content("r" + i + ".txt", 1, "0".repeat(64), 100, "blob-" + id), unit.certificate().fingerprint(),
                        "0".repeat(64), now, false), bytes -> new byte[] {1});
                ids.add(id);
            }
            IndexStatus a = new IndexStatus(db);
            IndexStatus b = new IndexStatus(db, "node-b");
            a.record(ids.get(0), IndexStatus.INDEXED, "", "text/plain", false, now);
            a.record(ids.get(1), IndexStatus.NOT_INDEXED, "too_large", "", false, now);
            b.record(ids.get(3), IndexStatus.INDEXED, "", "text/plain", false, now);

            assertThat(a.pending()).containsExactly(ids.get(2), ids.get(3), ids.get(4));
            assertThat(b.pending()).as("node A's work is not node B's").containsExactly(ids.get(0), ids.get(1), ids.get(2), ids.get(4));
            assertThat(b.recentlyPending(2)).as("the last two receipts only").containsExactly(ids.get(4));
            assertThat(b.recentlyPending(1000)).isEqualTo(b.pending());
            assertThat(submissions.list(new cn.midang.server.submission.ListScope(null, java.util.Set.of("demo"), null), "demo", null, null, 10, 0))
                    .as("node local's list shows node local's statuses").extracting(Submissions.Listed::indexState)
                    .containsExactly("pending", "pending", "pending", "not_indexed", "indexed");

            b.clear();
            assertThat(b.pending()).hasSize(5);
            assertThat(a.pending()).as("a rebuild of B's index forgets only B's").hasSize(3);
        }
    }
}
