package cn.midang.server.access;

import cn.midang.server.identity.Caller;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * What the access records say about one caller at one moment: the campaigns an inspector is
 * assigned to, a testing body's engagements, the submissions its retention permits name. The
 * {@link Guard} reads it once per request, before the decision, so that {@link Policy} is a pure
 * function of caller, standing, action, target and time.
 */
public record Standing(Set<String> assignedCampaigns, List<Engagement> engagements, Set<String> permitted) {

    /** Nothing: administrators, units, approvers, leaders, and nobody. */
    public static final Standing NONE = new Standing(Set.of(), List.of(), Set.of());

    public Standing {
        assignedCampaigns = Set.copyOf(assignedCampaigns);
        engagements = List.copyOf(engagements);
        permitted = Set.copyOf(permitted);
    }

    /** Reads what {@code records} hold for {@code caller} at {@code now}: only what its role can use. */
    public static Standing of(Caller caller, AccessRecords records, Instant now) throws SQLException {
        if (caller == null) {
            return NONE;
        }
        return switch (caller.account().role()) {
            case INSPECTOR -> new Standing(records.assignedCampaigns(caller.certificate().fingerprint()), List.of(), Set.of());
            case TESTER -> new Standing(Set.of(), records.engagements(caller.account().organisation()),
                    records.permitted(caller.account().organisation(), now));
            default -> NONE;
        };
    }
}
