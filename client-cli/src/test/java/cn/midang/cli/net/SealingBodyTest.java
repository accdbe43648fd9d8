package cn.midang.cli.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.keys.KeysException;
import cn.midang.keys.digest.Sm3;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.seal.Opener;
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

    static final String REQUEST = "00112233445566778899aabbccddeeff";

    /**
     * The body of {@code file} named at {@code namedSize}, its chunks delivered on the sealing thread:
     * what the HTTP client receives is then exactly what was handed over, even when the sealing fails
     * (a failure otherwise overtakes chunks still on their way, and a count of them would race it).
     */
    SealingBody body(Path file, long namedSize) {
        return new SealingBody(file, Sealer.signedBy(unit).to(archive.certificate()).describedAs(file.getFileName().toString())
                .forRequest(REQUEST).ofSize(namedSize).build(), Progress.NONE, Runnable::run);
    }

    @Test
    void theChunks_areOnePackage_thatOpensToTheFile() throws Exception {
        for (int size : new int[] {0, 1, SealingBody.CHUNK - 100, SealingBody.CHUNK, 3 * SealingBody.CHUNK + 7}) {
            Path f = file("r-" + size + ".bin", size, size);
            SealingBody body = body(f, size);
            Received r = new Received();
            body.subscribe(r);
            r.ended.join();
            assertThat(r.chunks).allSatisfy(c -> assertThat(c.length).isBetween(1, SealingBody.CHUNK));
            byte[] opened = Opener.forRecipient(archive, pki.validator()).openToMemory(new ByteArrayInputStream(r.all()), 1 << 24);
            assertThat(opened).as("size %d", size).isEqualTo(Files.readAllBytes(f));
            assertThat(Opener.forRecipient(archive, pki.validator()).check(new ByteArrayInputStream(r.all())).request())
                    .as("the package names the request it was sealed for").contains(REQUEST);
            assertThat(body.sealed().contentSm3()).isEqualTo(Sm3.digest(opened));
            assertThat(body.failure()).isNull();
        }
    }

    /**
     * The file grew or shrank between being named and being sealed: the body fails, its last chunk is
     * never handed over (the server could not receive a complete package), and the failure says why.
     */
    @Test
    void aFileThatChangedSizeSinceItWasNamed_failsTheBody_beforeTheLastChunk() throws Exception {
        for (int size : new int[] {2 * SealingBody.CHUNK + 6, 2 * SealingBody.CHUNK + 4}) {
            SealingBody body = changedAfterNaming("changing-" + size + ".bin", size, 1);
            Received r = new Received();
            body.subscribe(r);
            assertThatThrownBy(r.ended::join).hasRootCauseInstanceOf(KeysException.class).hasMessageContaining("changed while");
            assertThat(body.failure()).isInstanceOf(KeysException.class);
            assertThat(body.sealed()).isNull();
            assertThat(r.chunks).hasSize(2);
            assertThatThrownBy(() -> Opener.forRecipient(archive, pki.validator()).check(new ByteArrayInputStream(r.all())))
                    .isInstanceOf(KeysException.class);
        }
    }

    /**
     * The file changed in its bytes alone: it is read once, hashed as it is sealed, so the package is
     * a true one of what was read — it opens, and what the sealing reports is its content's digest.
     */
    @Test
    void aFileChangedInItsBytesAlone_makesAPackageOfWhatWasRead() throws Exception {
        SealingBody body = changedAfterNaming("edited.bin", 2 * SealingBody.CHUNK + 5, 2);
        Received r = new Received();
        body.subscribe(r);
        r.ended.join();
        byte[] opened = Opener.forRecipient(archive, pki.validator()).openToMemory(new ByteArrayInputStream(r.all()), 1 << 24);
        assertThat(opened).isEqualTo(Files.readAllBytes(dir.resolve("edited.bin")));
        assertThat(body.sealed().contentSm3()).isEqualTo(Sm3.digest(opened));
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
            public void start(long total) {}

            @Override
            public void advancedTo(long bytes) {
                read[0] = bytes;
            }

            @Override
            public void finish() {}
        };
        SealingBody body = new SealingBody(f, Sealer.signedBy(unit).to(archive.certificate()).describedAs("big.bin")
                .forRequest(REQUEST).ofSize(Files.size(f)).build(), counting);
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
        long named = Files.size(f);
        file(name, size, seed);
        return body(f, named);
    }

    /** Nothing is read before the HTTP client asks for the body (a request refused on its headers seals nothing). */
    @Test
    void nothingIsRead_untilTheBodyIsAskedFor() throws Exception {
        Path f = file("later.bin", 10, 3);
        SealingBody body = body(f, 10);
        Files.delete(f);
        assertThat(body.failure()).isNull();
        Received r = new Received();
        body.subscribe(r);
        assertThatThrownBy(r.ended::join).hasRootCauseInstanceOf(java.nio.file.NoSuchFileException.class);
        assertThat(body.failure()).isInstanceOf(java.nio.file.NoSuchFileException.class);
    }
}
