package cn.midang.server.campaign;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A campaign (检查工作): its scope (units), its check areas and their items, its state, its
 * submission window and what its defining document says ({@link Details}).
 *
 * @param submissionsOpenAt the start of the self-check (部门自查), when submissions open
 * @param lateAccepted whether a submission after the deadline is still accepted (and marked late)
 */
public record Campaign(String id, String title, CampaignState state, Instant submissionsOpenAt,
        Instant submissionDeadline, boolean lateAccepted, List<Unit> units, List<Area> areas, Details details) {

    /** A campaign without check areas of its own. */
    public Campaign(String id, String title, CampaignState state, Instant submissionsOpenAt, Instant submissionDeadline,
            boolean lateAccepted, List<Unit> units) {
        this(id, title, state, submissionsOpenAt, submissionDeadline, lateAccepted, units, List.of(), Details.NONE);
    }

    public Campaign(String id, String title, CampaignState state, Instant submissionsOpenAt, Instant submissionDeadline,
            boolean lateAccepted, List<Unit> units, List<Area> areas) {
        this(id, title, state, submissionsOpenAt, submissionDeadline, lateAccepted, units, areas, Details.NONE);
    }

    /** This campaign in state {@code s}, all else the same. */
    public Campaign inState(CampaignState s) {
        return new Campaign(id, title, s, submissionsOpenAt, submissionDeadline, lateAccepted, units, areas, details);
    }

    /** A check area (检查内容): a short id for scripts, its name as the notice words it, and the items of the report form. */
    public record Area(String id, String name, List<Item> items) {}

    /** One item of the report form (报告表) under a check area. */
    public record Item(String id, String text) {
        /** As stored and as shown: {@code {id, text}}. */
        public Map<String, Object> fields() {
            return Map.of("id", id, "text", text);
        }
    }

    /** A department of the joint review (共同审定), whose approver signs the summary. */
    public record Department(String id, String name) {}

    /** What the campaign's defining document says beyond scope and dates; absent parts are null. */
    public record Details(String document, String issuedBy, String leadOffice, List<Department> jointReview, Instant onSiteStart,
            Instant onSiteEnd) {
        public static final Details NONE = new Details(null, null, null, List.of(), null, null);

        /** As stored and as shown (absent parts null; times ISO-8601). */
        public Map<String, Object> fields() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("document", document);
            m.put("issued_by", issuedBy);
            m.put("lead_office", leadOffice);
            m.put("joint_review", jointReview.stream().map(x -> Map.of("id", x.id(), "name", x.name())).toList());
            m.put("on_site_start", onSiteStart == null ? null : onSiteStart.toString());
            m.put("on_site_end", onSiteEnd == null ? null : onSiteEnd.toString());
            return m;
        }
    }

    /** The area named by {@code idOrName} (its id, or its name exactly), if the campaign has it. */
    public Optional<Area> area(String idOrName) {
        return areas.stream().filter(a -> a.id().equals(idOrName) || a.name().equals(idOrName)).findFirst();
    }

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
