package cn.midang.server;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.cli.net.MidangClient;
import cn.midang.cli.net.ServerRefusal;
import cn.midang.keys.digest.Sm3;
import cn.midang.server.audit.AuditLog;
import cn.midang.server.campaign.Campaign;
import cn.midang.server.campaign.CampaignState;
import cn.midang.server.campaign.Campaigns;
import cn.midang.server.campaign.ShippedCampaigns;
import cn.midang.server.access.AccessRecords;
import cn.midang.server.config.Faults;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The campaign of injected faults (issue 19; SQLite's fault injection is the model): for one
 * upload, one download, one lifecycle step and one summary generation, the Nth write operation the
 * server makes for the request — a file write, an fsync, a rename, a folder's fsync, a database
 * statement or commit, an audit append ({@link Faults.Op}) — fails, for every N from 1 to the number
 * of operations a clean run makes. Each run must end in a success or a coded refusal, never a
 * partial state: every blob has a record and no staged file remains, the lifecycle and the summary
 * are all done or not at all, the client wrote no file; a refusal is the newest audit record
 * ({@code fail}, its code), unless the audit append is what failed, and then the request failed
 * closed. The audit chain verifies at the end. Index commits run off the request, and are tested
 * on their own: a document is never marked indexed before a commit holds it.
 *
 * <p>Runs in its own failsafe execution, in a JVM started with {@code -Dmidang.fault-injection=true}
 * (the server's real code paths with {@link Faults} armed); no other test runs there.
 */
class FaultInjectionIT {

    @TempDir
    static Path tmp;

    static DevServer dev;
    static MidangClient unitA;
    static MidangClient admin;
    static MidangClient inspector;
    static final AtomicInteger RUN = new AtomicInteger();

    /** What a scenario refusal may say: the server's failure, a full disk, or the audit log down. */
    static final Set<String> FAULT_CODES = Set.of("internal", "insufficient_storage", "audit_unavailable");

    @BeforeAll
    static void start() throws Exception {
        // No checkpoint falls due inside a run (they are signed on the timer's thread): each run makes the same operations.
        dev = DevServer.start(tmp.resolve("srv"), Map.of("MIDANG_AUDIT_CHECKPOINT_RECORDS", "1000000"));
        unitA = dev.client("unit-a");
        admin = dev.client("admin");
        inspector = dev.client("inspector-info");
    }

    @AfterEach
    void disarm() {
        Faults.inject(null);
    }

    @AfterAll
    static void stop() throws Exception {
        Faults.inject(null);
        dev.close();
    }

    /** Fails the {@code failAt}th operation (0: none) made on the server's request threads; counts them all. */
    static final class NthOperation implements Faults.Injector {
        final int failAt;
        final List<Faults.Op> seen = new ArrayList<>();
        Faults.Op failed;

        NthOperation(int failAt) {
            this.failAt = failAt;
        }

        @Override
        public synchronized void before(Faults.Op op) throws IOException {
            String thread = Thread.currentThread().getName();
            if (!thread.startsWith("midang-http") && !thread.startsWith("midang-behind-")) {
                // The indexer, the log's rounds, the checkpoint timer: not this request's work. A staged
                // blob is written behind the request (WriteBehind), on the request's behalf: counted.
                return;
            }
            seen.add(op);
            if (seen.size() == failAt) {
                failed = op;
                throw new IOException("injected fault: operation " + failAt + " (" + op + ")");
            }
        }
    }

    /** One request under test: made ready, run, then checked either way. */
    interface Scenario {
        /** Called before every run: fresh state the run may use (e.g. a new campaign). */
        void prepare(int run) throws Exception;

        void act() throws Exception;

        /** The run succeeded: all of it is there. */
        void succeeded() throws Exception;

        /** The run was refused: none of it is there. */
        void refused() throws Exception;
    }

    /**
     * Runs {@code s} once clean to count its operations, then once for every N failing the Nth.
     * Returns the outcomes by operation kind, for the record.
     */
    static Map<String, Integer> campaign(String name, Scenario s, Set<Faults.Op> expected) throws Exception {
        s.prepare(RUN.incrementAndGet()); // once to warm up: the first request of a client makes a few more
        s.act();
        s.succeeded();
        NthOperation clean = new NthOperation(0);
        s.prepare(RUN.incrementAndGet());
        Faults.inject(clean);
        s.act();
        Faults.inject(null);
        s.succeeded();
        assertThat(clean.seen).as("%s: the kinds of operation it makes", name).containsAll(expected);
        int total = clean.seen.size();
        Map<String, Integer> outcomes = new TreeMap<>();
        for (int n = 1; n <= total; n++) {
            NthOperation fault = new NthOperation(n);
            s.prepare(RUN.incrementAndGet());
            long auditBefore = lastAudit().seq();
            long submissionsBefore = dev.submissions();
            String outcome;
            Faults.inject(fault);
            try {
                s.act();
                outcome = "success";
            } catch (ServerRefusal r) {
                outcome = r.code();
            } finally {
                Faults.inject(null);
            }
            String at = name + ": operation " + n + " of " + total + " (" + fault.failed + ") " + fault.seen;
            if (fault.failed == null) {
                // The operations depend a little on the data (a blob's new shard folder is forced too; a
                // generated document's length sets its writes): this run made fewer than n, and none failed.
                assertThat(outcome).as("%s: nothing failed, so it succeeded", at).isEqualTo("success");
                assertThat(fault.seen).as(at).hasSizeLessThan(n);
                s.succeeded();
                outcomes.merge("(only " + fault.seen.size() + " operations) -> success", 1, Integer::sum);
                continue;
            }
            assertThat(dev.blobFiles()).as("%s: every blob has its record, none is staged", at).isEqualTo(dev.submissions());
            if (outcome.equals("success")) {
                s.succeeded();
            } else {
                assertThat(outcome).as(at).isIn(FAULT_CODES);
                assertThat(dev.submissions()).as("%s: no record", at).isEqualTo(submissionsBefore);
                Audited last = lastAudit();
                if (outcome.equals("audit_unavailable")) {
                    assertThat(last.seq()).as("%s: failed closed, nothing acted on or recorded after the failed append", at)
                            .isLessThanOrEqualTo(auditBefore + 1);
                } else {
                    assertThat(last.decision() + " " + last.reason()).as("%s: the refusal is audited", at).startsWith("fail " + outcome + ":");
                }
                s.refused();
            }
            outcomes.merge(fault.failed + " -> " + outcome, 1, Integer::sum);
        }
        assertThat(AuditLog.verify(dev.deployment.database(), dev.deployment.dir().auditCheckpoints(),
                dev.deployment.signingIdentity().certificate()).ok()).as("%s: the audit chain verifies", name).isTrue();
        System.out.println("fault campaign " + name + ": " + total + " operations " + count(clean.seen) + " " + clean.seen
                + "; outcomes " + outcomes);
        Set<String> injected = new java.util.HashSet<>();
        outcomes.keySet().forEach(o -> injected.add(o.substring(0, o.indexOf(' '))));
        assertThat(injected).as("%s: a fault injected into every kind of operation it makes", name)
                .containsAll(expected.stream().map(Enum::name).toList());
        return outcomes;
    }

    record Audited(long seq, String action, String decision, String reason) {}

    static Audited lastAudit() throws Exception {
        try (Connection c = dev.deployment.database().connection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT seq, action, decision, reason FROM audit_log ORDER BY seq DESC LIMIT 1")) {
            rs.next();
            return new Audited(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4));
        }
    }

    static Map<Faults.Op, Integer> count(List<Faults.Op> ops) {
        Map<Faults.Op, Integer> m = new EnumMap<>(Faults.Op.class);
        ops.forEach(op -> m.merge(op, 1, Integer::sum));
        return m;
    }

    static final Set<Faults.Op> FILE_OPS = Set.of(Faults.Op.FILE_WRITE, Faults.Op.FSYNC, Faults.Op.RENAME, Faults.Op.DIRECTORY_FSYNC);
    static final Set<Faults.Op> RECORD_OPS = Set.of(Faults.Op.DB_STATEMENT, Faults.Op.AUDIT_APPEND);

    static Set<Faults.Op> union(Set<Faults.Op> a, Set<Faults.Op> b) {
        Set<Faults.Op> u = new java.util.HashSet<>(a);
        u.addAll(b);
        return u;
    }

    @Test
    void anUpload_endsWhole_orRefusedWithNothingLeft_whicheverOperationFails() throws Exception {
        class Upload implements Scenario {
            Path file;
            byte[] content;
            String id;

            @Override
            public void prepare(int run) throws Exception {
                file = tmp.resolve("故障注入-" + run + ".txt");
                content = ("第 " + run + " 次故障注入的报告。").repeat(200).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                Files.write(file, content);
                id = null;
            }

            @Override
            public void act() throws Exception {
                id = unitA.submit(file, "demo", "report", null).receipt().id();
            }

            @Override
            public void succeeded() throws Exception {
                Path back = tmp.resolve("back-" + id);
                unitA.get(id, back);
                assertThat(Sm3.hex(Files.readAllBytes(back))).isEqualTo(Sm3.hex(content));
                Files.delete(back);
            }

            @Override
            public void refused() throws Exception {
                // blobs == records and no new record: checked for every run
            }
        }
        Map<String, Integer> outcomes = campaign("upload", new Upload(), union(FILE_OPS, RECORD_OPS));
        assertThat(outcomes.keySet()).anyMatch(o -> o.startsWith("FSYNC -> internal"))
                .anyMatch(o -> o.startsWith("AUDIT_APPEND -> audit_unavailable"));
    }

    @Test
    void aDownload_isWholeOrNothing_whicheverOperationFails() throws Exception {
        Path file = tmp.resolve("下载故障.txt");
        byte[] content = "下载时的故障注入。".repeat(500).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Files.write(file, content);
        String id = unitA.submit(file, "demo", "report", null).receipt().id();
        class Download implements Scenario {
            Path out;

            @Override
            public void prepare(int run) {
                out = tmp.resolve("downloads-" + run).resolve("报告.txt");
            }

            @Override
            public void act() throws Exception {
                Files.createDirectories(out.getParent());
                unitA.get(id, out);
            }

            @Override
            public void succeeded() throws Exception {
                assertThat(Sm3.hex(Files.readAllBytes(out))).isEqualTo(Sm3.hex(content));
            }

            @Override
            public void refused() throws Exception {
                try (Stream<Path> left = Files.list(out.getParent())) {
                    assertThat(left.toList()).as("the client wrote nothing").isEmpty();
                }
            }
        }
        campaign("download", new Download(), RECORD_OPS);
    }

    @Test
    void aLifecycleStep_isTakenWhole_orNotAtAll_whicheverOperationFails() throws Exception {
        class Open implements Scenario {
            String id;

            @Override
            public void prepare(int run) throws Exception {
                id = "fault-open-" + run;
                newCampaign(id, CampaignState.DRAFT, Duration.ofDays(-1), Duration.ofDays(7));
            }

            @Override
            public void act() throws Exception {
                admin.advance(id, "draft", "open");
            }

            @Override
            public void succeeded() throws Exception {
                assertThat(state(id)).isEqualTo(CampaignState.OPEN);
            }

            @Override
            public void refused() throws Exception {
                assertThat(state(id)).isEqualTo(CampaignState.DRAFT);
                admin.advance(id, "draft", "open"); // and the step can be taken again
                assertThat(state(id)).isEqualTo(CampaignState.OPEN);
            }
        }
        campaign("lifecycle step (draft -> open)", new Open(), RECORD_OPS);
    }

    @Test
    void aSummary_isGeneratedWhole_orNotAtAll_whicheverOperationFails() throws Exception {
        class Summary implements Scenario {
            String id;

            @Override
            public void prepare(int run) throws Exception {
                id = "fault-sum-" + run;
                newCampaign(id, CampaignState.SUMMARY, Duration.ofDays(-9), Duration.ofDays(-2));
                new AccessRecords(dev.deployment.database()).assign(id, dev.identity("inspector-info").certificate().fingerprint(),
                        dev.clock.instant());
            }

            @Override
            public void act() throws Exception {
                inspector.generateSummary(id);
            }

            @Override
            public void succeeded() throws Exception {
                assertThat(inspector.summary(id).path("version").asInt()).isEqualTo(1);
                assertThat(generated(id)).isEqualTo(3);
            }

            @Override
            public void refused() throws Exception {
                assertThat(generated(id)).as("no document of a failed summary").isZero();
                inspector.generateSummary(id); // generated again, it is the first version
                succeeded();
            }
        }
        campaign("summary generation", new Summary(), union(FILE_OPS, RECORD_OPS));
    }

    /**
     * Index commits run on the indexer's own thread, after the upload answered: while every commit
     * fails, the document is not marked indexed (a crash could still take it out of the index, and
     * the next start indexes it again); once a commit holds, it is.
     */
    @Test
    void aFailingIndexCommit_neverMarksTheDocumentIndexed_untilACommitHolds() throws Exception {
        AtomicInteger failedCommits = new AtomicInteger();
        Faults.inject(op -> {
            if (op == Faults.Op.INDEX_COMMIT) {
                failedCommits.incrementAndGet();
                throw new IOException("injected fault: index commit");
            }
        });
        Path file = tmp.resolve("索引提交故障.txt");
        Files.writeString(file, "索引提交故障 唯一词语甲乙丙丁");
        String id = unitA.submit(file, "demo", "report", null).receipt().id();
        int before = failedCommits.get();
        // The committer tries every second; wait (bounded only by the test's own timeout) for two failed tries after the upload.
        while (failedCommits.get() < before + 2) {
            Thread.sleep(50);
        }
        assertThat(indexState(id)).as("not indexed while no commit holds").isNotEqualTo("indexed");
        Faults.inject(null);
        while (!"indexed".equals(indexState(id))) {
            Thread.sleep(50);
        }
        assertThat(inspector.search("唯一词语甲乙丙丁", "demo", null, null, null, 10, 0).path("hits").size()).isEqualTo(1);
    }

    /** A campaign of the notice's areas with unit-a, in {@code state}, its submissions open and due at these offsets from now. */
    static void newCampaign(String id, CampaignState state, Duration opened, Duration due) throws Exception {
        Instant now = dev.clock.instant();
        new Campaigns(dev.deployment.database()).create(new Campaign(id, "故障注入 " + id, state, now.plus(opened), now.plus(due), true,
                List.of(new Campaign.Unit("unit-a", "甲", "市", true)), ShippedCampaigns.yuxi2009().areas(),
                ShippedCampaigns.yuxi2009().details()));
    }

    static String indexState(String submission) throws Exception {
        try (Connection c = dev.deployment.database().connection();
                PreparedStatement ps = c.prepareStatement("SELECT state FROM index_status WHERE submission_id = ?")) {
            ps.setString(1, submission);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : "none";
            }
        }
    }

    static CampaignState state(String campaign) throws Exception {
        return new Campaigns(dev.deployment.database()).byId(campaign).orElseThrow().state();
    }

    static int generated(String campaign) throws Exception {
        try (Connection c = dev.deployment.database().connection();
                PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM submissions WHERE campaign_id = ?")) {
            ps.setString(1, campaign);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
