package cn.midang.bench;

import cn.midang.keys.pki.Identity;
import cn.midang.keys.testkit.TestPki;
import cn.midang.keys.tlog.LogCheckpoint;
import cn.midang.keys.tlog.LogEntry;
import cn.midang.keys.tlog.MerkleTree;
import cn.midang.keys.tlog.NoteKey;
import cn.midang.keys.tlog.TreeHasher;
import cn.midang.server.storage.Database;
import cn.midang.server.tlog.TransparencyLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * What the transparency log costs (issue 16), on H2 in file mode as the server runs it: a round
 * of 8 (an idle minute), a round taking in 1,000 and 10,000 pending statements, the log grown to
 * SIZE entries; then, at that size, an inclusion proof and a consistency proof made from the tiles,
 * and checked, per proof. Prints one line per figure.
 *
 *   java -cp bench/target/midang-bench.jar cn.midang.bench.LogBench [SIZE, default 1000000]
 */
public final class LogBench {

    public static void main(String[] args) throws Exception {
        long target = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        Path dir = Files.createTempDirectory("log-bench");
        Identity server = TestPki.create(dir.resolve("pki")).person("server", "server", "midang");
        try (Database db = Database.open(dir.resolve("db"))) {
            TransparencyLog log = new TransparencyLog(db, server, Clock.systemUTC(), 8);
            log.integrate();
            long t = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                log.integrate();
            }
            report("idle round (8 random entries, signed checkpoint)", (System.nanoTime() - t) / 20);
            List<byte[]> statements = new ArrayList<>();
            for (int pending : new int[] {1_000, 10_000}) {
                List<byte[]> batch = pend(db, pending, statements.size());
                statements.addAll(batch);
                t = System.nanoTime();
                log.integrate();
                report("round taking in " + pending + " statements", System.nanoTime() - t);
            }
            t = System.nanoTime();
            long grownFrom = log.size();
            while (log.size() < target) {
                pend(db, 10_000, -1);
                log.integrate();
            }
            double perEntry = (System.nanoTime() - t) / (double) Math.max(1, log.size() - grownFrom);
            System.out.printf(Locale.ROOT, "grew the log to %,d entries: %.1f µs per entry%n", log.size(), perEntry / 1000);
            long size = log.size();
            LogCheckpoint cp = LogCheckpoint.open(log.checkpoint(0).orElseThrow(), NoteKey.forLog(server.certificate()), List.of(), 0);
            Random r = new Random(16);
            int n = 200;
            long proving = 0;
            long checking = 0;
            for (int i = 0; i < n; i++) {
                byte[] e = statements.get(r.nextInt(statements.size()));
                long a = System.nanoTime();
                TransparencyLog.Inclusion in = log.inclusion(e).orElseThrow();
                long b = System.nanoTime();
                if (!MerkleTree.verifyInclusion(TreeHasher.SM3, in.index(), in.size(), TreeHasher.SM3.leaf(e), in.proof(),
                        cp.head().root())) {
                    throw new AssertionError("an inclusion proof did not verify");
                }
                checking += System.nanoTime() - b;
                proving += b - a;
            }
            report("inclusion proof at " + String.format(Locale.ROOT, "%,d", size) + " (lookup + tiles + path)", proving / n);
            report("inclusion proof checked", checking / n);
            List<Long> sizes = sizes(db);
            proving = 0;
            for (int i = 0; i < n; i++) {
                long from = sizes.get(r.nextInt(sizes.size() - 1));
                long a = System.nanoTime();
                log.consistency(from, size).orElseThrow();
                proving += System.nanoTime() - a;
            }
            report("consistency proof to " + String.format(Locale.ROOT, "%,d", size) + " from a random earlier checkpoint", proving / n);
            System.out.printf(Locale.ROOT, "database folder: %.1f MiB for %,d entries%n", folderBytes(dir.resolve("db")) / 1048576.0, size);
        }
    }

    static List<byte[]> pend(Database db, int count, int seed) throws Exception {
        List<byte[]> out = new ArrayList<>();
        db.inTransaction(c -> {
            for (int i = 0; i < count; i++) {
                byte[] statement = ("receipt " + seed + "/" + i + "/" + System.nanoTime()).getBytes();
                byte[] e = LogEntry.of(LogEntry.Kind.RECEIPT, statement, statement);
                TransparencyLog.add(c, e);
                out.add(e);
            }
            return null;
        });
        return out;
    }

    static List<Long> sizes(Database db) throws Exception {
        List<Long> out = new ArrayList<>();
        try (var c = db.connection(); var s = c.createStatement(); var rs = s.executeQuery("SELECT size FROM log_checkpoints ORDER BY size")) {
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
        }
        return out;
    }

    static long folderBytes(Path dir) throws Exception {
        try (var s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    static void report(String what, long nanos) {
        System.out.printf(Locale.ROOT, "%-80s %10.3f ms%n", what, nanos / 1e6);
    }
}
