package cn.midang.keys.audit;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.keys.pki.Identity;
import cn.midang.keys.sign.RawSignatures;
import cn.midang.keys.testkit.TestPki;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditChainTest {

    @TempDir
    java.nio.file.Path dir;

    TestPki pki;
    Identity server;
    List<AuditRecord> log;

    @BeforeEach
    void setUp() {
        pki = TestPki.create(dir);
        server = pki.person("server", "server", "midang");
        log = new ArrayList<>();
        String prev = AuditRecord.GENESIS;
        for (int i = 1; i <= 20; i++) {
            AuditRecord r = AuditRecord.sealed(i, "2026-11-25T08:00:00.00" + (i % 10) + "Z", "req" + i, "-", "-", "-", "health", "-",
                    "allow", "public", prev);
            log.add(r);
            prev = r.hash();
        }
    }

    Checkpoint checkpoint(Identity signer, int seq) throws Exception {
        return Checkpoint.sign(RawSignatures.newSigner(signer), signer, seq, log.get(seq - 1).hash(), "2026-11-25T08:01:00Z");
    }

    @Test
    void intactLog_withCheckpoints_verifies() throws Exception {
        AuditChain.Result r = AuditChain.verify(log.iterator(), 1, AuditRecord.GENESIS,
                List.of(checkpoint(server, 10), checkpoint(server, 20)), server.certificate());
        assertThat(r.ok()).as(r.problem()).isTrue();
        assertThat(r.records()).isEqualTo(20);
        assertThat(r.lastSigned()).isEqualTo(20);
    }

    @Test
    void aRangeFromTheMiddle_verifiesAgainstItsAnchor() throws Exception {
        AuditChain.Result r = AuditChain.verify(log.subList(10, 20).iterator(), 11, log.get(9).hash(),
                List.of(checkpoint(server, 20)), server.certificate());
        assertThat(r.ok()).as(r.problem()).isTrue();
        AuditChain.Result wrongAnchor = AuditChain.verify(log.subList(10, 20).iterator(), 11, AuditRecord.GENESIS,
                List.of(checkpoint(server, 20)), server.certificate());
        assertThat(wrongAnchor.firstBad()).contains(11L);
    }

    @Test
    void aCheckpointSignedByAnotherKey_isRejected() throws Exception {
        Identity intruder = pki.person("server", "server", "midang");
        Checkpoint forged = checkpoint(intruder, 20);
        AuditChain.Result r = AuditChain.verify(log.iterator(), 1, AuditRecord.GENESIS, List.of(forged), server.certificate());
        assertThat(r.ok()).isFalse();
        assertThat(r.problem()).contains("not validly signed");
    }

    @Test
    void aCheckpointBeyondTheLastRecord_revealsTruncation() throws Exception {
        Checkpoint cp = checkpoint(server, 20);
        AuditChain.Result r = AuditChain.verify(log.subList(0, 15).iterator(), 1, AuditRecord.GENESIS, List.of(cp),
                server.certificate());
        assertThat(r.firstBad()).contains(16L);
        assertThat(r.problem()).contains("truncated");
    }

    @Test
    void checkpointBytes_parseBackToTheSameFields_andAnythingElseIsRefused() throws Exception {
        Checkpoint cp = checkpoint(server, 7);
        Checkpoint parsed = Checkpoint.parse(cp.bytes(), cp.signature());
        assertThat(parsed.seq()).isEqualTo(7);
        assertThat(parsed.hash()).isEqualTo(log.get(6).hash());
        assertThat(parsed.server()).isEqualTo(server.certificate().fingerprint());
        parsed.verify(server.certificate());

        // Another record's hash in well-formed bytes, under the old signature: it parses, and the signature refuses it.
        byte[] otherHash = new String(cp.bytes(), java.nio.charset.StandardCharsets.UTF_8).replace(log.get(6).hash(), log.get(7).hash())
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Checkpoint forged = Checkpoint.parse(otherHash, cp.signature());
        assertThat(forged.hash()).isEqualTo(log.get(7).hash());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> forged.verify(server.certificate()))
                .isInstanceOf(cn.midang.keys.KeysException.class).extracting(e -> ((cn.midang.keys.KeysException) e).reason())
                .isEqualTo(cn.midang.keys.KeysException.Reason.BAD_SIGNATURE);
        byte[] badSignature = cp.signature();
        badSignature[badSignature.length - 2] ^= 1;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Checkpoint.parse(cp.bytes(), badSignature).verify(server.certificate()))
                .isInstanceOf(cn.midang.keys.KeysException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Checkpoint.parse("not a checkpoint".getBytes(), cp.signature()))
                .isInstanceOf(cn.midang.keys.KeysException.class).extracting(e -> ((cn.midang.keys.KeysException) e).reason())
                .isEqualTo(cn.midang.keys.KeysException.Reason.MALFORMED);
    }

    @Test
    void anIntactLog_reportsExactlyWhatItChecked() throws Exception {
        AuditChain.Result r = AuditChain.verify(log.subList(0, 17).iterator(), 1, AuditRecord.GENESIS,
                List.of(checkpoint(server, 5), checkpoint(server, 10), checkpoint(server, 10)), server.certificate());
        assertThat(r.ok()).as(r.problem()).isTrue();
        assertThat(r.records()).isEqualTo(17);
        assertThat(r.checkpoints()).as("the same checkpoint twice counts once").isEqualTo(2);
        assertThat(r.lastSigned()).isEqualTo(10);
        assertThat(r.lastRecord()).isEqualTo(17);
        assertThat(r.firstBad()).isEmpty();
        assertThat(r.problem()).isEmpty();
    }

    @Test
    void aMissingRecord_aRepeatedOne_andAChangedOne_areNamed() throws Exception {
        List<AuditRecord> gap = new ArrayList<>(log);
        gap.remove(6); // record 7
        AuditChain.Result missing = AuditChain.verify(gap.iterator(), 1, AuditRecord.GENESIS, List.of(), server.certificate());
        assertThat(missing.firstBad()).contains(7L);
        assertThat(missing.problem()).contains("record 7 is missing (the next record is 8)");
        assertThat(missing.records()).isEqualTo(6);
        assertThat(missing.lastRecord()).isEqualTo(6);

        List<AuditRecord> repeated = new ArrayList<>(log.subList(0, 9));
        repeated.add(log.get(7)); // record 8 again where 10 should be
        AuditChain.Result dup = AuditChain.verify(repeated.iterator(), 1, AuditRecord.GENESIS, List.of(), server.certificate());
        assertThat(dup.firstBad()).as("the position where the wrong record stands").contains(10L);
        assertThat(dup.problem()).contains("record 8 appears where record 10 should be");
        assertThat(dup.lastRecord()).isEqualTo(9);

        List<AuditRecord> broken = new ArrayList<>(log);
        AuditRecord b = log.get(4);
        broken.set(4, AuditRecord.sealed(b.seq(), b.at(), b.request(), b.actor(), b.role(), b.organisation(), b.action(), b.object(),
                b.decision(), b.reason(), log.get(0).hash())); // record 5, whole in itself, chained to record 1
        AuditChain.Result unchained = AuditChain.verify(broken.iterator(), 1, AuditRecord.GENESIS, List.of(), server.certificate());
        assertThat(unchained.firstBad()).contains(5L);
        assertThat(unchained.problem()).contains("record 5 does not chain");
        assertThat(unchained.lastRecord()).isEqualTo(4);

        List<AuditRecord> changed = new ArrayList<>(log);
        AuditRecord r = log.get(11);
        changed.set(11, new AuditRecord(r.seq(), r.at(), r.request(), r.actor(), r.role(), r.organisation(), r.action(), r.object(),
                "deny", r.reason(), r.prev(), r.hash()));
        AuditChain.Result altered = AuditChain.verify(changed.iterator(), 1, AuditRecord.GENESIS, List.of(), server.certificate());
        assertThat(altered.firstBad()).contains(12L);
        assertThat(altered.problem()).contains("record 12 was altered");
        assertThat(altered.records()).isEqualTo(11);
        assertThat(altered.lastRecord()).isEqualTo(11);
    }

    @Test
    void aLogReChainedAfterACheckpoint_isCaughtThere_andTheFirstSuspectIsTheRecordAfterThePreviousCheckpoint() throws Exception {
        Checkpoint five = checkpoint(server, 5);
        Checkpoint fifteen = checkpoint(server, 15);
        // Records 9.. rewritten and re-chained: each hash right, the chain whole, but 15 differs from its checkpoint
        List<AuditRecord> rewritten = new ArrayList<>(log.subList(0, 8));
        String prev = log.get(7).hash();
        for (int i = 9; i <= 20; i++) {
            AuditRecord x = AuditRecord.sealed(i, "2026-11-25T08:00:00.009Z", "req" + i, "-", "-", "-", "health", "-", "deny", "rewritten",
                    prev);
            rewritten.add(x);
            prev = x.hash();
        }
        AuditChain.Result r = AuditChain.verify(rewritten.iterator(), 1, AuditRecord.GENESIS, List.of(five, fifteen),
                server.certificate());
        assertThat(r.firstBad()).contains(6L);
        assertThat(r.problem()).contains("records 6 to 15").contains("altered and re-chained");
        assertThat(r.lastSigned()).isEqualTo(5);
        assertThat(r.lastRecord()).isEqualTo(14);

        // The same over a range that starts after record 10: with no checkpoint in it before 15, the first suspect is its first record.
        AuditChain.Result range = AuditChain.verify(rewritten.subList(10, 20).iterator(), 11, rewritten.get(9).hash(), List.of(fifteen),
                server.certificate());
        assertThat(range.firstBad()).contains(11L);
        assertThat(range.problem()).contains("records 11 to 15");
    }

    @Test
    void twoCheckpointsThatDisagree_areRefused() throws Exception {
        Checkpoint right = checkpoint(server, 9);
        Checkpoint other = Checkpoint.sign(RawSignatures.newSigner(server), server, 9, log.get(3).hash(), "2026-11-25T08:02:00Z");
        AuditChain.Result r = AuditChain.verify(log.iterator(), 1, AuditRecord.GENESIS, List.of(right, other), server.certificate());
        assertThat(r.firstBad()).contains(9L);
        assertThat(r.problem()).contains("two signed checkpoints disagree about record 9");
        assertThat(r.records()).isZero();
    }

    @Test
    void aCheckpointKeepsItsOwnBytes_whatACallerChangesInTheArraysDoesNotReachIt() throws Exception {
        Checkpoint c = checkpoint(server, 10);
        c.bytes()[0] ^= 1;
        c.signature()[5] ^= 1;
        c.verify(server.certificate());
        byte[] bytes = c.bytes();
        byte[] signature = c.signature();
        Checkpoint parsed = Checkpoint.parse(bytes, signature);
        bytes[0] ^= 1;
        signature[5] ^= 1;
        parsed.verify(server.certificate());
        assertThat(parsed.seq()).isEqualTo(10);
    }
}
