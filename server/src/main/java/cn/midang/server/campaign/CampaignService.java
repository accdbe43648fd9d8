package cn.midang.server.campaign;

import cn.midang.server.http.ApiException;
import cn.midang.server.http.ErrorCode;
import cn.midang.server.identity.Caller;
import cn.midang.server.identity.Role;
import cn.midang.server.submission.Submissions;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What callers may see of campaigns: the campaigns that concern them, and the progress of one
 * campaign per unit in scope (报送情况). A unit sees only campaigns it is in and only its own row;
 * inspectors and the administrator see every unit; other roles see no progress.
 */
public final class CampaignService {

    private final Campaigns campaigns;
    private final Submissions submissions;

    public CampaignService(Campaigns campaigns, Submissions submissions) {
        this.campaigns = campaigns;
        this.submissions = submissions;
    }

    /** The progress of one unit in a campaign: what arrived, by kind, and whether the report was on time. */
    public record UnitStatus(Campaign.Unit unit, Map<String, Long> byKind, Instant firstReport, boolean reportOnTime) {
        public boolean reportIn() {
            return firstReport != null;
        }
    }

    /** The campaigns that concern {@code caller}. */
    public List<Campaign> visible(Caller caller) throws ApiException {
        try {
            List<Campaign> all = campaigns.all();
            if (caller.account().role() != Role.UNIT) {
                return all;
            }
            return all.stream().filter(c -> c.hasUnit(caller.account().organisation())).toList();
        } catch (SQLException e) {
            throw new ApiException(ErrorCode.INTERNAL, "listing campaigns", e);
        }
    }

    /** The campaign {@code id} if {@code caller} may see it; otherwise exactly "unknown campaign". */
    public Campaign campaign(Caller caller, String id) throws ApiException {
        Optional<Campaign> c;
        try {
            c = id == null ? Optional.empty() : campaigns.byId(id);
        } catch (SQLException e) {
            throw new ApiException(ErrorCode.INTERNAL, "campaign lookup", e);
        }
        if (c.isEmpty() || (caller.account().role() == Role.UNIT && !c.get().hasUnit(caller.account().organisation()))) {
            throw new ApiException(ErrorCode.UNKNOWN_CAMPAIGN, "campaign " + id + " absent or not the caller's");
        }
        return c.get();
    }

    /** Per unit in scope that {@code caller} may see: what arrived and when. */
    public List<UnitStatus> status(Caller caller, String id) throws ApiException {
        Campaign c = campaign(caller, id);
        Role role = caller.account().role();
        if (role != Role.UNIT && role != Role.INSPECTOR && role != Role.ADMIN) {
            throw new ApiException(ErrorCode.NOT_PERMITTED, role + " may not see campaign progress");
        }
        List<Submissions.Tally> tally;
        try {
            tally = submissions.tally(c.id());
        } catch (SQLException e) {
            throw new ApiException(ErrorCode.INTERNAL, "campaign tally", e);
        }
        List<UnitStatus> out = new ArrayList<>();
        for (Campaign.Unit u : c.units()) {
            if (role == Role.UNIT && !u.id().equals(caller.account().organisation())) {
                continue;
            }
            Map<String, Long> byKind = new LinkedHashMap<>();
            Instant firstReport = null;
            boolean onTime = false;
            for (Submissions.Tally t : tally) {
                if (t.unit().equals(u.id())) {
                    byKind.put(t.kind(), t.count());
                    if ("report".equals(t.kind())) {
                        firstReport = t.first();
                        onTime = t.anyOnTime();
                    }
                }
            }
            out.add(new UnitStatus(u, byKind, firstReport, onTime));
        }
        return out;
    }
}
