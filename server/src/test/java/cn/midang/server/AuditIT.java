package cn.midang.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.cli.net.MidangClient;
import cn.midang.cli.net.Receipt;
import cn.midang.cli.net.ServerRefusal;
import cn.midang.keys.audit.AuditChain;
import cn.midang.keys.audit.AuditRecord;
import cn.midang.keys.audit.Checkpoint;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.testkit.Processes;
import cn.midang.server.audit.AuditLog;
import cn.midang.server.deploy.DataDir;
import cn.midang.server.deploy.Deployment;
import cn.midang.server.storage.Database;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit log (SPEC C5) on a real server: every request leaves a record before its answer;
 * checkpoints verify with OpenSSL; a server whose audit store cannot be written refuses
 * everything and changes nothing; and whatever is done to the stored log — a field changed, a
 * record deleted, two swapped, the tail cut off past a checkpoint — the check names the first
 * bad record.
 */
class AuditIT {

    @TempDir
    Path tmp;

    Path file(String name, String text) throws Exception {
        Path f = tmp.resolve(name);
        Files.writeString(f, text, StandardCharsets.UTF_8);
        return f;
    }

    static List<AuditRecord> records(Database db, String requestId) throws Exception {
        List<AuditRecord> out = new ArrayList<>();
        try (Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement("SELECT seq FROM audit_log WHERE request_id = ? ORDER BY seq")) {
            ps.setString(1, requestId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long seq = rs.getLong(1);
                    out.addAll(new AuditLog.Reader(db).records(seq, seq));
                }
            }
        }
        return out;
    }

    @Test
    void everyRequest_allowedOrRefused_isRecordedBeforeItsAnswer() throws Exception {
        try (DevServer dev = DevServer.start(tmp.resolve("data"))) {
            Database db = dev.deployment.database();
            HttpResponse<String> health = RawApi.send(dev.uri(), "GET", "/healthz", "", null, Map.of());
            assertThat(records(db, health.headers().firstValue("X-Midang-Request").orElseThrow()))
                    .singleElement().satisfies(r -> {
                        assertThat(r.action()).isEqualTo("health");
                        assertThat(r.decision()).isEqualTo("allow");
                        assertThat(r.actor()).isEqualTo("-");
                    });
            HttpResponse<String> unsigned = RawApi.send(dev.uri(), "POST", "/api/v1/submissions", "campaign=demo&kind=report",
                    new byte[0], Map.of());
            assertThat(unsigned.statusCode()).isEqualTo(401);
            assertThat(records(db, unsigned.headers().firstValue("X-Midang-Request").orElseThrow()))
                    .singleElement().satisfies(r -> {
                        assertThat(r.decision()).isEqualTo("fail");
                        assertThat(r.reason()).startsWith("unsigned_request");
                    });
            Receipt receipt = dev.client("unit-a").submit(file("r.txt", "报告"), "demo", "report", null).receipt();
            HttpResponse<byte[]> denied = RawApi.signed(dev, dev.identity("unit-b"), "GET", "/api/v1/submissions/" + receipt.id(),
                    "", null);
            assertThat(records(db, denied.headers().firstValue("X-Midang-Request").orElseThrow()))
                    .singleElement().satisfies(r -> {
                        assertThat(r.decision()).isEqualTo("deny");
                        assertThat(r.action()).isEqualTo("download");
                        assertThat(r.object()).isEqualTo("submission:" + receipt.id());
                        assertThat(r.role()).isEqualTo("unit");
                        assertThat(r.organisation()).isEqualTo("unit-b");
                        assertThat(r.actor()).isEqualTo(dev.identity("unit-b").certificate().fingerprint());
                        assertThat(r.reason()).startsWith("not_found");
                    });
            HttpResponse<byte[]> allowed = RawApi.signed(dev, dev.identity("inspector-info"), "GET",
                    "/api/v1/submissions/" + receipt.id() + "/receipt", "", null);
            assertThat(records(db, allowed.headers().firstValue("X-Midang-Request").orElseThrow()))
                    .singleElement().satisfies(r -> assertThat(r.decision()).isEqualTo("allow"));
        }
    }

    @Test
    void aSearchsTerms_openOnlyInTheirOwnRecord_andNotAfterAChange() throws Exception {
        try (DevServer dev = DevServer.start(tmp.resolve("data"))) {
            HttpResponse<byte[]> search = RawApi.signed(dev, dev.identity("inspector-info"), "GET", "/api/v1/search",
                    "q=" + java.net.URLEncoder.encode("弱口令", StandardCharsets.UTF_8), null);
            assertThat(search.statusCode()).isEqualTo(200);
            AuditRecord r = records(dev.deployment.database(), search.headers().firstValue("X-Midang-Request").orElseThrow())
                    .stream().filter(a -> a.action().equals("search")).findFirst().orElseThrow();
            assertThat(r.object()).startsWith("query:sealed:").doesNotContain("弱口令");
            cn.midang.keys.seal.RecordCipher key;
            try (var archive = cn.midang.server.archive.Archive.of(dev.deployment, dev.config)) {
                key = archive.recordCipher(dev.deployment.dir().recordKey());
            }
            assertThat(AuditLog.opened(key, r)).contains("弱口令");
            // The same sealed terms claimed by another record, or with one character changed, do not open.
            AuditRecord moved = new AuditRecord(r.seq() + 1, r.at(), r.request(), r.actor(), r.role(), r.organisation(), r.action(),
                    r.object(), r.decision(), r.reason(), r.prev(), r.hash());
            assertThatThrownBy(() -> AuditLog.opened(key, moved)).isInstanceOf(cn.midang.keys.KeysException.class);
            String o = r.object();
            char c = o.charAt(o.length() - 5);
            AuditRecord changed = new AuditRecord(r.seq(), r.at(), r.request(), r.actor(), r.role(), r.organisation(), r.action(),
                    o.substring(0, o.length() - 5) + (c == 'A' ? 'B' : 'A') + o.substring(o.length() - 4), r.decision(), r.reason(),
                    r.prev(), r.hash());
            assertThatThrownBy(() -> AuditLog.opened(key, changed)).isInstanceOf(cn.midang.keys.KeysException.class);
            // and with another deployment's key they do not open either
            assertThatThrownBy(() -> AuditLog.opened(cn.midang.keys.seal.RecordCipher.generate(), r))
                    .isInstanceOf(cn.midang.keys.KeysException.class);
        }
    }

    @Test
    void checkpoints_areSignedSoThatOpensslVerifiesThem_insideAndOutsideTheDatabase() throws Exception {
        Path data = tmp.resolve("data");
        try (DevServer dev = DevServer.start(data, Map.of("MIDANG_AUDIT_CHECKPOINT_RECORDS", "5"))) {
            for (int i = 0; i < 12; i++) {
                RawApi.send(dev.uri(), "GET", "/healthz", "", null, Map.of());
            }
        }
        List<Checkpoint> fromFile = AuditLog.fileCheckpoints(new DataDir(data).auditCheckpoints());
        assertThat(fromFile).hasSizeGreaterThanOrEqualTo(3);
        Checkpoint last = fromFile.get(fromFile.size() - 1);
        Files.write(tmp.resolve("cp.json"), last.bytes());
        Files.write(tmp.resolve("cp.sig"), last.signature());
        Processes.ok(tmp, Map.of(), "openssl", "x509", "-in", data.resolve("server-signing.crt").toString(), "-pubkey", "-noout",
                "-out", "server.pub");
        Processes.Result v = Processes.ok(tmp, Map.of(), "openssl", "dgst", "-sm3", "-verify", "server.pub", "-sigopt",
                "distid:1234567812345678", "-signature", "cp.sig", "cp.json");
        assertThat(v.out()).contains("Verified OK");
        assertThat(new String(last.bytes(), StandardCharsets.UTF_8)).contains("\"type\":\"midang-audit-checkpoint/1\"");
    }

    @Test
    void aCheckpointIsSignedWithinTheConfiguredTime_evenWithFewRecords() throws Exception {
        Path data = tmp.resolve("data");
        try (DevServer dev = DevServer.start(data, Map.of("MIDANG_AUDIT_CHECKPOINT_SECONDS", "1"))) {
            HttpResponse<String> r = RawApi.send(dev.uri(), "GET", "/healthz", "", null, Map.of());
            assertThat(r.statusCode()).isEqualTo(200);
            long head;
            try (Connection c = dev.deployment.database().connection(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT MAX(seq) FROM audit_log")) {
                rs.next();
                head = rs.getLong(1);
            }
            Path file = new DataDir(data).auditCheckpoints();
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            long covered = 0;
            while (covered < head && System.nanoTime() < deadline) {
                Thread.sleep(100);
                covered = AuditLog.fileCheckpoints(file).stream().mapToLong(Checkpoint::seq).max().orElse(0);
            }
            assertThat(covered).as("a timed checkpoint covers record %d", head).isGreaterThanOrEqualTo(head);
        }
    }

    @Test
    void failClosed_whenTheAuditStoreCannotBeWritten_requestsFailAndChangeNothing() throws Exception {
        try (DevServer dev = DevServer.start(tmp.resolve("data"))) {
            MidangClient unitA = dev.client("unit-a");
            Receipt before = unitA.submit(file("before.txt", "before"), "demo", "report", null).receipt();
            long submissions = dev.submissions();
            long blobs = dev.blobFiles();
            Database db = dev.deployment.database();
            try (Connection c = db.connection(); Statement s = c.createStatement()) {
                long head;
                try (ResultSet rs = s.executeQuery("SELECT MAX(seq) FROM audit_log")) {
                    rs.next();
                    head = rs.getLong(1);
                }
                s.execute("ALTER TABLE audit_log ADD CONSTRAINT audit_frozen CHECK (seq <= " + head + ")");
            }
            ServerRefusal refused = null;
            try {
                unitA.submit(file("during.txt", "during the outage"), "demo", "report", null);
            } catch (ServerRefusal e) {
                refused = e;
            }
            assertThat(refused).isNotNull();
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.code()).isEqualTo("audit_unavailable");
            assertThat(dev.submissions()).isEqualTo(submissions);
            assertThat(dev.blobFiles()).isEqualTo(blobs);
            Path out = tmp.resolve("out.txt");
            try {
                unitA.get(before.id(), out);
                throw new AssertionError("a download was served without an audit record");
            } catch (ServerRefusal e) {
                assertThat(e.code()).isEqualTo("audit_unavailable");
            }
            assertThat(out).doesNotExist();
            assertThat(RawApi.send(dev.uri(), "GET", "/healthz", "", null, Map.of()).statusCode()).isEqualTo(503);

            try (Connection c = db.connection(); Statement s = c.createStatement()) {
                s.execute("ALTER TABLE audit_log DROP CONSTRAINT audit_frozen");
            }
            unitA.submit(file("after.txt", "after"), "demo", "report", null);
            assertThat(dev.submissions()).isEqualTo(submissions + 1);
            assertThat(AuditLog.verify(db, new DataDir(dev.data).auditCheckpoints(),
                    dev.deployment.signingIdentity().certificate()).ok()).isTrue();
        }
    }

    /** One way to damage a stored log, and the record the check must name. */
    record Tampering(String what, long firstBad, List<String> sql) {}

    @Test
    void tampering_anyFieldDeleteSwapOrTruncation_isFoundAtTheFirstBadRecord() throws Exception {
        Path data = tmp.resolve("data");
        try (DevServer dev = DevServer.start(data, Map.of("MIDANG_AUDIT_CHECKPOINT_RECORDS", "10"))) {
            MidangClient unitA = dev.client("unit-a");
            for (int i = 0; i < 12; i++) {
                unitA.submit(file("r" + i + ".txt", "报告 " + i), "demo", "report", null);
                RawApi.send(dev.uri(), "GET", "/healthz", "", null, Map.of());
                RawApi.signed(dev, dev.identity("unit-b"), "GET", "/api/v1/submissions/0123456789abcdef0123456789abcdef", "", null);
            }
        }
        DataDir dir = new DataDir(data);
        Certificate server = Certificate.read(dir.signingCertificate());
        DevServer.RecordSnapshot pristine = DevServer.snapshotRecords(data, tmp.resolve("pristine"));
        long last;
        long lastCheckpoint;
        try (Database d = Deployment.openDatabase(data)) {
            AuditChain.Result ok = AuditLog.verify(d, dir.auditCheckpoints(), server);
            assertThat(ok.ok()).as(ok.problem()).isTrue();
            last = ok.lastRecord();
            lastCheckpoint = ok.lastSigned();
        }
        assertThat(last).isGreaterThan(30);
        assertThat(lastCheckpoint).isEqualTo(last); // a clean stop signs the head

        String[] fields = {"at", "request_id", "actor", "role", "organisation", "action", "object", "decision", "reason",
            "prev_hash", "hash", "seq"};
        // Random each run, replayable: a failure names its seed, and -Dmidang.test.seed=SEED runs it again.
        long seed = Long.getLong("midang.test.seed", System.nanoTime());
        Random random = new Random(seed);
        List<Tampering> cases = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            long k = 1 + random.nextInt((int) last);
            switch (i % 4) {
                case 0 -> {
                    String f = fields[random.nextInt(fields.length)];
                    String set = switch (f) {
                        case "seq" -> "seq = seq + 1000000";
                        case "prev_hash", "hash" -> f + " = '" + "ab".repeat(32) + "'";
                        default -> f + " = CASE WHEN LEFT(" + f + ", 1) = 'x' THEN CONCAT('y', SUBSTRING(" + f + ", 2)) "
                                + "ELSE CONCAT('x', SUBSTRING(" + f + ", 2)) END";
                    };
                    cases.add(new Tampering("change " + f + " of record " + k, k,
                            List.of("UPDATE audit_log SET " + set + " WHERE seq = " + k)));
                }
                case 1 -> cases.add(new Tampering("delete record " + k, k, List.of("DELETE FROM audit_log WHERE seq = " + k)));
                case 2 -> {
                    long a = Math.min(k, last - 1);
                    long b = a + 1 + random.nextInt((int) (last - a));
                    cases.add(new Tampering("swap records " + a + " and " + b, a, List.of(
                            "UPDATE audit_log SET seq = -1 WHERE seq = " + a,
                            "UPDATE audit_log SET seq = " + a + " WHERE seq = " + b,
                            "UPDATE audit_log SET seq = " + b + " WHERE seq = -1")));
                }
                default -> {
                    long keep = Math.min(k, lastCheckpoint - 1);
                    cases.add(new Tampering("truncate after record " + keep + " (and the database's checkpoints)", keep + 1,
                            List.of("DELETE FROM audit_log WHERE seq > " + keep, "DELETE FROM audit_checkpoints WHERE seq > " + keep)));
                }
            }
        }
        for (Tampering t : cases) {
            pristine.restore();
            try (Database d = Deployment.openDatabase(data)) {
                try (Connection c = d.connection(); Statement s = c.createStatement()) {
                    for (String sql : t.sql()) {
                        s.execute(sql);
                    }
                }
                AuditChain.Result r = AuditLog.verify(d, dir.auditCheckpoints(), server);
                assertThat(r.firstBad()).as("%s (seed %d; replay with -Dmidang.test.seed=%d): %s", t.what(), seed, seed, r.problem()).contains(t.firstBad());
            }
        }

        // Altered and re-chained (every later hash recomputed): only a checkpoint can tell, and it does.
        pristine.restore();
        try (Database d = Deployment.openDatabase(data)) {
            long k = 15;
            List<AuditRecord> all = new AuditLog.Reader(d).records(1, last);
            String prev = all.get((int) k - 2).hash();
            try (Connection c = d.connection(); PreparedStatement ps = c.prepareStatement(
                    "UPDATE audit_log SET reason = ?, prev_hash = ?, hash = ? WHERE seq = ?")) {
                for (AuditRecord r : all.subList((int) k - 1, all.size())) {
                    String reason = r.seq() == k ? "rewritten by an intruder" : r.reason();
                    AuditRecord forged = AuditRecord.sealed(r.seq(), r.at(), r.request(), r.actor(), r.role(), r.organisation(),
                            r.action(), r.object(), r.decision(), reason, prev);
                    ps.setString(1, reason);
                    ps.setString(2, prev);
                    ps.setString(3, forged.hash());
                    ps.setLong(4, r.seq());
                    ps.executeUpdate();
                    prev = forged.hash();
                }
            }
            AuditChain.Result r = AuditLog.verify(d, dir.auditCheckpoints(), server);
            assertThat(r.ok()).isFalse();
            assertThat(r.firstBad().orElseThrow()).isBetween(11L, k);
            assertThat(r.problem()).contains("signed checkpoint");
        }
        // The operator's command says the same, with exit code 6.
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        java.io.PrintStream stdout = System.out;
        int exit;
        System.setOut(new java.io.PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            exit = ServerCommand.run(new String[] {"audit", "verify", "--data", data.toString()});
        } finally {
            System.setOut(stdout);
        }
        assertThat(exit).isEqualTo(6);
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("NOT intact: first bad record 11");
    }
}
