package cn.midang.server.tlog;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.keys.pki.Identity;
import cn.midang.keys.testkit.TestPki;
import cn.midang.keys.tlog.LogCheckpoint;
import cn.midang.keys.tlog.LogEntry;
import cn.midang.keys.tlog.MerkleTree;
import cn.midang.keys.tlog.Note;
import cn.midang.keys.tlog.NoteKey;
import cn.midang.keys.tlog.Tiles;
import cn.midang.keys.tlog.TreeHasher;
import cn.midang.keys.sign.RawSignatures;
import cn.midang.server.storage.Database;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log on a real database without a server: statements committed with their records, rounds
 * padded to a fixed count, proofs that verify against the signed checkpoints, tiles as served,
 * witnesses' cosignatures; and a statement whose transaction rolls back leaves nothing in the log.
 */
class TransparencyLogTest {

    @TempDir
    Path tmp;

    Database db;
    Identity server;
    Identity approver;
    TransparencyLog log;

    @BeforeEach
    void setUp() {
        db = Database.open(tmp.resolve("db"));
        TestPki pki = TestPki.create(tmp.resolve("pki"));
        server = pki.person("server", "server", "midang");
        approver = pki.person("审批人", "approver", "市公安局");
        log = new TransparencyLog(db, server, pki.clock, 8);
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    byte[] attest(int i) throws Exception {
        byte[] statement = ("receipt " + i).getBytes();
        byte[] entry = LogEntry.of(LogEntry.Kind.RECEIPT, statement, RawSignatures.sign(server, statement));
        db.inTransaction(c -> {
            TransparencyLog.add(c, entry);
            return null;
        });
        return entry;
    }

    LogCheckpoint open(String note) throws Exception {
        return LogCheckpoint.open(note, TransparencyLog.logKey(server.certificate()), List.of(), 0);
    }

    @Test
    void roundsArePadded_toTheRoundSize_orAMultipleOfIt() throws Exception {
        assertThat(log.integrate().head().size()).as("an idle round").isEqualTo(8);
        attest(1);
        attest(2);
        assertThat(log.integrate().head().size()).as("two statements and six random entries").isEqualTo(16);
        for (int i = 0; i < 9; i++) {
            attest(10 + i);
        }
        assertThat(log.integrate().head().size()).as("nine statements: two rounds' worth").isEqualTo(32);
        assertThat(count("log_pending")).isZero();
        assertThat(count("log_entries")).isEqualTo(32);
    }

    @Test
    void everyStatementsInclusionProof_verifiesAgainstTheSignedCheckpoint() throws Exception {
        List<byte[]> entries = new ArrayList<>();
        for (int round = 0; round < 40; round++) {
            for (int i = 0; i < round % 11; i++) {
                entries.add(attest(round * 100 + i));
            }
            log.integrate();
        }
        for (byte[] entry : entries) {
            TransparencyLog.Inclusion in = log.inclusion(entry).orElseThrow();
            LogCheckpoint cp = open(in.checkpoint());
            assertThat(cp.head().size()).isEqualTo(in.size()).isEqualTo(log.size());
            assertThat(MerkleTree.verifyInclusion(TransparencyLog.HASHER, in.index(), in.size(), TreeHasher.SM3.leaf(entry),
                    in.proof(), cp.head().root())).isTrue();
        }
        assertThat(log.inclusion(new byte[32])).isEmpty();
        byte[] waiting = attest(999_999);
        assertThat(log.inclusion(waiting)).isEmpty();
        assertThat(log.pending(waiting)).isTrue();
    }

    @Test
    void consistencyProofs_betweenEveryPairOfCheckpoints_verify() throws Exception {
        List<LogCheckpoint> cps = new ArrayList<>();
        for (int round = 0; round < 12; round++) {
            for (int i = 0; i < round * 7 % 20; i++) {
                attest(round * 100 + i);
            }
            cps.add(open(log.checkpointAt(log.integrate().head().size()).orElseThrow()));
        }
        for (LogCheckpoint a : cps) {
            for (LogCheckpoint b : cps) {
                if (a.head().size() > b.head().size()) {
                    assertThat(log.consistency(a.head().size(), b.head().size())).isEmpty();
                    continue;
                }
                List<byte[]> proof = log.consistency(a.head().size(), b.head().size()).orElseThrow();
                assertThat(MerkleTree.verifyConsistency(TransparencyLog.HASHER, a.head().size(), b.head().size(), a.head().root(),
                        b.head().root(), proof)).isTrue();
            }
        }
        assertThat(log.consistency(3, cps.get(0).head().size())).as("no checkpoint of size 3").isEmpty();
    }

    @Test
    void tilesAndEntryBundles_areTheTree() throws Exception {
        List<byte[]> entries = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            entries.add(attest(i));
        }
        long size = log.integrate().head().size();
        assertThat(size).isEqualTo(304);
        byte[] full = log.tile(new Tiles.Name(0, 0, 256)).orElseThrow();
        byte[] partial = log.tile(new Tiles.Name(0, 1, 48)).orElseThrow();
        byte[] bundle = log.tile(new Tiles.Name(-1, 1, 48)).orElseThrow();
        assertThat(full).hasSize(8192);
        assertThat(partial).hasSize(48 * 32);
        assertThat(bundle).hasSize(48 * 34);
        assertThat(log.tile(new Tiles.Name(0, 1, 49))).as("beyond the tree").isEmpty();
        assertThat(log.tile(new Tiles.Name(1, 0, 1))).isPresent();
        // a bundle's entries hash to the level-0 tile's hashes
        for (int i = 0; i < 48; i++) {
            byte[] e = java.util.Arrays.copyOfRange(bundle, i * 34 + 2, i * 34 + 34);
            assertThat(TreeHasher.SM3.leaf(e)).isEqualTo(java.util.Arrays.copyOfRange(partial, i * 32, i * 32 + 32));
        }
        // every statement is among the entries, once
        List<String> served = new ArrayList<>();
        byte[] first = log.tile(new Tiles.Name(-1, 0, 256)).orElseThrow();
        for (int i = 0; i < 256; i++) {
            served.add(java.util.HexFormat.of().formatHex(first, i * 34 + 2, i * 34 + 34));
        }
        for (int i = 0; i < 48; i++) {
            served.add(java.util.HexFormat.of().formatHex(bundle, i * 34 + 2, i * 34 + 34));
        }
        assertThat(served).containsAll(entries.stream().map(java.util.HexFormat.of()::formatHex).toList()).doesNotHaveDuplicates();
    }

    @Test
    void aStatementWhoseTransactionRollsBack_isNotLogged() throws Exception {
        byte[] entry = LogEntry.of(LogEntry.Kind.RECEIPT, new byte[] {1}, new byte[] {2});
        try {
            db.inTransaction(c -> {
                TransparencyLog.add(c, entry);
                throw new SQLException("the record failed");
            });
        } catch (SQLException expected) {
            // the statement's own record failed
        }
        log.integrate();
        assertThat(log.inclusion(entry)).isEmpty();
        assertThat(log.pending(entry)).isFalse();
    }

    @Test
    void cosignatures_ofAWitness_areKeptAndServed_othersAreRefused() throws Exception {
        long size = log.integrate().head().size();
        String note = log.checkpointAt(size).orElseThrow();
        NoteKey witness = TransparencyLog.witnessKey(approver.certificate());
        Note.Signature co = witness.cosign(RawSignatures.newSigner(approver), Note.parse(note).text(), java.time.Instant.now());
        String line = new Note("x\n", List.of(co)).format().substring(3).trim();
        assertThat(log.cosign(size, approver.certificate(), line, java.time.Instant.now())).isEmpty();
        assertThat(log.cosign(size, approver.certificate(), line, java.time.Instant.now()))
                .contains(TransparencyLog.Refusal.ALREADY_COSIGNED);
        assertThat(LogCheckpoint.open(log.checkpoint(1).orElseThrow(), TransparencyLog.logKey(server.certificate()), List.of(witness), 1)
                .cosigners()).containsExactly(witness.name());
        // the same line sent as another witness's, or for another checkpoint, does not verify
        assertThat(log.cosign(size, server.certificate(), line, java.time.Instant.now())).contains(TransparencyLog.Refusal.NOT_A_COSIGNATURE);
        long next = log.integrate().head().size();
        assertThat(log.cosign(next, approver.certificate(), line, java.time.Instant.now())).contains(TransparencyLog.Refusal.NOT_A_COSIGNATURE);
        assertThat(log.cosign(next + 1, approver.certificate(), line, java.time.Instant.now()))
                .contains(TransparencyLog.Refusal.NO_SUCH_CHECKPOINT);
        assertThat(log.checkpoint(1)).as("the newest cosigned one").contains(log.checkpointAt(size).orElseThrow());
        assertThat(log.checkpoint(2)).isEmpty();
    }

    private long count(String table) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + table);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
