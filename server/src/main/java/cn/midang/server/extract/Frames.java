package cn.midang.server.extract;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The framing between {@link ForkedExtractor} and its child ({@link ExtractMain}) on their pipes:
 * a stream of unknown length goes as chunks ({@code int length > 0}, then the bytes) closed by
 * {@code int 0}; a status is one {@code writeUTF} string. Several documents pass through one
 * child this way, each read to its end even when the parser stopped early.
 */
final class Frames {

    static final int CHUNK = 1 << 16;
    private static final int MAX_STATUS = 2000;

    private Frames() {}

    static void writeStatus(DataOutputStream out, String status) throws IOException {
        String line = status.replaceAll("[\\r\\n]+", " ");
        out.writeUTF(line.length() > MAX_STATUS ? line.substring(0, MAX_STATUS) : line);
    }

    /** Writes chunks; {@link #close()} ends the stream (it leaves the underlying stream open). */
    static final class ChunkOutput extends OutputStream {
        private final DataOutputStream out;
        private final byte[] buf = new byte[CHUNK];
        private int n;
        private boolean closed;

        ChunkOutput(DataOutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            if (n == buf.length) {
                flushChunk();
            }
            buf[n++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (n == buf.length) {
                    flushChunk();
                }
                int k = Math.min(len, buf.length - n);
                System.arraycopy(b, off, buf, n, k);
                n += k;
                off += k;
                len -= k;
            }
        }

        private void flushChunk() throws IOException {
            if (n > 0) {
                out.writeInt(n);
                out.write(buf, 0, n);
                n = 0;
            }
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                flushChunk();
                out.writeInt(0);
                out.flush();
            }
        }
    }

    /**
     * Passes writes on until {@code stop} is set, then refuses them: the writer (the package being
     * decrypted) ends at its next write, and the stream underneath is closed properly (end mark).
     */
    static final class Stoppable extends FilterOutputStream {
        private final AtomicBoolean stop;

        Stoppable(OutputStream out, AtomicBoolean stop) {
            super(out);
            this.stop = stop;
        }

        @Override
        public void write(int b) throws IOException {
            requireWanted();
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            requireWanted();
            out.write(b, off, len);
        }

        private void requireWanted() throws IOException {
            if (stop.get()) {
                throw new IOException("the extractor needs no more of this document");
            }
        }

        @Override
        public void close() {
            // the chunks are ended by their owner
        }
    }

    /** Reads chunks until the end mark; {@link #drain()} skips what the reader did not want. */
    static final class ChunkInput extends InputStream {
        private final DataInputStream in;
        private int left;
        private boolean ended;

        ChunkInput(DataInputStream in) {
            this.in = in;
        }

        private boolean fill() throws IOException {
            while (left == 0 && !ended) {
                int len = in.readInt();
                if (len < 0 || len > CHUNK) {
                    throw new IOException("broken frame: chunk of " + len + " bytes");
                }
                if (len == 0) {
                    ended = true;
                } else {
                    left = len;
                }
            }
            return !ended || left > 0;
        }

        @Override
        public int read() throws IOException {
            if (!fill()) {
                return -1;
            }
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the stream ended inside a chunk");
            }
            left--;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int k = in.read(b, off, Math.min(len, left));
            if (k < 0) {
                throw new EOFException("the stream ended inside a chunk");
            }
            left -= k;
            return k;
        }

        /** Reads and drops the rest of this stream, up to its end mark. */
        void drain() throws IOException {
            while (fill()) {
                in.skipNBytes(left);
                left = 0;
            }
        }

        @Override
        public void close() {
            // The underlying pipe carries the next document.
        }
    }
}
