package cn.midang.server.search;

import java.io.IOException;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.search.Collector;
import org.apache.lucene.search.CollectorManager;
import org.apache.lucene.search.LeafCollector;
import org.apache.lucene.search.Scorable;
import org.apache.lucene.search.ScoreMode;

/** Counts matching documents by unit, kind and check area, from doc values, within the query (and so within the caller's scope). */
final class FacetCounts implements Collector {

    static final String[] FIELDS = {SearchIndex.UNIT, SearchIndex.KIND, SearchIndex.AREA};

    final Map<String, Map<String, Long>> counts = new TreeMap<>();

    @Override
    public ScoreMode scoreMode() {
        return ScoreMode.COMPLETE_NO_SCORES;
    }

    @Override
    public LeafCollector getLeafCollector(LeafReaderContext context) throws IOException {
        SortedDocValues[] values = new SortedDocValues[FIELDS.length];
        for (int i = 0; i < FIELDS.length; i++) {
            values[i] = DocValues.getSorted(context.reader(), FIELDS[i]);
        }
        return new LeafCollector() {
            @Override
            public void setScorer(Scorable scorer) {}

            @Override
            public void collect(int doc) throws IOException {
                for (int i = 0; i < FIELDS.length; i++) {
                    if (values[i].advanceExact(doc)) {
                        String v = values[i].lookupOrd(values[i].ordValue()).utf8ToString();
                        counts.computeIfAbsent(FIELDS[i], k -> new TreeMap<>()).merge(v, 1L, Long::sum);
                    }
                }
            }
        };
    }

    /** Runs one counter per slice and merges them. */
    static final class Manager implements CollectorManager<FacetCounts, Map<String, Map<String, Long>>> {
        @Override
        public FacetCounts newCollector() {
            return new FacetCounts();
        }

        @Override
        public Map<String, Map<String, Long>> reduce(Collection<FacetCounts> collectors) {
            Map<String, Map<String, Long>> all = new TreeMap<>();
            for (FacetCounts c : collectors) {
                c.counts.forEach((field, byValue) -> byValue.forEach((v, n) ->
                        all.computeIfAbsent(field, k -> new TreeMap<>()).merge(v, n, Long::sum)));
            }
            return all;
        }
    }
}
