package cn.midang.server.campaign;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A campaign (检查工作): its scope (units), its state and its submission window.
 *
 * @param lateAccepted whether a submission after the deadline is still accepted (and marked late)
 */
public record Campaign(String id, String title, CampaignState state, Instant submissionsOpenAt,
        Instant submissionDeadline, boolean lateAccepted, List<Unit> units) {

    /** A unit in scope (检查范围): level 市 or 县区, and whether it is a key spot-check unit (重点抽查). */
    public record Unit(String id, String name, String level, boolean keySpotCheck) {}

    /** Whether a submission at {@code now} is accepted, and if so whether it is late. */
    public enum Timeliness { ON_TIME, LATE }

    /** Why a submission is refused at {@code now}, or empty when it is accepted. */
    public Optional<String> refusalAt(Instant now) {
        if (state != CampaignState.OPEN) {
            return Optional.of("campaign " + id + " is not accepting submissions (state " + state.name().toLowerCase() + ")");
        }
        if (now.isBefore(submissionsOpenAt)) {
            return Optional.of("campaign " + id + " opens for submissions at " + submissionsOpenAt);
        }
        if (now.isAfter(submissionDeadline) && !lateAccepted) {
            return Optional.of("campaign " + id + " closed for submissions at " + submissionDeadline + " and accepts no late submissions");
        }
        return Optional.empty();
    }

    public Timeliness timelinessAt(Instant now) {
        return now.isAfter(submissionDeadline) ? Timeliness.LATE : Timeliness.ON_TIME;
    }

    public boolean hasUnit(String unitId) {
        return units.stream().anyMatch(u -> u.id().equals(unitId));
    }
}
