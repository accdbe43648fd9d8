package cn.midang.keys.tlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.keys.KeysException;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.sign.RawSignatures;
import cn.midang.keys.testkit.TestPki;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NoteTest {

    @TempDir
    Path dir;

    Identity server;
    Identity witness;
    NoteKey log;
    NoteKey cosigner;
    TreeHead head;

    @BeforeEach
    void setUp() {
        TestPki pki = TestPki.create(dir);
        server = pki.person("server", "server", "Midang");
        witness = pki.person("信息产业办审批人", "approver", "信息产业办");
        log = new NoteKey("midang.test/log", server.certificate(), NoteKey.Kind.LOG);
        cosigner = new NoteKey("midang.test/witness/xxcyb", witness.certificate(), NoteKey.Kind.COSIGNER);
        head = new TreeHead("midang.test/log", 20852163, TreeHasher.SM3.leaf(new byte[] {1}));
    }

    @Test
    void theSpecificationsExample_parsesAndFormatsBack() throws Exception {
        String example = "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\ned è subito sera.\n\n"
                + "\u2014 quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n";
        Note n = Note.parse(example);
        assertThat(n.text()).endsWith("sera.\n");
        assertThat(n.signatures()).singleElement().satisfies(s -> {
            assertThat(s.name()).isEqualTo("quasimodo.example/salvatore");
            assertThat(s.keyId()).isEqualTo(0x367ba04b);
            assertThat(s.signature()).hasSize(64);
        });
        assertThat(n.format()).isEqualTo(example);
    }

    @Test
    void aCheckpoint_signedByTheLog_opens_andCarriesItsHead() throws Exception {
        LogCheckpoint cp = LogCheckpoint.sign(head, log, RawSignatures.newSigner(server));
        String served = cp.note().format();
        assertThat(served).startsWith("midang.test/log\n20852163\n").contains("\n\n\u2014 midang.test/log ");
        LogCheckpoint back = LogCheckpoint.open(served, log, List.of(), 0);
        assertThat(back.head().size()).isEqualTo(20852163);
        assertThat(back.head().root()).isEqualTo(head.root());
        assertThat(back.head().text()).isEqualTo(head.text());
    }

    @Test
    void aCheckpoint_alteredOrSignedByAnotherKey_isRefused() throws Exception {
        String served = LogCheckpoint.sign(head, log, RawSignatures.newSigner(server)).note().format();
        String bigger = served.replace("20852163", "20852164");
        assertThatThrownBy(() -> LogCheckpoint.open(bigger, log, List.of(), 0)).isInstanceOf(KeysException.class)
                .extracting(e -> ((KeysException) e).reason()).isEqualTo(KeysException.Reason.BAD_SIGNATURE);
        // the witness's key under the log's name: another key ID, so the line is not the log's: no log signature
        NoteKey impostor = new NoteKey("midang.test/log", witness.certificate(), NoteKey.Kind.LOG);
        String forged = LogCheckpoint.sign(head, impostor, RawSignatures.newSigner(witness)).note().format();
        assertThatThrownBy(() -> LogCheckpoint.open(forged, log, List.of(), 0)).isInstanceOf(KeysException.class)
                .hasMessageContaining("not signed by the log");
        // the log's name and ID with another key's signature bytes: a known key that fails is a refusal
        Note good = Note.parse(served);
        Note.Signature theirs = Note.parse(forged).signatures().get(0);
        String swapped = new Note(good.text(), List.of(new Note.Signature(log.name(), log.keyId(), theirs.signature()))).format();
        assertThatThrownBy(() -> LogCheckpoint.open(swapped, log, List.of(), 0)).isInstanceOf(KeysException.class)
                .extracting(e -> ((KeysException) e).reason()).isEqualTo(KeysException.Reason.BAD_SIGNATURE);
        TreeHead other = new TreeHead("midang.test/other", 1, head.root());
        NoteKey otherLog = new NoteKey("midang.test/other", server.certificate(), NoteKey.Kind.LOG);
        String ofAnother = LogCheckpoint.sign(other, otherLog, RawSignatures.newSigner(server)).note().format();
        assertThatThrownBy(() -> LogCheckpoint.open(ofAnother, log, List.of(), 0)).isInstanceOf(KeysException.class)
                .extracting(e -> ((KeysException) e).reason()).isEqualTo(KeysException.Reason.MISMATCH);
    }

    @Test
    void cosignatures_countOnlyForKnownWitnesses_andOnlyOverTheSameText() throws Exception {
        LogCheckpoint cp = LogCheckpoint.sign(head, log, RawSignatures.newSigner(server));
        Instant at = Instant.parse("2026-11-30T06:00:00Z");
        Note.Signature co = cosigner.cosign(RawSignatures.newSigner(witness), cp.note().text(), at);
        String served = cp.cosignedBy(cosigner, co).note().format();
        LogCheckpoint back = LogCheckpoint.open(served, log, List.of(cosigner), 1);
        assertThat(back.cosigners()).containsExactly(cosigner.name());
        assertThat(NoteKey.cosignedAt(co)).isEqualTo(at);
        assertThatThrownBy(() -> LogCheckpoint.open(cp.note().format(), log, List.of(cosigner), 1))
                .hasMessageContaining("0 witness cosignature(s), 1 required");
        // the cosignature of one checkpoint moved onto another is refused
        TreeHead next = new TreeHead(head.origin(), head.size() + 1, head.root());
        String moved = LogCheckpoint.sign(next, log, RawSignatures.newSigner(server)).note().with(co).format();
        assertThatThrownBy(() -> LogCheckpoint.open(moved, log, List.of(cosigner), 1)).isInstanceOf(KeysException.class)
                .extracting(e -> ((KeysException) e).reason()).isEqualTo(KeysException.Reason.BAD_SIGNATURE);
        // a log key cannot be used as a witness's and the reverse: the type is in the key ID
        NoteKey witnessAsLog = new NoteKey(cosigner.name(), witness.certificate(), NoteKey.Kind.LOG);
        assertThat(witnessAsLog.keyId()).isNotEqualTo(cosigner.keyId());
        assertThat(LogCheckpoint.open(served, log, List.of(witnessAsLog), 0).cosigners()).isEmpty();
        assertThatThrownBy(() -> log.cosign(RawSignatures.newSigner(server), "x\n", at)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void notesOutOfForm_areRefusedAsMalformed() {
        String sig = "\u2014 a/b AAAAAAE=\n";
        for (String bad : List.of("a\n" + sig, "a\n\n", "a\n\n" + sig.trim(), "a\n\n- a/b AAAAAAE=\n", "a\n\n\u2014 a b AAAAAAE=\n",
                "a\n\n\u2014 a+b AAAAAAE=\n", "a\n\n\u2014 a/b AAAA\n", "a\n\n\u2014 a/b !!!!!!!!\n", "a\u0001\n\n" + sig,
                "a\n\n" + sig.repeat(33), "x".repeat(70_000) + "\n\n" + sig)) {
            assertThatThrownBy(() -> Note.parse(bad)).as(bad.length() > 80 ? bad.substring(0, 80) : bad)
                    .isInstanceOf(KeysException.class)
                    .extracting(e -> ((KeysException) e).reason()).isEqualTo(KeysException.Reason.MALFORMED);
        }
        for (String text : List.of("o\n1\nAAAA\n", "o\n01\n" + "A".repeat(43) + "=\n", "o o\n1\n" + "A".repeat(43) + "=\n",
                "o\n1\n" + "A".repeat(43) + "=\nextension\n", "o\n-1\n" + "A".repeat(43) + "=\n")) {
            assertThatThrownBy(() -> TreeHead.parse(text)).as(text).isInstanceOf(KeysException.class);
        }
    }

    @Test
    void verifierKey_namesTheKeyAndItsId() {
        String vkey = log.verifierKey();
        assertThat(vkey).startsWith("midang.test/log+" + java.util.HexFormat.of().toHexDigits(log.keyId()) + "+/21pZGFuZy9zbTI");
    }
}
