package cn.midang.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.cli.net.MidangClient;
import cn.midang.cli.net.Progress;
import cn.midang.cli.net.Receipt;
import cn.midang.keys.digest.Sm3;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two server nodes, two real {@code midang-server} processes, sharing one PostgreSQL database and
 * one bucket (issue 18): node B is made from node A's directory with {@code join}; a report unit-a
 * hands in through A is found by inspector-info's search on B and comes back from B byte for byte;
 * eight clients upload through both nodes at once and every receipt is whole, its number in its
 * unit's one sequence; A is killed (SIGKILL) in the middle of an upload and B keeps serving
 * everything receipted; the shared audit log verifies from either node's directory.
 */
class TwoNodesIT {

    @TempDir
    Path tmp;

    private final Clock clock = Clock.systemUTC();

    @Test
    void twoNodesSharingPostgresqlAndABucket_serveOneArchive_andOneSurvivesTheOthersDeath() throws Exception {
        PostgresServer pg = PostgresServer.shared();
        S3Server s3 = S3Server.shared();
        String database = pg.newDatabase(Optional.empty());
        String bucket = s3.newBucket();
        Map<String, String> env = new HashMap<>(pg.environment());
        env.putAll(S3Server.keys());
        Path a = tmp.resolve("node-a");
        Path b = tmp.resolve("node-b");
        char[] pass = cn.midang.keys.testkit.TestPki.randomPassphrase();
        Path passFile = tmp.resolve("pass");
        Files.writeString(passFile, new String(pass) + "\n");

        ChildServer.Command init = ChildServer.command(env, tmp.resolve("init.log"), tmp.resolve("init.log"), "init", "--data",
                a.toString(), "--dev", "--database", pg.url(database), "--blobs", s3.url(bucket), "--passphrase-file", passFile.toString());
        assertThat(init.exit()).as(init.out()).isZero();

        // Before A has ever started there is no record key to share: joining then is refused.
        ChildServer.Command early = ChildServer.command(env, tmp.resolve("join-early.log"), tmp.resolve("join-early.log"), "join",
                "--from", a.toString(), "--data", b.toString(), "--node", "node-b");
        assertThat(early.exit()).isNotZero();
        assertThat(early.out()).contains("start the server of");
        assertThat(b).doesNotExist();
        ChildServer.Deployed deployedA = new ChildServer.Deployed(a, pass, passFile, env);
        ChildServer nodeA = ChildServer.start(deployedA, tmp.resolve("node-a.log"), "-Xmx512m");

        // Node B from node A's directory: configuration and keys, nothing a node keeps for itself.
        ChildServer.Command join = ChildServer.command(env, tmp.resolve("join.log"), tmp.resolve("join.log"), "join", "--from",
                a.toString(), "--data", b.toString(), "--node", "node-b");
        assertThat(join.exit()).as(join.out()).isZero();
        assertThat(join.out()).contains("Made node \"node-b\"");
        assertThat(Files.readString(b.resolve("server.conf"))).contains("\nnode.name = node-b\n")
                .contains("\ndatabase.url = " + pg.url(database) + "\n").contains("\nblobs.url = " + s3.url(bucket) + "\n");
        assertThat(Files.readString(a.resolve("server.conf"))).as("A is left as it was").contains("\nnode.name = local\n");
        for (String key : List.of("server-signing.p12", "archive.p12", "tls.p12", "record-key.cms")) {
            assertThat(Files.mismatch(a.resolve("keys").resolve(key), b.resolve("keys").resolve(key))).isEqualTo(-1);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(b.resolve("keys").resolve(key))))
                    .isEqualTo(PosixFilePermissions.toString(Files.getPosixFilePermissions(a.resolve("keys").resolve(key))));
        }
        for (String local : List.of("db", "index", "audit", "identities", "ca", "blobs")) {
            assertThat(b.resolve(local)).as(local + " is not copied").doesNotExist();
        }
        ChildServer.Command sameName = ChildServer.command(env, tmp.resolve("join-same.log"), tmp.resolve("join-same.log"), "join",
                "--from", a.toString(), "--data", tmp.resolve("node-c").toString(), "--node", "local");
        assertThat(sameName.exit()).isNotZero();
        assertThat(sameName.out()).contains("is node \"local\" itself");
        assertThat(tmp.resolve("node-c")).doesNotExist();

        ChildServer.Deployed deployedB = new ChildServer.Deployed(b, pass, passFile, env);
        ChildServer nodeB = ChildServer.start(deployedB, tmp.resolve("node-b.log"), "-Xmx512m");
        Map<String, String> sm3s = new ConcurrentHashMap<>(); // every receipted submission and its content's SM3
        Map<String, List<Long>> numbers = new ConcurrentHashMap<>(); // receipt numbers by unit
        try {
            MidangClient inspectorOnB = new MidangClient(nodeB.uri(), deployedA.identity("inspector-info"), clock);

            // Handed in through A, found through B: the first report starts B's text extractor (a JVM), the second finds it warm.
            MidangClient unitAOnA = new MidangClient(nodeA.uri(), deployedA.identity("unit-a"), clock);
            String token = "twonodes" + Long.toHexString(new Random().nextLong() & Long.MAX_VALUE);
            Receipt first = null;
            for (String when : List.of("cold", "warm")) {
                Path report = text("report-" + when + ".txt", "区县信息系统安全检查报告 " + token + " " + when + " 两个节点共享一个数据库。");
                Receipt r = unitAOnA.submit(report, "demo", "report", null).receipt();
                long receipted = System.nanoTime();
                keep(r, report, sm3s, numbers);
                while (!ids(inspectorOnB.search(token + " " + when, "demo", null, null, null, 10, 0)).contains(r.id())) {
                    assertThat(System.nanoTime() - receipted).as("found on B at all").isLessThan(TimeUnit.MINUTES.toNanos(5));
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                }
                // Reported, not asserted: a busy machine only takes longer (bench/run-nodes.sh measures it).
                System.out.println("TwoNodesIT: searchable on node B " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - receipted)
                        + " ms after its receipt on node A (" + when + " extractor)");
                assertSame(inspectorOnB, r.id(), sm3s.get(r.id()));
                first = first == null ? r : first;
            }
            Path report = tmp.resolve("report-cold.txt");

            // Eight clients at once, half through each node, for both units.
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<?>> uploads = new ArrayList<>();
            for (int c = 0; c < 8; c++) {
                ChildServer node = c % 2 == 0 ? nodeA : nodeB;
                String unit = c % 4 < 2 ? "unit-a" : "unit-b";
                int client = c;
                uploads.add(pool.submit(() -> {
                    MidangClient uploader = new MidangClient(node.uri(), deployedA.identity(unit), clock);
                    for (int i = 0; i < 4; i++) {
                        byte[] content = new byte[(64 << 10) + client * 1000 + i];
                        new Random(client * 100L + i).nextBytes(content);
                        Path file = tmp.resolve("upload-" + client + "-" + i + ".bin");
                        Files.write(file, content);
                        keep(uploader.submit(file, "demo", "report", null).receipt(), file, sm3s, numbers);
                    }
                    return null;
                }));
            }
            for (Future<?> f : uploads) {
                f.get();
            }
            pool.shutdown();
            assertThat(sm3s).hasSize(34);
            for (var e : numbers.entrySet()) {
                List<Long> sorted = e.getValue().stream().sorted().toList();
                assertThat(sorted).as("one sequence of receipt numbers for " + e.getKey() + " across both nodes")
                        .isEqualTo(java.util.stream.LongStream.rangeClosed(1, sorted.size()).boxed().toList());
            }

            // A certificate revoked through A is refused by B from the next request (the list is shared in the database).
            MidangClient testerOnB = new MidangClient(nodeB.uri(), deployedA.identity("tester"), clock);
            assertThat(testerOnB.me().path("role").asText()).isEqualTo("tester");
            cn.midang.keys.pki.CertificateAuthority ca = cn.midang.keys.pki.CertificateAuthority.open(a.resolve("ca"), pass, clock);
            cn.midang.keys.pki.RevocationList crl = ca.revoke(deployedA.identity("tester").certificate(),
                    cn.midang.keys.pki.RevocationReason.KEY_COMPROMISE);
            new MidangClient(nodeA.uri(), deployedA.identity("admin"), clock).postJson("/api/v1/crl", Map.of("crl", crl.toPem()));
            assertThatThrownBy(testerOnB::me).isInstanceOfSatisfying(cn.midang.cli.net.ServerRefusal.class,
                    r -> assertThat(r.code()).isEqualTo("certificate_revoked"));
            assertThat(cn.midang.keys.pki.RevocationList.read(b.resolve("crl.pem")).number()).isEqualTo(crl.number());

            // A dies in the middle of an upload: the client loses its connection, B serves on.
            byte[] large = new byte[48 << 20];
            new Random(18).nextBytes(large);
            Path big = tmp.resolve("large.bin");
            Files.write(big, large);
            Progress killHalfway = new Progress() {
                @Override
                public void start(long total) {}

                @Override
                public void advancedTo(long bytes) {
                    if (bytes >= (8 << 20) && nodeA.process().isAlive()) {
                        nodeA.process().destroyForcibly(); // SIGKILL, with 40 MiB of the body still to come
                    }
                }

                @Override
                public void finish() {}
            };
            assertThatThrownBy(() -> unitAOnA.submit(big, "demo", "report", null, killHalfway)).isInstanceOf(IOException.class);
            assertThat(nodeA.process().waitFor(5, TimeUnit.MINUTES)).isTrue();
            assertThat(nodeA.process().exitValue()).as("killed, not stopped").isEqualTo(137);

            Receipt afterwards = new MidangClient(nodeB.uri(), deployedA.identity("unit-b"), clock).submit(report, "demo", "report", null)
                    .receipt();
            keep(afterwards, report, sm3s, numbers);
            JsonNode listed = inspectorOnB.list("demo", null, null, 200, 0).path("submissions");
            Set<String> onB = new java.util.HashSet<>();
            listed.forEach(s -> onB.add(s.path("id").asText()));
            assertThat(onB).as("everything receipted, and nothing of the cut-off upload").isEqualTo(sm3s.keySet());
            for (var e : new TreeMap<>(sm3s).entrySet()) {
                assertSame(inspectorOnB, e.getKey(), e.getValue());
            }
            assertThat(ids(inspectorOnB.search(token, "demo", null, null, null, 10, 0))).as("B's search still answers")
                    .contains(first.id(), afterwards.id());
        } finally {
            nodeA.process().destroyForcibly();
            assertThat(nodeB.stop()).isTrue();
        }

        // One audit chain for both nodes: verified from either directory (each with the checkpoints it signed).
        for (Path node : List.of(a, b)) {
            ChildServer.Command verify = ChildServer.command(env, tmp.resolve("verify.log"), tmp.resolve("verify.log"), "audit",
                    "verify", "--data", node.toString());
            assertThat(verify.exit()).as(verify.out()).isZero();
            assertThat(verify.out()).contains("Audit log intact");
        }
        // B has indexed under its name: a new node may not take it.
        ChildServer.Command taken = ChildServer.command(env, tmp.resolve("join-taken.log"), tmp.resolve("join-taken.log"), "join",
                "--from", a.toString(), "--data", tmp.resolve("node-c").toString(), "--node", "node-b");
        assertThat(taken.exit()).isNotZero();
        assertThat(taken.out()).contains("a node named \"node-b\" has indexed submissions");
        assertThat(tmp.resolve("node-c")).doesNotExist();

        // A node without the shared record key does not make a key of its own: it refuses to start.
        Files.delete(b.resolve("keys/record-key.cms"));
        assertThatThrownBy(() -> ChildServer.start(deployedB, tmp.resolve("node-b-no-key.log"), "-Xmx512m"))
                .hasMessageContaining("record-key.cms is missing, but the records hold values sealed with a record key");
        assertThat(b.resolve("keys/record-key.cms")).doesNotExist();
    }

    private Path text(String name, String content) throws IOException {
        Path file = tmp.resolve(name);
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }

    private static void keep(Receipt r, Path file, Map<String, String> sm3s, Map<String, List<Long>> numbers) throws IOException {
        sm3s.put(r.id(), Sm3.hex(Files.readAllBytes(file)));
        numbers.computeIfAbsent(r.unit(), u -> java.util.Collections.synchronizedList(new ArrayList<>())).add(r.sequence());
    }

    private static List<String> ids(JsonNode result) {
        List<String> out = new ArrayList<>();
        result.path("hits").forEach(h -> out.add(h.path("id").asText()));
        return out;
    }

    private void assertSame(MidangClient client, String id, String sm3) throws Exception {
        Path out = tmp.resolve("back-" + id);
        client.get(id, out);
        assertThat(Sm3.hex(Files.readAllBytes(out))).as(id).isEqualTo(sm3);
        Files.delete(out);
    }
}
