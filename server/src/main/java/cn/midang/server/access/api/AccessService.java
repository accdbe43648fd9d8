package cn.midang.server.access.api;

import cn.midang.server.campaign.Campaign;
import cn.midang.server.campaign.Campaigns;
import cn.midang.server.refusal.ApiException;
import cn.midang.server.refusal.ErrorCode;
import cn.midang.server.access.AccessRecords;
import cn.midang.server.access.Engagement;
import cn.midang.server.access.Grant;
import cn.midang.server.access.SignedStatement;
import cn.midang.server.access.Target;
import cn.midang.server.submission.Kind;
import cn.midang.server.identity.Account;
import cn.midang.server.identity.Accounts;
import cn.midang.server.identity.Role;
import cn.midang.server.submission.Submissions;
import com.fasterxml.jackson.databind.JsonNode;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What the administrator manages and testers file (SPEC §2, C3): inspector assignments,
 * engagements of testing bodies, retention permits, and destruction attestations. Each request's
 * target is named here; the pipeline decides on it before the action runs.
 */
public final class AccessService {

    /** The statement a tester signs when an engagement ends (canonical JSON, raw SM2 signature). */
    public static final String ATTESTATION_TYPE = "midang-destruction-attestation/1";
    /** The longest a retention permit may run. */
    public static final Duration MAX_PERMIT = Duration.ofDays(90);

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final AccessRecords records;
    private final Accounts accounts;
    private final Campaigns campaigns;
    private final Submissions submissions;
    private final Clock clock;

    public AccessService(AccessRecords records, Accounts accounts, Campaigns campaigns, Submissions submissions, Clock clock) {
        this.records = records;
        this.accounts = accounts;
        this.campaigns = campaigns;
        this.submissions = submissions;
        this.clock = clock;
    }

    /** Assigns the inspector named in the body ({@code inspector}: common name) to campaign {@code campaignId}. */
    public Target.Named assignment(String campaignId, JsonNode body) throws ApiException {
        return new Target.Named(campaignId, "campaign:" + campaignId + "/inspector:" + text(body, "inspector"));
    }

    /** Makes the granted assignment. */
    public Account assign(Grant<Target.Named> g, JsonNode body) throws ApiException {
        String campaignId = g.target().id();
        String name = text(body, "inspector");
        try {
            Campaign c = campaigns.byId(campaignId).orElseThrow(() -> new ApiException(ErrorCode.UNKNOWN_CAMPAIGN, campaignId));
            List<Account> found = accounts.byName(name, Role.INSPECTOR);
            if (found.size() != 1) {
                throw new ApiException(ErrorCode.MALFORMED_REQUEST, found.size() + " inspector accounts are named " + name);
            }
            records.assign(c.id(), found.get(0).fingerprint(), clock.instant());
            return found.get(0);
        } catch (SQLException e) {
            throw new ApiException(ErrorCode.INTERNAL, "assigning", e);
        }
    }

    /** Creates the engagement described by the body. */
    public Target.Named newEngagement(JsonNode body) throws ApiException {
        String id = body.hasNonNull("id") ? text(body, "id") : "eng-" + HexFormat.of().formatHex(randomBytes(6));
        return new Target.Named(id, "engagement:" + id);
    }

    /** Creates the granted engagement. */
    public Engagement createEngagement(Grant<Target.Named> g, JsonNode body) throws ApiException {
        String id = g.target().id();
        if (!ID.matcher(id).matches()) {
            throw new ApiException(ErrorCode.MALFORMED_REQUEST, "engagement id " + id);
        }
        List<String> units = new ArrayList<>();
        body.path("units").forEach(u -> units.add(u.asText()));
        Instant starts = instant(body, "starts_at");
        Instant ends = instant(body, "ends_at");
        if (!ends.isAfter(starts) || units.isEmpty()) {
            throw new ApiException(ErrorCode.MALFORMED_REQUEST, "an engagement needs units and ends_at after starts_at");
        }
        try {
            Campaign c = campaigns.byId(text(body, "campaign"))
                    .orElseThrow(() -> new ApiException(ErrorCode.UNKNOWN_CAMPAIGN, body.path("campaign").asText()));
            for (String u : units) {
                if (!c.hasUnit(u)) {
                    throw new ApiException(ErrorCode.UNIT_NOT_IN_SCOPE, "unit " + u + " not in " + c.id());
                }
            }
            if (records.engagement(id).isPresent()) {
                throw new ApiException(ErrorCode.MALFORMED_REQUEST, "engagement " + id + " exists");
            }
            Engagement e = new Engagement(id, text(body, "tester_org"), c.id(), List.copyOf(units), starts, ends, null);
            records.createEngagement(e, g.caller().certificate().fingerprint(), clock.instant());
            return e;
        } catch (SQLException e) {
            throw new ApiException(ErrorCode.INTERNAL, "creating an engagement", e);
        }
    }

    /** Engagements: all for the administrator, its own organisation's for a tester. */
    public List<Engagement> engagements(Grant<Target.None> g) throws ApiException {
        try {
            return records.engagements(g.caller().account().role() == Role.ADMIN ? null : g.caller().account().organisation());
        } catch (SQLException e) {
            throw new ApiException(ErrorCode.INTERNAL, "listing engagements", e);
        }
    }

    /** Files the caller's signed destruction attestation for engagement {@code id}. */
    public Target.OfEngagement engagement(String id) throws ApiException {
        try {
            return new Target.OfEngagement(id, records.engagement(id).orElse(null));
        } catch (SQLException x) {
            throw new ApiException(ErrorCode.INTERNAL, "engagement lookup", x);
        }
    }

    /** Files the granted attestation in {@code body}. */
    public Engagement attest(Grant<Target.OfEngagement> g, JsonNode body) throws ApiException {
        String id = g.target().id();
        SignedStatement s = SignedStatement.from(body, g.caller().certificate(), ATTESTATION_TYPE, ErrorCode.BAD_ATTESTATION);
        if (!id.equals(s.fields().path("engagement").asText())) {
            throw new ApiException(ErrorCode.BAD_ATTESTATION, "statement names another engagement");
        }
        Instant now = clock.instant();
        try {
            if (!records.attest(id, g.caller().certificate().fingerprint(), s.statement(), s.signature(), now)) {
                throw new ApiException(ErrorCode.ALREADY_ATTESTED, "engagement " + id);
            }
            // The answer is built from what was committed, not read again: a failed read now would
            // tell the tester a kept attestation failed (found by FaultInjectionIT in the same shape).
            Engagement e = g.target().engagement();
            return new Engagement(e.id(), e.testerOrg(), e.campaign(), e.units(), e.startsAt(), e.endsAt(), now);
        } catch (SQLException x) {
            throw new ApiException(ErrorCode.INTERNAL, "recording an attestation", x);
        }
    }

    /** The most submissions one retention permit may name. */
    public static final int MAX_PERMIT_SUBMISSIONS = 40;

    /**
     * A retention permit: {@code tester_org} may read {@code submissions} until {@code expires_at}
     * (SPEC C3). A permit gives a testing body back what it handed in, nothing else: each id must be
     * a {@code test-result} that this testing body uploaded for a unit and campaign of one of its own
     * engagements. Anything else (another unit's report, an inspection record, a summary, another
     * laboratory's result, an id that does not exist) is refused with {@code permit_out_of_scope},
     * naming the ids without saying which of them exist. The audit record names every id covered.
     */
    public Target.Named newPermit(JsonNode body) {
        String id = "permit-" + HexFormat.of().formatHex(randomBytes(6));
        List<String> named = named(body);
        return new Target.Named(id, id + "/tester:" + clip(body.path("tester_org").asText(), 128) + "/submissions:"
                + (named.size() > MAX_PERMIT_SUBMISSIONS ? named.size() + " ids" : String.join(",", named)));
    }

    private static List<String> named(JsonNode body) {
        List<String> ids = new ArrayList<>();
        body.path("submissions").forEach(s -> ids.add(s.asText()));
        return ids.stream().distinct().toList();
    }

    /** Issues the granted permit; returns its id. */
    public String issuePermit(Grant<Target.Named> g, JsonNode body) throws ApiException {
        String id = g.target().id();
        List<String> named = named(body);
        String testerOrg = text(body, "tester_org");
        Instant expires = instant(body, "expires_at");
        Instant now = clock.instant();
        if (named.isEmpty() || named.size() > MAX_PERMIT_SUBMISSIONS || !expires.isAfter(now) || expires.isAfter(now.plus(MAX_PERMIT))) {
            throw new ApiException(ErrorCode.MALFORMED_REQUEST, "a permit names 1 to " + MAX_PERMIT_SUBMISSIONS
                    + " submissions and expires within " + MAX_PERMIT.toDays() + " days");
        }
        try {
            List<Engagement> engagements = records.engagements(testerOrg);
            List<String> outside = new ArrayList<>();
            for (String s : named) {
                if (!handedInBy(submissions.find(s), testerOrg, engagements)) {
                    outside.add(s);
                }
            }
            if (!outside.isEmpty()) {
                throw new ApiException(ErrorCode.PERMIT_OUT_OF_SCOPE, outside.size() + " of " + named.size()
                        + " ids are not test results of " + testerOrg + " under its engagements")
                        .withProblems(outside.stream().map(s -> "submission " + s).toList());
            }
            records.issuePermit(id, testerOrg, named, expires, g.caller().certificate().fingerprint(), now);
            return id;
        } catch (SQLException e) {
            throw new ApiException(ErrorCode.INTERNAL, "issuing a permit", e);
        }
    }

    /**
     * Whether {@code found} is a test result that testing body {@code org} uploaded for a campaign
     * and unit one of its engagements covers (open or ended: a permit may come after the window).
     */
    static boolean handedInBy(Optional<Submissions.Found> found, String org, List<Engagement> engagements) {
        if (found.isEmpty()) {
            return false;
        }
        Submissions.Found f = found.get();
        return Kind.TEST_RESULT.is(f.stored().kind()) && Role.TESTER.label().equals(f.submitterRole())
                && org.equals(f.submitterOrg())
                && engagements.stream().anyMatch(e -> e.testerOrg().equals(org) && e.covers(f.stored().campaign(), f.stored().unit()));
    }

    private static String clip(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }

    private static String text(JsonNode body, String field) throws ApiException {
        return text(body, field, 256);
    }

    private static String text(JsonNode body, String field, int max) throws ApiException {
        String v = body.path(field).asText("");
        if (v.isBlank() || v.length() > max) {
            throw new ApiException(ErrorCode.MALFORMED_REQUEST, "missing or overlong " + field);
        }
        return v;
    }

    private static Instant instant(JsonNode body, String field) throws ApiException {
        try {
            return Instant.parse(text(body, field));
        } catch (DateTimeParseException e) {
            throw new ApiException(ErrorCode.MALFORMED_REQUEST, field + " is not an ISO-8601 instant");
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
