package cn.midang.server.campaign.api;

import cn.midang.server.access.AccessRecords;
import cn.midang.server.access.Grant;
import cn.midang.server.access.SignedStatement;
import cn.midang.server.access.Target;
import cn.midang.server.campaign.Campaign;
import cn.midang.server.campaign.CampaignDefinition;
import cn.midang.server.campaign.CampaignState;
import cn.midang.server.campaign.Campaigns;
import cn.midang.server.campaign.Lifecycle;
import cn.midang.server.campaign.Overviews;
import cn.midang.server.identity.Caller;
import cn.midang.server.identity.Role;
import cn.midang.server.refusal.ApiException;
import cn.midang.server.refusal.ErrorCode;
import cn.midang.server.storage.Database;
import com.fasterxml.jackson.databind.JsonNode;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What callers may see of campaigns: the campaigns that concern them, and the progress of one
 * campaign per unit in scope (报送情况). The policy decides who may see a campaign's progress; a
 * unit is shown only its own row.
 */
public final class CampaignService {

    private final Campaigns campaigns;
    private final Overviews overviews;
    private final AccessRecords records;
    private final Lifecycle.Facts facts;
    private final Publisher publisher;
    private final List<String> reviewDepartments;

    /** Issues a campaign's results, inside the transaction of the step to published. */
    @FunctionalInterface
    public interface Publisher {
        Database.Work<?> publish(Campaign c, Instant now) throws ApiException;
    }

    public CampaignService(Campaigns campaigns, Overviews overviews, AccessRecords records, Lifecycle.Facts facts,
            Publisher publisher, List<String> reviewDepartments) {
        this.reviewDepartments = List.copyOf(reviewDepartments);
        this.campaigns = campaigns;
        this.overviews = overviews;
        this.records = records;
        this.facts = facts;
        this.publisher = publisher;
    }

    /**
     * Defines a campaign from its file (administrators): checked whole, every problem returned
     * with its line (400 {@code invalid_campaign}); an id already taken is 409
     * {@code campaign_exists}. Its joint review must be the deployment's departments
     * ({@code review.departments}), each once. The campaign starts as a draft, unseen by units and testers.
     */
    public Campaign create(String text) throws ApiException {
        Campaign c;
        try {
            c = CampaignDefinition.parse(text, reviewDepartments);
        } catch (CampaignDefinition.Invalid e) {
            throw new ApiException(ErrorCode.INVALID_CAMPAIGN, e.getMessage())
                    .withProblems(e.problems().stream().map(CampaignDefinition.Problem::toString).toList());
        }
        try {
            if (campaigns.exists(c.id())) {
                throw new ApiException(ErrorCode.CAMPAIGN_EXISTS, "campaign " + c.id());
            }
            campaigns.create(c, text);
            return c;
        } catch (SQLException e) {
            throw new ApiException(ErrorCode.INTERNAL, "recording campaign " + c.id(), e);
        }
    }

    /**
     * Takes the next lifecycle step of campaign {@code id}, as the caller's signed statement
     * ({@code midang-transition/1}: campaign, from, to, signer, signed_at) says: the statement must
     * verify with the caller's key, name the campaign's current state as {@code from} and its next
     * as {@code to}, be signed within ten minutes of now, come from the role entitled to the step
     * (policy), and the step's precondition must hold. The step and the statement are kept.
     */
    public Target.Transition transition(String id, JsonNode body) throws ApiException {
        // What the statement asks for chooses the policy's rule; it is verified once granted.
        SignedStatement claimed = SignedStatement.read(body);
        return new Target.Transition(id, lookup(campaigns, id), claimed == null ? null : state(claimed.fields().path("to").asText()));
    }

    /** Takes the granted step: the statement in {@code body} verified and checked as above, the step and the statement kept. */
    /** A campaign as a step or a new date left it, with its steps: the answer, all read in the change's transaction. */
    public record Shown(Campaign campaign, List<Campaigns.Transition> steps) {}

    public Shown advance(Grant<Target.Transition> g, JsonNode body, Clock clock)
            throws ApiException {
        String id = g.target().id();
        Campaign c = g.target().campaign();
        SignedStatement claimed = SignedStatement.read(body);
        if (claimed == null) {
            throw new ApiException(ErrorCode.MALFORMED_REQUEST, "no readable statement and signature (base64)");
        }
        SignedStatement s = claimed.verifiedBy(g.caller().certificate(), Lifecycle.STATEMENT_TYPE, ErrorCode.BAD_STATEMENT);
        Instant now = clock.instant();
        Instant signedAt;
        try {
            signedAt = Instant.parse(s.fields().path("signed_at").asText());
        } catch (DateTimeParseException e) {
            throw new ApiException(ErrorCode.BAD_STATEMENT, "signed_at is not a time");
        }
        if (!id.equals(s.fields().path("campaign").asText())
                || Duration.between(signedAt, now).abs().compareTo(Duration.ofMinutes(10)) > 0) {
            throw new ApiException(ErrorCode.BAD_STATEMENT, "statement for another campaign or signed too long ago");
        }
        CampaignState from = state(s.fields().path("from").asText());
        CampaignState to = state(s.fields().path("to").asText());
        CampaignState next = Lifecycle.next(c.state()).orElse(null);
        if (from != c.state() || to == null || to != next) {
            throw new ApiException(ErrorCode.WRONG_STATE, "statement " + from + "->" + to + ", campaign is " + c.state()).withProblems(
                    List.of("the campaign is " + Lifecycle.label(c.state()) + (next == null ? "; it has no further step"
                            : "; its next step is " + Lifecycle.label(next))));
        }
        Optional<String> unmet = Lifecycle.unmet(c, to, now, facts);
        if (unmet.isPresent()) {
            throw new ApiException(ErrorCode.PRECONDITION_FAILED, unmet.get()).withProblems(List.of(unmet.get()));
        }
        try {
            Database.Work<?> also = to == CampaignState.PUBLISHED ? publisher.publish(c, now) : conn -> null;
            // The answer is the campaign as the step left it, with its steps read in the step's own
            // transaction: once the step is committed, a failed read must not tell the caller it was not
            // taken (FaultInjectionIT found that).
            List<Campaigns.Transition> steps = campaigns.advanced(id, from, to, now, g.caller().certificate().fingerprint(),
                    s.statement(), s.signature(), also).orElseThrow(() -> new ApiException(ErrorCode.WRONG_STATE, "campaign moved meanwhile"));
            return new Shown(c.inState(to), steps);
        } catch (SQLException e) {
            throw new ApiException(ErrorCode.INTERNAL, "recording a lifecycle step", e);
        }
    }

    /** The dates {@link #reschedule} moves, as the API names them. */
    public static final List<String> DATES = List.of("submission_deadline", "on_site_start", "on_site_end");

    /**
     * Moves the granted campaign's dates (administrators): {@code submission_deadline} while it is a
     * draft or open, {@code on_site_start} and {@code on_site_end} until its summary; each value an
     * ISO-8601 instant or {@code now} (the server's time). A date that has passed stays where it was
     * (the receipts given under it say on time or late, and they do not change), a new date may not
     * lie in the past, and the dates keep their order: the self-check start before the deadline, the
     * on-site start before its end. Every problem is listed (400 {@code invalid_dates}); nothing
     * changes unless all hold. The request is signed and audited like every other; the campaign's
     * file as defined is kept unchanged beside it.
     */
    public Shown reschedule(Grant<Target.OfCampaign> g, JsonNode body, Clock clock) throws ApiException {
        Campaign c = g.target().campaign();
        Instant now = clock.instant();
        List<String> problems = new ArrayList<>();
        body.fieldNames().forEachRemaining(f -> {
            if (!DATES.contains(f)) {
                problems.add(f + ": not a date that can be moved (" + String.join(", ", DATES) + ")");
            }
        });
        if (DATES.stream().noneMatch(body::hasNonNull)) {
            problems.add("name at least one of " + String.join(", ", DATES));
        }
        boolean deadlineAsked = body.hasNonNull("submission_deadline");
        if (deadlineAsked && c.state() != CampaignState.DRAFT && c.state() != CampaignState.OPEN
                || (body.hasNonNull("on_site_start") || body.hasNonNull("on_site_end")) && c.state().compareTo(CampaignState.ON_SITE) > 0) {
            String why = "the campaign is " + Lifecycle.label(c.state()) + "; " + (deadlineAsked
                    ? "the submission deadline moves only while it is a draft or open"
                    : "the on-site dates move only until the on-site inspection ends");
            throw new ApiException(ErrorCode.WRONG_STATE, why).withProblems(List.of(why));
        }
        Instant deadline = moved(body, "submission_deadline", c.submissionDeadline(), now, problems);
        Instant onSiteStart = moved(body, "on_site_start", c.details().onSiteStart(), now, problems);
        Instant onSiteEnd = moved(body, "on_site_end", c.details().onSiteEnd(), now, problems);
        if (!deadline.isAfter(c.submissionsOpenAt())) {
            problems.add("submission_deadline: " + deadline + " is not after the self-check start " + c.submissionsOpenAt());
        }
        if (onSiteStart != null && onSiteEnd != null && !onSiteEnd.isAfter(onSiteStart)) {
            problems.add("on_site_end: " + onSiteEnd + " is not after on_site_start " + onSiteStart);
        }
        if (!problems.isEmpty()) {
            throw new ApiException(ErrorCode.INVALID_DATES, String.join("; ", problems)).withProblems(problems);
        }
        Campaign.Details d = c.details();
        Campaign changed = new Campaign(c.id(), c.title(), c.state(), c.submissionsOpenAt(), deadline, c.lateAccepted(), c.units(),
                c.areas(), new Campaign.Details(d.document(), d.issuedBy(), d.leadOffice(), d.jointReview(), onSiteStart, onSiteEnd));
        try {
            // What was compared and stored under the row's lock, not read again (as advance).
            return new Shown(changed, campaigns.rescheduled(c, changed)
                    .orElseThrow(() -> new ApiException(ErrorCode.WRONG_STATE, "campaign changed meanwhile")));
        } catch (SQLException e) {
            throw new ApiException(ErrorCode.INTERNAL, "recording new dates", e);
        }
    }

    /** The date {@code key} asks for ({@code current} when absent), problems added for a bad or past value or a passed date. */
    private static Instant moved(JsonNode body, String key, Instant current, Instant now, List<String> problems) {
        if (!body.hasNonNull(key)) {
            return current;
        }
        String text = body.path(key).asText("").strip();
        Instant to;
        try {
            to = text.equals("now") ? now : OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            problems.add(key + ": '" + text + "' is not a time (2026-12-07T17:00:00+08:00, 2026-12-07T09:00:00Z) or now");
            return current;
        }
        if (current != null && !current.isAfter(now)) {
            problems.add(key + ": " + current + " has passed; a passed date is not moved");
        } else if (to.isBefore(now)) {
            problems.add(key + ": " + text + " lies in the past");
        }
        return to;
    }

    /**
     * Campaign {@code id}, or null when there is none (or no id): the policy then refuses the
     * request, saying so only to those who may know.
     */
    public Target.OfCampaign target(String id) throws ApiException {
        return new Target.OfCampaign(String.valueOf(id), lookup(campaigns, id));
    }

    static Campaign lookup(Campaigns campaigns, String id) throws ApiException {
        try {
            return id == null ? null : campaigns.byId(id).orElse(null);
        } catch (SQLException e) {
            throw new ApiException(ErrorCode.INTERNAL, "campaign lookup", e);
        }
    }

    /** The steps a campaign has taken (for its view). */
    public List<Campaigns.Transition> transitions(String id) throws ApiException {
        try {
            return campaigns.transitions(id);
        } catch (SQLException e) {
            throw new ApiException(ErrorCode.INTERNAL, "reading lifecycle steps", e);
        }
    }

    private static CampaignState state(String label) {
        try {
            return CampaignState.valueOf(label.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A campaign and the rows of it the caller may see; findings shown to a unit only once published. */
    public record Status(Campaign campaign, List<Overviews.UnitOverview> units, boolean showFindings) {}

    /**
     * The campaigns that concern the exchange's caller: a unit's campaigns are those it is in, an
     * inspector's those it is assigned to, a tester's those of its engagements; others see all.
     */
    public List<Campaign> visible(Grant<Target.None> g) throws ApiException {
        Caller caller = g.caller();
        try {
            List<Campaign> all = campaigns.all();
            Predicate<Campaign> mine = switch (caller.account().role()) {
                case UNIT -> c -> c.state() != CampaignState.DRAFT && c.hasUnit(caller.account().organisation());
                case INSPECTOR -> {
                    Set<String> assigned = records.assignedCampaigns(caller.account().fingerprint());
                    yield c -> assigned.contains(c.id());
                }
                case TESTER -> {
                    Set<String> engaged = new HashSet<>();
                    records.engagements(caller.account().organisation()).forEach(e -> engaged.add(e.campaign()));
                    yield c -> c.state() != CampaignState.DRAFT && engaged.contains(c.id());
                }
                default -> c -> true;
            };
            return all.stream().filter(mine).toList();
        } catch (SQLException e) {
            throw new ApiException(ErrorCode.INTERNAL, "listing campaigns", e);
        }
    }

    /** Per unit in scope that the exchange's caller may see: what arrived and when. */
    public Status status(Grant<Target.OfCampaign> g) throws ApiException {
        Campaign c = g.target().campaign();
        Caller caller = g.caller();
        boolean unit = caller.account().role() == Role.UNIT;
        Overviews.Overview o = overviews.of(c, unit ? caller.account().organisation() : null);
        return new Status(c, o.units(), !unit || c.state().compareTo(CampaignState.PUBLISHED) >= 0);
    }
}
