package cn.midang.bench;

import cn.midang.keys.internal.CryptoBackend;
import cn.midang.keys.seal.PositionalCipher;
import cn.midang.server.submission.ListScope;
import cn.midang.server.extract.Extraction;
import cn.midang.server.extract.ForkedExtractor;
import cn.midang.server.extract.TextExtractor;
import cn.midang.server.search.ChineseAnalysis;
import cn.midang.server.search.EncryptedDirectory;
import cn.midang.server.search.SearchIndex;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.io.file.PathUtils;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.cn.smart.SmartChineseAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.QueryBuilder;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.metadata.TikaCoreProperties;
import org.apache.tika.parser.AutoDetectParser;
import org.apache.tika.parser.ParseContext;
import org.apache.tika.sax.BodyContentHandler;

/**
 * Search figures on a generated Chinese corpus ({@link ChineseCorpus}); a harness that prints
 * Markdown tables for docs/PERFORMANCE.md and docs/DECISIONS.md (run by {@code bench/run-search.sh}).
 *
 * <ul>
 *   <li>{@code analyzers N}: our bigram analysis against SmartChineseAnalyzer, one thread, in
 *       memory: indexing MB/s, and recall and precision of phrase queries (a document is relevant
 *       when its text contains the query string).
 *   <li>{@code index N CONFIG…}: the indexing pipeline on N documents with two workers (as the
 *       server's indexer) — {@code encrypted}: Tika in our child JVMs + {@link SearchIndex} on
 *       {@link EncryptedDirectory}; {@code plain}: the same on a plain FSDirectory;
 *       {@code baseline}: plain Tika in this process + the same index on a plain FSDirectory, no
 *       access filter. Then query latency, p50 and p99, by kind of query.
 *   <li>{@code queries N [ROUNDS]}: query latency alone — N documents indexed in this process into a
 *       plain directory, its segments copied into an encrypted one, both queried alternately for
 *       ROUNDS rounds (default 3); then each kind's p99 as the median over the rounds, and the ratio.
 * </ul>
 */
public final class SearchBench {

    static final String BODY = "body";

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[1]);
        switch (args[0]) {
            case "analyzers" -> analyzers(n);
            case "index" -> {
                List<ChineseCorpus.Doc> docs = ChineseCorpus.generate(n, 2009);
                long bytes = docs.stream().mapToLong(d -> d.text().getBytes(StandardCharsets.UTF_8).length).sum();
                System.out.printf("corpus: %,d documents, %.1f MB of UTF-8 text (%.0f characters on average)%n%n", n, bytes / 1e6,
                        docs.stream().mapToInt(d -> d.text().length()).average().orElse(0));
                System.out.println("| configuration | documents/s | MB/s | index on disk | query kind | p50 ms | p99 ms | mean hits |");
                System.out.println("|---|---|---|---|---|---|---|---|");
                for (String config : Arrays.copyOfRange(args, 2, args.length)) {
                    index(config, docs, bytes);
                }
            }
            case "queries" -> queriesOnly(n, args.length > 2 ? Integer.parseInt(args[2]) : 3);
            default -> throw new IllegalArgumentException("mode: analyzers | index | queries");
        }
    }

    // ---- analyzers -------------------------------------------------------------------------

    static void analyzers(int n) throws IOException {
        IndexSearcher.setMaxClauseCount(1 << 20);
        List<ChineseCorpus.Doc> docs = ChineseCorpus.generate(n, 7);
        long bytes = docs.stream().mapToLong(d -> d.text().getBytes(StandardCharsets.UTF_8).length).sum();
        System.out.printf("corpus: %,d documents, %.1f MB%n%n", n, bytes / 1e6);
        System.out.println("| analysis | index MB/s (1 thread) | index size | recall (phrase) | precision (phrase) | precision (OR of tokens) | queries missing hits |");
        System.out.println("|---|---|---|---|---|---|---|");
        Analyzer bigrams = ChineseAnalysis.indexing();
        measureAnalyzer("bigrams + single characters (ours)", bigrams, q -> ChineseAnalysis.phrase(BODY, q), docs, bytes);
        Analyzer smart = new SmartChineseAnalyzer();
        measureAnalyzer("SmartChineseAnalyzer (smartcn)", smart, q -> new QueryBuilder(smart).createPhraseQuery(BODY, q), docs, bytes);
    }

    interface Phrase {
        Query of(String text);
    }

    static void measureAnalyzer(String name, Analyzer analyzer, Phrase phrase, List<ChineseCorpus.Doc> docs, long bytes)
            throws IOException {
        try (Directory dir = new ByteBuffersDirectory()) {
            for (int round = 0; round < 2; round++) { // the first round warms the JIT
                long start = System.nanoTime();
                try (IndexWriter w = new IndexWriter(dir, new IndexWriterConfig(analyzer).setOpenMode(IndexWriterConfig.OpenMode.CREATE))) {
                    for (ChineseCorpus.Doc d : docs) {
                        Document doc = new Document();
                        doc.add(new TextField(BODY, d.text(), Field.Store.NO));
                        w.addDocument(doc);
                    }
                    w.commit();
                }
                if (round == 1) {
                    double seconds = (System.nanoTime() - start) / 1e9;
                    long size = 0;
                    for (String f : dir.listAll()) {
                        size += dir.fileLength(f);
                    }
                    try (DirectoryReader r = DirectoryReader.open(dir)) {
                        IndexSearcher s = new IndexSearcher(r);
                        double recall = 0;
                        double precision = 0;
                        double orPrecision = 0;
                        List<String> missing = new ArrayList<>();
                        List<String> queries = ChineseCorpus.queries();
                        QueryBuilder or = new QueryBuilder(analyzer);
                        for (String q : queries) {
                            Set<Integer> truth = new HashSet<>();
                            for (int i = 0; i < docs.size(); i++) {
                                if (docs.get(i).text().contains(q)) {
                                    truth.add(i);
                                }
                            }
                            Query pq = phrase.of(q);
                            Set<Integer> found = hits(s, pq);
                            long right = found.stream().filter(truth::contains).count();
                            recall += truth.isEmpty() ? 1 : (double) right / truth.size();
                            precision += found.isEmpty() ? 1 : (double) right / found.size();
                            Set<Integer> orFound = hits(s, or.createBooleanQuery(BODY, q));
                            orPrecision += orFound.isEmpty() ? 1 : (double) orFound.stream().filter(truth::contains).count() / orFound.size();
                            if (right < truth.size()) {
                                missing.add(q + " " + right + "/" + truth.size());
                            }
                        }
                        int k = queries.size();
                        System.out.printf("| %s | %.1f | %.1f MB | %.3f | %.3f | %.3f | %s |%n", name, bytes / 1e6 / seconds, size / 1e6,
                                recall / k, precision / k, orPrecision / k, missing.isEmpty() ? "none" : String.join("; ", missing));
                    }
                }
            }
        }
    }

    static Set<Integer> hits(IndexSearcher s, Query q) throws IOException {
        Set<Integer> out = new HashSet<>();
        if (q == null) {
            return out;
        }
        for (ScoreDoc d : s.search(q, Math.max(1, s.getIndexReader().maxDoc())).scoreDocs) {
            out.add(d.doc);
        }
        return out;
    }

    // ---- index -----------------------------------------------------------------------------

    static void index(String config, List<ChineseCorpus.Doc> docs, long bytes) throws Exception {
        Path tmp = Files.createTempDirectory("midang-search-bench-" + config);
        TextExtractor extractor = switch (config) {
            case "encrypted", "plain" -> new ForkedExtractor(ForkedExtractor.Limits.DEFAULT);
            case "baseline" -> new InProcessTika();
            default -> throw new IllegalArgumentException("configuration: encrypted | plain | baseline");
        };
        PositionalCipher key = PositionalCipher.generate();
        java.util.concurrent.Callable<Directory> open = () -> config.equals("encrypted")
                ? new EncryptedDirectory(FSDirectory.open(tmp), key, CACHE_BYTES) : FSDirectory.open(tmp);
        Directory dir = open.call();
        ListScope scope = config.equals("baseline") ? new ListScope(null, null, null) : new ListScope(null, Set.of("yuxi-2009"), null);
        try (SearchIndex index = new SearchIndex(dir)) {
            // Two workers, a refresh every 250 ms and a commit every second, as the server's indexer.
            ScheduledExecutorService committer = Executors.newSingleThreadScheduledExecutor();
            committer.scheduleWithFixedDelay(() -> {
                try {
                    index.refresh();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, 250, 250, TimeUnit.MILLISECONDS);
            committer.scheduleWithFixedDelay(() -> {
                try {
                    index.commit();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, 1, 1, TimeUnit.SECONDS);
            AtomicInteger next = new AtomicInteger();
            AtomicLong failed = new AtomicLong();
            ExecutorService workers = Executors.newFixedThreadPool(2);
            long start = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                done.add(workers.submit(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < docs.size()) {
                        ChineseCorpus.Doc d = docs.get(i);
                        Extraction e = extractor.extract(new ByteArrayInputStream(d.text().getBytes(StandardCharsets.UTF_8)),
                                "自查报告-" + i + ".txt");
                        if (!e.extracted()) {
                            failed.incrementAndGet();
                            continue;
                        }
                        index.add(indexed(i, d, e.text()));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            committer.shutdown();
            index.commit();
            double seconds = (System.nanoTime() - start) / 1e9;
            workers.shutdown();
            if (extractor instanceof AutoCloseable c) {
                c.close();
            }
            long size;
            try (var files = Files.walk(tmp)) {
                size = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
            }
            if (failed.get() > 0) {
                System.out.println("(" + failed.get() + " documents failed extraction)");
            }
            String label = config.equals("encrypted") ? "encrypted, queried on " + CryptoBackend.current().description() : config;
            index.close(); // waits for the merges still running: the queries meet a quiet index
            int segments;
            try (Directory d = open.call(); DirectoryReader r = DirectoryReader.open(d)) {
                segments = r.leaves().size();
            }
            String row = String.format("| %s | %,.0f | %.1f | %.0f MB, %d segments", label, docs.size() / seconds, bytes / 1e6 / seconds,
                    size / 1e6, segments);
            // Queried in a fresh directory (its own page cache); an encrypted index once per crypto backend.
            try (SearchIndex quiet = new SearchIndex(open.call())) {
                queries(quiet, scope, row);
            }
            if (config.equals("encrypted") && CryptoBackend.current() != CryptoBackend.BOUNCY_CASTLE) {
                try (SearchIndex quiet = new SearchIndex(open.call()); AutoCloseable bc = CryptoBackend.use(CryptoBackend.BOUNCY_CASTLE)) {
                    queries(quiet, scope, "| encrypted (the same index), queried on " + CryptoBackend.BOUNCY_CASTLE.description() + " | | | ");
                }
            }
            if (config.equals("plain")) {
                equalSegments(tmp, key, scope, segments);
            }
        } finally {
            PathUtils.deleteDirectory(tmp);
        }
    }

    /**
     * Query latency alone: N documents indexed once, in this process, straight from their text
     * (extraction plays no part in a query), into a plain directory with a commit every 5,000
     * documents; its segments copied as they are into an encrypted directory; then both queried,
     * each in a fresh {@link SearchIndex}, alternately for {@code rounds} rounds, so the spread of
     * one configuration's figures shows the noise beside the difference between them.
     */
    static void queriesOnly(int n, int rounds) throws Exception {
        List<ChineseCorpus.Doc> docs = ChineseCorpus.generate(n, 2009);
        Path plain = Files.createTempDirectory("midang-search-bench-plain");
        Path copy = Files.createTempDirectory("midang-search-bench-copy");
        try {
            try (SearchIndex index = new SearchIndex(FSDirectory.open(plain))) {
                for (int i = 0; i < docs.size(); i++) {
                    index.add(indexed(i, docs.get(i), docs.get(i).text()));
                    if (i % 5_000 == 4_999) {
                        index.commit();
                    }
                }
                index.commit();
            }
            PositionalCipher key = PositionalCipher.generate();
            copyEncrypted(plain, copy, key);
            int segments;
            try (Directory d = FSDirectory.open(plain); DirectoryReader r = DirectoryReader.open(d)) {
                segments = r.leaves().size();
            }
            System.out.printf("corpus: %,d documents; %d segments; page cache %d MiB%n%n", n, segments, CACHE_BYTES >> 20);
            System.out.println("| configuration | | | | query kind | p50 ms | p99 ms | mean hits |");
            System.out.println("|---|---|---|---|---|---|---|---|");
            ListScope scope = new ListScope(null, Set.of("yuxi-2009"), null);
            double[][] plainP99 = new double[rounds][]; // [round][kind]
            double[][] encryptedP99 = new double[rounds][];
            for (int round = 1; round <= rounds; round++) {
                try (SearchIndex q = new SearchIndex(FSDirectory.open(plain))) {
                    plainP99[round - 1] = queries(q, scope, "| plain, round " + round + " | | | ");
                }
                try (SearchIndex q = new SearchIndex(new EncryptedDirectory(FSDirectory.open(copy), key, CACHE_BYTES))) {
                    encryptedP99[round - 1] = queries(q, scope,
                            "| encrypted on " + CryptoBackend.current().description() + ", round " + round + " | | | ");
                }
            }
            // One round's p99 is its 5th-slowest query and moves 1.3-2.5x between rounds with nothing
            // changed (a collection, the other core busy): the median over the rounds is the figure to compare.
            System.out.printf("%n| query kind | p99 ms, plain (median of %d rounds) | p99 ms, encrypted (median) | encrypted / plain |%n", rounds);
            System.out.println("|---|---|---|---|");
            for (int k = 0; k < KINDS.length; k++) {
                double pl = median(plainP99, k);
                double en = median(encryptedP99, k);
                System.out.printf("| %s | %.1f | %.1f | %.2f |%n", KINDS[k], pl, en, en / pl);
            }
        } finally {
            PathUtils.deleteDirectory(plain);
            PathUtils.deleteDirectory(copy);
        }
    }

    /** The segments of the plain index at {@code plain} copied as they are (no merges) into an encrypted directory at {@code copy}. */
    static void copyEncrypted(Path plain, Path copy, PositionalCipher key) throws IOException {
        try (Directory source = FSDirectory.open(plain);
                IndexWriter w = new IndexWriter(new EncryptedDirectory(FSDirectory.open(copy), key, CACHE_BYTES),
                        new IndexWriterConfig().setMergePolicy(NoMergePolicy.INSTANCE))) {
            w.addIndexes(source);
            w.commit();
        }
    }

    /**
     * The plain index's segments copied as they are into an encrypted directory, and queried: the
     * encrypted directory's cost on the same segments. Two indexing runs end with different segment
     * counts (the merge policy's state when indexing stops depends on the flushes' sizes, so on timing),
     * and a query pays per segment.
     */
    static void equalSegments(Path plain, PositionalCipher key, ListScope scope, int segments) throws Exception {
        Path copy = Files.createTempDirectory("midang-search-bench-copy");
        try {
            copyEncrypted(plain, copy, key);
            try (SearchIndex quiet = new SearchIndex(new EncryptedDirectory(FSDirectory.open(copy), key, CACHE_BYTES))) {
                queries(quiet, scope, "| the plain index's segments copied into an encrypted directory, queried on "
                        + CryptoBackend.current().description() + " | | | " + segments + " segments");
            }
        } finally {
            PathUtils.deleteDirectory(copy);
        }
    }

    static final Instant T0 = Instant.parse("2009-06-01T00:00:00Z");

    /** Corpus document {@code i} as both index steps add it, with {@code text} as extracted. */
    static SearchIndex.Doc indexed(int i, ChineseCorpus.Doc d, String text) {
        return new SearchIndex.Doc("s" + i, d.campaign(), d.unit(), "report", "unit", T0.plusSeconds(i), "自查报告-" + i + ".txt", text);
    }

    /** The encrypted directory's page cache: the server's default, or {@code -Dmidang.bench.cacheMiB=N}. */
    static final long CACHE_BYTES = Long.getLong("midang.bench.cacheMiB", EncryptedDirectory.DEFAULT_CACHE_BYTES >> 20) << 20;

    /** Queries of each kind measured (after as many for warming up). */
    static final int QUERIES = 500;

    /** The median over the rounds of column {@code k} of {@code byRound} ([round][kind]). */
    static double median(double[][] byRound, int k) {
        double[] v = Arrays.stream(byRound).mapToDouble(round -> round[k]).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static final String[] KINDS = {"phrase", "word", "character", "three words", "NOT"};

    /**
     * Query latency by kind: one phrase, one word, one character, three words (AND), a word without
     * another (NOT); printed as rows of a table, and the p99s returned (ms, in the order of {@link #KINDS}).
     */
    static double[] queries(SearchIndex index, ListScope scope, String row) throws IOException {
        // The indexing left garbage behind: collected now, not during the first kind's queries (whose
        // p99 on the first configuration was two to three times the same kind's on the next).
        System.gc();
        Random r = new Random(42);
        List<String> findings = ChineseCorpus.FINDINGS;
        List<String> words = List.of("国产密码", "应急预案", "整改", "漏洞", "口令", "互联网", "保密局", "红塔区", "等级保护", "责任人");
        double[] p99 = new double[KINDS.length];
        for (int k = 0; k < KINDS.length; k++) {
            List<List<String>> include = new ArrayList<>();
            List<List<String>> exclude = new ArrayList<>();
            for (int i = 0; i < QUERIES; i++) {
                switch (k) {
                    case 0 -> include.add(List.of(findings.get(r.nextInt(findings.size()))));
                    case 1 -> include.add(List.of(words.get(r.nextInt(words.size()))));
                    case 2 -> include.add(List.of(String.valueOf("密漏整改险网".charAt(r.nextInt(6)))));
                    case 3 -> include.add(List.of(words.get(r.nextInt(words.size())), words.get(r.nextInt(words.size())),
                            findings.get(r.nextInt(findings.size()))));
                    default -> include.add(List.of(words.get(r.nextInt(words.size()))));
                }
                exclude.add(k == 4 ? List.of(findings.get(r.nextInt(findings.size()))) : List.of());
            }
            long[] nanos = new long[include.size()];
            long totalHits = 0;
            for (int round = 0; round < 2; round++) { // the first round warms caches and the JIT
                for (int i = 0; i < include.size(); i++) {
                    long s = System.nanoTime();
                    SearchIndex.Hits h = index.search(scope, include.get(i), exclude.get(i), null, null, null, null, 20, 0);
                    nanos[i] = System.nanoTime() - s;
                    if (round == 1) {
                        totalHits += h.total();
                    }
                }
            }
            Arrays.sort(nanos);
            p99[k] = nanos[(int) Math.ceil(nanos.length * 0.99) - 1] / 1e6;
            System.out.printf("%s | %s | %.1f | %.1f | %,d |%n", k == 0 ? row : "| | | |", KINDS[k], nanos[nanos.length / 2] / 1e6,
                    p99[k], totalHits / include.size());
        }
        return p99;
    }

    /**
     * The baseline's extraction: Tika in this process, same write limit and file name hint, no
     * isolation. The document is taken into memory first (the corpus's documents are small).
     */
    static final class InProcessTika implements TextExtractor {
        private final AutoDetectParser parser = new AutoDetectParser();

        @Override
        public Extraction extract(String fileName, Content content) {
            try {
                java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
                content.writeTo(bytes);
                Metadata md = new Metadata();
                md.set(TikaCoreProperties.RESOURCE_NAME_KEY, fileName);
                BodyContentHandler h = new BodyContentHandler(1_000_000);
                parser.parse(new ByteArrayInputStream(bytes.toByteArray()), h, md, new ParseContext());
                return new Extraction(true, h.toString(), md.get(Metadata.CONTENT_TYPE), false, null, "");
            } catch (Exception e) {
                return Extraction.failed(cn.midang.server.extract.IndexNote.PARSE_FAILED, e.toString());
            }
        }
    }
}
