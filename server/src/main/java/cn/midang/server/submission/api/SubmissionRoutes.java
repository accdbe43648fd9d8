package cn.midang.server.submission.api;

import cn.midang.server.access.Action;
import cn.midang.server.access.Target;
import cn.midang.server.extract.IndexNote;
import cn.midang.server.http.Exchange;
import cn.midang.server.http.Route;
import cn.midang.server.http.Route.Targeting;
import cn.midang.server.refusal.ApiException;
import cn.midang.server.refusal.ErrorCode;
import cn.midang.server.submission.StoredSubmission;
import cn.midang.server.submission.Submissions;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The submission endpoints: upload, list, receipt, download; each request parsed here, decided by the pipeline. */
public final class SubmissionRoutes {

    private final SubmissionService service;

    public SubmissionRoutes(SubmissionService service) {
        this.service = service;
    }

    public List<Route> routes() {
        Targeting<Target.Upload> upload = Targeting.of(Target.Upload.class, ex -> service.uploadTarget(ex.caller(), uploadRequest(ex)));
        Targeting<Target.None> page = Targeting.of(Target.None.class, ex -> {
            SubmissionService.checkPage(ex.queryInt("limit", 100), ex.queryInt("offset", 0));
            filter(ex);
            return Target.NONE;
        });
        Targeting<Target.OfSubmission> submission = named(service);
        return List.of(
                Route.signed("GET", "/api/v1/submissions", Action.LIST_SUBMISSIONS, page, (ex, g) -> ex.json(200, Map.of("submissions",
                        service.list(g, filter(ex), ex.queryInt("limit", 100), ex.queryInt("offset", 0)).stream()
                                .map(SubmissionRoutes::listed).toList()))),
                Route.signedPackage("POST", "/api/v1/submissions", Action.SUBMIT, upload, (ex, g) -> {
                    SubmissionService.UploadRequest r = uploadRequest(ex);
                    StoredSubmission s = service.submit(g, r, ex.body(service.bodyLimit(g.target().kind(), r.named())));
                    ex.json(201, receipt(s));
                }),
                Route.signed("GET", "/api/v1/submissions/{id}/receipt", Action.READ_RECEIPT, submission,
                        (ex, g) -> ex.json(200, receipt(g.target().stored()))),
                Route.signed("GET", "/api/v1/submissions/{id}", Action.DOWNLOAD, submission,
                        (ex, g) -> ex.stream("application/cms", -1, out -> service.download(g, out))));
    }

    /** The submission a route's path names ({@code /api/v1/submissions/{id}…}), found in one query whether or not it exists. */
    public static Targeting<Target.OfSubmission> named(SubmissionService service) {
        return Targeting.of(Target.OfSubmission.class, ex -> service.find(ex.pathParam(1)));
    }

    private static SubmissionService.UploadRequest uploadRequest(Exchange ex) throws ApiException {
        return new SubmissionService.UploadRequest(ex.query("campaign"), ex.query("kind"), ex.query("unit"), ex.query("area"),
                ex.query("finding"), ex.namedContent(), ex.declaredLength());
    }

    /** The narrowing a listing or a search asks for: campaign, unit, kind, area, late=true|false. */
    public static Submissions.Filter filter(Exchange ex) throws ApiException {
        String late = ex.query("late");
        if (late != null && !late.equals("true") && !late.equals("false")) {
            throw new ApiException(ErrorCode.MALFORMED_REQUEST, "late must be true or false");
        }
        return new Submissions.Filter(ex.query("campaign"), ex.query("unit"), ex.query("kind"), ex.query("area"),
                late == null ? null : Boolean.valueOf(late));
    }

    /** A receipt as the API answers it: the signed canonical bytes and the signature, base64. */
    static Map<String, Object> receipt(StoredSubmission s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("receipt", Base64.getEncoder().encodeToString(s.receipt()));
        m.put("receipt_signature", Base64.getEncoder().encodeToString(s.receiptSignature()));
        return m;
    }

    /** A listed submission (also each search hit). */
    public static Map<String, Object> listed(Submissions.Listed s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("sequence", s.sequence());
        m.put("campaign", s.campaign());
        m.put("unit", s.unit());
        m.put("kind", s.kind());
        m.put("file_name", s.fileName());
        m.put("size", s.size());
        m.put("content_sm3", s.contentSm3());
        m.put("submitter", s.submitterName());
        m.put("received_at", s.receivedAt().toString());
        m.put("late", s.late());
        m.put("area", s.area());
        m.put("index_state", s.indexState());
        // A stable code and the catalogue's sentence; reasons an earlier version wrote in words are not repeated.
        var note = IndexNote.of(s.indexReason());
        m.put("index_reason", note.map(IndexNote::code).orElse(s.indexReason().isEmpty() ? "" : "other"));
        m.put("index_note", note.map(n -> n.message).orElse(""));
        m.put("index_note_zh", note.map(n -> n.messageZh).orElse(""));
        // How many pages the searchable text was recognised from (OCR); 0: typed text, or not indexed.
        m.put("index_recognised_pages", s.recognisedPages());
        return m;
    }

}
