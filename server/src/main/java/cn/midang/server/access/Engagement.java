package cn.midang.server.access;

import java.time.Instant;
import java.util.List;

/** A testing body's engagement: its organisation, campaign, units and time window, and whether it attested destruction. */
public record Engagement(String id, String testerOrg, String campaign, List<String> units, Instant startsAt, Instant endsAt,
        Instant attestedAt) {

    /**
     * Inside its window and not ended by the tester's destruction attestation: a testing body that
     * attested it destroyed everything files nothing more under the engagement (SPEC C3).
     */
    public boolean openAt(Instant now) {
        return attestedAt == null && !now.isBefore(startsAt) && now.isBefore(endsAt);
    }

    /** Its window has passed, or the tester attested destruction, which ends it. */
    public boolean endedAt(Instant now) {
        return attestedAt != null || !now.isBefore(endsAt);
    }

    public boolean covers(String campaignId, String unit) {
        return campaign.equals(campaignId) && units.contains(unit);
    }
}
