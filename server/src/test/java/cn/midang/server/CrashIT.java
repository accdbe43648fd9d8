package cn.midang.server;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.cli.net.MidangClient;
import cn.midang.cli.net.Receipt;
import cn.midang.keys.digest.Sm3;
import cn.midang.keys.pki.Identity;
import cn.midang.server.deploy.Deployment;
import cn.midang.server.storage.Database;
import cn.midang.server.submission.Submissions;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server in a child JVM is killed with SIGKILL in the middle of uploads, three times, and
 * restarted: every upload that got a receipt is there and verifies, and no half-written blob or
 * record remains.
 */
class CrashIT {

    @TempDir
    Path tmp;

    Child startChild(Path data, Path passFile, int round) throws Exception {
        ChildServer c = ChildServer.start(data, passFile, tmp.resolve("server-" + round + ".log"), "-Xmx512m");
        return new Child(c.process(), c.uri(), c.log());
    }

    record Child(Process process, java.net.URI uri, Path log) {}

    record Sent(Receipt receipt, String sm3) {}

    @Test
    void sigkillDuringUploads_keepsEveryReceiptedUploadAndNothingHalfWritten() throws Exception {
        ChildServer.Deployed dev = ChildServer.deployDev(tmp);
        Path data = dev.data();
        Path passFile = dev.passFile();
        Identity unitA = dev.identity("unit-a");
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            byte[] b = new byte[(1 + i) << 20];
            new Random(i).nextBytes(b);
            Path f = tmp.resolve("file-" + i + ".bin");
            Files.write(f, b);
            files.add(f);
        }
        List<Sent> receipted = new CopyOnWriteArrayList<>();
        for (int round = 0; round < 3; round++) {
            Child child = startChild(data, passFile, round);
            MidangClient client = new MidangClient(child.uri(), unitA, Clock.systemUTC());
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService pool = Executors.newFixedThreadPool(3);
            int before = receipted.size();
            for (int t = 0; t < 3; t++) {
                int thread = t;
                pool.submit(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        Path f = files.get((thread + i) % files.size());
                        try {
                            Receipt r = client.submit(f, "demo", "report", null).receipt();
                            receipted.add(new Sent(r, Sm3.hex(Files.readAllBytes(f))));
                        } catch (Exception e) {
                            return; // the server died under us: expected
                        }
                    }
                });
            }
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (receipted.size() < before + 4 + round && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            Thread.sleep(150 + 200L * round); // land the kill inside later uploads
            child.process().destroyForcibly(); // SIGKILL
            child.process().waitFor(30, TimeUnit.SECONDS);
            stop.set(true);
            pool.shutdown();
            assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(receipted).hasSizeGreaterThan(10);

        Child last = startChild(data, passFile, 99);
        try {
            MidangClient client = new MidangClient(last.uri(), unitA, Clock.systemUTC());
            for (Sent s : receipted) {
                Path out = tmp.resolve("check-" + s.receipt().id());
                client.get(s.receipt().id(), out);
                assertThat(Sm3.hex(Files.readAllBytes(out))).isEqualTo(s.sm3()).isEqualTo(s.receipt().contentSm3());
                Files.delete(out);
            }
        } finally {
            last.process().destroy(); // SIGTERM: clean shutdown
            assertThat(last.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(Files.readString(last.log())).contains("Midang server stopped");

        try (Stream<Path> staged = Files.list(data.resolve("blobs/tmp"))) {
            assertThat(staged.toList()).as("staged files after restart").isEmpty();
        }
        long blobFiles;
        try (Stream<Path> s = Files.walk(data.resolve("blobs"))) {
            blobFiles = s.filter(Files::isRegularFile).count();
        }
        try (Deployment d = Deployment.open(data, dev.pass(), Clock.systemUTC())) {
            Database db = d.database();
            Submissions subs = new Submissions(db, MidangServer.recordCipher(d));
            assertThat(blobFiles).as("every blob has a record and every record a blob").isEqualTo(subs.count());
            assertThat(subs.blobNames()).hasSize((int) blobFiles);
            assertThat(subs.count()).isGreaterThanOrEqualTo(receipted.size());
            for (Sent s : receipted) { // each receipt kept (sealed) is the one its uploader was given
                assertThat(subs.byId(s.receipt().id()).orElseThrow().receipt()).isEqualTo(s.receipt().bytes());
            }
            // Three kills -9 later, the audit log still chains and matches every signed checkpoint.
            var audit = cn.midang.server.audit.AuditLog.verify(db, new cn.midang.server.deploy.DataDir(data).auditCheckpoints(),
                    cn.midang.keys.pki.Certificate.read(data.resolve("server-signing.crt")));
            assertThat(audit.ok()).as(audit.problem()).isTrue();
            assertThat(audit.records()).isGreaterThan(receipted.size());
        }
        long sweeps = 0;
        for (int round : new int[] {1, 2, 99}) {
            if (Files.readString(tmp.resolve("server-" + round + ".log")).contains("start-up sweep removed")) {
                sweeps++;
            }
        }
        System.out.println("CrashIT: " + receipted.size() + " receipted uploads survived 3 SIGKILLs; "
                + sweeps + " of 3 restarts swept half-written blobs");
    }
}
