package cn.midang.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.cli.net.MidangClient;
import cn.midang.cli.net.Receipt;
import cn.midang.keys.digest.Sm3;
import cn.midang.keys.pki.Identity;
import cn.midang.server.archive.Archive;
import cn.midang.server.audit.AuditLog;
import cn.midang.server.config.CrashPoint;
import cn.midang.server.deploy.DataDir;
import cn.midang.server.deploy.Deployment;
import cn.midang.server.submission.Submissions;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server in a child JVM halts, as {@code kill -9} would, at each point of an upload where a crash
 * is hardest to recover from ({@link CrashPoint}: the body staged, the blob named without a record,
 * the record committed without an answer), and is restarted: what a crash leaves is either nothing
 * (the staged or unrecorded blob is swept at the next start) or a whole submission with its signed
 * receipt, readable and verifying; every blob has a record and every record a blob; the audit log
 * still chains. The crash lands where it is meant to, every time: no timing, no luck.
 */
class CrashIT {

    @TempDir
    Path tmp;

    @Test
    void aCrashAtEachPointOfAnUpload_leavesNothingOrAWholeReceiptedSubmission() throws Exception {
        ChildServer.Deployed dev = ChildServer.deployDev(tmp);
        Path data = dev.data();
        // One server only, whatever the record store: nothing else can be uploading, so what a crash left is swept at
        // once (on PostgreSQL the default waits an hour for other nodes' uploads; BlobStoreContract tests that grace).
        Path conf = data.resolve("server.conf");
        Files.writeString(conf, cn.midang.server.config.ServerConfig.withSetting(Files.readString(conf), "blobs.sweep-grace-seconds", "0"));
        Identity unitA = dev.identity("unit-a");
        byte[] content = new byte[3 << 20];
        new Random(3).nextBytes(content);
        Path file = tmp.resolve("report.bin");
        Files.write(file, content);
        String sm3 = Sm3.hex(content);
        List<String> receipted = new ArrayList<>();
        String survivor = null; // the submission recorded by the crash after its commit, never receipted to its uploader

        for (CrashPoint point : CrashPoint.values()) {
            long blobsBefore = committedBlobs(dev);
            ChildServer crashing = ChildServer.start(dev, tmp.resolve("crash-" + point.label() + ".log"),
                    "-Xmx512m", "-Dmidang.crash-at=" + point.label());
            MidangClient client = new MidangClient(crashing.uri(), unitA, Clock.systemUTC());
            // The server dies mid-request: the client sees the connection go, never an answer.
            assertThatThrownBy(() -> client.submit(file, "demo", "report", null)).as(point.label()).isInstanceOf(IOException.class);
            assertThat(crashing.process().waitFor(5, TimeUnit.MINUTES)).isTrue();
            assertThat(crashing.process().exitValue()).as("halted at " + point.label()).isEqualTo(137);
            assertThat(Files.readString(crashing.log())).contains("midang.crash-at=" + point.label() + ": halting");

            // What the crash left on disk, before anyone cleans up.
            switch (point) {
                case UPLOAD_STAGED -> {
                    assertThat(stagedBlobs(data)).as("the staged upload").isEqualTo(1);
                    assertThat(committedBlobs(dev)).isEqualTo(blobsBefore);
                }
                case BLOB_COMMITTED -> {
                    assertThat(stagedBlobs(data)).isZero();
                    assertThat(committedBlobs(dev)).as("a named blob without a record").isEqualTo(blobsBefore + 1);
                    assertThat(records(dev)).isEqualTo(blobsBefore);
                }
                case RECORD_COMMITTED -> {
                    assertThat(committedBlobs(dev)).isEqualTo(blobsBefore + 1);
                    assertThat(records(dev)).as("the record was committed before the halt").isEqualTo(blobsBefore + 1);
                }
            }

            ChildServer restarted = ChildServer.start(dev, tmp.resolve("restart-" + point.label() + ".log"), "-Xmx512m");
            try {
                MidangClient after = new MidangClient(restarted.uri(), unitA, Clock.systemUTC());
                String log = Files.readString(restarted.log());
                if (point == CrashPoint.RECORD_COMMITTED) {
                    assertThat(log).doesNotContain("start-up sweep removed");
                    // The uploader got no receipt, but the submission is whole: listed, readable, its receipt signed.
                    JsonNode listed = after.list("demo", null, null, 100, 0).path("submissions");
                    List<String> ids = new ArrayList<>();
                    listed.forEach(s -> ids.add(s.path("id").asText()));
                    ids.removeAll(receipted);
                    assertThat(ids).as("the one submission the crash recorded").hasSize(1);
                    survivor = ids.get(0);
                    Receipt r = after.receipt(survivor);
                    assertThat(r.contentSm3()).isEqualTo(sm3);
                    Path out = tmp.resolve("survivor.bin");
                    after.get(survivor, out);
                    assertThat(Sm3.hex(Files.readAllBytes(out))).isEqualTo(sm3);
                } else {
                    assertThat(log).as("the restart sweeps what the crash left").contains("start-up sweep removed 1 ");
                }
                // The server works after the crash: a new upload is receipted.
                receipted.add(after.submit(file, "demo", "report", null).receipt().id());
            } finally {
                assertThat(restarted.stop()).isTrue();
            }
            assertThat(stagedBlobs(data)).isZero();
            assertThat(committedBlobs(dev)).as("every blob has a record and every record a blob").isEqualTo(records(dev));
        }

        assertThat(survivor).isNotNull();
        try (Deployment d = Deployment.open(data, dev.pass(), Clock.systemUTC())) {
            Submissions subs = new Submissions(d.database(), Archive.of(d, new cn.midang.server.archive.FileBlobStore(d.dir().blobs())).recordCipher(d.dir().recordKey()));
            assertThat(subs.count()).isEqualTo(receipted.size() + 1L);
            for (String id : receipted) {
                assertThat(subs.byId(id)).isPresent();
            }
            // Three halts later, the audit log still chains and matches every signed checkpoint.
            var audit = AuditLog.verify(d.database(), new DataDir(data).auditCheckpoints(),
                    cn.midang.keys.pki.Certificate.read(data.resolve("server-signing.crt")));
            assertThat(audit.ok()).as(audit.problem()).isTrue();
        }
    }

    static long stagedBlobs(Path data) throws IOException {
        try (Stream<Path> s = Files.list(data.resolve("blobs/tmp"))) {
            return s.count();
        }
    }

    /** The blobs the deployment's store holds, files or objects. */
    static long committedBlobs(ChildServer.Deployed dev) throws Exception {
        try (var blobs = dev.blobs()) {
            return blobs.names().size();
        }
    }

    static long records(ChildServer.Deployed dev) throws Exception {
        try (Deployment d = Deployment.open(dev.data(), dev.pass(), Clock.systemUTC())) {
            return new Submissions(d.database(), Archive.of(d, new cn.midang.server.archive.FileBlobStore(d.dir().blobs())).recordCipher(d.dir().recordKey())).count();
        }
    }
}
