package cn.midang.keys.internal;

import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An SM3 computation that hashes on another thread while its writer goes on (issue 17): sealing
 * and opening a package hash its content — and the client and the server the package too — on
 * the thread that encrypts or decrypts it, so on two cores the hashing added to the wall time.
 *
 * <p>The first {@link #BUFFER} bytes are hashed on the writer's thread, as they come: a small
 * input never leaves it and costs no copy. After that, what is written is copied into one of
 * three buffers of that size, and full buffers are hashed in the order written by one pool task,
 * which goes on as long as there are full buffers and ends when there are none (a task per
 * buffer cost a thread hand-over each time: two thirds of the speed with 128 KiB buffers). The writer
 * waits only when all three buffers are full, so memory stays at three buffers whatever the
 * input's size; nothing waits on a digest that was given up half-way (a refused upload's).
 *
 * <p>One writer, like any digest. The wrapped computation is reached only through this object and
 * its task, so it stays reachable — and its native handle open — until the last buffer was hashed.
 */
final class Sm3Pipeline implements CryptoBackend.Sm3 {

    static final int BUFFER = 128 * 1024;
    private static final int BUFFERS = 3;
    private static final byte[] FAILED = new byte[0];

    private static final class Pool {
        /** Daemon threads, created when needed and ended after a minute unused. */
        static final ExecutorService THREADS = Executors.newCachedThreadPool(
                Thread.ofPlatform().daemon().name("midang-sm3-", 0).factory());
    }

    private final CryptoBackend.Sm3 inner;
    private final ConcurrentLinkedQueue<byte[]> full = new ConcurrentLinkedQueue<>();
    private final BlockingQueue<byte[]> hashed = new LinkedBlockingQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile Throwable failure;
    private long direct; // bytes hashed on the writer's thread
    private boolean buffering; // from the first update that goes past BUFFER on
    private byte[] current;
    private int filled;
    private int allocated;
    private int outstanding; // buffers handed over and not yet taken back

    Sm3Pipeline(CryptoBackend.Sm3 inner) {
        this.inner = Objects.requireNonNull(inner);
    }

    @Override
    public void update(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        if (!buffering && direct + len <= BUFFER) {
            inner.update(b, off, len);
            direct += len;
            return;
        }
        buffering = true;
        while (len > 0) {
            if (current == null && allocated < BUFFERS) {
                current = new byte[BUFFER];
                allocated++;
            } else if (current == null) {
                current = takeBack();
            }
            int n = Math.min(len, BUFFER - filled);
            System.arraycopy(b, off, current, filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == BUFFER) {
                full.add(current);
                outstanding++;
                current = null;
                filled = 0;
                if (draining.compareAndSet(false, true)) {
                    Pool.THREADS.execute(this::drain);
                }
            }
        }
    }

    /** Hashes the full buffers in order until there are none; another task starts when more come. */
    private void drain() {
        try {
            do {
                for (byte[] b; (b = full.poll()) != null; ) {
                    inner.update(b, 0, BUFFER);
                    hashed.add(b);
                }
                draining.set(false);
                // A buffer added after the last poll and before the flag was cleared found it set: take it too.
            } while (!full.isEmpty() && draining.compareAndSet(false, true));
        } catch (Throwable t) {
            failure = t;
            hashed.add(FAILED);
        }
    }

    /** A buffer the pool has hashed, waiting for one; throws what the pool's hashing threw. */
    private byte[] takeBack() {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    byte[] b = hashed.take();
                    if (b == FAILED) {
                        hashed.add(FAILED);
                        Throwable t = failure;
                        if (t instanceof RuntimeException r) {
                            throw r;
                        }
                        if (t instanceof Error e) {
                            throw e;
                        }
                        throw new IllegalStateException(t);
                    }
                    outstanding--;
                    return b;
                } catch (InterruptedException e) {
                    interrupted = true; // a digest is not left half-made; the interrupt is kept for the caller
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public byte[] digest() {
        while (outstanding > 0) {
            takeBack();
        }
        if (filled > 0) {
            inner.update(current, 0, filled);
        }
        return inner.digest();
    }
}
