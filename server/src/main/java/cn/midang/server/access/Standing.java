package cn.midang.server.access;

import cn.midang.server.identity.Caller;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * What the access records say about one caller at one moment: the campaigns an inspector is
 * assigned to, a testing body's engagements, the submissions its retention permits name, the
 * campaigns that name a unit. The
 * {@link Guard} reads it once per request, before the decision, so that {@link Policy} is a pure
 * function of caller, standing, action, target and time.
 */
public record Standing(Set<String> assignedCampaigns, List<Engagement> engagements, Set<String> permitted,
        Set<String> unitCampaigns) {

    /** Nothing: administrators, approvers, leaders, and nobody. */
    public static final Standing NONE = new Standing(Set.of(), List.of(), Set.of(), Set.of());

    /** An inspector's, a testing body's standing (the campaigns naming a unit are only a unit's). */
    public Standing(Set<String> assignedCampaigns, List<Engagement> engagements, Set<String> permitted) {
        this(assignedCampaigns, engagements, permitted, Set.of());
    }

    /** A unit's standing: the campaigns that name its unit id (none: its account is bound to no campaign's unit). */
    public static Standing ofUnit(Set<String> unitCampaigns) {
        return new Standing(Set.of(), List.of(), Set.of(), unitCampaigns);
    }

    public Standing {
        unitCampaigns = Set.copyOf(unitCampaigns);
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
            // Assignments follow the account, not the certificate: a renewed inspector keeps them.
            case INSPECTOR -> new Standing(records.assignedCampaigns(caller.account().fingerprint()), List.of(), Set.of());
            case UNIT -> ofUnit(records.campaignsNaming(caller.account().organisation()));
            case TESTER -> new Standing(Set.of(), records.engagements(caller.account().organisation()),
                    records.permitted(caller.account().organisation(), now));
            default -> NONE;
        };
    }
}
