package cn.midang.server;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.cli.net.MidangClient;
import cn.midang.keys.digest.Sm3;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backup and restore of the embedded default, as an operator does them, with the real jar: a
 * server in its own JVM takes uploads while {@code midang-server backup} asks it (over its control
 * socket) for a copy; {@code backup verify} checks it and refuses it with one byte changed (in a
 * package, in the records, in the manifest); {@code restore} makes a new directory, which starts,
 * rebuilds its index and serves exactly the submissions of the cut, each byte-identical — every
 * one receipted before the backup began among them. The audit logs of both verify.
 */
class BackupIT {

    @TempDir
    static Path tmp;

    static final ObjectMapper JSON = new ObjectMapper();

    ChildServer.Command server(ChildServer.Deployed dev, String name, String... args) throws Exception {
        Path out = tmp.resolve(name + ".out");
        return ChildServer.command(dev.env(), out, out, args);
    }

    @Test
    void aBackupTakenDuringUploads_restoresToAServerWithEveryReceiptedSubmissionOfItsCut() throws Exception {
        ChildServer.Deployed dev = ChildServer.deployDev(tmp);
        Map<String, String> sent = new ConcurrentHashMap<>(); // submission id -> SM3 of what was sent
        Path backup = tmp.resolve("backups").resolve("first");
        Set<String> beforeBackup;
        ChildServer running = ChildServer.start(dev, tmp.resolve("running.log"));
        // The operator's channel: only the server's user may enter its folder or open it; it does one thing only.
        Path socket = dev.data().resolve("run/control.sock");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())))
                .isEqualTo("rwx------");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
        for (Map<String, String> bad : java.util.List.of(Map.of("op", "restore", "to", tmp.resolve("x").toString()),
                Map.of("op", "backup", "to", "relative/folder"))) {
            JsonNode refused = cn.midang.server.backup.ControlSocket.ask(socket, bad, line -> { });
            assertThat(refused.path("ok").asBoolean()).as(bad.toString()).isFalse();
        }
        assertThat(tmp.resolve("x")).doesNotExist();
        ExecutorService uploads = Executors.newSingleThreadExecutor();
        AtomicBoolean stop = new AtomicBoolean();
        try {
            Future<?> uploading = uploads.submit(() -> {
                MidangClient unit = new MidangClient(running.uri(), dev.identity("unit-a"), Clock.systemUTC());
                for (int i = 0; !stop.get(); i++) {
                    byte[] content = ("自查报告 第 " + i + " 份：应急响应预案已演练。" + "。".repeat(i * 37 % 500)).getBytes(StandardCharsets.UTF_8);
                    Path f = tmp.resolve("report-" + i + ".txt");
                    Files.write(f, content);
                    sent.put(unit.submit(f, "demo", "report", null).receipt().id(), Sm3.hex(content));
                }
                return null;
            });
            while (sent.size() < 10) {
                assertThat(uploading.isDone()).as("the uploads stopped: %s", uploading).isFalse();
                Thread.sleep(20); // polling what another thread made, not a deadline
            }
            beforeBackup = new HashSet<>(sent.keySet());
            ChildServer.Command taken = server(dev, "backup", "backup", "--data", dev.data().toString(), "--to", backup.toString(),
                    "--json");
            assertThat(taken.exit()).as(taken.out()).isZero();
            JsonNode result = JSON.readTree(taken.out().lines().reduce((a, b) -> b).orElseThrow());
            assertThat(result.path("by").asText()).isEqualTo("the running server");
            int atLeast = sent.size() + 3;
            while (sent.size() < atLeast) {
                assertThat(uploading.isDone()).as("the uploads stopped: %s", uploading).isFalse();
                Thread.sleep(20);
            }
            stop.set(true);
            uploading.get();

            // Incremental: the next backup links every package of the first (unchanged since) and copies only the new ones.
            Path second = tmp.resolve("backups").resolve("second");
            ChildServer.Command next = server(dev, "backup-since", "backup", "--data", dev.data().toString(), "--to", second.toString(),
                    "--since", backup.toString(), "--json");
            assertThat(next.exit()).as(next.out()).isZero();
            JsonNode nextResult = JSON.readTree(next.out().lines().reduce((a, b) -> b).orElseThrow());
            long firstPackages;
            try (var files = Files.list(backup.resolve("blobs"))) {
                firstPackages = files.count();
            }
            assertThat(firstPackages).isEqualTo(result.path("submissions").asLong());
            assertThat(nextResult.path("submissions").asLong()).isGreaterThanOrEqualTo(firstPackages + 3);
            // Linked: every package of the first named at least a second (Backup.MARGIN) before the first read its packages;
            // the few the uploads named just before that are copied again, whole.
            java.time.Instant read = java.time.Instant.parse(JSON.readTree(backup.resolve("MANIFEST.json").toFile())
                    .path("packages_read_from").asText());
            long linked = 0;
            try (var files = Files.list(backup.resolve("blobs"))) {
                for (Path f : files.toList()) {
                    String name = f.getFileName().toString();
                    Path blob = dev.data().resolve("blobs").resolve(name.substring(0, 2)).resolve(name);
                    boolean old = ((java.nio.file.attribute.FileTime) Files.getAttribute(blob, "unix:ctime")).toInstant()
                            .isBefore(read.minusSeconds(1));
                    Path again = second.resolve("blobs").resolve(name);
                    assertThat(Files.isSameFile(f, again)).as("%s linked", f).isEqualTo(old);
                    assertThat(Files.readAllBytes(again)).isEqualTo(Files.readAllBytes(f));
                    linked += old ? 1 : 0;
                }
            }
            assertThat(linked).isPositive().isEqualTo(nextResult.path("linked").asLong());
            assertThat(server(dev, "verify-second", "backup", "verify", second.toString()).exit()).isZero();

            // Refusals: a folder that is not empty, a folder inside the data directory; nothing written to either.
            assertThat(server(dev, "again", "backup", "--data", dev.data().toString(), "--to", backup.toString()).out())
                    .contains("exists and is not an empty folder");
            assertThat(server(dev, "inside", "backup", "--data", dev.data().toString(), "--to", dev.data().resolve("bk").toString()).out())
                    .contains("inside the data directory");
            assertThat(dev.data().resolve("bk")).doesNotExist();
        } finally {
            stop.set(true);
            uploads.shutdown();
            assertThat(running.stop()).isTrue();
        }
        // The running server audited the backup, as the operator; its chain verifies.
        try (var db = cn.midang.server.storage.Database.open(dev.data().resolve("db"));
                var c = db.connection(); var s = c.createStatement();
                var rs = s.executeQuery("SELECT role, object, reason FROM audit_log WHERE action = 'backup' AND decision = 'allow' ORDER BY seq")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("operator");
            assertThat(rs.getString(2)).isEqualTo(backup.toString());
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(2)).isEqualTo(tmp.resolve("backups").resolve("second").toString());
            assertThat(rs.getString(3)).endsWith("linking unchanged packages from " + backup);
        }
        try (var db = cn.midang.server.storage.Database.open(dev.data().resolve("db"));
                var c = db.connection(); var s = c.createStatement();
                var rs = s.executeQuery("SELECT COUNT(*) FROM audit_log WHERE role = 'operator' AND decision = 'deny'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("both refused operator requests audited").isEqualTo(2);
        }
        assertThat(server(dev, "audit", "audit", "verify", "--data", dev.data().toString()).exit()).isZero();

        ChildServer.Command verified = server(dev, "verify", "backup", "verify", backup.toString(), "--json");
        assertThat(verified.exit()).as(verified.out()).isZero();
        long cut = JSON.readTree(verified.out()).path("cut").path("submissions").asLong();
        assertThat(cut).isBetween((long) beforeBackup.size(), (long) sent.size());
        String openssl = openSslVerify(backup);
        assertThat(openssl).contains("Verified OK");

        // One changed byte anywhere is found, and such a backup is not restored.
        for (String changed : new String[] {"db.zip", "blobs/" + blobName(backup), "MANIFEST.json", "keys/record-key.cms"}) {
            Path copy = tmp.resolve("tampered-" + changed.replace('/', '-'));
            org.apache.commons.io.FileUtils.copyDirectory(backup.toFile(), copy.toFile());
            flipOneByte(copy.resolve(changed));
            ChildServer.Command refused = server(dev, "tampered", "backup", "verify", copy.toString());
            assertThat(refused.exit()).as(changed + ": " + refused.out()).isEqualTo(6);
            assertThat(refused.out()).as(changed).contains("does NOT check out");
            Path nowhere = tmp.resolve("restored-from-tampered");
            ChildServer.Command restoreRefused = server(dev, "tampered-restore", "restore", "--from", copy.toString(), "--data",
                    nowhere.toString());
            assertThat(restoreRefused.exit()).as(changed).isNotZero();
            assertThat(nowhere).as(changed).doesNotExist();
        }
        ChildServer.Command extra = extraFile(backup);
        assertThat(extra.exit()).isEqualTo(6);
        assertThat(extra.out()).contains("not in the manifest");

        // Restored: it starts, rebuilds its index, and serves exactly the cut, byte for byte.
        Path restored = tmp.resolve("restored");
        ChildServer.Command restore = server(dev, "restore", "restore", "--from", backup.toString(), "--data", restored.toString());
        assertThat(restore.exit()).as(restore.out()).isZero();
        assertThat(restored.resolve("index")).doesNotExist();
        assertThat(Files.getPosixFilePermissions(restored.resolve("keys/server-signing.p12")))
                .isEqualTo(Files.getPosixFilePermissions(dev.data().resolve("keys/server-signing.p12")));
        ChildServer.Deployed again = new ChildServer.Deployed(restored, dev.pass(), dev.passFile(), dev.env());
        ChildServer after = ChildServer.start(again, tmp.resolve("restored.log"));
        try {
            MidangClient unit = new MidangClient(after.uri(), dev.identity("unit-a"), Clock.systemUTC());
            Set<String> served = new HashSet<>();
            for (int offset = 0; ; offset += 100) {
                JsonNode page = unit.list("demo", null, null, 100, offset).path("submissions");
                page.forEach(s -> served.add(s.path("id").asText()));
                if (page.size() < 100) {
                    break;
                }
            }
            assertThat(served).hasSize((int) cut).containsAll(beforeBackup);
            assertThat(sent.keySet()).containsAll(served);
            Map<String, String> back = new HashMap<>();
            for (String id : served) {
                Path out = tmp.resolve("back-" + id);
                unit.get(id, out);
                back.put(id, Sm3.hex(Files.readAllBytes(out)));
            }
            for (String id : served) {
                assertThat(back.get(id)).as(id).isEqualTo(sent.get(id));
            }
            MidangClient inspector = new MidangClient(after.uri(), dev.identity("inspector-info"), Clock.systemUTC());
            // The index is rebuilt behind the start: wait for it (no deadline: a busy machine only waits longer).
            while (inspector.search("应急响应", "demo", null, null, null, 1, 0).path("total").asLong() < cut) {
                assertThat(after.process().waitFor(200, TimeUnit.MILLISECONDS)).as("the restored server died").isFalse();
            }
        } finally {
            assertThat(after.stop()).isTrue();
        }
        assertThat(server(dev, "restored-audit", "audit", "verify", "--data", restored.toString()).exit()).isZero();
    }

    private static String blobName(Path backup) throws Exception {
        try (Stream<Path> blobs = Files.list(backup.resolve("blobs"))) {
            return blobs.findFirst().orElseThrow().getFileName().toString();
        }
    }

    private static void flipOneByte(Path f) throws Exception {
        byte[] b = Files.readAllBytes(f);
        b[b.length / 2] ^= 0x01;
        Files.write(f, b, StandardOpenOption.TRUNCATE_EXISTING);
    }

    private ChildServer.Command extraFile(Path backup) throws Exception {
        Path copy = tmp.resolve("with-extra");
        org.apache.commons.io.FileUtils.copyDirectory(backup.toFile(), copy.toFile());
        Files.writeString(copy.resolve("keys").resolve("planted.p12"), "not from the server");
        Path out = tmp.resolve("extra.out");
        return ChildServer.command(Map.of(), out, out, "backup", "verify", copy.toString());
    }

    /** The manifest's signature as OpenSSL alone checks it, with the public key of the backup's server certificate. */
    private static String openSslVerify(Path backup) throws Exception {
        Path pub = tmp.resolve("server-pub.pem");
        Process x = new ProcessBuilder("openssl", "x509", "-in", backup.resolve("server-signing.crt").toString(), "-pubkey", "-noout",
                "-out", pub.toString()).redirectErrorStream(true).start();
        assertThat(x.waitFor()).isZero();
        Process v = new ProcessBuilder("openssl", "dgst", "-sm3", "-verify", pub.toString(), "-sigopt", "distid:1234567812345678",
                "-signature", backup.resolve("MANIFEST.json.sig").toString(), backup.resolve("MANIFEST.json").toString())
                .redirectErrorStream(true).start();
        String out = new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        v.waitFor();
        return out;
    }
}
