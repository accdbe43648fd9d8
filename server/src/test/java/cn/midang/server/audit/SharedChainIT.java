package cn.midang.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.keys.audit.AuditRecord;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.tlog.LogCheckpoint;
import cn.midang.server.PostgresServer;
import cn.midang.server.config.ServerConfig;
import cn.midang.server.storage.Database;
import cn.midang.server.tlog.TransparencyLog;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two server nodes on one PostgreSQL database, each with its own connection pool, audit log and
 * transparency log (as two processes would have), append and integrate at the same time: one
 * audit chain with no gap, duplicate or fork, checkpoints both nodes signed that verify with
 * either node's checkpoint file, and one transparency tree grown a round at a time. Without the
 * database's advisory locks the two would both append record n+1 (and one request would fail), or
 * both grow the tree from the same size.
 */
class SharedChainIT {

    @TempDir
    Path tmp;

    @Test
    void twoNodes_appendToOneChain_andGrowOneTree() throws Exception {
        PostgresServer pg = PostgresServer.shared();
        ServerConfig.DatabaseSettings settings = pg.settings(pg.newDatabase(Optional.empty()), tmp);
        Clock clock = Clock.systemUTC();
        Identity signing = Identity.generate("server-signing", clock);
        int threadsPerNode = 3;
        int appendsPerThread = 120;
        try (Database a = Database.postgres(settings.url(), settings.user(), settings.password());
                Database b = Database.postgres(settings.url(), settings.user(), settings.password())) {
            Path fileA = tmp.resolve("a/checkpoints.jsonl");
            Path fileB = tmp.resolve("b/checkpoints.jsonl");
            AuditLog logA = AuditLog.open(a, fileA, signing, null, clock, 25, Duration.ofHours(1));
            AuditLog logB = AuditLog.open(b, fileB, signing, null, clock, 25, Duration.ofHours(1));
            TransparencyLog treeA = new TransparencyLog(a, signing, clock, 8);
            TransparencyLog treeB = new TransparencyLog(b, signing, clock, 8);
            ConcurrentLinkedQueue<Long> sizes = new ConcurrentLinkedQueue<>();
            ExecutorService pool = Executors.newFixedThreadPool(2 * threadsPerNode + 2);
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 2 * threadsPerNode; t++) {
                AuditLog log = t % 2 == 0 ? logA : logB;
                String node = t % 2 == 0 ? "node-a" : "node-b";
                int thread = t;
                work.add(pool.submit(() -> {
                    for (int i = 0; i < appendsPerThread; i++) {
                        log.append(new AuditLog.Entry("req-" + thread + "-" + i, "actor", "unit", "unit-a", "submit", node, "allow", "ok"));
                    }
                    return null;
                }));
            }
            for (TransparencyLog tree : List.of(treeA, treeB)) {
                work.add(pool.submit(() -> {
                    for (int i = 0; i < 15; i++) {
                        LogCheckpoint cp = tree.integrate();
                        sizes.add(cp.head().size());
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get(); // a duplicate record or tree index would have thrown here
            }
            pool.shutdown();
            logA.close();
            logB.close();

            long expected = 2 * threadsPerNode * appendsPerThread + 4L; // and each node's start and stop
            List<AuditRecord> all = logA.records(1, Long.MAX_VALUE);
            assertThat(all).hasSize((int) expected);
            for (int i = 0; i < all.size(); i++) {
                assertThat(all.get(i).seq()).as("no gap, no duplicate").isEqualTo(i + 1L);
                assertThat(all.get(i).prev()).as("one chain, no fork")
                        .isEqualTo(i == 0 ? AuditRecord.GENESIS : all.get(i - 1).hash());
            }
            assertThat(all.stream().filter(r -> r.object().equals("node-a")).count()).isEqualTo(threadsPerNode * (long) appendsPerThread);
            for (Path file : List.of(fileA, fileB)) {
                var result = AuditLog.verify(a, file, signing.certificate());
                assertThat(result.ok()).as(result.problem()).isTrue();
                assertThat(result.lastSigned()).as("the final checkpoint covers the last record").isEqualTo(expected);
            }
            assertThat(AuditLog.fileCheckpoints(fileA)).as("node A signed some").isNotEmpty();
            assertThat(AuditLog.fileCheckpoints(fileB)).as("node B signed some").isNotEmpty();

            assertThat(sizes).as("each round grew the tree from where the other left it").doesNotHaveDuplicates().hasSize(30);
            try (Connection c = a.connection(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT COUNT(*), MAX(idx) FROM log_entries")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(treeA.size()).isEqualTo(rs.getLong(2) + 1);
            }
            assertThat(treeB.size()).isEqualTo(sizes.stream().mapToLong(Long::longValue).max().orElseThrow());
        }
    }
}
