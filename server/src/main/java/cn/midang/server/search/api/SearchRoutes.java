package cn.midang.server.search.api;

import cn.midang.server.access.Action;
import cn.midang.server.access.Target;
import cn.midang.server.http.Exchange;
import cn.midang.server.http.Route;
import cn.midang.server.http.Route.Targeting;
import cn.midang.server.refusal.ApiException;
import cn.midang.server.refusal.ErrorCode;
import cn.midang.server.submission.api.SubmissionRoutes;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The search endpoint: the request checked and its terms named (sealed in the audit record), decided by the pipeline. */
public final class SearchRoutes {

    private final SearchService search;
    private final Targeting<Target.OfSubmission> submission;

    /** {@code submission} finds the submission a text request names, as the submission routes find it. */
    public SearchRoutes(SearchService search, Targeting<Target.OfSubmission> submission) {
        this.search = search;
        this.submission = submission;
    }

    public List<Route> routes() {
        return List.of(Route.signed("GET", "/api/v1/search", Action.SEARCH, Targeting.of(Target.Search.class, ex -> {
            SearchService.check(request(ex));
            return new Target.Search(ex.query("q"));
        }), (ex, g) -> ex.json(200, search(ex.query("q"), search.search(g, SearchService.check(request(ex)))))),
                Route.signed("GET", "/api/v1/submissions/{id}/text", Action.READ_TEXT, submission, (ex, g) -> ex.json(200, search.text(g))));
    }

    private static SearchService.Request request(Exchange ex) throws ApiException {
        String since = ex.query("since");
        Instant from;
        try {
            from = since == null ? null : Instant.parse(since);
        } catch (DateTimeParseException e) {
            throw new ApiException(ErrorCode.MALFORMED_REQUEST, "since is not an ISO-8601 instant");
        }
        return new SearchService.Request(ex.query("q"), SubmissionRoutes.filter(ex), from, ex.query("sort"), ex.queryInt("limit", 20),
                ex.queryInt("offset", 0));
    }

    /** Search hits: each listed submission with a snippet of its text, the matches marked 【like this】. */
    static Map<String, Object> search(String q, SearchService.Results r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("query", q);
        m.put("total", r.total());
        m.put("facets", r.facets());
        m.put("hits", r.hits().stream().map(h -> {
            Map<String, Object> hit = SubmissionRoutes.listed(h.listed());
            hit.put("snippet", h.snippet());
            // The snippet is of text recognised from a scan (OCR, 识别文字), not typed.
            hit.put("recognised", h.recognised());
            hit.put("score", (double) h.score());
            return hit;
        }).toList());
        return m;
    }
}
