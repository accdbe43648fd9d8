package cn.midang.bench;

import cn.midang.keys.audit.AuditChain;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.seal.RecordCipher;
import cn.midang.keys.testkit.TestPki;
import cn.midang.server.audit.AuditLog;
import cn.midang.server.storage.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * What the audit log costs each request: appending one record (SM3 + one H2 insert, file mode,
 * WRITE_DELAY=0, under the log's lock) from 1 and 4 threads, with a signed checkpoint every 1000
 * records as configured by default; and checking a 100,000-record log offline.
 */
public class AuditBench {

    static final AuditLog.Entry ENTRY = new AuditLog.Entry("0123456789abcdef", "ab".repeat(32), "inspector", "市公安局",
            "download", "submission:0123456789abcdef0123456789abcdef", "allow", "assigned inspector");

    @State(Scope.Benchmark)
    public static class Log {
        Path dir;
        Database db;
        AuditLog log;

        @Setup(Level.Trial)
        public void open() throws Exception {
            dir = Files.createTempDirectory("audit-bench");
            Identity server = TestPki.create(dir.resolve("pki")).person("server", "server", "midang");
            db = Database.open(dir.resolve("db"));
            log = AuditLog.open(db, dir.resolve("audit/checkpoints.jsonl"), server, RecordCipher.generate(), Clock.systemUTC(), 1000,
                    Duration.ofSeconds(60));
        }

        @TearDown(Level.Trial)
        public void close() throws Exception {
            log.close();
            db.close();
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Threads(1)
    public Object append1Thread(Log l) throws Exception {
        return l.log.append(ENTRY);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Threads(4)
    public Object append4Threads(Log l) throws Exception {
        return l.log.append(ENTRY);
    }

    @State(Scope.Benchmark)
    public static class Full {
        @Param("100000")
        int records;

        Path dir;
        Database db;
        Identity server;

        @Setup(Level.Trial)
        public void fill() throws Exception {
            dir = Files.createTempDirectory("audit-verify-bench");
            server = TestPki.create(dir.resolve("pki")).person("server", "server", "midang");
            db = Database.open(dir.resolve("db"));
            try (AuditLog log = AuditLog.open(db, dir.resolve("audit/checkpoints.jsonl"), server, RecordCipher.generate(), Clock.systemUTC(), 1000,
                    Duration.ofSeconds(3600))) {
                for (int i = 0; i < records; i++) {
                    log.append(ENTRY);
                }
            }
        }

        @TearDown(Level.Trial)
        public void close() throws Exception {
            db.close();
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** One operation = checking the whole log and its 100 checkpoints; records/s = records / time. */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public AuditChain.Result verifyWholeLog(Full f) throws Exception {
        AuditChain.Result r = AuditLog.verify(f.db, f.dir.resolve("audit/checkpoints.jsonl"), f.server.certificate());
        if (!r.ok() || r.records() < f.records) {
            throw new IllegalStateException(r.problem());
        }
        return r;
    }
}
