package cn.midang.keys.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Remembers the last bytes that passed through it, so the end of a structure can be checked exactly. */
public final class TailKeepingInputStream extends FilterInputStream {
    private final byte[] ring;
    private long total;

    public TailKeepingInputStream(InputStream in, int keep) {
        super(in);
        this.ring = new byte[keep];
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            ring[(int) (total++ % ring.length)] = (byte) b;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            // Only the last ring.length bytes of this read can matter.
            int keep = Math.min(n, ring.length);
            total += n - keep;
            int from = off + n - keep;
            for (int i = 0; i < keep; i++) {
                ring[(int) (total++ % ring.length)] = b[from + i];
            }
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        return read(new byte[(int) Math.min(n, 8192)]);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** The last {@code n} bytes read (fewer if fewer were read). */
    public byte[] tail(int n) {
        int len = (int) Math.min(Math.min(n, ring.length), total);
        byte[] out = new byte[len];
        for (int i = 0; i < len; i++) {
            out[i] = ring[(int) ((total - len + i) % ring.length)];
        }
        return out;
    }
}
