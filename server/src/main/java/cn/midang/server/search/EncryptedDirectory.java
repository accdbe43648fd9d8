package cn.midang.server.search;

import cn.midang.keys.seal.PositionalCipher;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.store.BufferedIndexInput;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FilterDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.IndexOutput;
import org.apache.lucene.store.OutputStreamIndexOutput;

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

    /**
     * The decrypted pages kept by default: an eighth of the heap, at least 32 MiB and at most 1 GiB
     * (64 MiB in a 512 MiB server; 768 MiB in the 6 GiB a JVM takes by default on a 24 GiB machine).
     * A plain index is read from the operating system's cache, as large as free memory; this one's
     * plaintext may only live in the heap (C4), and a query that misses the cache decrypts its pages
     * again: with 32 MiB against a 250 MB index the three-word query's p99 was twice the plain
     * directory's, with 512 MiB 1.2–1.4× (SearchBench queries, 100,000 documents, D67).
     */
    public static final long DEFAULT_CACHE_BYTES = Math.clamp(Runtime.getRuntime().maxMemory() / 8, 32L << 20, 1L << 30);

    private final PositionalCipher cipher;
    private final PageCache cache;

    public EncryptedDirectory(Directory in, PositionalCipher cipher) {
        this(in, cipher, DEFAULT_CACHE_BYTES);
    }

    /** A directory keeping up to {@code cacheBytes} of decrypted pages in memory. */
    public EncryptedDirectory(Directory in, PositionalCipher cipher, long cacheBytes) {
        super(in);
        this.cipher = cipher;
        this.cache = new PageCache(cacheBytes);
    }

    @Override
    public IndexOutput createOutput(String name, IOContext context) throws IOException {
        return encrypting(in.createOutput(name, context), cipher);
    }

    @Override
    public IndexOutput createTempOutput(String prefix, String suffix, IOContext context) throws IOException {
        return encrypting(in.createTempOutput(prefix, suffix, context), cipher);
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
            long plain = raw.length() - HEADER;
            // Read once, start to end (compound files after a flush, checksums, commit points; a merge
            // of segments no searcher holds): through the page cache they only evicted the pages
            // queries come back to. Merges of searched segments read through the searchers' inputs.
            boolean once = context.context() == IOContext.Context.MERGE || context == IOContext.READONCE;
            return new DecryptingInput("encrypted(" + raw + ")", raw, cipher, once ? null : cache.pagesOf(plain), iv, plain, 0, plain, true);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /** How many decrypted pages the cache holds. */
    int cachedPages() {
        return cache.size();
    }

    @Override
    public long fileLength(String name) throws IOException {
        return in.fileLength(name) - HEADER;
    }

    /**
     * An output that encrypts as it writes: Lucene's own {@link OutputStreamIndexOutput} (its buffer,
     * its {@code writeInt}/{@code writeLong}, its checksum over the plaintext) over a stream that
     * encrypts each buffer at its offset and passes it to {@code raw}, after the header.
     */
    static IndexOutput encrypting(IndexOutput raw, PositionalCipher cipher) throws IOException {
        byte[] iv = PositionalCipher.newIv();
        try {
            raw.writeBytes(MAGIC, 0, MAGIC.length);
            raw.writeByte((byte) VERSION);
            raw.writeBytes(iv, 0, iv.length);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
        return new OutputStreamIndexOutput("encrypted(" + raw + ")", raw.getName(), new EncryptingStream(raw, cipher, iv), 8192);
    }

    /** Encrypts what it is given at its offset in the file and writes it to the raw output. */
    static final class EncryptingStream extends OutputStream {
        private final IndexOutput raw;
        private final PositionalCipher cipher;
        private final byte[] iv;
        private final byte[] buf = new byte[8192];
        private long written;

        EncryptingStream(IndexOutput raw, PositionalCipher cipher, byte[] iv) {
            this.raw = raw;
            this.cipher = cipher;
            this.iv = iv;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                int n = Math.min(len, buf.length);
                System.arraycopy(b, off, buf, 0, n);
                cipher.apply(iv, written, buf, 0, n);
                raw.writeBytes(buf, 0, n);
                written += n;
                off += n;
                len -= n;
            }
        }

        @Override
        public void close() throws IOException {
            Arrays.fill(buf, (byte) 0);
            raw.close();
        }
    }

    /**
     * Decrypted pages of index files, shared by every input of the directory, within one budget.
     * Lucene reads a few bytes here and there (a term dictionary block, a skip list, a stored-fields
     * chunk) and reads the same places again for the next query; without the cache every such read
     * decrypted its page again, and queries ran 6 to 40 times slower than on a plain directory
     * (search benchmark, docs/PERFORMANCE.md). The plaintext is held in the heap, as the searcher's
     * own caches hold it (docs/CRYPTO.md).
     *
     * <p>Each opened file has its own table of pages ({@link Pages}), shared by its clones and
     * slices: a hit is an array read, with no lock and no hashing. (One map of (file, page) → bytes
     * behind a lock cost a three-word query on 100,000 documents 10–14 % of its time, much of it waiting
     * on memory in the key comparisons; D67.) What is cached across files is bounded by a ring of
     * the cached pages in the order they came in, evicted by the CLOCK rule: a page read since the
     * ring last passed it gets another turn, so the term dictionary's pages, read by every query,
     * stay. Only a miss takes the lock.
     */
    static final class PageCache {
        static final int PAGE = 4096;
        private final int maxPages;
        private final Pages[] ringFiles;
        private final int[] ringPages;
        private int head;
        private int count;

        PageCache(long maxBytes) {
            this.maxPages = (int) Math.clamp(maxBytes / PAGE, 1, Integer.MAX_VALUE - 8);
            this.ringFiles = new Pages[maxPages];
            this.ringPages = new int[maxPages];
        }

        /** A page table for a file of {@code plainLength} bytes. */
        Pages pagesOf(long plainLength) {
            return new Pages(this, Math.toIntExact((plainLength + PAGE - 1) / PAGE));
        }

        /** Takes in page {@code number} of {@code file}, just set there, evicting what the budget requires. */
        synchronized void admit(Pages file, int number) {
            while (count >= maxPages) {
                Pages f = ringFiles[head];
                int n = ringPages[head];
                if (f.used[n] != 0) {
                    f.used[n] = 0; // another turn: with the ring full, its slot is also the tail's
                } else {
                    f.slots.setRelease(n, null);
                    ringFiles[head] = null;
                    count--;
                }
                head = (head + 1) % maxPages;
            }
            int tail = (head + count) % maxPages;
            ringFiles[tail] = file;
            ringPages[tail] = number;
            count++;
        }

        synchronized int size() {
            return count;
        }
    }

    /** The decrypted pages of one opened file: slot n holds page n, or null. */
    static final class Pages {
        final PageCache cache;
        final AtomicReferenceArray<byte[]> slots;
        /** Set when a page is read from the cache, cleared when the eviction ring passes it (races only cost a turn). */
        final byte[] used;

        Pages(PageCache cache, int pages) {
            this.cache = cache;
            this.slots = new AtomicReferenceArray<>(pages);
            this.used = new byte[pages];
        }
    }

    /**
     * Decrypts as it reads, a page at a time through the directory's {@link PageCache}, into the
     * buffer of Lucene's {@link BufferedIndexInput} — whose {@code readByte}, {@code readInt},
     * {@code readVInt} … work on that buffer as fast as on a plain file's; reading byte by byte
     * through the pages themselves cost encrypted queries 30–80 % (D54). The buffer is Lucene's
     * default 1 KiB, not a page: every seek outside it (a postings list, a skip, a terms block: most
     * of a query's reads) refills it whole, and a page-sized buffer copied four times what was
     * read (phrase and three-word p50 7–10 → 6–7 ms, D67). A clone or a slice shares
     * nothing mutable: it clones the raw input and has its own buffer and position; only the
     * original closes. Offsets into the file ({@code start}) are plaintext offsets of the whole file.
     */
    static final class DecryptingInput extends BufferedIndexInput {
        private IndexInput raw;
        private final PositionalCipher cipher;
        private final Pages pages;
        private final byte[] iv;
        private final long fileLength;
        private final long start;
        private final long length;
        private final boolean owner;
        /**
         * The page this input read last, kept beside the shared cache: Lucene's buffer is refilled
         * from wherever it stopped, so a refill usually spans two pages and the next one starts in
         * the second. A phrase query spent 11 % of its time looking pages up in the shared cache
         * (JFR, 100,000 documents); pages never change, so a clone may keep its origin's.
         */
        private long lastPage = -1;
        private byte[] lastBytes;
        /** Without a cache: where a read is decrypted before it goes to Lucene's buffer (never shared with a clone). */
        private byte[] scratch;

        DecryptingInput(String description, IndexInput raw, PositionalCipher cipher, Pages pages, byte[] iv, long fileLength,
                long start, long length, boolean owner) {
            super(description, BufferedIndexInput.BUFFER_SIZE);
            this.raw = raw;
            this.cipher = cipher;
            this.pages = pages;
            this.iv = iv;
            this.fileLength = fileLength;
            this.start = start;
            this.length = length;
            this.owner = owner;
        }

        /** Page {@code number} of the file, decrypted (from the cache, or read, decrypted and cached). */
        private byte[] page(long number) throws IOException {
            if (number == lastPage) {
                return lastBytes;
            }
            byte[] p = cachedPage(number);
            lastBytes = p;
            lastPage = number;
            return p;
        }

        private byte[] cachedPage(long number) throws IOException {
            int n = (int) number;
            byte[] p = pages.slots.getAcquire(n);
            if (p != null) {
                if (pages.used[n] == 0) {
                    pages.used[n] = 1;
                }
                return p;
            }
            long at = number * PageCache.PAGE;
            p = new byte[(int) Math.min(PageCache.PAGE, fileLength - at)];
            raw.seek(HEADER + at);
            raw.readBytes(p, 0, p.length);
            cipher.apply(iv, at, p, 0, p.length);
            byte[] other = pages.slots.compareAndExchangeRelease(n, null, p);
            if (other == null) {
                pages.cache.admit(pages, n);
                return p;
            }
            return other; // another thread decrypted it first
        }

        /** Fills {@code b} from the current file pointer (where Lucene's buffer starts, or a large read). */
        @Override
        protected void readInternal(ByteBuffer b) throws IOException {
            long from = getFilePointer();
            int len = b.remaining();
            if (from + len > length) {
                throw new EOFException("read past the end of " + this);
            }
            long abs = start + from;
            if (pages == null) {
                if (scratch == null || scratch.length < len) {
                    scratch = new byte[Math.max(len, PageCache.PAGE)];
                }
                raw.seek(HEADER + abs);
                raw.readBytes(scratch, 0, len);
                cipher.apply(iv, abs, scratch, 0, len);
                b.put(scratch, 0, len);
                return;
            }
            while (b.hasRemaining()) {
                byte[] p = page(abs / PageCache.PAGE);
                int at = (int) (abs % PageCache.PAGE);
                int n = Math.min(p.length - at, b.remaining());
                b.put(p, at, n);
                abs += n;
            }
        }

        @Override
        protected void seekInternal(long pos) throws IOException {
            if (pos < 0 || pos > length) {
                throw new EOFException("seek to " + pos + " outside 0.." + length + " of " + this);
            }
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
            return new DecryptingInput(description, raw.clone(), cipher, pages, iv, fileLength, start + offset, len, false);
        }

        @Override
        public DecryptingInput clone() {
            DecryptingInput c = (DecryptingInput) super.clone();
            c.raw = raw.clone();
            c.scratch = null;
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
