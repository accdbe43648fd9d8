package cn.midang.server.http;

import cn.midang.server.refusal.ErrorCode;
import cn.midang.server.refusal.BodyRefusedException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongSupplier;

/**
 * A request body with two limits, checked on every read: at most {@code maxBytes}, and at least
 * {@code minRate} bytes per second of time spent <em>waiting for the client</em> (inside the
 * underlying read), once that waiting exceeds a grace period. Time the server spends elsewhere
 * (decrypting, verifying, or waiting for a CPU when many uploads run at once) does not count:
 * a busy server must not refuse a prompt client. The connection's idle timeout does not stop a
 * body that trickles in (it resets on every byte), and Jetty 12.1's
 * {@code MinimumDataRateHandler} measures the rate over all requests of the handler; so the rate
 * is checked here, per request.
 */
public final class GuardedBody extends FilterInputStream {

    /** Small bodies and TCP slow start get this long before the rate counts. */
    static final long GRACE_NANOS = 5_000_000_000L;

    private final long maxBytes;
    private final long minRate;
    private final LongSupplier nanoTime;
    private long waitingNanos;
    private long count;

    GuardedBody(InputStream in, long maxBytes, long minRate, LongSupplier nanoTime) {
        super(in);
        this.maxBytes = maxBytes;
        this.minRate = minRate;
        this.nanoTime = nanoTime;
    }

    @Override
    public int read() throws IOException {
        long before = nanoTime.getAsLong();
        int b = super.read();
        waitingNanos += nanoTime.getAsLong() - before;
        if (b >= 0) {
            account(1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        long before = nanoTime.getAsLong();
        int n = super.read(b, off, len);
        waitingNanos += nanoTime.getAsLong() - before;
        if (n > 0) {
            account(n);
        }
        return n;
    }

    /**
     * Leaves the request's content open: closing it would fail Jetty's content source, and what is
     * left of a refused body could no longer be read and dropped before the answer ({@link #drain}).
     * The request's end is Jetty's to handle.
     */
    @Override
    public void close() {
        // nothing: see above
    }

    /** Reads and drops the rest of the body within its limits; false when a limit or the connection stopped it first. */
    boolean drain() {
        byte[] buf = new byte[64 * 1024];
        try {
            while (read(buf, 0, buf.length) >= 0) {
                // dropped
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void account(int n) throws BodyRefusedException {
        count += n;
        if (count > maxBytes) {
            throw new BodyRefusedException(ErrorCode.BODY_TOO_LARGE, "body larger than " + maxBytes + " bytes");
        }
        if (minRate > 0 && waitingNanos > GRACE_NANOS && count * 1_000_000_000L / waitingNanos < minRate) {
            throw new BodyRefusedException(ErrorCode.REQUEST_TOO_SLOW,
                    count + " bytes after waiting " + waitingNanos / 1_000_000 + " ms for the client is below " + minRate + " B/s");
        }
    }
}
