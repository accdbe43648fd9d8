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
        byte[] changed = cp.bytes().clone();
        changed[changed.length - 3] ^= 1;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Checkpoint.parse(changed, cp.signature()).verify(server.certificate()))
                .isInstanceOf(cn.midang.keys.KeysException.class);
    }
}
