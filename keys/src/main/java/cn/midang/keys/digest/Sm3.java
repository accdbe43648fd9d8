package cn.midang.keys.digest;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.HexFormat;
import cn.midang.keys.internal.CryptoBackend;

/**
 * SM3 (GB/T 32905) digests of bytes and streams. Digests are 32 bytes; hex is lower case.
 *
 * <p>For one pass over a stream that is also being copied somewhere, wrap it with
 * {@link #digesting(InputStream)} or {@link #digesting(OutputStream)} instead of reading twice.
 */
public final class Sm3 {

    /** Length of an SM3 digest in bytes. */
    public static final int LENGTH = 32;

    private static final int BUFFER = 64 * 1024;

    private Sm3() {}

    public static byte[] digest(byte[] data) {
        CryptoBackend.Sm3 d = CryptoBackend.sm3For(data.length);
        d.update(data, 0, data.length);
        return d.digest();
    }

    /** Reads {@code in} to its end (without closing it) and returns its SM3 digest. */
    public static byte[] digest(InputStream in) throws IOException {
        CryptoBackend.Sm3 d = CryptoBackend.current().sm3();
        byte[] buf = new byte[BUFFER];
        for (int n; (n = in.read(buf)) != -1; ) {
            d.update(buf, 0, n);
        }
        return d.digest();
    }

    public static String hex(byte[] data) {
        return HexFormat.of().formatHex(digest(data));
    }

    public static String hex(InputStream in) throws IOException {
        return HexFormat.of().formatHex(digest(in));
    }

    /** An input stream that digests what is read through it. */
    public static DigestingInputStream digesting(InputStream in) {
        return new DigestingInputStream(in);
    }

    /** An output stream that digests what is written through it. */
    public static DigestingOutputStream digesting(OutputStream out) {
        return new DigestingOutputStream(out);
    }


    /** Digests and counts the bytes read through it. */
    public static final class DigestingInputStream extends FilterInputStream {
        private final CryptoBackend.Sm3 digest = CryptoBackend.current().sm3();
        private long count;

        private DigestingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                digest.update(new byte[] {(byte) b}, 0, 1);
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                digest.update(b, off, n);
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // Skipped bytes would escape the digest; read them instead.
            byte[] buf = new byte[(int) Math.min(n, BUFFER)];
            long skipped = 0;
            while (skipped < n) {
                int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
                if (r < 0) {
                    break;
                }
                skipped += r;
            }
            return skipped;
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        /** Bytes read so far. */
        public long count() {
            return count;
        }

        /** The digest of everything read so far; call once, at the end. */
        public byte[] digest() {
            return digest.digest();
        }
    }

    /** Digests and counts the bytes written through it. */
    public static final class DigestingOutputStream extends FilterOutputStream {
        private final CryptoBackend.Sm3 digest = CryptoBackend.current().sm3();
        private long count;

        private DigestingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            digest.update(new byte[] {(byte) b}, 0, 1);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            digest.update(b, off, len);
            count += len;
        }

        public long count() {
            return count;
        }

        /** The digest of everything written so far; call once, at the end. */
        public byte[] digest() {
            return digest.digest();
        }
    }
}
