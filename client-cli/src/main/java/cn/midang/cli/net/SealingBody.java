package cn.midang.cli.net;

import cn.midang.keys.KeysException;
import cn.midang.keys.seal.Sealed;
import cn.midang.keys.seal.Sealer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An upload's body: the file sealed while it is sent. Nothing is read or sealed until the HTTP
 * client asks for the body — after the server's {@code 100 Continue}, so a request refused on its
 * headers seals nothing. Each time the client subscribes (once, unless it sends again) the file is
 * sealed afresh on a thread of its own into 256 KiB chunks, which a {@link SubmissionPublisher}
 * hands to the HTTP client, at most {@value #CHUNKS_AHEAD} ahead of the socket: memory does not grow
 * with the file.
 *
 * <p>The file is read once: the sealer hashes it while it encrypts it, and signs the request's
 * nonce with it ({@link Sealer.Builder#forRequest}). The request named the content's size before a
 * byte was sealed, and the sealer was told it ({@link Sealer.Builder#ofSize}): a file whose size
 * changed since fails the sealing before the package is complete, and the last chunk is never
 * handed over, so the server receives no complete package.
 * {@link #failure()} says why the body failed on this side; {@link #sealed()} what the last complete
 * sealing made.
 */
final class SealingBody implements Flow.Publisher<ByteBuffer> {

    static final int CHUNK = 256 * 1024;
    static final int CHUNKS_AHEAD = 8;

    /** Seals and hands chunks over; daemon threads, so an abandoned upload never keeps the JVM alive. */
    private static final ExecutorService THREADS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "midang-seal");
        t.setDaemon(true);
        return t;
    });

    private final Path file;
    private final Sealer sealer;
    private final Progress progress;
    private final Executor delivery;
    private final AtomicReference<SubmissionPublisher<ByteBuffer>> current = new AtomicReference<>();
    private final AtomicReference<Sealed> sealed = new AtomicReference<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicReference<CompletableFuture<Void>> sealing = new AtomicReference<>(CompletableFuture.completedFuture(null));

    SealingBody(Path file, Sealer sealer, Progress progress) {
        this(file, sealer, progress, THREADS);
    }

    /**
     * A body whose chunks reach the HTTP client through {@code delivery}. A failure is signalled at
     * once, ahead of chunks not yet delivered; a test that counts what was handed over delivers on the
     * sealing thread itself ({@code Runnable::run}), so every chunk handed over arrives before it.
     */
    SealingBody(Path file, Sealer sealer, Progress progress, Executor delivery) {
        this.file = file;
        this.sealer = sealer;
        this.progress = progress;
        this.delivery = delivery;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
        SubmissionPublisher<ByteBuffer> chunks = new SubmissionPublisher<>(delivery, CHUNKS_AHEAD);
        SubmissionPublisher<ByteBuffer> before = current.getAndSet(chunks);
        if (before != null) {
            before.closeExceptionally(new CancellationException("the body is being sent again"));
        }
        sealed.set(null);
        failure.set(null);
        CompletableFuture<Void> ended = new CompletableFuture<>();
        sealing.set(ended);
        chunks.subscribe(subscriber);
        THREADS.execute(() -> {
            try {
                seal(chunks);
            } finally {
                ended.complete(null);
            }
        });
    }

    private void seal(SubmissionPublisher<ByteBuffer> chunks) {
        try (InputStream in = Progress.counting(Files.newInputStream(file), progress);
                Chunks out = new Chunks(chunks)) {
            Sealed s;
            try {
                s = sealer.seal(in, out);
            } catch (KeysException e) {
                throw e.reason() == KeysException.Reason.MISMATCH ? changed(file) : e; // its size changed
            }
            out.finish();
            sealed.set(s);
            chunks.close();
        } catch (IOException | KeysException | RuntimeException | Error e) {
            if (!endedFirst(e)) { // the upload's own end (answered, refused, connection lost) is the exchange's to report
                failure.compareAndSet(null, e);
            }
            chunks.closeExceptionally(e);
        }
    }

    /** True when {@code e} comes from the upload having ended before the sealing did, not from the file or the sealing. */
    private static boolean endedFirst(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UploadEnded) {
                return true;
            }
        }
        return false;
    }

    /** The HTTP client no longer takes the body: the exchange ended (answered, refused, or the connection lost). */
    private static final class UploadEnded extends IOException {
        private static final long serialVersionUID = 1L;

        UploadEnded(Throwable cause) {
            super("the upload ended before the package was sent", cause);
        }
    }

    /** The refusal of a file whose size changed between being named and being sealed. */
    static KeysException changed(Path file) {
        return new KeysException(KeysException.Reason.IO, file + " changed while it was being submitted; nothing was kept: "
                + "submit it again once it is no longer being written");
    }

    /** Stops a sealing still going (the exchange ended: answered, refused or broken). */
    void stop() {
        SubmissionPublisher<ByteBuffer> chunks = current.get();
        if (chunks != null && !chunks.isClosed()) {
            chunks.closeExceptionally(new CancellationException("the upload ended"));
        }
    }

    /** What the last sealing made, once it sealed the whole file at the size named; null before or after a failure. */
    Sealed sealed() {
        return sealed.get();
    }

    /** Completes when the last sealing started has ended, however it ended. */
    CompletableFuture<Void> sealingEnded() {
        return sealing.get();
    }

    /** Why the body failed, if it did on this side (the file, the sealing); null otherwise. */
    Throwable failure() {
        return failure.get();
    }

    /** The sealed bytes, cut into chunks handed to the HTTP client; the last one only by {@link #finish()}. */
    private static final class Chunks extends OutputStream {
        private final SubmissionPublisher<ByteBuffer> chunks;
        private byte[] buffer = new byte[CHUNK];
        private int filled;

        Chunks(SubmissionPublisher<ByteBuffer> chunks) {
            this.chunks = chunks;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                int n = Math.min(len, CHUNK - filled);
                System.arraycopy(b, off, buffer, filled, n);
                filled += n;
                off += n;
                len -= n;
                if (filled == CHUNK) {
                    hand();
                }
            }
        }

        /** Hands the last, partial chunk over: only once the package is known to be the one named. */
        void finish() throws IOException {
            if (filled > 0) {
                hand();
            }
        }

        private void hand() throws IOException {
            if (chunks.isClosed() || !chunks.hasSubscribers()) { // ended, or the HTTP client gave the body up
                throw new UploadEnded(null);
            }
            try {
                chunks.submit(ByteBuffer.wrap(buffer, 0, filled)); // waits while CHUNKS_AHEAD are not yet sent
            } catch (IllegalStateException closed) {
                throw new UploadEnded(closed);
            }
            buffer = new byte[CHUNK];
            filled = 0;
        }
    }
}
