package cn.midang.server.access;

import java.time.Instant;
import java.util.List;

/** A testing body's engagement: its organisation, campaign, units and time window, and whether it attested destruction. */
public record Engagement(String id, String testerOrg, String campaign, List<String> units, Instant startsAt, Instant endsAt,
        Instant attestedAt) {

    public boolean openAt(Instant now) {
        return !now.isBefore(startsAt) && now.isBefore(endsAt);
    }

    public boolean covers(String campaignId, String unit) {
        return campaign.equals(campaignId) && units.contains(unit);
    }
}
