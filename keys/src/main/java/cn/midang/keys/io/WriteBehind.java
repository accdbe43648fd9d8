package cn.midang.keys.io;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An output stream that writes to its file on another thread, and forces it to disk behind the
 * writing (issue 17). Opening a download and receiving an upload write a whole document to a file
 * on the thread that decrypts it, then force it to disk: on two cores the writing (the kernel's
 * copy, a second or more for 1 GiB when the VM must hand the page cache its memory back) added to
 * the decryption, and the final force wrote the whole file at once (the kernel starts writing back
 * on its own only past a tenth of memory), 0.6–0.9 s after the last byte.
 *
 * <p>What is written is copied into one of {@value #BUFFERS} buffers of {@value #BUFFER} bytes;
 * full buffers are written in order by one pool task ({@code midang-behind-N}), which goes on while
 * there are full buffers and ends when there are none (a task per buffer cost a thread hand-over
 * each time); {@code Sm3Pipeline} hashes behind its writer through the same stream. The writer
 * waits only when every buffer is full, so memory stays at three buffers whatever the size. Every {@code forceEvery} bytes written the
 * {@link Forcer} is started on another pool thread (one at a time), so that the writer's own
 * final force finds little left to write.
 *
 * <p><b>Failures.</b> The first failure of a write or of a force behind is kept and thrown — the
 * same exception — by the writer's next {@code write}, by {@link #flush} and by {@link #close};
 * nothing is written after it. {@link #flush} returns only when everything written before it has
 * reached the sink and a force behind that was running has ended, so a failure of either is
 * never lost: on Linux a failed write-back is reported to one {@code fsync} only, and the one
 * behind may be that one.
 *
 * <p>One writer, like any stream.
 */
public final class WriteBehind extends OutputStream {

    /** The size of each buffer. */
    public static final int BUFFER = 128 * 1024;
    static final int BUFFERS = 3;
    /** How much is written between two forces behind, by default. */
    public static final long FORCE_EVERY = 64L << 20;

    /** Forces what was written so far to disk (a {@code FileChannel}'s {@code force(false)}). */
    @FunctionalInterface
    public interface Forcer {
        void force() throws IOException;
    }

    private static final class Pool {
        /** Daemon threads, created when needed and ended after a minute unused. */
        static final ExecutorService THREADS = Executors.newCachedThreadPool(
                Thread.ofPlatform().daemon().name("midang-behind-", 0).factory());
    }

    private record Chunk(byte[] bytes, int length) {}

    private final OutputStream sink;
    private final Forcer forcer;
    private final long forceEvery;
    private final ConcurrentLinkedQueue<Chunk> full = new ConcurrentLinkedQueue<>();
    private final BlockingQueue<byte[]> written = new LinkedBlockingQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final ArrayDeque<byte[]> free = new ArrayDeque<>();
    private volatile Throwable failure;
    private volatile Future<?> forcing;
    private long sinceForced; // the drain task's: its runs follow each other through `draining`
    private byte[] current;
    private int filled;
    private int allocated;
    private int outstanding; // buffers handed over and not yet taken back
    private boolean closed;

    /** Writes to {@code sink} behind the caller, without forcing. */
    public WriteBehind(OutputStream sink) {
        this(sink, null, Long.MAX_VALUE);
    }

    /** Writes to {@code sink} behind the caller, and calls {@code forcer} behind it every {@code forceEvery} bytes. */
    public WriteBehind(OutputStream sink, Forcer forcer, long forceEvery) {
        if (forceEvery <= 0) {
            throw new IllegalArgumentException("forceEvery must be positive");
        }
        this.sink = Objects.requireNonNull(sink);
        this.forcer = forcer;
        this.forceEvery = forceEvery;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        ensureOpen();
        throwIfFailed();
        while (len > 0) {
            if (current == null) {
                current = spare();
            }
            int n = Math.min(len, BUFFER - filled);
            System.arraycopy(b, off, current, filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == BUFFER) {
                handOver();
            }
        }
    }

    /** Returns when everything written so far is in the sink (flushed) and no force behind is running; throws a failure of either. */
    @Override
    public void flush() throws IOException {
        ensureOpen();
        if (filled > 0) {
            handOver();
        }
        while (outstanding > 0) {
            free.push(takeBack());
        }
        awaitForcing();
        throwIfFailed();
        sink.flush();
    }

    /** Flushes, then closes the sink (also when flushing failed). */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            flush();
        } finally {
            closed = true;
            sink.close();
        }
    }

    /** Buffers made so far (at most {@value #BUFFERS}). */
    int buffersAllocated() {
        return allocated;
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("the stream is closed");
        }
    }

    private byte[] spare() {
        if (!free.isEmpty()) {
            return free.pop();
        }
        if (allocated < BUFFERS) {
            allocated++;
            return new byte[BUFFER];
        }
        return takeBack();
    }

    private void handOver() {
        full.add(new Chunk(current, filled));
        outstanding++;
        current = null;
        filled = 0;
        if (draining.compareAndSet(false, true)) {
            Pool.THREADS.execute(this::drain);
        }
    }

    /** Writes the full buffers in order until there are none; another task starts when more come. */
    private void drain() {
        do {
            for (Chunk c; (c = full.poll()) != null; ) {
                try {
                    if (failure == null) {
                        sink.write(c.bytes(), 0, c.length());
                        sinceForced += c.length();
                        if (forcer != null && sinceForced >= forceEvery) {
                            forceBehind();
                        }
                    }
                } catch (Throwable t) {
                    fail(t);
                } finally {
                    written.add(c.bytes());
                }
            }
            draining.set(false);
            // A buffer added after the last poll and before the flag was cleared found it set: take it too.
        } while (!full.isEmpty() && draining.compareAndSet(false, true));
    }

    /** Starts a force unless one is still running (then the next buffer tries again). */
    private void forceBehind() {
        Future<?> running = forcing;
        if (running != null && !running.isDone()) {
            return;
        }
        sinceForced = 0;
        forcing = Pool.THREADS.submit(() -> {
            try {
                forcer.force();
            } catch (Throwable t) {
                fail(t);
            }
        });
    }

    private synchronized void fail(Throwable t) {
        if (failure == null) {
            failure = t;
        }
    }

    private void throwIfFailed() throws IOException {
        Throwable t = failure;
        if (t == null) {
            return;
        }
        if (t instanceof IOException e) {
            throw e;
        }
        if (t instanceof UncheckedIOException e) {
            throw e.getCause();
        }
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IOException(t);
    }

    /** A buffer the pool has written, waiting for one. */
    private byte[] takeBack() {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    byte[] b = written.take();
                    outstanding--;
                    return b;
                } catch (InterruptedException e) {
                    interrupted = true; // buffers are never left with the pool; the interrupt is kept for the caller
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void awaitForcing() {
        Future<?> f = forcing;
        if (f == null) {
            return;
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    f.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    fail(e.getCause()); // the task catches everything; kept for completeness
                    return;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
