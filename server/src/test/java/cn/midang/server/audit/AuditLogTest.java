package cn.midang.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.keys.audit.AuditRecord;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.seal.RecordCipher;
import cn.midang.keys.testkit.TestPki;
import cn.midang.server.storage.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit log without a server (SPEC C5), in seconds: records chain, checkpoints are signed every
 * N records and kept outside the database too, a changed record or a re-chained log is caught, a
 * search's terms are kept only sealed and opened for the export.
 */
class AuditLogTest {

    @TempDir
    Path tmp;

    Database db;
    TestPki pki;
    Identity server;
    RecordCipher cipher;
    AuditLog log;
    Path checkpoints;

    @BeforeEach
    void setUp() throws Exception {
        db = Database.open(tmp.resolve("db"));
        pki = TestPki.create(tmp.resolve("pki"));
        server = pki.person("server", "server", "midang");
        cipher = RecordCipher.generate();
        checkpoints = tmp.resolve("audit/checkpoints.jsonl");
        log = AuditLog.open(db, checkpoints, server, cipher, pki.clock, 3, Duration.ofHours(1));
    }

    @AfterEach
    void tearDown() {
        log.close();
        db.close();
    }

    AuditRecord append(int i) throws Exception {
        return log.append(new AuditLog.Entry("req-" + i, "fp-" + i, "unit", "unit-a", "download", "submission:" + i, "allow", "own"));
    }

    @Test
    void recordsChain_checkpointsAreSignedEveryNRecords_andTheWholeVerifies() throws Exception {
        AuditRecord first = append(1);
        AuditRecord second = append(2);
        assertThat(second.seq()).isEqualTo(first.seq() + 1);
        assertThat(second.prev()).isEqualTo(first.hash());
        append(3); // the third record triggers a checkpoint
        for (int i = 4; i <= 7; i++) {
            append(i);
        }
        assertThat(log.head()).isEqualTo(first.seq() + 6);
        assertThat(log.checkpoints()).isNotEmpty();
        assertThat(Files.readAllLines(checkpoints)).isNotEmpty();
        var result = AuditLog.verify(db, checkpoints, server.certificate());
        assertThat(result.ok()).as(result.problem()).isTrue();
        assertThat(result.records()).isEqualTo(log.head());
    }

    @Test
    void aChangedRecord_orALogReChainedFromThere_isCaughtByTheSignedCheckpoints() throws Exception {
        for (int i = 1; i <= 7; i++) {
            append(i);
        }
        log.checkpoint();
        try (Connection c = db.connection(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE audit_log SET decision = 'deny' WHERE seq = 2");
        }
        var changed = AuditLog.verify(db, checkpoints, server.certificate());
        assertThat(changed.ok()).isFalse();
        assertThat(changed.firstBad()).contains(2L); // the open record is 1, the first appended 2
        // Removing the last records is caught too: the signed checkpoint names a head that is gone.
        try (Connection c = db.connection(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE audit_log SET decision = 'allow' WHERE seq = 2");
            s.executeUpdate("DELETE FROM audit_log WHERE seq >= 6");
        }
        assertThat(AuditLog.verify(db, checkpoints, server.certificate()).ok()).isFalse();
    }

    /**
     * Whoever can write the database can rewrite a record and re-chain every hash after it, and drop
     * the checkpoints kept in the database: the checkpoints kept outside it, in
     * {@code audit/checkpoints.jsonl}, still catch it. A checkpoint line changed in that file is
     * caught by its signature.
     */
    @Test
    void aLogReChainedInTheDatabase_isCaughtByTheCheckpointsKeptOutsideIt() throws Exception {
        for (int i = 1; i <= 7; i++) {
            append(i);
        }
        log.checkpoint();
        List<AuditRecord> all = log.records(1, log.head());
        String prev = AuditRecord.GENESIS;
        try (Connection c = db.connection();
                var ps = c.prepareStatement("UPDATE audit_log SET decision = ?, prev_hash = ?, hash = ? WHERE seq = ?")) {
            for (AuditRecord r : all) {
                String decision = r.seq() == 3 ? "deny" : r.decision();
                AuditRecord again = AuditRecord.sealed(r.seq(), r.at(), r.request(), r.actor(), r.role(), r.organisation(), r.action(),
                        r.object(), decision, r.reason(), prev);
                ps.setString(1, decision);
                ps.setString(2, prev);
                ps.setString(3, again.hash());
                ps.setLong(4, r.seq());
                ps.executeUpdate();
                prev = again.hash();
            }
        }
        try (Connection c = db.connection(); Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM audit_checkpoints");
        }
        var reChained = AuditLog.verify(db, checkpoints, server.certificate());
        assertThat(reChained.ok()).as("a re-chained log against the checkpoints in the file").isFalse();

        // Without the file's checkpoints the rewrite would pass: the file is what catches it.
        Files.delete(checkpoints);
        assertThat(AuditLog.verify(db, checkpoints, server.certificate()).ok()).isTrue();
    }

    @Test
    void aCheckpointChangedInTheFile_isCaughtByItsSignature() throws Exception {
        for (int i = 1; i <= 4; i++) {
            append(i);
        }
        log.checkpoint();
        try (Connection c = db.connection(); Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM audit_checkpoints");
        }
        List<String> lines = Files.readAllLines(checkpoints);
        String last = lines.get(lines.size() - 1);
        lines.set(lines.size() - 1, last.replaceFirst("\"signature\":\"[A-Za-z0-9+/]{8}", "\"signature\":\"AAAAAAAA"));
        assertThat(lines.get(lines.size() - 1)).isNotEqualTo(last);
        Files.write(checkpoints, lines);
        assertThat(AuditLog.verify(db, checkpoints, server.certificate()).ok()).isFalse();
    }

    /** A checkpoint exactly every N records (N = 3 here), each in the database and in the file, each naming its head. */
    @Test
    void checkpoints_comeEveryNRecords_exactly() throws Exception {
        assertThat(log.head()).as("the server-start record").isEqualTo(1);
        for (int i = 2; i <= 9; i++) {
            append(i);
        }
        assertThat(log.checkpoints().stream().map(c -> c.seq()).distinct().sorted().toList()).containsExactly(3L, 6L, 9L);
        assertThat(AuditLog.fileCheckpoints(checkpoints)).extracting(c -> c.seq()).containsExactly(3L, 6L, 9L);
        // An explicit checkpoint covers the head; a second one with nothing new adds nothing.
        append(10);
        assertThat(log.checkpoint()).hasValueSatisfying(c -> assertThat(c.seq()).isEqualTo(10L));
        assertThat(log.checkpoint()).isEmpty();
    }

    /** Ranges, anchors and an export from the middle: what `midang audit verify` checks from a record on. */
    @Test
    void rangesAndAnchors_andAnExportFromTheMiddle() throws Exception {
        for (int i = 1; i <= 6; i++) {
            append(i);
        }
        long head = log.head();
        assertThat(log.records(3, 5)).extracting(AuditRecord::seq).containsExactly(3L, 4L, 5L);
        assertThat(log.records(5, 4)).isEmpty();
        assertThat(log.records(head, head + 10)).extracting(AuditRecord::seq).containsExactly(head);
        assertThat(log.hashOf(0)).isEqualTo(AuditRecord.GENESIS);
        assertThat(log.hashOf(3)).isEqualTo(log.records(3, 3).get(0).hash());
        assertThat(log.hashOf(head + 5)).as("a record that does not exist").isEqualTo(AuditRecord.GENESIS);
        Map<String, Object> export = log.export(4, "PEM");
        assertThat(export.get("from")).isEqualTo(4L);
        assertThat(export.get("to")).isEqualTo(log.head());
        assertThat(export.get("anchor")).isEqualTo(log.hashOf(3));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> records = (List<Map<String, Object>>) export.get("records");
        assertThat(records).extracting(r -> ((Number) r.get("seq")).longValue()).startsWith(4L).hasSize((int) (log.head() - 3));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> cps = (List<Map<String, Object>>) export.get("checkpoints");
        assertThat(cps).isNotEmpty().allSatisfy(c -> assertThat(((Number) c.get("seq")).longValue()).isGreaterThanOrEqualTo(4L));
    }

    /** A crash while appending to the checkpoint file leaves a torn last line: skipped; a bad line before the last is refused. */
    @Test
    void aTornLastLine_isSkipped_butADamagedEarlierLineIsNot() throws Exception {
        for (int i = 1; i <= 6; i++) {
            append(i);
        }
        int whole = AuditLog.fileCheckpoints(checkpoints).size();
        assertThat(whole).isPositive();
        Files.writeString(checkpoints, Files.readString(checkpoints) + "{\"bytes\":\"AAAA", java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
        assertThat(AuditLog.fileCheckpoints(checkpoints)).hasSize(whole);
        Files.writeString(checkpoints, "not a checkpoint\n" + Files.readString(checkpoints));
        assertThatThrownBy(() -> AuditLog.fileCheckpoints(checkpoints)).isInstanceOfSatisfying(cn.midang.keys.KeysException.class,
                e -> assertThat(e.getMessage()).contains("line 1"));
        assertThat(AuditLog.fileCheckpoints(tmp.resolve("none.jsonl"))).isEmpty();
    }

    @Test
    void aSearchsTerms_areKeptOnlySealed_andOpenedForTheExport() throws Exception {
        AuditRecord r = log.append(new AuditLog.Entry("req-s", "fp", "inspector", "市公安局", "search", "query", "弱口令 公安局", "allow",
                "scoped listing"));
        assertThat(r.object()).startsWith("query" + AuditLog.SEALED).doesNotContain("弱口令");
        try (Connection c = db.connection(); Statement s = c.createStatement(); var rs = s.executeQuery("SELECT * FROM audit_log")) {
            while (rs.next()) {
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    assertThat(String.valueOf(rs.getObject(i))).doesNotContain("弱口令");
                }
            }
        }
        assertThat(log.opened(r)).contains("弱口令 公安局");
        Map<String, Object> export = log.export(1, "PEM");
        assertThat(export.get("type")).isEqualTo("midang-audit-export/1");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> records = (List<Map<String, Object>>) export.get("records");
        assertThat(records).filteredOn(m -> m.containsKey("object_text")).singleElement()
                .satisfies(m -> assertThat(m.get("object_text")).isEqualTo("弱口令 公安局"));
        assertThat((List<?>) export.get("checkpoints")).isNotEmpty(); // the export signs a checkpoint first
        // Another deployment's record key cannot open it.
        assertThatThrownBy(() -> AuditLog.opened(RecordCipher.generate(), r)).isInstanceOf(cn.midang.keys.KeysException.class);
        // Nor does it open in another record: the terms are bound to the record they were sealed in.
        AuditRecord moved = new AuditRecord(r.seq() + 1, r.at(), r.request(), r.actor(), r.role(), r.organisation(), r.action(),
                r.object(), r.decision(), r.reason(), r.prev(), r.hash());
        assertThatThrownBy(() -> log.opened(moved)).isInstanceOf(cn.midang.keys.KeysException.class);
        // A record whose object merely ends in the marker's text, without a sealed value, is refused too.
        AuditRecord broken = new AuditRecord(r.seq(), r.at(), r.request(), r.actor(), r.role(), r.organisation(), r.action(),
                "query" + AuditLog.SEALED + "not base64!", r.decision(), r.reason(), r.prev(), r.hash());
        assertThatThrownBy(() -> log.opened(broken)).isInstanceOf(cn.midang.keys.KeysException.class);
    }

    @Test
    void verification_readsTheLogPageByPage_andCatchesAChangeAcrossAPageBoundary() throws Exception {
        for (int i = 1; i <= 10; i++) {
            append(i);
        }
        for (int page : new int[] {1, 3, 4, 10, 11}) {
            var r = AuditLog.verify(db, checkpoints, server.certificate(), page);
            assertThat(r.ok()).as("page size %d: %s", page, r.problem()).isTrue();
            assertThat(r.records()).as("page size %d", page).isEqualTo(log.head()); // the server's start, then ten
        }
        try (var c = db.connection(); var st = c.createStatement()) {
            st.executeUpdate("UPDATE audit_log SET reason = 'changed' WHERE seq = 7");
        }
        for (int page : new int[] {3, 6, 7, 10_000}) {
            var r = AuditLog.verify(db, checkpoints, server.certificate(), page);
            assertThat(r.ok()).as("page size %d", page).isFalse();
            assertThat(r.firstBad()).as("page size %d", page).contains(7L);
        }
    }

    @Test
    void theTimersTick_signsACheckpointOnlyWhenRecordsCame_andNeverThrows() throws Exception {
        append(1); // with the server's start, fewer than the three records that make a checkpoint by count
        int before = Files.exists(checkpoints) ? Files.readAllLines(checkpoints).size() : 0;
        log.timedCheckpoint();
        assertThat(Files.readAllLines(checkpoints)).hasSize(before + 1);
        assertThat(AuditLog.fileCheckpoints(checkpoints).get(before).seq()).isEqualTo(log.head());
        log.timedCheckpoint(); // nothing new: no checkpoint
        assertThat(Files.readAllLines(checkpoints)).hasSize(before + 1);
        append(2);
        Files.delete(checkpoints);
        Files.createDirectory(checkpoints); // the file cannot be written: logged, not thrown
        log.timedCheckpoint();
    }

    @Test
    void overlongFields_areClipped_andTheChainStillVerifies() throws Exception {
        AuditRecord r = log.append(new AuditLog.Entry("req-long", "fp", "unit", "unit-a", "download", "x".repeat(3000), "deny",
                "y".repeat(600)));
        assertThat(r.object()).hasSize(1800).endsWith("…").startsWith("xxx");
        assertThat(r.reason()).hasSize(512).endsWith("…");
        AuditRecord exact = log.append(new AuditLog.Entry("req-exact", "fp", "unit", "unit-a", "download", "z".repeat(1800), "deny",
                "w".repeat(512)));
        assertThat(exact.object()).isEqualTo("z".repeat(1800));
        assertThat(exact.reason()).isEqualTo("w".repeat(512));
        AuditRecord none = log.append(new AuditLog.Entry("req-null", "fp", "unit", "unit-a", "download", "o", "allow", null));
        assertThat(none.reason()).isEmpty();
        var v = AuditLog.verify(db, checkpoints, server.certificate());
        assertThat(v.ok()).as(v.problem()).isTrue();
    }
}
