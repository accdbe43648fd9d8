package cn.midang.cli.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.keys.KeysException;
import cn.midang.keys.digest.Sm3;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.seal.Opener;
import cn.midang.keys.seal.Sealed;
import cn.midang.keys.seal.Sealer;
import cn.midang.keys.testkit.TestPki;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The upload body sealed as it is sent: what the HTTP client receives, chunk by chunk. */
class SealingBodyTest {

    @TempDir
    static Path dir;
    static TestPki pki;
    static Identity unit;
    static Identity archive;

    @BeforeAll
    static void keys() {
        pki = TestPki.create(dir.resolve("ca"));
        unit = pki.person("unit-a", "unit", "unit-a");
        archive = pki.person("archive", "archive", "server");
    }

    /** Everything the HTTP client was given, and how the body ended. */
    static final class Received implements Flow.Subscriber<ByteBuffer> {
        final List<byte[]> chunks = new ArrayList<>();
        final CompletableFuture<Void> ended = new CompletableFuture<>();

        @Override
        public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(ByteBuffer b) {
            byte[] copy = new byte[b.remaining()];
            b.get(copy);
            chunks.add(copy);
        }

        @Override
        public void onError(Throwable t) {
            ended.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            ended.complete(null);
        }

        byte[] all() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            chunks.forEach(out::writeBytes);
            return out.toByteArray();
        }
    }

    static Path file(String name, int size, int seed) throws Exception {
        byte[] content = new byte[size];
        new Random(seed).nextBytes(content);
        return Files.write(dir.resolve(name), content);
    }

    static Sealed named(Path file) throws Exception {
        byte[] content = Files.readAllBytes(file);
        return new Sealed(content.length, Sm3.digest(content));
    }

    SealingBody body(Path file, Sealed expected) {
        return new SealingBody(file, Sealer.signedBy(unit).to(archive.certificate()).describedAs(file.getFileName().toString())
                .knownContent(expected).build(), expected, Progress.NONE);
    }

    @Test
    void theChunks_areOnePackage_thatOpensToTheFile() throws Exception {
        for (int size : new int[] {0, 1, SealingBody.CHUNK - 100, SealingBody.CHUNK, 3 * SealingBody.CHUNK + 7}) {
            Path f = file("r-" + size + ".bin", size, size);
            SealingBody body = body(f, named(f));
            Received r = new Received();
            body.subscribe(r);
            r.ended.join();
            assertThat(r.chunks).allSatisfy(c -> assertThat(c.length).isBetween(1, SealingBody.CHUNK));
            byte[] opened = Opener.forRecipient(archive, pki.validator()).openToMemory(new ByteArrayInputStream(r.all()), 1 << 24);
            assertThat(opened).as("size %d", size).isEqualTo(Files.readAllBytes(f));
            assertThat(body.sealed().contentSm3()).isEqualTo(Sm3.digest(opened));
            assertThat(body.failure()).isNull();
        }
    }

    /**
     * The file grew between being named and being sealed: the body fails, its last chunk is never
     * handed over (the server could not receive a complete package), and the failure says why.
     */
    @Test
    void aFileThatChangedSizeSinceItWasNamed_failsTheBody_beforeTheLastChunk() throws Exception {
        SealingBody body = changedAfterNaming("growing.bin", 2 * SealingBody.CHUNK + 6, 1);
        Received r = new Received();
        body.subscribe(r);
        assertThatThrownBy(r.ended::join).hasRootCauseInstanceOf(KeysException.class).hasMessageContaining("changed while");
        assertThat(body.failure()).isInstanceOf(KeysException.class);
        assertThat(body.sealed()).isNull();
        assertThat(r.chunks).hasSize(2);
        assertThatThrownBy(() -> Opener.forRecipient(archive, pki.validator()).check(new ByteArrayInputStream(r.all())))
                .isInstanceOf(KeysException.class);
    }

    /**
     * The file changed in its bytes alone: the package signs the digest it was named with (the file
     * is not hashed again), so what is sent is a package no recipient accepts — the server refuses
     * it as tampered with, and the client, reading the file again, says it changed.
     */
    @Test
    void aFileChangedInItsBytesAlone_makesAPackageThatDoesNotVerify() throws Exception {
        SealingBody body = changedAfterNaming("edited.bin", 2 * SealingBody.CHUNK + 5, 2);
        Received r = new Received();
        body.subscribe(r);
        r.ended.join();
        assertThatThrownBy(() -> Opener.forRecipient(archive, pki.validator()).check(new ByteArrayInputStream(r.all())))
                .isInstanceOf(KeysException.class);
    }

    /**
     * The HTTP client gives the body up after one chunk (the server answered, or died): the sealing
     * stops without reading the file to its end, and that is not a failure of this side — the
     * exchange's own error is what the user hears (a server killed mid-upload is a connection error).
     */
    @Test
    void aBodyGivenUpByTheHttpClient_stopsTheSealing_andIsNotReportedAsTheFilesFailure() throws Exception {
        Path f = file("big.bin", 40 * SealingBody.CHUNK, 9);
        long[] read = {0};
        Progress counting = new Progress() {
            @Override
            public void start(Phase phase, long total) {}

            @Override
            public void advancedTo(long bytes) {
                read[0] = bytes;
            }

            @Override
            public void finish() {}
        };
        SealingBody body = new SealingBody(f, Sealer.signedBy(unit).to(archive.certificate()).describedAs("big.bin")
                .knownContent(named(f)).build(), named(f), counting);
        body.subscribe(new Flow.Subscriber<>() {
            Flow.Subscription s;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                this.s = s;
                s.request(1);
            }

            @Override
            public void onNext(ByteBuffer item) {
                s.cancel();
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onComplete() {}
        });
        body.sealingEnded().join();
        assertThat(body.failure()).isNull();
        assertThat(body.sealed()).isNull();
        assertThat(read[0]).isLessThan(Files.size(f));
    }

    /** The body of a file of 2 chunks + 5 bytes, named, then rewritten with {@code size} bytes from {@code seed}. */
    SealingBody changedAfterNaming(String name, int size, int seed) throws Exception {
        Path f = file(name, 2 * SealingBody.CHUNK + 5, 1);
        Sealed before = named(f);
        file(name, size, seed);
        return body(f, before);
    }

    /** Nothing is read before the HTTP client asks for the body (a request refused on its headers seals nothing). */
    @Test
    void nothingIsRead_untilTheBodyIsAskedFor() throws Exception {
        Path f = file("later.bin", 10, 3);
        Sealed n = named(f);
        SealingBody body = body(f, n);
        Files.delete(f);
        assertThat(body.failure()).isNull();
        Received r = new Received();
        body.subscribe(r);
        assertThatThrownBy(r.ended::join).hasRootCauseInstanceOf(java.nio.file.NoSuchFileException.class);
        assertThat(body.failure()).isInstanceOf(java.nio.file.NoSuchFileException.class);
    }
}
