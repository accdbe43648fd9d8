package cn.midang.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.cli.net.MidangClient;
import cn.midang.cli.net.ServerRefusal;
import cn.midang.keys.digest.Sm3;
import cn.midang.keys.pki.Identity;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data directory's file system fills up: a real one, a 96 MiB tmpfs the test mounts (as root,
 * as CI runs), holding a dev deployment served by the real jar. An upload that would eat into the
 * reserve ({@code storage.min-free-mib}) is refused at once; one whose length was not declared
 * is refused while it is staged, as soon as it brings the free space below the reserve (before, it ran into ENOSPC, and the database could fail its own next write). Both are {@code insufficient_storage}
 * (507) with nothing left behind — no package, no staged file, no record — and audited; when the
 * space returns, the same upload goes through and comes back byte for byte.
 */
class DiskFullIT {

    @TempDir
    static Path tmp;

    static final long MIB = 1 << 20;

    @Test
    void aFullDisk_refusesUploadsCleanly_andTheServerGoesOnWhenSpaceReturns() throws Exception {
        Path small = tmp.resolve("small");
        Files.createDirectories(small);
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=96m", "tmpfs", small.toString())
                .redirectErrorStream(true).start();
        String said = new String(mount.getInputStream().readAllBytes());
        assertThat(mount.waitFor()).as("DiskFullIT mounts a small tmpfs and needs root for it (CI runs as root): %s", said).isZero();
        try {
            ChildServer.Deployed dev = ChildServer.deployDev(small);
            ChildServer.Deployed reserved = new ChildServer.Deployed(dev.data(), dev.pass(), dev.passFile(),
                    Map.of("MIDANG_STORAGE_MIN_FREE_MIB", "16"));
            ChildServer server = ChildServer.start(reserved, tmp.resolve("server.log"));
            Path blobs = dev.data().resolve("blobs");
            Identity unitA = dev.identity("unit-a");
            MidangClient client = new MidangClient(server.uri(), unitA, Clock.systemUTC());
            Path eightMib = tmp.resolve("八兆报告.bin");
            byte[] content = new byte[(int) (8 * MIB)];
            new Random(19).nextBytes(content);
            Files.write(eightMib, content);
            try {
                Path first = tmp.resolve("first.txt");
                Files.writeString(first, "磁盘未满时的报告");
                client.submit(first, "demo", "report", null);
                Set<String> before = names(blobs);
                long submissions = listed(client);

                // Fill the file system to 20 MiB free; the reserve is 16.
                Path filler = small.resolve("filler");
                long free = Files.getFileStore(small).getUsableSpace();
                try (OutputStream out = Files.newOutputStream(filler)) {
                    byte[] mib = new byte[(int) MIB];
                    for (long n = free - 20 * MIB; n > 0; n -= MIB) {
                        out.write(mib, 0, (int) Math.min(MIB, n));
                    }
                }

                // Declared 8 MiB: 20 - 8 < 16, refused before a byte is stored.
                assertThatThrownBy(() -> client.submit(eightMib, "demo", "report", null))
                        .isInstanceOfSatisfying(ServerRefusal.class, r -> assertThat(r.code()).isEqualTo("insufficient_storage"));
                // Undeclared (chunked) 30 MiB: passes the first look, then is refused while staged, once the free space falls below the reserve.
                String chunked = chunkedUpload(server, client, unitA, tmp.resolve("thirty.bin"), 30 * MIB);
                assertThat(chunked).as(chunked).startsWith("HTTP/1.1 507 ");
                assertThat(chunked).contains("insufficient_storage").contains("服务器存储空间已满");

                assertThat(names(blobs)).isEqualTo(before);
                assertThat(staged(blobs)).isEmpty();
                assertThat(listed(client)).isEqualTo(submissions);

                // Space returns: the same upload goes through, and comes back byte for byte.
                Files.delete(filler);
                String id = client.submit(eightMib, "demo", "report", null).receipt().id();
                Path back = tmp.resolve("back.bin");
                client.get(id, back);
                assertThat(Sm3.hex(Files.readAllBytes(back))).isEqualTo(Sm3.hex(content));
                assertThat(listed(client)).isEqualTo(submissions + 1);
            } finally {
                assertThat(server.stop()).isTrue();
            }
            try (var db = cn.midang.server.storage.Database.open(dev.data().resolve("db"));
                    var c = db.connection(); var s = c.createStatement();
                    var rs = s.executeQuery("SELECT COUNT(*) FROM audit_log WHERE decision = 'fail' AND reason LIKE 'insufficient_storage:%reserve%'")) {
                rs.next();
                assertThat(rs.getInt(1)).as("both refusals audited, both against the reserve: the disk never filled").isEqualTo(2);
            }
            Path out = tmp.resolve("audit.out");
            assertThat(ChildServer.command(Map.of(), out, out, "audit", "verify", "--data", dev.data().toString()).exit()).isZero();
        } finally {
            new ProcessBuilder("umount", "-l", small.toString()).inheritIO().start().waitFor();
        }
    }

    private static Set<String> names(Path blobs) throws Exception {
        try (Stream<Path> all = Files.walk(blobs)) {
            return all.filter(Files::isRegularFile).filter(f -> !f.getParent().getFileName().toString().equals("tmp"))
                    .map(f -> f.getFileName().toString()).collect(java.util.stream.Collectors.toSet());
        }
    }

    private static Set<Path> staged(Path blobs) throws Exception {
        try (Stream<Path> all = Files.list(blobs.resolve("tmp"))) {
            return all.collect(java.util.stream.Collectors.toSet());
        }
    }

    private static long listed(MidangClient client) throws Exception {
        return client.list("demo", null, null, 100, 0).path("submissions").size();
    }

    /**
     * A signed upload of a sealed random file of {@code size} bytes, its body sent chunked (no declared
     * length) on a plain socket; returns the server's answer as received (status line, headers, body).
     * The disk fills while much of the body is unsent; the server reads and drops the rest before it
     * answers (Exchange.drainAfter). Before it did, an HTTP client library met the closed connection
     * on its next write and never read the answer (this test failed so on a busy machine); so one
     * thread writes — a failed write would not stop the test — while this one reads what came back.
     */
    private static String chunkedUpload(ChildServer server, MidangClient client, Identity id, Path file, long size) throws Exception {
        byte[] random = new byte[(int) size];
        new Random(30).nextBytes(random);
        Files.write(file, random);
        MidangClient.SealedUpload sealed = client.seal(file);
        byte[] body = Files.readAllBytes(sealed.file());
        Files.delete(sealed.file());
        String query = RawApi.naming("campaign=demo&kind=report", sealed.sealed().contentSize());
        StringBuilder head = new StringBuilder("POST /api/v1/submissions?" + query + " HTTP/1.1\r\nHost: 127.0.0.1:"
                + server.uri().getPort() + "\r\nTransfer-Encoding: chunked\r\nContent-Type: application/octet-stream\r\n");
        RawApi.headers(id, Instant.now(), "POST", "/api/v1/submissions", query, null, sealed.request())
                .forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("\r\n");
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.uri().getPort())) {
            OutputStream out = socket.getOutputStream();
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    out.write(head.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    for (int at = 0; at < body.length; at += 64 * 1024) {
                        int n = Math.min(64 * 1024, body.length - at);
                        out.write((Integer.toHexString(n) + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                        out.write(body, at, n);
                        out.write("\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    }
                    out.write("0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    out.flush();
                } catch (java.io.IOException expected) {
                    // the server answered and closed before the whole body was sent
                }
            });
            java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
            java.io.InputStream in = socket.getInputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) > 0; ) {
                    answer.write(buf, 0, n);
                }
            } catch (java.io.IOException reset) {
                // a reset after the answer: what was read is the answer
            }
            socket.close();
            writer.join();
            return answer.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
