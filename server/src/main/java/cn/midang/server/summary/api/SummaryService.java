package cn.midang.server.summary.api;

import cn.midang.keys.KeysException;
import cn.midang.keys.digest.Sm3;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.sign.RawSignatures;
import cn.midang.server.access.Grant;
import cn.midang.server.access.Target;
import cn.midang.server.campaign.Campaign;
import cn.midang.server.campaign.CampaignState;
import cn.midang.server.campaign.Lifecycle;
import cn.midang.server.campaign.Overviews;
import cn.midang.server.campaign.api.CampaignService;
import cn.midang.server.identity.Caller;
import cn.midang.server.refusal.ApiException;
import cn.midang.server.refusal.ErrorCode;
import cn.midang.server.storage.Database;
import cn.midang.server.submission.Kind;
import cn.midang.server.submission.StoredSubmission;
import cn.midang.server.submission.Submissions;
import cn.midang.server.submission.api.SubmissionService;
import cn.midang.server.summary.ResultNotices;
import cn.midang.server.summary.Summaries;
import cn.midang.server.summary.SummaryDocuments;
import com.fasterxml.jackson.databind.JsonNode;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The summary and what follows it: an assigned inspector generates a version while the campaign
 * is in state summary; in joint review each department's approver signs the exact JSON bytes of
 * the current version (the server checks the signature over those bytes before keeping it); the
 * lifecycle asks here whether a summary exists and how many departments signed it; and the step
 * to published issues the signed per-unit notices.
 */
public final class SummaryService implements Lifecycle.Facts, CampaignService.Publisher {

    /** The JSON of a summary is read whole to check signatures; it is far smaller than this. */
    static final int MAX_JSON = 64 << 20;

    private final Summaries summaries;
    private final ResultNotices notices;
    private final Overviews overviews;
    private final SubmissionService archive;
    private final Submissions submissions;
    private final Clock clock;
    private final RawSignatures.Signer signer;
    private final String serverFingerprint;
    private final Object generating = new Object();

    public SummaryService(Summaries summaries, ResultNotices notices, Overviews overviews, SubmissionService archive,
            Submissions submissions, Clock clock, Identity signing) {
        this.summaries = summaries;
        this.notices = notices;
        this.overviews = overviews;
        this.archive = archive;
        this.submissions = submissions;
        this.clock = clock;
        this.signer = RawSignatures.newSigner(signing);
        this.serverFingerprint = signing.certificate().fingerprint();
    }

    /** A summary version with its signatures and the departments that still have to sign. */
    public record View(Campaign campaign, Summaries.Summary summary, List<Summaries.Signature> signatures, List<Campaign.Department> missing) {}

    /** Generates the next version of campaign {@code id}'s summary from its forms and findings. */
    public View generate(Grant<Target.OfCampaign> g) throws ApiException {
        Campaign c = g.target().campaign();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        String by = g.caller().certificate().fingerprint();
        // One generation at a time, so two inspectors asking together get versions n and n+1
        // (the primary key on campaign and version still refuses a duplicate from another server).
        synchronized (generating) {
            return generate(c, now, by);
        }
    }

    private View generate(Campaign c, Instant now, String by) throws ApiException {
        try {
            int version = summaries.current(c.id()).map(s -> s.version() + 1).orElse(1);
            SummaryDocuments.Built b = SummaryDocuments.build(overviews.of(c, null), version, now, by);
            SubmissionService.Generated json = new SubmissionService.Generated(SubmissionService.newId(), b.stem() + ".json", b.json());
            SubmissionService.Generated xlsx = new SubmissionService.Generated(SubmissionService.newId(), b.stem() + ".xlsx", b.xlsx());
            SubmissionService.Generated docx = new SubmissionService.Generated(SubmissionService.newId(), b.stem() + ".docx", b.docx());
            Summaries.Summary s = new Summaries.Summary(c.id(), version, now, by, json.id(), xlsx.id(), docx.id(),
                    Sm3.hex(b.json()));
            archive.archiveGenerated(c.id(), Kind.SUMMARY, List.of(xlsx, docx, json), by, conn -> {
                Summaries.add(conn, s);
                return null;
            });
            return new View(c, s, List.of(), c.details().jointReview());
        } catch (SQLException e) {
            throw new ApiException(ErrorCode.INTERNAL, "recording the summary", e);
        }
    }

    /** The current summary of campaign {@code id} with its signatures. */
    public View view(Grant<Target.OfCampaign> g) throws ApiException {
        return current(g.target().campaign());
    }

    View current(Campaign c) throws ApiException {
        try {
            Summaries.Summary s = summaries.current(c.id()).orElseThrow(() -> new ApiException(ErrorCode.NO_SUMMARY, "campaign " + c.id()));
            List<Summaries.Signature> sigs = summaries.signatures(c.id(), s.version());
            List<Campaign.Department> missing = c.details().jointReview().stream()
                    .filter(d -> sigs.stream().noneMatch(x -> x.department().equals(d.id()))).toList();
            return new View(c, s, sigs, missing);
        } catch (SQLException e) {
            throw new ApiException(ErrorCode.INTERNAL, "reading the summary", e);
        }
    }

    /**
     * Records the caller's department's signature over the current summary: body {@code version},
     * {@code json_sm3} (what the approver read) and {@code signature} (base64 DER, raw SM2 over the
     * JSON bytes). Refused unless the campaign is in joint review, the caller's organisation is one
     * of its departments, the version is current, and the signature verifies over the stored bytes.
     */
    public View sign(Grant<Target.OfCampaign> g, Body body) throws ApiException {
        Campaign c = g.target().campaign();
        Caller caller = g.caller();
        if (c.state() != CampaignState.JOINT_REVIEW) {
            throw new ApiException(ErrorCode.WRONG_STATE, "campaign " + c.id() + " is " + Lifecycle.label(c.state()))
                    .withProblems(List.of("the summary is signed while the campaign is in joint_review; it is "
                            + Lifecycle.label(c.state())));
        }
        String org = caller.account().organisation();
        Campaign.Department dept = c.details().jointReview().stream().filter(d -> d.id().equals(org) || d.name().equals(org))
                .findFirst().orElseThrow(() -> new ApiException(ErrorCode.NOT_A_DEPARTMENT, org + " is not among "
                        + c.details().jointReview().stream().map(Campaign.Department::name).toList()));
        JsonNode b = body.json();
        View v = current(c);
        if (b.path("version").asInt(-1) != v.summary().version() || !v.summary().jsonSm3().equals(b.path("json_sm3").asText())) {
            throw new ApiException(ErrorCode.SUMMARY_CHANGED, "signed version " + b.path("version").asText() + ", current is "
                    + v.summary().version());
        }
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(b.path("signature").asText(""));
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.BAD_SUMMARY_SIGNATURE, "signature is not base64");
        }
        StoredSubmission json;
        try {
            json = submissions.byId(v.summary().jsonId()).orElseThrow();
        } catch (SQLException e) {
            throw new ApiException(ErrorCode.INTERNAL, "summary lookup", e);
        }
        byte[] bytes = archive.content(json, MAX_JSON);
        try {
            RawSignatures.verify(caller.certificate(), signature, bytes);
        } catch (KeysException e) {
            throw new ApiException(ErrorCode.BAD_SUMMARY_SIGNATURE, "the signature does not verify over summary version "
                    + v.summary().version());
        }
        try {
            if (!summaries.sign(c.id(), v.summary().version(), dept.id(), caller.certificate().fingerprint(), bytes, signature,
                    clock.instant())) {
                throw new ApiException(ErrorCode.ALREADY_SIGNED, dept.name() + " on version " + v.summary().version());
            }
        } catch (SQLException e) {
            throw new ApiException(ErrorCode.INTERNAL, "recording a signature", e);
        }
        return current(c);
    }

    /** The request's JSON body, read only once the request's state and department are checked. */
    @FunctionalInterface
    public interface Body {
        JsonNode json() throws ApiException;
    }

    /** The published notices of campaign {@code id} the caller may see: a unit its own, the leadership and inspectors all. */
    public List<ResultNotices.Notice> results(Grant<Target.OfCampaign> g) throws ApiException {
        Campaign c = g.target().campaign();
        try {
            return notices.of(c.id(), g.scope() == null ? null : g.scope().unit());
        } catch (SQLException e) {
            throw new ApiException(ErrorCode.INTERNAL, "reading results", e);
        }
    }

    @Override
    public boolean summaryGenerated(String campaign) {
        try {
            return summaries.current(campaign).isPresent();
        } catch (SQLException e) {
            throw new IllegalStateException("reading summaries", e);
        }
    }

    @Override
    public int departmentsSigned(String campaign) {
        try {
            Optional<Summaries.Summary> s = summaries.current(campaign);
            return s.isEmpty() ? 0 : (int) summaries.signatures(campaign, s.get().version()).stream()
                    .map(Summaries.Signature::department).distinct().count();
        } catch (SQLException e) {
            throw new IllegalStateException("reading signatures", e);
        }
    }

    @Override
    public Database.Work<?> publish(Campaign c, Instant now) throws ApiException {
        try {
            Summaries.Summary s = summaries.current(c.id()).orElseThrow(() -> new ApiException(ErrorCode.NO_SUMMARY, c.id()));
            return notices.issue(overviews.of(c, null), s, now, signer, serverFingerprint);
        } catch (SQLException e) {
            throw new ApiException(ErrorCode.INTERNAL, "reading the summary", e);
        } catch (KeysException e) {
            throw new ApiException(ErrorCode.INTERNAL, "signing result notices", e);
        }
    }
}
