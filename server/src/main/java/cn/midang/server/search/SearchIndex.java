package cn.midang.server.search;

import cn.midang.server.config.Faults;
import cn.midang.server.submission.ListScope;
import cn.midang.server.submission.Submissions;
import java.io.IOException;
import java.time.Instant;
import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.core.KeywordAnalyzer;
import org.apache.lucene.analysis.miscellaneous.PerFieldAnalyzerWrapper;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.CollectorManager;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.MultiCollectorManager;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopFieldCollectorManager;
import org.apache.lucene.search.TopScoreDocCollectorManager;
import org.apache.lucene.search.uhighlight.DefaultPassageFormatter;
import org.apache.lucene.search.uhighlight.LengthGoalBreakIterator;
import org.apache.lucene.search.uhighlight.UnifiedHighlighter;
import org.apache.lucene.store.Directory;
import org.apache.lucene.util.BytesRef;

/**
 * The full-text index (SPEC §5): one Lucene document per submission, text in {@code body}
 * (bigrams, offsets in the postings for highlighting), the signed file name in {@code file_name},
 * and the facts the policy filters on as exact terms. Access control is a FILTER clause built from
 * the caller's {@link ListScope}, inside the query: hits, counts and snippets only ever come from
 * documents the caller may read. Near-real-time: a document is searchable when {@link #add}
 * returns.
 */
public final class SearchIndex implements AutoCloseable {

    static final String ID = "id";
    static final String CAMPAIGN = "campaign";
    static final String UNIT = "unit";
    static final String KIND = "kind";
    static final String AREA = "area";
    static final String LATE = "late";
    static final String SUBMITTER_ROLE = "submitter_role";
    static final String RECEIVED = "received_at";
    static final String FILE_NAME = "file_name";
    static final String BODY = "body";
    static final String RECOGNISED_PAGES = "recognised_pages";

    /** The length of one snippet window: some 30 characters either side of a match. */
    static final int SNIPPET_CHARS = 70;

    private static final FieldType TEXT = textType();

    private final Directory dir;
    private final IndexWriter writer;
    private final SearcherManager searchers;

    /** What one submission brings to the index. */
    public record Doc(String id, String campaign, String unit, String kind, String submitterRole, Instant receivedAt,
            String fileName, String body, String area, boolean late, int recognisedPages) {

        /** A document of typed text. */
        public Doc(String id, String campaign, String unit, String kind, String submitterRole, Instant receivedAt, String fileName,
                String body, String area, boolean late) {
            this(id, campaign, unit, kind, submitterRole, receivedAt, fileName, body, area, late, 0);
        }

        /** A document about no particular check area, received on time. */
        public Doc(String id, String campaign, String unit, String kind, String submitterRole, Instant receivedAt, String fileName,
                String body) {
            this(id, campaign, unit, kind, submitterRole, receivedAt, fileName, body, null, false, 0);
        }
    }

    /**
     * One hit: the submission id and a snippet with the matches marked 【like this】; {@code recognised}
     * when the text was recognised from scanned pages (OCR), not typed.
     */
    public record Hit(String id, float score, String snippet, boolean recognised) {}

    /**
     * Hits of a page, the number of all hits the caller may see, and facet counts over all of them
     * ({@code unit} and {@code kind} -> value -> count), from doc values: no second index to encrypt.
     */
    public record Hits(long total, List<Hit> hits, Map<String, Map<String, Long>> facets) {}

    /** Orders of results. */
    public enum Order { RELEVANCE, DATE }

    public SearchIndex(Directory dir) throws IOException {
        this.dir = dir;
        Analyzer analyzer = new PerFieldAnalyzerWrapper(ChineseAnalysis.indexing(), Map.of(ID, new KeywordAnalyzer()));
        this.writer = new IndexWriter(dir, new IndexWriterConfig(analyzer).setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND));
        this.searchers = new SearcherManager(writer, null);
    }

    private static FieldType textType() {
        FieldType t = new FieldType();
        t.setTokenized(true);
        t.setStored(true);
        t.setIndexOptions(IndexOptions.DOCS_AND_FREQS_AND_POSITIONS_AND_OFFSETS);
        t.freeze();
        return t;
    }

    /**
     * Adds (or replaces) a submission's document; it is searchable after the next
     * {@link #refresh()} (near real time) and durable after the next {@link #commit()}.
     * Refreshing per document would write a segment per document (60 documents/s in the search
     * benchmark).
     */
    public void add(Doc d) throws IOException {
        Document doc = new Document();
        doc.add(new StringField(ID, d.id(), Field.Store.YES));
        doc.add(new StringField(CAMPAIGN, d.campaign(), Field.Store.NO));
        doc.add(new StringField(UNIT, d.unit(), Field.Store.NO));
        doc.add(new SortedDocValuesField(UNIT, new BytesRef(d.unit())));
        doc.add(new StringField(KIND, d.kind(), Field.Store.NO));
        doc.add(new SortedDocValuesField(KIND, new BytesRef(d.kind())));
        doc.add(new StringField(SUBMITTER_ROLE, d.submitterRole(), Field.Store.NO));
        if (d.area() != null) {
            doc.add(new StringField(AREA, d.area(), Field.Store.NO));
            doc.add(new SortedDocValuesField(AREA, new BytesRef(d.area())));
        }
        doc.add(new StringField(LATE, Boolean.toString(d.late()), Field.Store.NO));
        doc.add(new LongPoint(RECEIVED, d.receivedAt().toEpochMilli()));
        doc.add(new NumericDocValuesField(RECEIVED, d.receivedAt().toEpochMilli()));
        doc.add(new StoredField(RECEIVED, d.receivedAt().toEpochMilli()));
        doc.add(new Field(FILE_NAME, d.fileName(), TEXT));
        doc.add(new Field(BODY, d.body(), TEXT));
        if (d.recognisedPages() > 0) {
            doc.add(new StoredField(RECOGNISED_PAGES, d.recognisedPages()));
        }
        writer.updateDocument(new Term(ID, d.id()), doc);
    }

    /** Makes every document added so far searchable (cheap when nothing changed). */
    public void refresh() throws IOException {
        searchers.maybeRefreshBlocking();
    }

    /** Makes every document added so far durable, and searchable. */
    public void commit() throws IOException {
        Faults.before(Faults.Op.INDEX_COMMIT);
        writer.commit();
        searchers.maybeRefreshBlocking();
    }

    /** The filter of a caller's scope: the same rules as a listing (a unit: what units submitted for it). */
    static Query scopeFilter(ListScope scope) {
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        b.add(new MatchAllDocsQuery(), Occur.FILTER);
        if (scope.unit() != null) {
            b.add(new TermQuery(new Term(UNIT, scope.unit())), Occur.FILTER);
            b.add(new TermQuery(new Term(SUBMITTER_ROLE, "unit")), Occur.FILTER);
        }
        if (scope.campaigns() != null) {
            b.add(scope.campaigns().isEmpty() ? new MatchNoDocsQuery()
                    : new TermInSetQuery(CAMPAIGN, scope.campaigns().stream().map(BytesRef::new).toList()), Occur.FILTER);
        }
        if (scope.ids() != null) {
            b.add(scope.ids().isEmpty() ? new MatchNoDocsQuery()
                    : new TermInSetQuery(ID, scope.ids().stream().map(BytesRef::new).toList()), Occur.FILTER);
        }
        return b.build();
    }

    /**
     * Searches within {@code scope}: every {@code include} term must appear in the text or the
     * file name (as a phrase), no {@code exclude} term may; the other filters are exact (null =
     * any). Sorted by relevance.
     */
    public Hits search(ListScope scope, List<String> include, List<String> exclude, String campaign, String unit, String kind,
            Instant since, int limit, int offset) throws IOException {
        return search(scope, include, exclude, campaign, unit, kind, since, Order.RELEVANCE, limit, offset);
    }

    public Hits search(ListScope scope, List<String> include, List<String> exclude, String campaign, String unit, String kind,
            Instant since, Order order, int limit, int offset) throws IOException {
        return search(scope, include, exclude, new Submissions.Filter(campaign, unit, kind, null, null), since, order, limit, offset);
    }

    /** Searches within {@code scope} for documents that match {@code filter} (its nulls = any). */
    public Hits search(ListScope scope, List<String> include, List<String> exclude, Submissions.Filter filter, Instant since,
            Order order, int limit, int offset) throws IOException {
        BooleanQuery.Builder q = new BooleanQuery.Builder();
        BooleanQuery.Builder highlight = new BooleanQuery.Builder();
        for (String t : include) {
            Query body = ChineseAnalysis.phrase(BODY, t);
            Query name = ChineseAnalysis.phrase(FILE_NAME, t);
            if (body == null) {
                continue;
            }
            q.add(new BooleanQuery.Builder().add(body, Occur.SHOULD).add(name, Occur.SHOULD).build(), Occur.MUST);
            highlight.add(body, Occur.SHOULD);
        }
        for (String t : exclude) {
            Query body = ChineseAnalysis.phrase(BODY, t);
            if (body != null) {
                q.add(body, Occur.MUST_NOT);
                q.add(ChineseAnalysis.phrase(FILE_NAME, t), Occur.MUST_NOT);
            }
        }
        q.add(scopeFilter(scope), Occur.FILTER);
        for (String[] f : new String[][] {{CAMPAIGN, filter.campaign()}, {UNIT, filter.unit()}, {KIND, filter.kind()},
                {AREA, filter.area()}, {LATE, filter.late() == null ? null : filter.late().toString()}}) {
            if (f[1] != null) {
                q.add(new TermQuery(new Term(f[0], f[1])), Occur.FILTER);
            }
        }
        if (since != null) {
            q.add(LongPoint.newRangeQuery(RECEIVED, since.toEpochMilli(), Long.MAX_VALUE), Occur.FILTER);
        }
        Query query = q.build();
        IndexSearcher s = searchers.acquire();
        try {
            // One pass over the matches for the page, the exact total and the facets (three passes before: the
            // facets and the count visit every match anyway, and the top hits' early termination saved nothing).
            int numHits = Math.max(1, Math.min(offset + limit, s.getIndexReader().maxDoc()));
            CollectorManager<?, ? extends TopDocs> topHits = order == Order.DATE
                    ? new TopFieldCollectorManager(new Sort(new SortField(RECEIVED, SortField.Type.LONG, true)), numHits, Integer.MAX_VALUE)
                    : new TopScoreDocCollectorManager(numHits, Integer.MAX_VALUE);
            Object[] pass = s.search(query, new MultiCollectorManager(topHits, new FacetCounts.Manager()));
            TopDocs top = (TopDocs) pass[0];
            @SuppressWarnings("unchecked")
            Map<String, Map<String, Long>> facets = (Map<String, Map<String, Long>>) pass[1];
            ScoreDoc[] page = Arrays.copyOfRange(top.scoreDocs, Math.min(offset, top.scoreDocs.length),
                    top.scoreDocs.length);
            TopDocs pageDocs = new TopDocs(top.totalHits, page);
            // Windows of about SNIPPET_CHARS characters with the match in the middle, cut anywhere (Chinese has no spaces and
            // a sentence may run for hundreds of characters): never the whole text of a short document.
            UnifiedHighlighter h = UnifiedHighlighter.builder(s, ChineseAnalysis.indexing())
                    .withFormatter(new DefaultPassageFormatter("【", "】", "…", false))
                    .withBreakIterator(() -> LengthGoalBreakIterator.createClosestToLength(
                            BreakIterator.getCharacterInstance(Locale.ROOT), SNIPPET_CHARS, 0.5f))
                    .withMaxLength(1_000_000)
                    .build();
            String[] snippets = page.length == 0 ? new String[0] : h.highlight(BODY, highlight.build(), pageDocs, 2);
            List<Hit> hits = new ArrayList<>();
            for (int i = 0; i < page.length; i++) {
                Document stored = s.storedFields().document(page[i].doc, Set.of(ID, RECOGNISED_PAGES));
                hits.add(new Hit(stored.get(ID), page[i].score, snippets[i] == null ? "" : snippets[i].replace('\n', ' '),
                        stored.getField(RECOGNISED_PAGES) != null));
            }
            return new Hits(top.totalHits.value(), hits, facets);
        } finally {
            searchers.release(s);
        }
    }

    /** A submission's text as the index holds it, and the pages it was recognised from (OCR; 0: typed text). */
    public record Indexed(String text, int recognisedPages) {}

    /** The text of submission {@code id} as it was extracted for the index, or empty when the index has none for it. */
    public java.util.Optional<Indexed> text(String id) throws IOException {
        IndexSearcher s = searchers.acquire();
        try {
            ScoreDoc[] found = s.search(new TermQuery(new Term(ID, id)), 1).scoreDocs;
            if (found.length == 0) {
                return java.util.Optional.empty();
            }
            Document d = s.storedFields().document(found[0].doc, Set.of(BODY, RECOGNISED_PAGES));
            var pages = d.getField(RECOGNISED_PAGES);
            return d.get(BODY) == null ? java.util.Optional.empty()
                    : java.util.Optional.of(new Indexed(d.get(BODY), pages == null ? 0 : pages.numericValue().intValue()));
        } finally {
            searchers.release(s);
        }
    }

    /** Removes every document (before a rebuild). */
    public void clear() throws IOException {
        writer.deleteAll();
        writer.commit();
        searchers.maybeRefreshBlocking();
    }

    @Override
    public void close() throws IOException {
        searchers.close();
        writer.close();
        dir.close();
    }
}
