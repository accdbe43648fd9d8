package cn.midang.server.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link BlobStore} promises, run against each real implementation: files
 * ({@code FileBlobStoreTest}) and an S3-compatible server ({@code S3BlobStoreIT}).
 */
abstract class BlobStoreContract {

    @TempDir
    Path local;

    BlobStore store;

    /** A new, empty store staging in {@code local/tmp}. */
    abstract BlobStore open(Path local) throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        store = open(local);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    private String put(byte[] content) throws Exception {
        try (BlobStore.Staged s = store.stage()) {
            s.stream().write(content);
            return s.commit();
        }
    }

    private static byte[] read(BlobStore store, String name) throws Exception {
        try (InputStream in = store.open(name)) {
            return in.readAllBytes();
        }
    }

    private long staged() throws Exception {
        try (Stream<Path> s = Files.list(local.resolve("tmp"))) {
            return s.count();
        }
    }

    @Test
    void committed_isReadBackByteForByte_underANewName_andStagesNothing() throws Exception {
        byte[] a = "密档 sealed package".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String first = put(a);
        String second = put(new byte[0]);
        assertThat(first).matches("[0-9a-f]{32}").isNotEqualTo(second);
        assertThat(read(store, first)).isEqualTo(a);
        assertThat(read(store, second)).isEmpty();
        assertThat(store.names()).containsExactlyInAnyOrder(first, second);
        assertThat(staged()).as("the staged files are gone once committed").isZero();
    }

    @Test
    void aLargeBlob_streamsThroughWhole() throws Exception {
        Random random = new Random(18);
        MessageDigest written = MessageDigest.getInstance("SHA-256");
        byte[] chunk = new byte[1 << 20];
        String name;
        try (BlobStore.Staged s = store.stage()) {
            OutputStream out = s.stream();
            for (int i = 0; i < 24; i++) {
                random.nextBytes(chunk);
                written.update(chunk);
                out.write(chunk);
            }
            name = s.commit();
        }
        MessageDigest read = MessageDigest.getInstance("SHA-256");
        long total = 0;
        try (InputStream in = store.open(name)) {
            int n;
            while ((n = in.read(chunk)) > 0) {
                read.update(chunk, 0, n);
                total += n;
            }
        }
        assertThat(total).isEqualTo(24L << 20);
        assertThat(read.digest()).isEqualTo(written.digest());
    }

    @Test
    void abortedOrClosedWithoutCommit_leavesNothing() throws Exception {
        try (BlobStore.Staged s = store.stage()) {
            s.stream().write(new byte[100_000]);
            s.abort();
        }
        try (BlobStore.Staged s = store.stage()) {
            s.stream().write(new byte[10]); // closed without a decision: an upload that failed half-way
        }
        assertThat(store.names()).isEmpty();
        assertThat(staged()).isZero();
    }

    @Test
    void sweepStaged_removesWhatACrashLeft_andNoCommittedBlob() throws Exception {
        String kept = put(new byte[] {1, 2, 3});
        BlobStore.Staged crashed = store.stage();
        crashed.stream().write(new byte[70_000]);
        crashed.stream().flush();
        assertThat(staged()).isEqualTo(1);
        // A new process: the crashed upload's staged file is swept; the committed blob stays.
        store.close();
        store = open(local, store);
        assertThat(store.sweepStaged()).isEqualTo(1);
        assertThat(staged()).isZero();
        assertThat(store.names()).containsExactly(kept);
        assertThat(read(store, kept)).containsExactly(1, 2, 3);
    }

    /** The same store (same bucket or folder) opened again, as after a restart. */
    abstract BlobStore open(Path local, BlobStore previous) throws Exception;

    @Test
    void replacing_keepsTheName_andSwapsTheContent_whole() throws Exception {
        String name = put("old".getBytes());
        try (BlobStore.Staged s = store.replacing(name)) {
            s.stream().write("new content".getBytes());
            assertThat(read(store, name)).as("until it commits, readers see the old blob").isEqualTo("old".getBytes());
            assertThat(s.commit()).isEqualTo(name);
        }
        assertThat(read(store, name)).isEqualTo("new content".getBytes());
        assertThat(store.names()).containsExactly(name);
    }

    @Test
    void importing_keepsTheNameItIsGiven_andReplacesAnEarlierCopy() throws Exception {
        String name = "00112233445566778899aabbccddeeff";
        for (String content : new String[] {"first copy", "second copy"}) {
            try (BlobStore.Staged s = store.importing(name)) {
                s.stream().write(content.getBytes());
                assertThat(s.commit()).isEqualTo(name);
            }
            assertThat(read(store, name)).isEqualTo(content.getBytes());
        }
        assertThat(store.names()).containsExactly(name);
        assertThatThrownBy(() -> store.importing("../" + name)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void replacing_aBlobThatDoesNotExist_isRefused() {
        assertThatThrownBy(() -> store.replacing("0123456789abcdef0123456789abcdef")).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void deleted_isGone_andOpeningIt_saysNoSuchBlob() throws Exception {
        String name = put(new byte[] {7});
        store.delete(name);
        store.delete(name); // twice is harmless: the start-up sweep may race a failed upload's own clean-up
        assertThat(store.names()).isEmpty();
        assertThatThrownBy(() -> read(store, name)).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void aNameThatIsNotABlobName_isRefused_beforeTheMediumIsTouched() {
        for (String bad : new String[] {"../../etc/passwd", "0123456789abcdef0123456789abcdeF", "tmp", "", "ab/cd"}) {
            assertThatThrownBy(() -> store.open(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.delete(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.replacing(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void modified_isWhenTheBlobWasCommitted_byTheStoresClock() throws Exception {
        java.time.Instant before = java.time.Instant.now();
        String name = put(new byte[] {1, 2, 3});
        // Seconds of slack either way: an object store's clock is not ours, and stamps to the second.
        assertThat(store.modified(name)).isBetween(before.minusSeconds(120), java.time.Instant.now().plusSeconds(120));
        store.delete(name);
        assertThatThrownBy(() -> store.modified(name)).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void theStartUpSweep_leavesAnUnrecordedBlobYoungerThanItsGrace_andDeletesItWithout() throws Exception {
        Archive archive = new Archive(cn.midang.keys.pki.Identity.generate("archive", java.time.Clock.systemUTC()), store,
                () -> { throw new AssertionError("the sweep checks no chain"); }, java.time.Clock.systemUTC());
        String recorded = put(new byte[] {1});
        String unrecorded = put(new byte[] {2}); // another node's upload, between storing and recording
        assertThat(archive.sweep(java.util.Set.of(recorded), java.time.Instant.now().minus(java.time.Duration.ofHours(1))))
                .as("within the grace: left alone").isZero();
        assertThat(store.names()).containsExactlyInAnyOrder(recorded, unrecorded);
        assertThat(archive.sweep(java.util.Set.of(recorded), java.time.Instant.MAX)).as("no grace: swept").isEqualTo(1);
        assertThat(store.names()).containsExactly(recorded);
    }
}
