package cn.midang.server;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.cli.net.MidangClient;
import cn.midang.cli.net.ServerRefusal;
import cn.midang.keys.digest.Sm3;
import cn.midang.server.archive.Archive;
import cn.midang.server.audit.AuditLog;
import cn.midang.server.campaign.ShippedCampaigns;
import cn.midang.server.deploy.DataDir;
import cn.midang.server.deploy.Deployment;
import cn.midang.server.submission.Submissions;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL at random moments while clients work: a server in its own JVM (the real jar) takes
 * uploads from two units, downloads, searches, listings and status from an inspector, and
 * campaign definitions and lifecycle steps from the administrator — one load generator in this
 * JVM — and is killed with {@code kill -9} after a random number of operations (not a random time:
 * the moment does not depend on the machine's speed), then restarted, again and again. Afterwards
 * every submission that was receipted is there and comes back byte-identical; no staged or
 * unrecorded package and no record without its package remains; every campaign whose step was
 * answered is in that state; the audit log chains and matches its checkpoints. Prints the time
 * from each start to a healthy {@code /healthz} (median and maximum).
 *
 * <p>{@code -Dmidang.test.crashes=N} (default 4 in {@code bin/test}); {@code bench/run-crashes.sh}
 * runs 100 and writes the figures to {@code bench/results/crashes.txt}.
 */
class CrashCampaignIT {

    @TempDir
    Path tmp;

    static final int CRASHES = Integer.getInteger("midang.test.crashes", 4);

    /** The clients of the server now running, replaced at each restart; null while it is down. */
    record Clients(MidangClient unitA, MidangClient unitB, MidangClient inspector, MidangClient admin) {}

    @Test
    void killedAtRandomUnderLoad_nothingReceiptedIsLost_andNothingHalfWrittenRemains() throws Exception {
        ChildServer.Deployed dev = ChildServer.deployDev(tmp);
        Path conf = dev.data().resolve("server.conf");
        // One server: what a kill cut off is swept at the next start (the grace is for nodes sharing PostgreSQL).
        Files.writeString(conf, cn.midang.server.config.ServerConfig.withSetting(Files.readString(conf), "blobs.sweep-grace-seconds", "0"));
        Map<String, String> receipted = new ConcurrentHashMap<>(); // id -> SM3 of what was sent
        Map<String, Boolean> byUnitA = new ConcurrentHashMap<>(); // id -> whether unit-a sent it (else unit-b)
        Map<String, String> answeredOpen = new ConcurrentHashMap<>(); // campaign id -> "open" once the step was answered
        List<String> surprises = new CopyOnWriteArrayList<>();
        List<Long> startMillis = new ArrayList<>();
        AtomicReference<Clients> now = new AtomicReference<>();
        AtomicLong operations = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        Random moments = new Random(Long.getLong("midang.test.crash-seed", 19));

        ExecutorService load = Executors.newFixedThreadPool(4);
        List<Future<?>> workers = new ArrayList<>();
        workers.add(load.submit(() -> uploads(true, now, receipted, byUnitA, operations, stop, surprises)));
        workers.add(load.submit(() -> uploads(false, now, receipted, byUnitA, operations, stop, surprises)));
        workers.add(load.submit(() -> reads(now, operations, stop, surprises)));
        workers.add(load.submit(() -> lifecycle(now, answeredOpen, operations, stop, surprises)));
        ChildServer server = null;
        try {
            for (int crash = 0; crash <= CRASHES; crash++) {
                long t0 = System.nanoTime();
                server = ChildServer.start(dev, tmp.resolve("run-" + crash + ".log"), "-Xmx512m");
                awaitHealthy(server);
                startMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                assertThat(CrashIT.stagedBlobs(dev.data())).as("staged uploads swept at start %d", crash).isZero();
                operations.set(0);
                now.set(clients(server, dev));
                if (crash == CRASHES) {
                    break; // the last start only serves the checks below
                }
                long at = 1 + moments.nextInt(40);
                while (operations.get() < at) {
                    assertThat(server.process().waitFor(20, TimeUnit.MILLISECONDS)).as("the server died by itself").isFalse();
                    assertThat(workers).noneMatch(Future::isDone);
                }
                now.set(null);
                server.process().destroyForcibly(); // SIGKILL
                assertThat(server.process().waitFor(5, TimeUnit.MINUTES)).isTrue();
                assertThat(server.process().exitValue()).isEqualTo(137);
            }
            stop.set(true);
            for (Future<?> w : workers) {
                w.get();
            }
            assertThat(surprises).isEmpty();

            // Every receipted submission, byte for byte, from the server that survived them all.
            Clients c = now.get();
            for (Map.Entry<String, String> e : receipted.entrySet()) {
                Path out = tmp.resolve("back-" + e.getKey());
                (byUnitA.get(e.getKey()) ? c.unitA() : c.unitB()).get(e.getKey(), out);
                assertThat(Sm3.hex(Files.readAllBytes(out))).as(e.getKey()).isEqualTo(e.getValue());
                Files.delete(out);
            }
            for (JsonNode campaign : c.admin().campaigns().path("campaigns")) {
                if (answeredOpen.containsKey(campaign.path("id").asText())) {
                    assertThat(campaign.path("state").asText()).as(campaign.path("id").asText()).isEqualTo("open");
                }
            }
        } finally {
            stop.set(true);
            load.shutdownNow();
            if (server != null && server.process().isAlive()) {
                assertThat(server.stop()).isTrue();
            }
        }
        assertThat(CrashIT.stagedBlobs(dev.data())).isZero();
        assertThat(CrashIT.committedBlobs(dev)).as("every package has a record and every record its package")
                .isEqualTo(CrashIT.records(dev));
        try (Deployment d = Deployment.open(dev.data(), dev.pass(), Clock.systemUTC())) {
            Submissions subs = new Submissions(d.database(),
                    Archive.of(d, new cn.midang.server.archive.FileBlobStore(d.dir().blobs())).recordCipher(d.dir().recordKey()));
            assertThat(subs.count()).isGreaterThanOrEqualTo(receipted.size());
            var audit = AuditLog.verify(d.database(), new DataDir(dev.data()).auditCheckpoints(),
                    cn.midang.keys.pki.Certificate.read(dev.data().resolve("server-signing.crt")));
            assertThat(audit.ok()).as(audit.problem()).isTrue();
        }
        List<Long> sorted = new ArrayList<>(startMillis);
        Collections.sort(sorted);
        System.out.printf("crash campaign: %d SIGKILLs, %d submissions receipted, %d campaigns opened; start to healthy: median %d ms, "
                + "max %d ms%n", CRASHES, receipted.size(), answeredOpen.size(), sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1));
    }

    private static Clients clients(ChildServer s, ChildServer.Deployed dev) throws Exception {
        return new Clients(new MidangClient(s.uri(), dev.identity("unit-a"), Clock.systemUTC()),
                new MidangClient(s.uri(), dev.identity("unit-b"), Clock.systemUTC()),
                new MidangClient(s.uri(), dev.identity("inspector-info"), Clock.systemUTC()),
                new MidangClient(s.uri(), dev.identity("admin"), Clock.systemUTC()));
    }

    /** Waits for 200 from /healthz (a starting server may listen a moment before it is ready). */
    private static void awaitHealthy(ChildServer s) throws Exception {
        while (true) {
            try {
                HttpResponse<String> r = RawApi.send(s.uri(), "GET", "/healthz", "", null, Map.of());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not answering yet
            }
            assertThat(s.process().waitFor(50, TimeUnit.MILLISECONDS)).as("the server died while starting").isFalse();
        }
    }

    /** What a worker does with the server now running: an operation, or nothing while it is down. */
    @FunctionalInterface
    interface Operation {
        void run(Clients c) throws Exception;
    }

    /**
     * Runs {@code op} against the server now running until stopped: a failure because the server
     * was killed under it (an I/O error) is expected; any other failure is a surprise, kept.
     */
    private static Void loop(AtomicReference<Clients> now, AtomicLong operations, AtomicBoolean stop, List<String> surprises,
            Operation op) throws InterruptedException {
        while (!stop.get()) {
            Clients c = now.get();
            if (c == null) {
                Thread.sleep(10); // the server is down: wait for the next one (not a deadline)
                continue;
            }
            try {
                op.run(c);
                operations.incrementAndGet();
            } catch (IOException killed) {
                // the kill cut this request off: what it did is checked at the end
            } catch (ServerRefusal r) {
                if (now.get() == c) {
                    surprises.add(r.code() + ": " + r.getMessage());
                }
            } catch (Exception e) {
                if (now.get() == c) {
                    surprises.add(String.valueOf(e));
                }
            }
        }
        return null;
    }

    private Void uploads(boolean a, AtomicReference<Clients> now, Map<String, String> receipted, Map<String, Boolean> byUnitA,
            AtomicLong operations,
            AtomicBoolean stop, List<String> surprises) throws InterruptedException {
        Random random = new Random(a ? 1 : 2);
        List<String> mine = new CopyOnWriteArrayList<>();
        return loop(now, operations, stop, surprises, c -> {
            MidangClient me = a ? c.unitA() : c.unitB();
            if (!mine.isEmpty() && random.nextInt(3) == 0) {
                String id = mine.get(random.nextInt(mine.size()));
                Path out = tmp.resolve((a ? "a-" : "b-") + "read.bin");
                me.get(id, out);
                if (!Sm3.hex(Files.readAllBytes(out)).equals(receipted.get(id))) {
                    throw new IllegalStateException("submission " + id + " came back different");
                }
                return;
            }
            byte[] content = new byte[1024 + random.nextInt(256 * 1024)];
            random.nextBytes(content);
            System.arraycopy("自查报告 ".getBytes(StandardCharsets.UTF_8), 0, content, 0, 13);
            Path f = tmp.resolve((a ? "a-" : "b-") + "report.bin");
            Files.write(f, content);
            String id = me.submit(f, "demo", "report", null).receipt().id();
            byUnitA.put(id, a);
            receipted.put(id, Sm3.hex(content));
            mine.add(id);
        });
    }

    private Void reads(AtomicReference<Clients> now, AtomicLong operations, AtomicBoolean stop, List<String> surprises)
            throws InterruptedException {
        Random random = new Random(3);
        return loop(now, operations, stop, surprises, c -> {
            switch (random.nextInt(3)) {
                case 0 -> c.inspector().search("自查报告", "demo", null, null, null, 10, 0);
                case 1 -> c.inspector().list("demo", null, null, 50, 0);
                default -> c.inspector().status("demo");
            }
        });
    }

    private Void lifecycle(AtomicReference<Clients> now, Map<String, String> answeredOpen, AtomicLong operations, AtomicBoolean stop,
            List<String> surprises) throws InterruptedException {
        AtomicLong next = new AtomicLong();
        String shipped = ShippedCampaigns.text("yuxi-2009.yaml");
        return loop(now, operations, stop, surprises, c -> {
            String id = "crash-" + next.incrementAndGet(); // a new id each time: one a kill cut off may exist already
            c.admin().postJson("/api/v1/campaigns", Map.of("definition", shipped.replace("id: yuxi-2009", "id: " + id)));
            c.admin().advance(id, "draft", "open");
            answeredOpen.put(id, "open");
        });
    }
}
