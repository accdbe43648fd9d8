package cn.midang.keys.seal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.keys.KeysException;
import cn.midang.keys.KeysException.Reason;
import cn.midang.keys.digest.Sm3;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.pki.RevocationReason;
import cn.midang.keys.testkit.TestPki;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SealTest {

    @TempDir
    Path dir;

    TestPki pki;
    Identity unit;
    Identity archive;
    Identity reader;

    @BeforeEach
    void setUp() {
        pki = TestPki.create(dir);
        unit = pki.person("unit-a", "unit", "Unit A");
        archive = pki.person("archive", "server", "Midang");
        reader = pki.person("inspector", "inspector", "市保密局");
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    byte[] seal(byte[] content, Identity... to) throws KeysException {
        return seal(pki, unit, content, to);
    }

    /** Seals {@code content} as {@code signer} to {@code to}, checking what the sealer says it sealed. */
    static byte[] seal(TestPki pki, Identity signer, byte[] content, Identity... to) throws KeysException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Sealer s = Sealer.signedBy(signer).to(Arrays.stream(to).map(Identity::certificate).toList())
                .describedAs("report.docx").clock(pki.clock).build();
        Sealed sealed = s.seal(new ByteArrayInputStream(content), out);
        assertThat(sealed.contentSize()).isEqualTo(content.length);
        assertThat(sealed.contentSm3()).isEqualTo(Sm3.digest(content));
        return out.toByteArray();
    }

    Opened open(byte[] pkg, Identity as, ByteArrayOutputStream out) throws KeysException {
        return Opener.forRecipient(as, pki.validator()).streamUnverified(new ByteArrayInputStream(pkg), out);
    }

    @Test
    void openToMemory_returnsTheContentUpToItsCap_andRefusesMore() throws Exception {
        byte[] content = random(70_000, 3);
        byte[] pkg = seal(content, archive);
        Opener o = Opener.forRecipient(archive, pki.validator());
        assertThat(o.openToMemory(new ByteArrayInputStream(pkg), 70_000)).isEqualTo(content);
        assertThatThrownBy(() -> o.openToMemory(new ByteArrayInputStream(pkg), 69_999)).isInstanceOf(KeysException.class)
                .hasMessageContaining("larger than 69999 bytes")
                .extracting(e -> ((KeysException) e).reason()).isEqualTo(KeysException.Reason.IO);
        byte[] tampered = pkg.clone();
        tampered[tampered.length - 40] ^= 1;
        assertThatThrownBy(() -> o.openToMemory(new ByteArrayInputStream(tampered), 1 << 20)).isInstanceOf(KeysException.class)
                .extracting(e -> ((KeysException) e).reason()).isNotEqualTo(KeysException.Reason.IO);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 15, 16, 17, 65_535, 65_536, 65_537, 1_048_579})
    void sealThenOpen_anySize_returnsContentAndProof(int size) throws Exception {
        byte[] content = random(size, size);
        byte[] pkg = seal(content, archive);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Opened o = open(pkg, archive, out);
        assertThat(out.toByteArray()).isEqualTo(content);
        assertThat(o.signer()).isEqualTo(unit.certificate());
        assertThat(o.signingTime()).isEqualTo(pki.clock.instant());
        assertThat(o.description()).contains("report.docx");
        assertThat(o.contentSize()).isEqualTo(size);
        assertThat(o.contentSm3()).isEqualTo(Sm3.digest(content));
    }

    @Test
    void seal_layout_isTheDocumentedHead() throws Exception {
        byte[] pkg = seal(new byte[10], archive);
        // 30 80 06 0b <authEnvelopedData> a0 80 30 80 02 01 00 31
        assertThat(Arrays.copyOfRange(pkg, 0, 4)).containsExactly(0x30, 0x80, 0x06, 0x0b);
        assertThat(Arrays.copyOfRange(pkg, 15, 23)).containsExactly(0xa0, 0x80, 0x30, 0x80, 0x02, 0x01, 0x00, 0x31);
    }

    @Test
    void seal_twoRecipients_bothOpen() throws Exception {
        byte[] content = random(1000, 1);
        byte[] pkg = seal(content, archive, reader);
        for (Identity who : List.of(archive, reader)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            open(pkg, who, out);
            assertThat(out.toByteArray()).isEqualTo(content);
        }
    }

    @Test
    void open_wrongRecipient_isNotARecipient() throws Exception {
        byte[] pkg = seal(random(100, 2), archive);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThatThrownBy(() -> open(pkg, reader, out)).isInstanceOf(KeysException.class)
                .extracting(e -> ((KeysException) e).reason()).isEqualTo(Reason.NOT_A_RECIPIENT);
        assertThat(out.size()).isZero();
    }

    @Test
    void open_signerFromOtherCa_isUntrusted() throws Exception {
        TestPki other = TestPki.create(dir.resolve("other"));
        Identity mallory = other.person("unit-a", "unit", "Unit A");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Sealer.signedBy(mallory).to(archive.certificate()).clock(pki.clock).build()
                .seal(new ByteArrayInputStream(random(50, 3)), buf);
        assertThatThrownBy(() -> Opener.forRecipient(archive, pki.validator())
                .openToFile(new ByteArrayInputStream(buf.toByteArray()), dir.resolve("out.bin")))
                .isInstanceOf(KeysException.class)
                .extracting(e -> ((KeysException) e).reason()).isEqualTo(Reason.UNTRUSTED_ISSUER);
        assertThat(dir.resolve("out.bin")).doesNotExist();
    }

    @Test
    void open_revokedSigner_isRevoked() throws Exception {
        byte[] pkg = seal(random(50, 4), archive);
        pki.ca.revoke(unit.certificate(), RevocationReason.KEY_COMPROMISE);
        assertThatThrownBy(() -> Opener.forRecipient(archive, pki.ca.validator())
                .check(new ByteArrayInputStream(pkg)))
                .isInstanceOf(KeysException.class)
                .extracting(e -> ((KeysException) e).reason()).isEqualTo(Reason.REVOKED);
    }

    @Test
    void openToFile_truncatedAnywhere_isRefusedAndLeavesNothing() throws Exception {
        byte[] pkg = seal(random(200_000, 6), archive);
        Path target = dir.resolve("report.docx");
        Opener opener = Opener.forRecipient(archive, pki.validator());
        Random r = new Random(6);
        for (int k = 0; k < 60; k++) {
            int cut = k < 10 ? pkg.length - 1 - k : r.nextInt(pkg.length);
            byte[] bad = Arrays.copyOf(pkg, cut);
            assertThatThrownBy(() -> opener.openToFile(new ByteArrayInputStream(bad), target))
                    .as("cut at %d of %d", cut, pkg.length)
                    .isInstanceOf(KeysException.class)
                    .extracting(e -> ((KeysException) e).reason())
                    .isEqualTo(Reason.TRUNCATED);
            assertThat(target).doesNotExist();
        }
    }

    @Test
    void openToFile_good_replacesTargetAtomically() throws Exception {
        byte[] content = random(5000, 7);
        Path target = dir.resolve("report.docx");
        Files.writeString(target, "old");
        Opened o = Opener.forRecipient(archive, pki.validator()).openToFile(new ByteArrayInputStream(seal(content, archive)), target);
        assertThat(Files.readAllBytes(target)).isEqualTo(content);
        assertThat(o.signer()).isEqualTo(unit.certificate());
        assertThat(o.contentSm3()).isEqualTo(Sm3.digest(content));
        Opened accepted = Opener.forRecipient(archive, pki.validator())
                .openToFile(new ByteArrayInputStream(seal(content, archive)), dir.resolve("again.docx"), x -> { });
        assertThat(accepted.contentSize()).isEqualTo(content.length);
    }

    @Test
    void twoGeneratedPositionalKeys_differ() {
        byte[] iv = PositionalCipher.newIv();
        byte[] a = new byte[64];
        byte[] b = new byte[64];
        PositionalCipher.generate().apply(iv, 0, a, 0, a.length);
        PositionalCipher.generate().apply(iv, 0, b, 0, b.length);
        assertThat(a).isNotEqualTo(b).isNotEqualTo(new byte[64]);
    }

    @Test
    void openToFile_neverMakesAFolder_andWritesNothingTheAcceptanceRefuses() throws Exception {
        byte[] pkg = seal(random(5000, 9), archive);
        Opener opener = Opener.forRecipient(archive, pki.validator());
        Path elsewhere = dir.resolve("made-by-a-server").resolve("autostart.desktop");
        assertThatThrownBy(() -> opener.openToFile(new ByteArrayInputStream(pkg), elsewhere))
                .isInstanceOfSatisfying(KeysException.class, e -> assertThat(e.reason()).isEqualTo(Reason.IO));
        assertThat(dir.resolve("made-by-a-server")).doesNotExist();
        Path target = dir.resolve("report.docx");
        assertThatThrownBy(() -> opener.openToFile(new ByteArrayInputStream(pkg), target, o -> {
            throw new KeysException(Reason.MISMATCH, "not the document asked for");
        })).isInstanceOfSatisfying(KeysException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MISMATCH));
        try (var files = Files.list(dir)) {
            assertThat(files.filter(p -> p.getFileName().toString().contains("report.docx"))).isEmpty();
        }
        assertThatThrownBy(() -> opener.openToMemory(new ByteArrayInputStream(pkg), 1 << 20, o -> {
            throw new KeysException(Reason.MISMATCH, "not the document asked for");
        })).isInstanceOf(KeysException.class);
    }

    @Test
    void openToFile_bad_keepsExistingTarget() throws Exception {
        Path target = dir.resolve("report.docx");
        Files.writeString(target, "old");
        byte[] pkg = seal(random(5000, 8), archive);
        pkg[pkg.length - 40] ^= 1;
        assertThatThrownBy(() -> Opener.forRecipient(archive, pki.validator()).openToFile(new ByteArrayInputStream(pkg), target))
                .isInstanceOf(KeysException.class);
        assertThat(Files.readString(target)).isEqualTo("old");
    }

    @Test
    void open_notAPackage_isMalformed() {
        assertThatThrownBy(() -> open("hello, this is plain text".getBytes(), archive, new ByteArrayOutputStream()))
                .isInstanceOf(KeysException.class)
                .extracting(e -> ((KeysException) e).reason()).isEqualTo(Reason.MALFORMED);
        assertThatThrownBy(() -> open(new byte[0], archive, new ByteArrayOutputStream()))
                .isInstanceOf(KeysException.class)
                .extracting(e -> ((KeysException) e).reason()).isEqualTo(Reason.TRUNCATED);
    }

    @Test
    void rewrap_newReaderOpens_contentBytesUnchanged() throws Exception {
        byte[] content = random(300_000, 9);
        byte[] pkg = seal(content, archive);
        ByteArrayOutputStream rewrapped = new ByteArrayOutputStream();
        Rewrapper.holding(archive).rewrap(new ByteArrayInputStream(pkg), List.of(reader.certificate()), rewrapped);
        byte[] re = rewrapped.toByteArray();

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Opened o = open(re, reader, out);
        assertThat(out.toByteArray()).isEqualTo(content);
        assertThat(o.signer()).isEqualTo(unit.certificate()); // the author's signature travels unchanged
        // The archive is no longer a recipient of the re-addressed copy.
        assertThat(Rewrapper.addressedTo(new ByteArrayInputStream(pkg), archive.certificate())).isTrue();
        assertThat(Rewrapper.addressedTo(new ByteArrayInputStream(re), archive.certificate())).isFalse();
        assertThat(Rewrapper.addressedTo(new ByteArrayInputStream(re), reader.certificate())).isTrue();
        assertThatThrownBy(() -> open(re, archive, new ByteArrayOutputStream()))
                .extracting(e -> ((KeysException) e).reason()).isEqualTo(Reason.NOT_A_RECIPIENT);
        // Everything after the recipients (encrypted content, tag) is byte-identical.
        int tail = 300_000; // a suffix well inside the encrypted content
        assertThat(Arrays.copyOfRange(re, re.length - tail, re.length))
                .isEqualTo(Arrays.copyOfRange(pkg, pkg.length - tail, pkg.length));
    }

    @Test
    void rewrap_byNonRecipient_isRefused() throws Exception {
        byte[] pkg = seal(random(100, 10), archive);
        assertThatThrownBy(() -> Rewrapper.holding(reader).rewrap(new ByteArrayInputStream(pkg),
                List.of(reader.certificate()), new ByteArrayOutputStream()))
                .isInstanceOf(KeysException.class)
                .extracting(e -> ((KeysException) e).reason()).isEqualTo(Reason.NOT_A_RECIPIENT);
    }

    /**
     * A package sealed for an upload request signs that request's nonce with the content: opening it
     * says which request it was made for (a package sealed otherwise names none). A sealer told the
     * content's size refuses content of another size before the package is complete: what it wrote
     * opens for no one.
     */
    @Test
    void aPackageSealedForARequest_namesIt_andAContentOfAnotherSizeMakesNoPackage() throws Exception {
        byte[] content = random(200_000, 8);
        String nonce = "0123456789abcdef0123456789abcdef";
        Sealer forRequest = Sealer.signedBy(unit).to(archive.certificate()).describedAs("report.docx").clock(pki.clock)
                .forRequest(nonce).ofSize(content.length).build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Sealed sealed = forRequest.seal(new ByteArrayInputStream(content), out);
        assertThat(sealed.contentSm3Hex()).isEqualTo(Sm3.hex(content));
        Opener opener = Opener.forRecipient(archive, pki.validator());
        Opened opened = opener.check(new ByteArrayInputStream(out.toByteArray()));
        assertThat(opened.request()).contains(nonce);
        assertThat(opened.contentSm3Hex()).isEqualTo(Sm3.hex(content));
        assertThat(opener.openToMemory(new ByteArrayInputStream(out.toByteArray()), 1 << 20)).isEqualTo(content);
        assertThat(opener.check(new ByteArrayInputStream(seal(content, archive))).request()).isEmpty();

        for (byte[] other : List.of(Arrays.copyOf(content, content.length + 1), Arrays.copyOf(content, content.length - 1))) {
            ByteArrayOutputStream cut = new ByteArrayOutputStream();
            assertThatThrownBy(() -> forRequest.seal(new ByteArrayInputStream(other), cut))
                    .isInstanceOfSatisfying(KeysException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MISMATCH));
            assertThatThrownBy(() -> opener.check(new ByteArrayInputStream(cut.toByteArray()))).isInstanceOf(KeysException.class);
        }
        assertThatThrownBy(() -> Sealer.signedBy(unit).forRequest("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sealer_noRecipient_isRefused() {
        assertThatThrownBy(() -> Sealer.signedBy(unit).build()).isInstanceOf(IllegalStateException.class);
    }

    /** Bytes after a package's end are refused by every way of opening it, the streaming one and the check too. */
    @Test
    void anythingAfterThePackagesEnd_isRefused_evenWhenStreamed() throws Exception {
        byte[] content = random(5000, 11);
        byte[] pkg = seal(content, archive);
        Opener opener = Opener.forRecipient(archive, pki.validator());
        Opened ok = opener.streamUnverified(new ByteArrayInputStream(pkg), new ByteArrayOutputStream());
        assertThat(ok.contentSm3Hex()).isEqualTo(Sm3.hex(content));
        for (int extra : new int[] {1, 7, 100_000}) {
            byte[] longer = Arrays.copyOf(pkg, pkg.length + extra);
            assertThatThrownBy(() -> opener.streamUnverified(new ByteArrayInputStream(longer), new ByteArrayOutputStream()))
                    .as("%d bytes more", extra).isInstanceOf(KeysException.class)
                    .extracting(e -> ((KeysException) e).reason()).isEqualTo(Reason.MALFORMED);
            assertThatThrownBy(() -> opener.check(new ByteArrayInputStream(longer))).isInstanceOf(KeysException.class);
        }
    }

    @Test
    void aDescription_isAtMost1024Characters_andTheSealSaysWhatItSealed() throws Exception {
        Sealer.Builder b = Sealer.signedBy(unit).to(archive.certificate()).clock(pki.clock);
        b.describedAs("说".repeat(1024));
        assertThatThrownBy(() -> b.describedAs("说".repeat(1025))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1,024");
        byte[] content = random(300, 12);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Sealed sealed = b.build().seal(new ByteArrayInputStream(content), out);
        assertThat(sealed.contentSm3Hex()).isEqualTo(Sm3.hex(content));
        Opened opened = open(out.toByteArray(), archive, new ByteArrayOutputStream());
        assertThat(opened.description()).contains("说".repeat(1024));
    }
}
