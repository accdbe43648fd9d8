package cn.midang.keys.internal;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An SM3 computation that hashes on another thread while its writer goes on (issue 17): sealing
 * and opening a package hash its content — and the client and the server the package too — on
 * the thread that encrypts or decrypts it, so on two cores the hashing added to the wall time.
 *
 * <p>The first {@link #BUFFER} bytes are hashed on the writer's thread, as they come: a small
 * input never leaves it and costs no copy. After that, what is written is copied into one of
 * three buffers of that size; a full buffer is hashed by a pool thread, each after the one before
 * (the digest is that of the bytes in the order written). The writer waits only when all three
 * are still being hashed, so memory stays at three buffers whatever the input's size.
 *
 * <p>One writer, like any digest. The wrapped computation is reached only through this object, so
 * it stays reachable — and its native handle open — until the last buffer was hashed.
 */
final class Sm3Pipeline implements CryptoBackend.Sm3 {

    static final int BUFFER = 128 * 1024;
    private static final int BUFFERS = 3;

    private static final class Pool {
        /** Daemon threads, created when needed and ended after a minute unused. */
        static final ExecutorService THREADS = Executors.newCachedThreadPool(
                Thread.ofPlatform().daemon().name("midang-sm3-", 0).factory());
    }

    private final CryptoBackend.Sm3 inner;
    private final byte[][] buffers = new byte[BUFFERS][];
    private final CompletableFuture<?>[] hashing = new CompletableFuture<?>[BUFFERS];
    private long direct; // bytes hashed on the writer's thread
    private boolean buffering; // from the first update that goes past BUFFER on
    private CompletableFuture<?> last; // null until the first buffer was handed over
    private int current; // the buffer being filled
    private int filled;

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
            if (buffers[current] == null) {
                buffers[current] = new byte[BUFFER];
            }
            int n = Math.min(len, BUFFER - filled);
            System.arraycopy(b, off, buffers[current], filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == BUFFER) {
                handOver();
            }
        }
    }

    /** Hands the full current buffer to the pool and makes the next one current, waiting until it is free. */
    private void handOver() {
        byte[] full = buffers[current];
        Runnable hash = () -> inner.update(full, 0, BUFFER);
        last = last == null ? CompletableFuture.runAsync(hash, Pool.THREADS) : last.thenRunAsync(hash, Pool.THREADS);
        hashing[current] = last;
        current = (current + 1) % BUFFERS;
        filled = 0;
        if (hashing[current] != null) {
            await(hashing[current]);
            hashing[current] = null;
        }
    }

    @Override
    public byte[] digest() {
        if (last != null) {
            await(last);
        }
        if (filled > 0) {
            inner.update(buffers[current], 0, filled);
        }
        return inner.digest();
    }

    private static void await(CompletableFuture<?> f) {
        try {
            f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }
}
