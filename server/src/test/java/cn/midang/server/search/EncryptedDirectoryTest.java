package cn.midang.server.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.keys.seal.PositionalCipher;
import cn.midang.keys.testkit.PlaintextScan;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.lucene.analysis.cjk.CJKAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.CheckIndex;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.PhraseQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.IndexOutput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The encrypting directory under a real Lucene index of Chinese inspection text: indexing,
 * merging (temp files), near-real-time and committed search, CheckIndex, random-access reads of
 * clones and slices; and on disk, no plaintext and nothing that compresses like text.
 */
class EncryptedDirectoryTest {

    @TempDir
    Path dir;

    static final String[] WEAK = {"未使用国产密码产品", "应急预案未演练", "弱口令", "未落实责任追究"};

    static String text(Random r, int i) {
        StringBuilder sb = new StringBuilder("玉溪市第" + i + "号单位信息系统安全自查报告。");
        for (int k = 0; k < 20; k++) {
            sb.append("检查组依据玉政办明电[2009]286号对本单位进行了检查。");
            if (r.nextInt(4) == 0) {
                sb.append("发现问题：").append(WEAK[r.nextInt(WEAK.length)]).append("。");
            }
        }
        return sb.toString();
    }

    Directory encrypted(PositionalCipher key) throws IOException {
        return new EncryptedDirectory(FSDirectory.open(dir.resolve("index")), key);
    }

    @Test
    void index_searchesLikeAPlainOne_andLeavesNoPlaintextOnDisk() throws Exception {
        PositionalCipher key = PositionalCipher.generate();
        Random r = new Random(2009);
        int withCrypto = 0;
        try (Directory d = encrypted(key); IndexWriter w = new IndexWriter(d, new IndexWriterConfig(new CJKAnalyzer())
                .setMaxBufferedDocs(50))) {
            for (int i = 0; i < 400; i++) {
                String t = text(r, i);
                withCrypto += t.contains("未使用国产密码产品") ? 1 : 0;
                Document doc = new Document();
                doc.add(new StringField("id", "doc-" + i, Field.Store.YES));
                doc.add(new TextField("body", t, Field.Store.YES));
                w.addDocument(doc);
            }
            try (DirectoryReader nrt = DirectoryReader.open(w)) {
                assertThat(new IndexSearcher(nrt).count(phrase("国产密码"))).isEqualTo(withCrypto);
            }
            w.forceMerge(1);
            w.commit();
        }
        try (Directory d = encrypted(key); DirectoryReader reader = DirectoryReader.open(d)) {
            IndexSearcher s = new IndexSearcher(reader);
            assertThat(reader.numDocs()).isEqualTo(400);
            assertThat(s.count(phrase("国产密码"))).isEqualTo(withCrypto).isPositive();
            assertThat(s.count(new TermQuery(new Term("id", "doc-7")))).isEqualTo(1);
            assertThat(reader.storedFields().document(s.search(new TermQuery(new Term("id", "doc-7")), 1).scoreDocs[0].doc)
                    .get("body")).startsWith("玉溪市第7号单位");
            CheckIndex.Status status;
            try (CheckIndex check = new CheckIndex(d)) {
                check.setLevel(CheckIndex.Level.MIN_LEVEL_FOR_INTEGRITY_CHECKS);
                status = check.checkIndex();
            }
            assertThat(status.clean).isTrue();
        }

        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir.resolve("index"))) {
            s.filter(p -> !p.getFileName().toString().equals("write.lock")).forEach(files::add);
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Path f : files) {
            all.write(Files.readAllBytes(f));
        }
        byte[] raw = all.toByteArray();
        for (String needle : List.of("国产密码", "玉溪市", "doc-7", "body")) {
            assertThat(PlaintextScan.indexOf(raw, needle.getBytes(StandardCharsets.UTF_8))).as(needle).isNegative();
            assertThat(PlaintextScan.indexOf(raw, needle.getBytes(StandardCharsets.UTF_16LE))).as(needle).isNegative();
        }
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
            z.write(raw);
        }
        // Encrypted bytes do not compress; the same index in plaintext shrinks to well under half.
        assertThat((double) gz.size() / raw.length).isGreaterThan(0.98);
    }

    static PhraseQuery phrase(String s) {
        // CJKAnalyzer emits overlapping bigrams: 国产密码 -> 国产 产密 密码.
        PhraseQuery.Builder b = new PhraseQuery.Builder();
        for (int i = 0; i + 2 <= s.length(); i++) {
            b.add(new Term("body", s.substring(i, i + 2)), i);
        }
        return b.build();
    }


    /**
     * Four threads read random ranges of three files through clones, with room for three pages:
     * every miss evicts, two threads often decrypt the same page at once, and a page may be evicted
     * while another thread still reads it. Every byte read is the file's; the budget holds.
     */
    @Test
    void pagesReadFromManyThreads_throughATinyCache_areAlwaysTheFilesBytes() throws Exception {
        PositionalCipher key = PositionalCipher.generate();
        byte[][] data = new byte[3][50_000];
        try (Directory d = new EncryptedDirectory(FSDirectory.open(dir.resolve("index")), key, 3 * 4096)) {
            IndexInput[] inputs = new IndexInput[data.length];
            for (int f = 0; f < data.length; f++) {
                new Random(f).nextBytes(data[f]);
                try (IndexOutput out = d.createOutput("f" + f, IOContext.DEFAULT)) {
                    out.writeBytes(data[f], data[f].length);
                }
                inputs[f] = d.openInput("f" + f, IOContext.DEFAULT);
            }
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                List<java.util.concurrent.Future<Integer>> done = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int seed = t;
                    done.add(pool.submit(() -> {
                        Random r = new Random(seed);
                        int checked = 0;
                        for (int i = 0; i < 2_000; i++) {
                            int f = r.nextInt(data.length);
                            IndexInput in = inputs[f].clone();
                            int at = r.nextInt(data[f].length - 1);
                            int len = 1 + r.nextInt(Math.min(6_000, data[f].length - at));
                            byte[] got = new byte[len];
                            in.seek(at);
                            in.readBytes(got, 0, len);
                            assertThat(got).isEqualTo(java.util.Arrays.copyOfRange(data[f], at, at + len));
                            checked += len;
                        }
                        return checked;
                    }));
                }
                for (java.util.concurrent.Future<Integer> f : done) {
                    assertThat(f.get()).isPositive();
                }
            } finally {
                pool.shutdown();
            }
            assertThat(((EncryptedDirectory) d).cachedPages()).isBetween(1, 3);
            for (IndexInput in : inputs) {
                in.close();
            }
        }
    }

    /**
     * With the default page cache, with one or two pages only (every other read evicts), and opened
     * for a merge (no cache: each read decrypted straight into Lucene's buffer).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"33554432, false", "4096, false", "8192, false", "33554432, true"})
    void clonesAndSlices_readAnyRangeIndependently(long cacheBytes, boolean merge) throws Exception {
        PositionalCipher key = PositionalCipher.generate();
        byte[] data = new byte[100_000];
        new Random(1).nextBytes(data);
        try (Directory d = new EncryptedDirectory(FSDirectory.open(dir.resolve("index")), key, cacheBytes)) {
            try (IndexOutput out = d.createOutput("f.bin", IOContext.DEFAULT)) {
                out.writeBytes(data, 0, 12_345);
                for (int i = 12_345; i < 20_000; i++) {
                    out.writeByte(data[i]);
                }
                out.writeBytes(data, 20_000, data.length - 20_000);
                assertThat(out.getFilePointer()).isEqualTo(data.length);
            }
            assertThat(d.fileLength("f.bin")).isEqualTo(data.length);
            IOContext context = merge ? IOContext.merge(new org.apache.lucene.store.MergeInfo(1, data.length, false, 1)) : IOContext.DEFAULT;
            try (IndexInput in = d.openInput("f.bin", context)) {
                Random r = new Random(2);
                IndexInput clone = in.clone();
                IndexInput slice = in.slice("s", 50_000, 30_000);
                IndexInput inner = slice.slice("inner", 4_001, 10_000).clone();
                for (int i = 0; i < 300; i++) {
                    int at = r.nextInt(data.length - 1);
                    int len = r.nextInt(Math.min(20_000, data.length - at));
                    byte[] got = new byte[len];
                    IndexInput which = i % 2 == 0 ? in : clone;
                    which.seek(at);
                    which.readBytes(got, 0, len);
                    assertThat(got).isEqualTo(java.util.Arrays.copyOfRange(data, at, at + len));
                    int sAt = r.nextInt(30_000);
                    slice.seek(sAt);
                    assertThat(slice.readByte()).isEqualTo(data[50_000 + sAt]);
                    int iAt = r.nextInt(10_000 - 8);
                    inner.seek(iAt);
                    assertThat(inner.readLong()).isEqualTo((long) org.apache.lucene.util.BitUtil.VH_LE_LONG.get(data, 54_001 + iAt));
                }
                assertThatThrownBy(() -> slice.seek(30_001)).isInstanceOf(IOException.class);
                assertThatThrownBy(() -> inner.seek(-1)).isInstanceOf(IOException.class);
                slice.seek(29_999);
                slice.readByte();
                assertThatThrownBy(slice::readByte).isInstanceOf(java.io.EOFException.class);
                inner.seek(9_999);
                assertThatThrownBy(() -> inner.readBytes(new byte[2], 0, 2)).isInstanceOf(java.io.EOFException.class);
            }
            // What a merge reads never enters the cache that queries share.
            assertThat(((EncryptedDirectory) d).cachedPages()).isEqualTo(merge ? 0 : Math.min(cacheBytes / 4096, (data.length + 4095) / 4096));
        }
        byte[] rawFile = Files.readAllBytes(dir.resolve("index/f.bin"));
        assertThat(rawFile).hasSize(data.length + EncryptedDirectory.HEADER);
    }

    /**
     * Every way Lucene reads a file — positioned reads of every width, bulk ints and longs, seeks,
     * skips, clones, slices of slices, random access — gives what the same reads give on Lucene's
     * own in-memory directory holding the same bytes, and fails where it fails: random operations
     * on files that end on a page boundary, mid-page and within the first page, with the default
     * cache, a one-page cache (every page change evicts) and no cache (opened for a merge).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"33554432, false", "4096, false", "33554432, true"})
    void everyRead_isWhatAPlainDirectoryReads(long cacheBytes, boolean merge) throws Exception {
        PositionalCipher key = PositionalCipher.generate();
        IOContext context = merge ? IOContext.merge(new org.apache.lucene.store.MergeInfo(1, 1, false, 1)) : IOContext.DEFAULT;
        Random r = new Random(cacheBytes + (merge ? 1 : 0));
        try (Directory d = new EncryptedDirectory(FSDirectory.open(dir.resolve("index")), key, cacheBytes);
                Directory plain = new org.apache.lucene.store.ByteBuffersDirectory()) {
            for (int size : new int[] {5 * 4096, 30_001, 3}) {
                byte[] data = new byte[size];
                r.nextBytes(data);
                for (Directory to : List.of(d, plain)) {
                    try (IndexOutput out = to.createOutput("f" + size, IOContext.DEFAULT)) {
                        out.writeBytes(data, data.length);
                    }
                }
                try (IndexInput enc = d.openInput("f" + size, context); IndexInput ref = plain.openInput("f" + size, IOContext.DEFAULT)) {
                    long sliceAt = size / 3;
                    long sliceLen = size - sliceAt - size / 5;
                    IndexInput[][] pairs = {
                        {enc, ref},
                        {enc.slice("s", sliceAt, sliceLen), ref.slice("s", sliceAt, sliceLen)},
                        {enc.slice("s", sliceAt, sliceLen).slice("t", 1, sliceLen / 2), ref.slice("s", sliceAt, sliceLen).slice("t", 1, sliceLen / 2)},
                    };
                    for (int i = 0; i < 20_000; i++) {
                        IndexInput[] pair = pairs[r.nextInt(pairs.length)];
                        int op = r.nextInt(13);
                        if (op == 12) {
                            pair[0] = pair[0].clone();
                            pair[1] = pair[1].clone();
                        }
                        String got = apply(op, pair[0], new Random(i));
                        String want = apply(op, pair[1], new Random(i));
                        assertThat(got).as("operation %d on %s (file of %d bytes)", op, pair[1], size).isEqualTo(want);
                        if (got.startsWith("threw")) {
                            long to = new Random(i).nextLong(pair[1].length() + 1);
                            pair[0].seek(to);
                            pair[1].seek(to);
                        }
                    }
                }
            }
        }
    }

    /** Operation {@code op} on {@code in} with arguments drawn from {@code r}: what it returned and where the input is now, or that it threw. */
    static String apply(int op, IndexInput in, Random r) {
        long length = in.length();
        try {
            String value = switch (op) {
                case 0 -> {
                    long to = r.nextInt(20) == 0 ? length + 1 : r.nextLong(length + 1);
                    in.seek(to);
                    yield "";
                }
                case 1 -> String.valueOf(in.readByte());
                case 2 -> String.valueOf(in.readShort());
                case 3 -> String.valueOf(in.readInt());
                case 4 -> String.valueOf(in.readLong());
                case 5 -> String.valueOf(in.readVLong());
                case 6 -> {
                    byte[] b = new byte[r.nextInt(r.nextBoolean() ? 64 : 10_000)];
                    in.readBytes(b, 0, b.length);
                    yield java.util.Arrays.toString(b);
                }
                case 7 -> {
                    int[] ints = new int[r.nextInt(r.nextBoolean() ? 8 : 2_500) + 1];
                    in.readInts(ints, 1, ints.length - 1);
                    yield java.util.Arrays.toString(ints);
                }
                case 8 -> {
                    long[] longs = new long[r.nextInt(r.nextBoolean() ? 4 : 1_200) + 1];
                    in.readLongs(longs, 1, longs.length - 1);
                    yield java.util.Arrays.toString(longs);
                }
                case 9 -> {
                    in.skipBytes(r.nextInt(6_000));
                    yield "";
                }
                case 10, 11 -> {
                    long at = r.nextLong(length + 1);
                    org.apache.lucene.store.RandomAccessInput ra = in.randomAccessSlice(at, r.nextLong(length - at + 1));
                    StringBuilder sb = new StringBuilder();
                    for (int k = 0; k < 50; k++) {
                        int kind = op == 11 ? 4 : r.nextInt(4);
                        int width = kind == 4 ? r.nextInt(9_000) : 1 << kind;
                        if (ra.length() < width) {
                            continue; // a read past a random-access slice is not defined
                        }
                        long p = r.nextLong(ra.length() - width + 1);
                        sb.append(switch (kind) {
                            case 0 -> ra.readByte(p);
                            case 1 -> ra.readShort(p);
                            case 2 -> ra.readInt(p);
                            case 3 -> ra.readLong(p);
                            default -> {
                                byte[] b = new byte[width];
                                ra.readBytes(p, b, 0, b.length);
                                yield java.util.Arrays.hashCode(b);
                            }
                        }).append(',');
                    }
                    yield sb.toString();
                }
                default -> "";
            };
            return value + " @" + in.getFilePointer();
        } catch (IOException | RuntimeException e) {
            return "threw";
        }
    }

    @Test
    void wrongKey_orTamperedCommit_isRefusedWhenOpened() throws Exception {
        PositionalCipher key = PositionalCipher.generate();
        try (Directory d = encrypted(key); IndexWriter w = new IndexWriter(d, new IndexWriterConfig(new CJKAnalyzer()))) {
            Document doc = new Document();
            doc.add(new TextField("body", "应急预案未演练", Field.Store.NO));
            w.addDocument(doc);
            w.commit();
        }
        try (Directory d = encrypted(PositionalCipher.generate())) {
            assertThatThrownBy(() -> DirectoryReader.open(d)).isInstanceOf(IOException.class);
        }
        Path segments;
        try (Stream<Path> s = Files.list(dir.resolve("index"))) {
            segments = s.filter(p -> p.getFileName().toString().startsWith("segments_")).findFirst().orElseThrow();
        }
        byte[] b = Files.readAllBytes(segments);
        b[EncryptedDirectory.HEADER + 20] ^= 0x01;
        Files.write(segments, b);
        try (Directory d = encrypted(key)) {
            assertThatThrownBy(() -> DirectoryReader.open(d)).isInstanceOf(IOException.class);
        }
    }
}
