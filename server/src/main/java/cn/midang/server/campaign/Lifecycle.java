package cn.midang.server.campaign;

import cn.midang.server.identity.Role;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * The campaign lifecycle of SPEC §4, one step at a time: each state has one next state, each step
 * one role entitled to take it, and each step its precondition. Steps are signed by whoever
 * takes them ({@code midang campaign advance}) and recorded with the signature.
 *
 * <pre>
 * draft → open → closed → on_site → summary → joint_review → approved → published → rectification → archived
 * </pre>
 */
public final class Lifecycle {

    /** The type of a signed step statement. */
    public static final String STATEMENT_TYPE = "midang-transition/1";

    private Lifecycle() {}

    /** The state after {@code s}, or empty for the last. */
    public static Optional<CampaignState> next(CampaignState s) {
        CampaignState[] all = CampaignState.values();
        return s.ordinal() + 1 < all.length ? Optional.of(all[s.ordinal() + 1]) : Optional.empty();
    }

    /** Who takes the step into {@code to}: the leadership approves, the lead office's administrator does the rest. */
    public static Role entitled(CampaignState to) {
        return to == CampaignState.APPROVED ? Role.LEADER : Role.ADMIN;
    }

    /** The facts a precondition may need besides the campaign and the time. */
    public interface Facts {
        /** Whether a summary of the campaign has been generated. */
        boolean summaryGenerated(String campaign);

        /** How many of the campaign's joint-review departments have signed its current summary. */
        int departmentsSigned(String campaign);
    }

    /**
     * Why {@code c} cannot go into {@code to} at {@code now}, in words for the person taking the
     * step; empty when it can.
     */
    public static Optional<String> unmet(Campaign c, CampaignState to, Instant now, Facts facts) {
        return switch (to) {
            case OPEN -> c.units().isEmpty() ? Optional.of("the campaign has no units in scope") : Optional.empty();
            case CLOSED -> now.isBefore(c.submissionDeadline())
                    ? Optional.of("the submission deadline " + c.submissionDeadline() + " has not passed yet")
                    : Optional.empty();
            case SUMMARY -> c.details().onSiteEnd() != null && now.isBefore(c.details().onSiteEnd())
                    ? Optional.of("the on-site inspection runs until " + c.details().onSiteEnd())
                    : Optional.empty();
            case JOINT_REVIEW -> facts.summaryGenerated(c.id()) ? Optional.empty()
                    : Optional.of("no summary has been generated for the campaign yet");
            case APPROVED -> {
                int signed = facts.departmentsSigned(c.id());
                int needed = c.details().jointReview().size();
                yield needed == 0 ? Optional.of("the campaign names no joint-review departments")
                        : signed < needed ? Optional.of("only " + signed + " of the " + needed
                                + " joint-review departments have signed the summary") : Optional.empty();
            }
            default -> Optional.empty();
        };
    }

    /** The state's name as the API and the CLI write it, e.g. {@code on_site}. */
    public static String label(CampaignState s) {
        return s.name().toLowerCase(Locale.ROOT);
    }
}
