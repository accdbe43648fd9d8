package cn.midang.server;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.cli.net.MidangClient;
import cn.midang.keys.digest.Sm3;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code midang-server migrate}: a dev deployment with 250 submissions (1,000 with
 * {@code -Dmidang.test.migrate.submissions=1000}, the figure; CI keeps to 250 for time) on the embedded
 * database and files moves onto PostgreSQL and an S3 bucket; the server then starts from them
 * (the old database folder moved out of its reach), every submission downloads byte for byte,
 * every search answers as before, the audit log verifies. A second run is refused: the target
 * is no longer empty, and the deployment says where its records are.
 */
class MigrationIT {

    private static final int SUBMISSIONS = Integer.getInteger("midang.test.migrate.submissions", 250);
    private static final List<String> QUERIES = List.of("弱口令", "门禁", "\"整改报告\"", "第7批", "系统 -门禁");

    @TempDir
    Path tmp;

    /** The exit code, a line break and what the command printed on standard output (and error, when {@code err} is {@code out}). */
    private static String run(Map<String, String> env, Path log, String... args) throws Exception {
        return run(env, log, log, args);
    }

    private static String run(Map<String, String> env, Path out, Path err, String... args) throws Exception {
        ChildServer.Command c = ChildServer.command(env, out, err, args);
        return c.exit() + "\n" + c.out();
    }

    /** Each query's total and hit ids, as inspector-info sees them. */
    private static Map<String, String> answers(MidangClient inspector) throws Exception {
        Map<String, String> out = new HashMap<>();
        for (String q : QUERIES) {
            JsonNode r = inspector.search(q, "demo", null, null, null, 100, 0);
            List<String> ids = new ArrayList<>();
            r.path("hits").forEach(h -> ids.add(h.path("id").asText()));
            out.put(q, r.path("total").asLong() + " " + ids);
        }
        return out;
    }

    @Test
    void aDeploymentWithItsSubmissions_movesToPostgresqlAndS3_andServesEveryOneAsBefore() throws Exception {
        ChildServer.Deployed dev = ChildServer.deployDev(tmp);
        Map<String, String> sm3s = new ConcurrentHashMap<>();
        Map<String, String> before;
        ChildServer server = ChildServer.start(dev, tmp.resolve("before.log"), "-Xmx512m");
        try {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                work.add(pool.submit(() -> {
                    MidangClient unit = new MidangClient(server.uri(), dev.identity(thread % 2 == 0 ? "unit-a" : "unit-b"), Clock.systemUTC());
                    for (int i = thread; i < SUBMISSIONS; i += 4) {
                        String text = "信息系统安全检查报告 第" + (i % 10) + "批 编号 " + i + "\n"
                                + (i % 3 == 0 ? "发现弱口令问题，已完成整改报告。\n" : "机房门禁系统运行正常。\n");
                        Path f = tmp.resolve("r" + i + ".txt");
                        Files.writeString(f, text);
                        String id = unit.submit(f, "demo", "report", null).receipt().id();
                        sm3s.put(id, Sm3.hex(text.getBytes(StandardCharsets.UTF_8)));
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get();
            }
            pool.shutdown();
            MidangClient inspector = new MidangClient(server.uri(), dev.identity("inspector-info"), Clock.systemUTC());
            // Indexing runs behind the receipts: wait until every report is searchable (no deadline: a busy machine only waits longer).
            while (inspector.search("信息系统", "demo", null, null, null, 1, 0).path("total").asLong() < SUBMISSIONS) {
                assertThat(server.process().waitFor(200, TimeUnit.MILLISECONDS)).as("the server died").isFalse();
            }
            before = answers(inspector);
            // Not while the server runs: the embedded database is its alone.
            assertThat(run(PostgresServer.shared().environment(), tmp.resolve("running.log"), "migrate", "--data", dev.data().toString(),
                    "--to-database", PostgresServer.shared().url(PostgresServer.shared().newDatabase(Optional.empty()))))
                    .doesNotStartWith("0\n").contains("is the server still running? stop it first");
        } finally {
            assertThat(server.stop()).isTrue();
        }
        assertThat(sm3s).hasSize(SUBMISSIONS);

        PostgresServer pg = PostgresServer.shared();
        S3Server s3 = S3Server.shared();
        String database = pg.newDatabase(Optional.empty());
        String bucket = s3.newBucket();
        Map<String, String> env = new HashMap<>(pg.environment());
        env.putAll(S3Server.keys());
        // The records first, as a person reads it; then the packages, as a script reads it.
        String out = run(env, tmp.resolve("migrate.log"), "migrate", "--data", dev.data().toString(), "--to-database", pg.url(database));
        assertThat(out).startsWith("0\n").contains("Records moved and verified").contains("submissions: " + SUBMISSIONS + " row(s)");
        String json = run(env, tmp.resolve("blobs.json"), tmp.resolve("blobs.log"), "migrate", "--data", dev.data().toString(),
                "--to-blobs", s3.url(bucket), "--json");
        assertThat(json).startsWith("0\n");
        JsonNode moved = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.substring(2));
        assertThat(moved.path("blobs").path("count").asLong()).isEqualTo(SUBMISSIONS);
        assertThat(moved.path("verified").asBoolean()).isTrue();
        assertThat(Files.readString(tmp.resolve("blobs.log"))).contains("Sealed packages moved and verified: " + SUBMISSIONS + " (");
        assertThat(Files.readString(dev.data().resolve("server.conf"))).contains("\ndatabase.url = " + pg.url(database) + "\n")
                .contains("\nblobs.url = " + s3.url(bucket) + "\n");
        // The old database and files out of the server's reach: it must run on the new stores alone.
        Files.move(dev.data().resolve("db"), tmp.resolve("db.old"));
        Files.move(dev.data().resolve("blobs"), tmp.resolve("blobs.old"));

        ChildServer.Deployed migrated = new ChildServer.Deployed(dev.data(), dev.pass(), dev.passFile(), env);
        ChildServer after = ChildServer.start(migrated, tmp.resolve("after.log"), "-Xmx512m");
        try {
            assertThat(Files.readString(after.log())).contains("sealed packages are kept in s3://" + bucket);
            MidangClient inspector = new MidangClient(after.uri(), dev.identity("inspector-info"), Clock.systemUTC());
            assertThat(answers(inspector)).isEqualTo(before);
            Path back = tmp.resolve("back.bin");
            for (var e : sm3s.entrySet()) {
                inspector.get(e.getKey(), back);
                assertThat(Sm3.hex(Files.readAllBytes(back))).as(e.getKey()).isEqualTo(e.getValue());
            }
        } finally {
            assertThat(after.stop()).isTrue();
        }
        String verify = run(env, tmp.resolve("verify.log"), "audit", "verify", "--data", dev.data().toString());
        assertThat(verify).startsWith("0\n").contains("Audit log intact");
        // Once moved, there is nothing left to move.
        assertThat(run(env, tmp.resolve("again.log"), "migrate", "--data", dev.data().toString(), "--to-database", pg.url(database)))
                .doesNotStartWith("0\n").contains("in PostgreSQL already");
    }
}
