package cn.midang.server.access;

import cn.midang.server.campaign.Campaign;
import cn.midang.server.campaign.CampaignState;
import cn.midang.server.campaign.Lifecycle;
import cn.midang.server.identity.Caller;
import cn.midang.server.identity.Role;
import cn.midang.server.refusal.ErrorCode;
import cn.midang.server.submission.Kind;
import cn.midang.server.submission.ListScope;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The one place that decides who may do what (SPEC §2, C1–C3). Deny by default: every action
 * lists the roles it allows, with the conditions on the target; anything not listed is denied.
 *
 * <p>Object-level denials to a unit (another unit's object) are {@code not_found}, exactly as
 * for an id that does not exist (C2); role-level denials are {@code not_permitted} whatever the
 * id. Units read what units submitted for them; inspectors read the campaigns they are assigned
 * to; testers upload inside an engagement and read back only under a retention permit; the
 * administrator manages but never reads report content; approvers and leaders read no raw
 * submissions.
 */
public final class Policy {

    /** What anyone may do without signing. */
    // Unsealing is public: what a delivery carries is checked instead (a key holder's signature, this start's key).
    // The transparency log is public too: commitments and padding only, checked by every client, account or not.
    private static final Set<Action> PUBLIC = Set.of(Action.HEALTH, Action.OPENAPI, Action.SERVER_INFO, Action.UNSEAL_STATUS,
            Action.UNSEAL, Action.READ_LOG);

    /** Kinds each role submits. */
    private static final Set<Kind> UNIT_KINDS = Set.of(Kind.REPORT, Kind.FORM, Kind.RECTIFICATION);

    private Policy() {
    }

    /**
     * Decides {@code action} on {@code target} for {@code caller} (null: nobody signed), whose
     * {@code standing} in the access records is given, at {@code now}. Reads nothing else: the same
     * arguments always give the same decision.
     */
    public static Decision decide(Caller caller, Standing standing, Action action, Target target, Instant now) {
        if (!action.target().isInstance(target)) {
            throw new IllegalArgumentException(action.label() + " is decided on a " + action.target().getSimpleName() + ", not on "
                    + target);
        }
        Role role = caller == null ? null : caller.account().role();
        String org = caller == null ? null : caller.account().organisation();
        if (caller == null && !PUBLIC.contains(action)) {
            return denyRole(null, action); // no rule below is written for nobody
        }
        return switch (action) {
            case HEALTH, OPENAPI, SERVER_INFO, UNSEAL_STATUS, UNSEAL, READ_LOG -> Decision.allow("public");
            case WHOAMI, LIST_CAMPAIGNS -> role != null ? Decision.allow("any account") : denyRole(role, action);
            case CAMPAIGN_STATUS -> campaignStatus(standing, role, org, (Target.OfCampaign) target);
            case ADVANCE_CAMPAIGN -> advance(role, (Target.Transition) target);
            case RESCHEDULE_CAMPAIGN -> role != Role.ADMIN ? denyRole(role, action)
                    : ((Target.OfCampaign) target).campaign() == null
                            ? Decision.deny(ErrorCode.UNKNOWN_CAMPAIGN, "no campaign " + ((Target.OfCampaign) target).id())
                            : Decision.allow("administrator");
            case RECORD_FINDING, LIST_FINDINGS, GENERATE_SUMMARY, READ_SUMMARY, SIGN_SUMMARY, READ_RESULTS ->
                    afterInspection(standing, role, org, action, (Target.OfCampaign) target);
            case SUBMIT -> submit(standing, role, org, (Target.Upload) target, now);
            case LIST_SUBMISSIONS, SEARCH -> listScope(caller, standing).map(Decision::allowWithin)
                    .orElseGet(() -> role == Role.TESTER
                            ? Decision.deny(ErrorCode.RETENTION_PERMIT_REQUIRED, "no valid retention permit")
                            : denyRole(role, action));
            // The text extracted for the index is the document's content: whoever may download it may read it, nobody else.
            case READ_RECEIPT, DOWNLOAD, READ_TEXT -> read(standing, role, org, action, (Target.OfSubmission) target, now);
            case CREATE_CAMPAIGN, ASSIGN_INSPECTOR, CREATE_ENGAGEMENT, ISSUE_PERMIT, AUDIT_EXPORT, LIST_ACCOUNTS, ENROL_ACCOUNTS,
                    DISABLE_ACCOUNT, ENABLE_ACCOUNT, PUBLISH_CRL ->
                    role == Role.ADMIN ? Decision.allow("administrator") : denyRole(role, action);
            case LIST_ENGAGEMENTS -> role == Role.ADMIN || role == Role.TESTER ? Decision.allow("administrator or tester")
                    : denyRole(role, action);
            case ATTEST_DESTRUCTION -> attest(role, org, (Target.OfEngagement) target);
            // The joint-review departments witness the log: their approvers cosign its checkpoints.
            case COSIGN_LOG -> role == Role.APPROVER ? Decision.allow("department approver") : denyRole(role, action);
        };
    }

    private static Decision denyRole(Role role, Action action) {
        return Decision.deny(ErrorCode.NOT_PERMITTED, (role == null ? "anonymous" : role.label()) + " may not " + action.label());
    }

    /**
     * Whether {@code c} is, for a unit or a tester, no campaign at all: a draft is unseen by them
     * until it opens (SPEC §4), and must answer exactly as an id that does not exist; a unit also
     * knows nothing of campaigns it is not in.
     */
    private static boolean hiddenFrom(Role role, String org, Campaign c) {
        return c == null || (role == Role.UNIT || role == Role.TESTER) && c.state() == CampaignState.DRAFT
                || role == Role.UNIT && !c.hasUnit(org);
    }

    /**
     * The answer for a campaign {@link #hiddenFrom} the caller: the same as for an id that does not
     * exist, except to a unit whose account is bound to a unit id no campaign names, which learns
     * that about itself (the same answer for every id, so nothing about any campaign).
     */
    private static Decision hidden(Standing standing, Role role, String org, String id) {
        if (role == Role.UNIT && standing.unitCampaigns().isEmpty()) {
            return Decision.deny(ErrorCode.UNIT_NOT_BOUND, "unit id " + org + " is named by no campaign");
        }
        return Decision.deny(ErrorCode.UNKNOWN_CAMPAIGN, "no campaign " + id + " for " + role.label() + " " + org);
    }

    private static Decision campaignStatus(Standing standing, Role role, String org, Target.OfCampaign t) {
        if (role != Role.UNIT && role != Role.INSPECTOR && role != Role.ADMIN) {
            return denyRole(role, Action.CAMPAIGN_STATUS); // the same for every id, existing or not
        }
        Campaign c = t.campaign();
        if (hiddenFrom(role, org, c)) {
            return hidden(standing, role, org, t.id());
        }
        return switch (role) {
            case UNIT -> Decision.allow("own row of a campaign in scope");
            case INSPECTOR -> standing.assignedCampaigns().contains(c.id())
                    ? Decision.allow("assigned inspector") : Decision.deny(ErrorCode.NOT_ASSIGNED, "not assigned to " + c.id());
            default -> Decision.allow("administrator (progress only, no content)");
        };
    }

    /** The actions after the inspection that {@code role} may take on some campaign; any other is refused whatever the id. */
    private static boolean mayEver(Role role, Action action) {
        return switch (role) {
            case INSPECTOR -> true;
            case APPROVER -> action == Action.READ_SUMMARY || action == Action.SIGN_SUMMARY;
            case LEADER -> action == Action.READ_SUMMARY || action == Action.READ_RESULTS;
            case UNIT -> action == Action.LIST_FINDINGS || action == Action.READ_RESULTS;
            default -> false;
        };
    }

    /**
     * The work after the self-check (SPEC §1 五(二), 六): assigned inspectors record findings while
     * the inspection and the summary are under way, generate the summary, and read findings,
     * summary and results; approvers read and sign summaries; the leadership reads summaries and
     * the published results; a unit in scope reads its own findings and result once published.
     */
    private static Decision afterInspection(Standing standing, Role role, String org, Action action, Target.OfCampaign t) {
        if (role == null || !mayEver(role, action)) {
            return denyRole(role, action); // the same for every id, existing or not
        }
        Campaign c = t.campaign();
        if (hiddenFrom(role, org, c)) {
            return hidden(standing, role, org, t.id());
        }
        CampaignState s = c.state();
        boolean published = s.compareTo(CampaignState.PUBLISHED) >= 0;
        return switch (role) {
            case INSPECTOR -> {
                if (!standing.assignedCampaigns().contains(c.id())) {
                    yield Decision.deny(ErrorCode.NOT_ASSIGNED, "not assigned to " + c.id());
                }
                yield switch (action) {
                    case RECORD_FINDING -> s == CampaignState.ON_SITE || s == CampaignState.SUMMARY ? Decision.allow("assigned inspector")
                            : Decision.deny(ErrorCode.WRONG_STATE, "findings are recorded during on_site and summary, campaign is "
                                    + s.name().toLowerCase(Locale.ROOT));
                    case GENERATE_SUMMARY -> s == CampaignState.SUMMARY ? Decision.allow("assigned inspector")
                            : Decision.deny(ErrorCode.WRONG_STATE, "the summary is generated in state summary, campaign is "
                                    + s.name().toLowerCase(Locale.ROOT));
                    case LIST_FINDINGS, READ_SUMMARY -> Decision.allow("assigned inspector");
                    case READ_RESULTS -> published ? Decision.allow("assigned inspector")
                            : Decision.deny(ErrorCode.NO_RESULTS, "not published");
                    default -> denyRole(role, action);
                };
            }
            case APPROVER -> action == Action.READ_SUMMARY || action == Action.SIGN_SUMMARY
                    ? Decision.allow("joint-review approver") : denyRole(role, action);
            case LEADER -> action == Action.READ_SUMMARY ? Decision.allow("leadership")
                    : action == Action.READ_RESULTS ? (published ? Decision.allow("leadership") : Decision.deny(ErrorCode.NO_RESULTS, "not published"))
                    : denyRole(role, action);
            case UNIT -> (action == Action.LIST_FINDINGS || action == Action.READ_RESULTS)
                    ? (published ? Decision.allowWithin(new ListScope(org, null, null))
                            : Decision.deny(ErrorCode.NO_RESULTS, "a unit sees its findings and result once published"))
                    : denyRole(role, action);
            default -> denyRole(role, action);
        };
    }

    /** A lifecycle step: the leadership approves, the administrator takes every other step (Lifecycle). */
    private static Decision advance(Role role, Target.Transition t) {
        if (role != Role.ADMIN && role != Role.LEADER) {
            return denyRole(role, Action.ADVANCE_CAMPAIGN);
        }
        if (t.campaign() == null) {
            return Decision.deny(ErrorCode.UNKNOWN_CAMPAIGN, "no campaign " + t.id());
        }
        if (t.to() == null) {
            return Decision.allow("statement names no step; checked after");
        }
        Role needed = Lifecycle.entitled(t.to());
        return role == needed ? Decision.allow(needed.label() + " takes the step into " + t.to().name().toLowerCase(Locale.ROOT))
                : Decision.deny(ErrorCode.NOT_PERMITTED, "the step into " + t.to().name().toLowerCase(Locale.ROOT)
                        + " is for the " + needed.label());
    }

    /**
     * Test results and inspection records come in while the campaign runs, from its opening until
     * the joint review; once the leadership approved the results, nothing more is filed against them.
     */
    private static Optional<String> closedToFindings(Campaign c) {
        CampaignState s = c.state();
        return s.compareTo(CampaignState.OPEN) >= 0 && s.compareTo(CampaignState.JOINT_REVIEW) <= 0 ? Optional.empty()
                : Optional.of("test results and inspection records are accepted from open to joint_review; " + c.id() + " is "
                        + s.name().toLowerCase(Locale.ROOT));
    }

    private static Decision submit(Standing standing, Role role, String org, Target.Upload t, Instant now) {
        Campaign c = t.campaign();
        if (hiddenFrom(role, org, c)) { // only ever for units and testers: an upload names an existing campaign
            return hidden(standing, role, org, c.id());
        }
        switch (role) {
            case UNIT -> {
                if (!t.unit().equals(org)) {
                    return Decision.deny(ErrorCode.UNIT_NOT_IN_SCOPE, "unit " + org + " submitting for " + t.unit());
                }
                if (!UNIT_KINDS.contains(t.kind())) {
                    return Decision.deny(ErrorCode.NOT_PERMITTED, "units submit " + UNIT_KINDS + ", not " + t.kind());
                }
                if (!c.hasUnit(org)) {
                    return Decision.deny(ErrorCode.UNIT_NOT_IN_SCOPE, "unit " + org + " not in " + c.id());
                }
                if (t.kind() == Kind.RECTIFICATION) {
                    return c.state() == CampaignState.PUBLISHED || c.state() == CampaignState.RECTIFICATION
                            ? Decision.allow("unit reports rectification of its findings")
                            : Decision.deny(ErrorCode.CAMPAIGN_CLOSED, "rectification reports are accepted once results are published; "
                                    + c.id() + " is " + c.state().name().toLowerCase(Locale.ROOT));
                }
                Optional<String> closed = c.refusalAt(now);
                return closed.isPresent() ? Decision.deny(ErrorCode.CAMPAIGN_CLOSED, closed.get())
                        : Decision.allow("unit submits for itself");
            }
            case TESTER -> {
                if (t.kind() != Kind.TEST_RESULT) {
                    return Decision.deny(ErrorCode.NOT_PERMITTED, "testers submit test-result only, not " + t.kind());
                }
                List<Engagement> open = standing.engagements().stream()
                        .filter(e -> e.openAt(now) && e.covers(c.id(), t.unit())).toList();
                if (open.isEmpty()) {
                    return Decision.deny(ErrorCode.NO_ENGAGEMENT, "no open engagement of " + org + " for " + t.unit() + " in " + c.id()
                            + " (one that ended, or whose destruction was attested, takes no more results)");
                }
                Optional<String> closed = closedToFindings(c);
                return closed.isPresent() ? Decision.deny(ErrorCode.CAMPAIGN_CLOSED, closed.get())
                        : Decision.allow("engagement " + open.get(0).id());
            }
            case INSPECTOR -> {
                if (t.kind() != Kind.INSPECTION_RECORD) {
                    return Decision.deny(ErrorCode.NOT_PERMITTED, "inspectors submit inspection-record only, not " + t.kind());
                }
                if (!standing.assignedCampaigns().contains(c.id())) {
                    return Decision.deny(ErrorCode.NOT_ASSIGNED, "not assigned to " + c.id());
                }
                if (!c.hasUnit(t.unit())) {
                    return Decision.deny(ErrorCode.UNIT_NOT_IN_SCOPE, "unit " + t.unit() + " not in " + c.id());
                }
                Optional<String> closed = closedToFindings(c);
                return closed.isPresent() ? Decision.deny(ErrorCode.CAMPAIGN_CLOSED, closed.get()) : Decision.allow("assigned inspector");
            }
            default -> {
                return denyRole(role, Action.SUBMIT);
            }
        }
    }

    private static Decision read(Standing standing, Role role, String org, Action action, Target.OfSubmission t, Instant now)
            {
        var s = t.stored();
        String absent = s == null ? "absent" : "not readable";
        switch (role) {
            case UNIT -> {
                return s != null && s.unit().equals(org) && t.submitterRole() == Role.UNIT
                        ? Decision.allow("own unit's submission") : Decision.deny(ErrorCode.NOT_FOUND, absent + " for unit " + org);
            }
            case INSPECTOR -> {
                return s != null && standing.assignedCampaigns().contains(s.campaign())
                        ? Decision.allow("assigned inspector") : Decision.deny(ErrorCode.NOT_FOUND, absent + " or campaign not assigned");
            }
            case APPROVER, LEADER -> {
                // They read campaign summaries, never raw submissions (SPEC §2); any other id, existing or
                // not, gets the one answer, so they cannot tell which reports exist.
                return s != null && Kind.SUMMARY.is(s.kind()) ? Decision.allow("a campaign summary, for joint review and approval")
                        : Decision.deny(ErrorCode.NOT_FOUND, absent + " (" + role.label() + "s read summaries only)");
            }
            case TESTER -> {
                if (s == null) {
                    return Decision.deny(ErrorCode.NOT_FOUND, absent);
                }
                if (standing.permitted().contains(s.id())) {
                    return Decision.allow("retention permit");
                }
                boolean own = t.submitterRole() == Role.TESTER && org.equals(t.submitterOrg());
                if (!own) {
                    return Decision.deny(ErrorCode.NOT_FOUND, "not the tester's and no permit");
                }
                if (action == Action.READ_RECEIPT && standing.engagements().stream()
                        .anyMatch(e -> e.openAt(now) && e.covers(s.campaign(), s.unit()))) {
                    return Decision.allow("own receipt inside the engagement");
                }
                return Decision.deny(ErrorCode.RETENTION_PERMIT_REQUIRED, "own upload, no permit"
                        + (action == Action.READ_RECEIPT ? " and no open engagement" : ""));
            }
            default -> {
                return denyRole(role, action);
            }
        }
    }

    private static Decision attest(Role role, String org, Target.OfEngagement t) {
        if (role != Role.TESTER) {
            return denyRole(role, Action.ATTEST_DESTRUCTION);
        }
        return t.engagement() != null && t.engagement().testerOrg().equals(org) ? Decision.allow("own engagement")
                : Decision.deny(ErrorCode.NOT_FOUND, "no engagement " + t.id() + " of " + org);
    }

    /** What {@code caller} may list, or empty when nothing (the listing is then refused). */
    private static Optional<ListScope> listScope(Caller caller, Standing standing) {
        if (caller == null) {
            return Optional.empty();
        }
        return switch (caller.account().role()) {
            case UNIT -> Optional.of(new ListScope(caller.account().organisation(), null, null));
            case INSPECTOR -> Optional.of(new ListScope(null, standing.assignedCampaigns(), null));
            case TESTER -> {
                Set<String> ids = standing.permitted();
                yield ids.isEmpty() ? Optional.empty() : Optional.of(new ListScope(null, null, ids));
            }
            default -> Optional.empty();
        };
    }
}
