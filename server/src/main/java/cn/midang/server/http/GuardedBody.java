package cn.midang.server.http;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongSupplier;

/**
 * A request body with two limits, checked on every read: at most {@code maxBytes}, and after a
 * grace period at least {@code minRate} bytes per second on average. The connection's idle
 * timeout does not stop a body that trickles in (it resets on every byte), and Jetty 12.1's
 * {@code MinimumDataRateHandler} measures the rate over all requests of the handler, not per
 * request; so the rate is checked here, per request.
 */
public final class GuardedBody extends FilterInputStream {

    /** Small bodies and TCP slow start get this long before the rate counts. */
    static final long GRACE_NANOS = 5_000_000_000L;

    private final long maxBytes;
    private final long minRate;
    private final LongSupplier nanoTime;
    private final long start;
    private long count;

    GuardedBody(InputStream in, long maxBytes, long minRate, LongSupplier nanoTime) {
        super(in);
        this.maxBytes = maxBytes;
        this.minRate = minRate;
        this.nanoTime = nanoTime;
        this.start = nanoTime.getAsLong();
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            account(1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            account(n);
        }
        return n;
    }

    private void account(int n) throws BodyRefusedException {
        count += n;
        if (count > maxBytes) {
            throw new BodyRefusedException(ErrorCode.BODY_TOO_LARGE, "body larger than " + maxBytes + " bytes");
        }
        long elapsed = nanoTime.getAsLong() - start;
        if (minRate > 0 && elapsed > GRACE_NANOS && count * 1_000_000_000L / elapsed < minRate) {
            throw new BodyRefusedException(ErrorCode.REQUEST_TOO_SLOW,
                    count + " bytes in " + elapsed / 1_000_000 + " ms is below " + minRate + " B/s");
        }
    }
}
