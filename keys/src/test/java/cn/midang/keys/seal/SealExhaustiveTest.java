package cn.midang.keys.seal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import cn.midang.keys.KeysException;
import cn.midang.keys.KeysException.Reason;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.testkit.TestPki;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exhaustive tamper test of a sealed package: thousands of openings, about 13 seconds. Its own class so that
 * the mutation run ({@code bench/run-mutation.sh}, which leaves out {@code *ExhaustiveTest}) does not run it for
 * every mutant; {@code mvn test} and CI run it as any other unit test.
 */
class SealExhaustiveTest {

    @TempDir
    Path dir;

    /** Flips one bit in every byte of a package in turn: each must be refused, never opened. */
    @Test
    void openToFile_anyFlippedBit_isRefusedAndLeavesNothing() throws Exception {
        TestPki pki = TestPki.create(dir);
        Identity unit = pki.person("unit-a", "unit", "Unit A");
        Identity archive = pki.person("archive", "server", "Midang");
        byte[] pkg = SealTest.seal(pki, unit, SealTest.random(3000, 5), archive);
        Path target = dir.resolve("report.docx");
        Opener opener = Opener.forRecipient(archive, pki.validator());
        Set<Reason> seen = EnumSet.noneOf(Reason.class);
        int tampered = 0;
        for (int i = 0; i < pkg.length; i++) {
            for (int bit : new int[] {0x01, 0x80}) {
                byte[] bad = pkg.clone();
                bad[i] ^= (byte) bit;
                try {
                    opener.openToFile(new ByteArrayInputStream(bad), target);
                    fail("flipping bit " + Integer.toHexString(bit) + " of byte " + i + " of " + pkg.length + " went unnoticed");
                } catch (KeysException e) {
                    seen.add(e.reason());
                    assertThat(e.getMessage()).isNotBlank();
                    assertThat(e.reason()).as("byte %d of %d", i, pkg.length)
                            .isIn(Reason.TAMPERED, Reason.MALFORMED, Reason.TRUNCATED, Reason.NOT_A_RECIPIENT, Reason.BAD_SIGNATURE);
                    if (e.reason() == Reason.TAMPERED) {
                        tampered++;
                    }
                }
                assertThat(target).doesNotExist();
            }
        }
        assertThat(seen).contains(Reason.TAMPERED, Reason.MALFORMED);
        // Most bytes are ciphertext: a flip there is caught by the tag and said so, whatever parser wrapped the failure
        // (before the failures were classified by type, every one of them was reported as "malformed").
        assertThat(tampered).as("flips the tag reports as tampering, of %d", pkg.length * 2).isGreaterThan(pkg.length * 2 * 6 / 10);
        try (var files = Files.list(dir)) {
            assertThat(files.filter(p -> p.getFileName().toString().contains("partial"))).isEmpty();
        }
    }

}
