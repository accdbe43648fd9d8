package cn.midang.server.search.api;

import cn.midang.server.access.Grant;
import cn.midang.server.access.Target;
import cn.midang.server.refusal.ApiException;
import cn.midang.server.refusal.ErrorCode;
import cn.midang.server.search.SearchIndex;
import cn.midang.server.submission.ListScope;
import cn.midang.server.submission.Submissions;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Search as callers see it: the pipeline decides and scopes ({@code Action.SEARCH}, the same scope
 * as a listing), the index answers with the scope as a FILTER inside the query, and every hit is
 * checked once more against the submission records before it is shown, because the index is
 * derived data without integrity of its own (docs/CRYPTO.md).
 */
public final class SearchService {

    private static final Logger LOG = LoggerFactory.getLogger(SearchService.class);
    private static final Pattern TERM = Pattern.compile("(-)?(?:\"([^\"]+)\"|(\\S+))");

    /** The largest page. */
    public static final int MAX_PAGE = 100;

    private final SearchIndex index;
    private final Submissions submissions;
    public SearchService(SearchIndex index, Submissions submissions) {
        this.index = index;
        this.submissions = submissions;
    }

    /** A parsed query: terms that must appear, terms that must not. */
    public record Query(List<String> include, List<String> exclude) {}

    /** One hit as shown: the submission's listing and a snippet of its text. */
    public record Result(Submissions.Listed listed, String snippet, float score, boolean recognised) {}

    public record Results(long total, List<Result> hits, Map<String, Map<String, Long>> facets) {}

    /**
     * Parses a query: words separated by spaces, {@code "a phrase"} as one term, {@code -word} or
     * {@code NOT word} to exclude; at least one term to look for.
     */
    public static Query parse(String q) throws ApiException {
        if (q == null || q.isBlank() || q.length() > 512) {
            throw new ApiException(ErrorCode.MALFORMED_REQUEST, "an empty or overlong query");
        }
        List<String> include = new ArrayList<>();
        List<String> exclude = new ArrayList<>();
        Matcher m = TERM.matcher(q.strip());
        boolean not = false;
        while (m.find()) {
            String term = m.group(2) != null ? m.group(2) : m.group(3);
            if (m.group(2) == null && "NOT".equals(term)) {
                not = true;
                continue;
            }
            (m.group(1) != null || not ? exclude : include).add(term);
            not = false;
        }
        if (include.isEmpty()) {
            throw new ApiException(ErrorCode.MALFORMED_REQUEST, "a query needs a term to look for, not only exclusions");
        }
        return new Query(List.copyOf(include), List.copyOf(exclude));
    }

    /** A search as asked: the query, the narrowing, the order and the page. */
    public record Request(String q, Submissions.Filter filter, Instant since, String sort, int limit, int offset) {}

    /** A search request checked, with its parsed query and order. */
    public record Checked(Request request, Query query, SearchIndex.Order order) {}

    /** Checks {@code r}: a malformed query, order or page is refused before anything is decided. */
    public static Checked check(Request r) throws ApiException {
        Query query = parse(r.q());
        SearchIndex.Order order;
        if (r.sort() == null || r.sort().equals("relevance")) {
            order = SearchIndex.Order.RELEVANCE;
        } else if (r.sort().equals("date")) {
            order = SearchIndex.Order.DATE;
        } else {
            throw new ApiException(ErrorCode.MALFORMED_REQUEST, "sort must be relevance or date");
        }
        if (r.limit() < 1 || r.limit() > MAX_PAGE || r.offset() < 0) {
            throw new ApiException(ErrorCode.MALFORMED_REQUEST, "limit must be 1.." + MAX_PAGE + " and offset >= 0");
        }
        return new Checked(r, query, order);
    }

    /** The hits of the granted search (checked by {@link #check}), inside the grant's scope. */
    public Results search(Grant<Target.Search> g, Checked c) throws ApiException {
        Request r = c.request();
        Query query = c.query();
        SearchIndex.Order order = c.order();
        Submissions.Filter filter = r.filter();
        Instant since = r.since();
        int limit = r.limit();
        int offset = r.offset();
        ListScope scope = g.scope();
        try {
            SearchIndex.Hits hits = index.search(scope, query.include(), query.exclude(), filter, since, order, limit, offset);
            // The records decide, not the index: one query for the hits that are still inside the
            // caller's scope by the database's own facts.
            Set<String> ids = new HashSet<>();
            hits.hits().forEach(h -> ids.add(h.id()));
            if (scope.ids() != null) {
                ids.retainAll(scope.ids());
            }
            Map<String, Submissions.Listed> allowed = new HashMap<>();
            for (Submissions.Listed l : submissions.list(new ListScope(scope.unit(), scope.campaigns(), ids), null, null, null,
                    Math.max(1, ids.size()), 0)) {
                allowed.put(l.id(), l);
            }
            List<Result> out = new ArrayList<>();
            for (SearchIndex.Hit h : hits.hits()) {
                Submissions.Listed l = allowed.get(h.id());
                if (l == null) {
                    LOG.warn("search index disagrees with the records about {}; hit withheld (rebuild the index)", h.id());
                    continue;
                }
                out.add(new Result(l, h.snippet(), h.score(), h.recognised()));
            }
            return new Results(hits.total(), out, hits.facets());
        } catch (IOException | SQLException e) {
            throw new ApiException(ErrorCode.INTERNAL, "searching", e);
        }
    }

    /**
     * The text of a submission the caller may read (the pipeline decided: the same rule as its
     * download), as extracted for the index; {@code indexed} is false when the index has none for
     * it (not extracted yet, or no text: see its listing's index note).
     */
    public Map<String, Object> text(Grant<Target.OfSubmission> g) throws ApiException {
        try {
            java.util.Optional<SearchIndex.Indexed> text = index.text(g.target().id());
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("id", g.target().id());
            m.put("indexed", text.isPresent());
            m.put("text", text.map(SearchIndex.Indexed::text).orElse(""));
            // Recognised from scanned pages (OCR), not typed: the reader is told, with how many pages.
            m.put("recognised_pages", text.map(SearchIndex.Indexed::recognisedPages).orElse(0));
            return m;
        } catch (java.io.IOException e) {
            throw new ApiException(ErrorCode.INTERNAL, "reading the search index", e);
        }
    }
}
