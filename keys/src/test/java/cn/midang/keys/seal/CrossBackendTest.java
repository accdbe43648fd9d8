package cn.midang.keys.seal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import cn.midang.keys.KeysException;
import cn.midang.keys.digest.Sm3;
import cn.midang.keys.internal.CryptoBackend;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.testkit.TestPki;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A package sealed by either backend opens with the other, to the same plaintext and digest, on
 * random sizes up to 10 MiB and at the sizes where buffers and GCM blocks meet; a changed byte is
 * caught by either. The package format does not depend on the backend.
 */
class CrossBackendTest {

    @TempDir
    Path dir;

    TestPki pki;
    Identity unit;
    Identity archive;

    @BeforeEach
    void setUp() {
        assumeTrue(CryptoBackend.nativeBackend() != null, () -> "no native backend: " + CryptoBackend.nativeUnavailable());
        pki = TestPki.create(dir);
        unit = pki.person("unit-a", "unit", "Unit A");
        archive = pki.person("archive", "server", "Midang");
    }

    byte[] seal(CryptoBackend b, byte[] content) throws Exception {
        try (AutoCloseable use = CryptoBackend.use(b)) {
            return SealTest.seal(pki, unit, content, archive);
        }
    }

    byte[] open(CryptoBackend b, byte[] pkg) throws Exception {
        try (AutoCloseable use = CryptoBackend.use(b)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Opened o = Opener.forRecipient(archive, pki.validator()).streamUnverified(new ByteArrayInputStream(pkg), out);
            assertThat(o.contentSm3()).isEqualTo(Sm3.digest(out.toByteArray()));
            return out.toByteArray();
        }
    }

    @Test
    void sealedByEither_opensWithTheOther() throws Exception {
        Random r = new Random(17);
        List<Integer> sizes = new java.util.ArrayList<>(List.of(0, 1, 15, 16, 17, 65_535, 65_536, 65_537, 131_072, 10 << 20));
        for (int i = 0; i < 12; i++) {
            sizes.add(r.nextInt(10 << 20));
        }
        for (int size : sizes) {
            byte[] content = SealTest.random(size, size);
            for (CryptoBackend sealer : List.of(CryptoBackend.nativeBackend(), CryptoBackend.BOUNCY_CASTLE)) {
                byte[] pkg = seal(sealer, content);
                for (CryptoBackend opener : List.of(CryptoBackend.nativeBackend(), CryptoBackend.BOUNCY_CASTLE)) {
                    assertThat(open(opener, pkg)).as("%d bytes sealed by %s, opened by %s", size, sealer, opener).isEqualTo(content);
                }
            }
        }
    }

    @Test
    void aChangedByte_isCaughtByEither() throws Exception {
        byte[] content = SealTest.random(200_000, 3);
        for (CryptoBackend sealer : List.of(CryptoBackend.nativeBackend(), CryptoBackend.BOUNCY_CASTLE)) {
            byte[] pkg = seal(sealer, content);
            for (int at : new int[] {pkg.length / 2, pkg.length - 40, pkg.length - 20}) {
                byte[] bad = pkg.clone();
                bad[at] ^= 1;
                for (CryptoBackend opener : List.of(CryptoBackend.nativeBackend(), CryptoBackend.BOUNCY_CASTLE)) {
                    assertThatThrownBy(() -> open(opener, bad)).as("byte %d, sealed by %s, opened by %s", at, sealer, opener)
                            .isInstanceOfSatisfying(KeysException.class, e -> assertThat(e.reason())
                                    .isIn(KeysException.Reason.TAMPERED, KeysException.Reason.MALFORMED));
                }
            }
        }
    }
}
