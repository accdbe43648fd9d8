package cn.midang.server.search;

import cn.midang.keys.seal.PositionalCipher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FilterDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.IndexOutput;

/**
 * A Lucene directory whose files are encrypted at rest (SPEC C4): each file starts with a
 * 21-byte header (magic {@code MDIX}, version 1, a random 16-byte IV) followed by the file's
 * bytes encrypted with {@link PositionalCipher} at their own offsets, so reads may seek, clone
 * and slice freely. Temporary files (sorting, merging) go through the same path. Lengths and
 * file pointers seen by Lucene are those of the plaintext; Lucene's CRC32 footers are computed
 * over the plaintext, as for an ordinary directory.
 *
 * <p>The design follows the Solr sandbox {@code encryption} module (a filter over an
 * {@code FSDirectory}, per-file header, counter mode from the file position), with SM4 and one
 * index key instead of per-file wrapped keys.
 */
public final class EncryptedDirectory extends FilterDirectory {

    static final byte[] MAGIC = "MDIX".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int HEADER = MAGIC.length + 1 + PositionalCipher.IV_BYTES;

    private final PositionalCipher cipher;

    public EncryptedDirectory(Directory in, PositionalCipher cipher) {
        super(in);
        this.cipher = cipher;
    }

    @Override
    public IndexOutput createOutput(String name, IOContext context) throws IOException {
        return new EncryptingOutput(in.createOutput(name, context), cipher);
    }

    @Override
    public IndexOutput createTempOutput(String prefix, String suffix, IOContext context) throws IOException {
        return new EncryptingOutput(in.createTempOutput(prefix, suffix, context), cipher);
    }

    @Override
    public IndexInput openInput(String name, IOContext context) throws IOException {
        IndexInput raw = in.openInput(name, context);
        try {
            if (raw.length() < HEADER) {
                throw new CorruptIndexException("shorter than the encryption header", raw);
            }
            byte[] head = new byte[HEADER];
            raw.readBytes(head, 0, HEADER);
            if (!Arrays.equals(Arrays.copyOf(head, MAGIC.length), MAGIC) || head[MAGIC.length] != VERSION) {
                throw new CorruptIndexException("not an encrypted Midang index file", raw);
            }
            byte[] iv = Arrays.copyOfRange(head, MAGIC.length + 1, HEADER);
            return new DecryptingInput("encrypted(" + raw + ")", raw, cipher, iv, 0, raw.length() - HEADER, true);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    @Override
    public long fileLength(String name) throws IOException {
        return in.fileLength(name) - HEADER;
    }

    /** Encrypts as it writes, through a small buffer; the checksum is over the plaintext. */
    static final class EncryptingOutput extends IndexOutput {
        private final IndexOutput raw;
        private final PositionalCipher cipher;
        private final byte[] iv = PositionalCipher.newIv();
        private final byte[] buf = new byte[8192];
        private final CRC32 crc = new CRC32();
        private int used;
        private long flushed;

        EncryptingOutput(IndexOutput raw, PositionalCipher cipher) throws IOException {
            super("encrypted(" + raw + ")", raw.getName());
            this.raw = raw;
            this.cipher = cipher;
            raw.writeBytes(MAGIC, 0, MAGIC.length);
            raw.writeByte((byte) VERSION);
            raw.writeBytes(iv, 0, iv.length);
        }

        @Override
        public void writeByte(byte b) throws IOException {
            if (used == buf.length) {
                flush();
            }
            buf[used++] = b;
            crc.update(b);
        }

        @Override
        public void writeBytes(byte[] b, int off, int len) throws IOException {
            crc.update(b, off, len);
            int done = 0;
            while (done < len) {
                if (used == buf.length) {
                    flush();
                }
                int n = Math.min(buf.length - used, len - done);
                System.arraycopy(b, off + done, buf, used, n);
                used += n;
                done += n;
            }
        }

        private void flush() throws IOException {
            cipher.apply(iv, flushed, buf, 0, used);
            raw.writeBytes(buf, 0, used);
            flushed += used;
            used = 0;
        }

        @Override
        public long getFilePointer() {
            return flushed + used;
        }

        @Override
        public long getChecksum() {
            return crc.getValue();
        }

        @Override
        public void close() throws IOException {
            try {
                flush();
            } finally {
                Arrays.fill(buf, (byte) 0);
                raw.close();
            }
        }
    }

    /**
     * Decrypts as it reads, through its own buffer. A clone or a slice shares nothing mutable:
     * it clones the raw input and has its own buffer and position; only the original closes.
     */
    static final class DecryptingInput extends IndexInput {
        private IndexInput raw;
        private final PositionalCipher cipher;
        private final byte[] iv;
        private final long start;
        private final long length;
        private final boolean owner;
        private byte[] buf = new byte[8192];
        private long bufStart = -1;
        private int bufLen;
        private long pos;

        DecryptingInput(String description, IndexInput raw, PositionalCipher cipher, byte[] iv, long start, long length,
                boolean owner) {
            super(description);
            this.raw = raw;
            this.cipher = cipher;
            this.iv = iv;
            this.start = start;
            this.length = length;
            this.owner = owner;
        }

        private void fill() throws IOException {
            if (pos >= length) {
                throw new java.io.EOFException("read past the end of " + this);
            }
            int n = (int) Math.min(buf.length, length - pos);
            raw.seek(HEADER + start + pos);
            raw.readBytes(buf, 0, n);
            cipher.apply(iv, start + pos, buf, 0, n);
            bufStart = pos;
            bufLen = n;
        }

        private boolean buffered() {
            return bufStart >= 0 && pos >= bufStart && pos < bufStart + bufLen;
        }

        @Override
        public byte readByte() throws IOException {
            if (!buffered()) {
                fill();
            }
            return buf[(int) (pos++ - bufStart)];
        }

        @Override
        public void readBytes(byte[] b, int off, int len) throws IOException {
            int done = 0;
            while (done < len) {
                if (!buffered()) {
                    fill();
                }
                int at = (int) (pos - bufStart);
                int n = Math.min(bufLen - at, len - done);
                System.arraycopy(buf, at, b, off + done, n);
                pos += n;
                done += n;
            }
        }

        @Override
        public void skipBytes(long n) throws IOException {
            seek(pos + n);
        }

        @Override
        public long getFilePointer() {
            return pos;
        }

        @Override
        public void seek(long p) throws IOException {
            if (p < 0 || p > length) {
                throw new java.io.EOFException("seek to " + p + " outside 0.." + length + " of " + this);
            }
            pos = p;
        }

        @Override
        public long length() {
            return length;
        }

        @Override
        public IndexInput slice(String description, long offset, long len) throws IOException {
            if (offset < 0 || len < 0 || offset + len > length) {
                throw new IllegalArgumentException("slice " + offset + "+" + len + " outside " + length + " of " + this);
            }
            return new DecryptingInput(description, raw.clone(), cipher, iv, start + offset, len, false);
        }

        @Override
        public DecryptingInput clone() {
            DecryptingInput c = (DecryptingInput) super.clone();
            c.raw = raw.clone();
            c.buf = new byte[buf.length];
            c.bufStart = -1;
            c.bufLen = 0;
            return c;
        }

        @Override
        public void close() throws IOException {
            if (owner) {
                raw.close();
            }
        }
    }
}
