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
        Instant submissionDeadline, boolean lateAccepted, List<Unit> units, List<Area> areas) {

    /** A campaign without check areas of its own. */
    public Campaign(String id, String title, CampaignState state, Instant submissionsOpenAt, Instant submissionDeadline,
            boolean lateAccepted, List<Unit> units) {
        this(id, title, state, submissionsOpenAt, submissionDeadline, lateAccepted, units, List.of());
    }

    /** A check area (检查内容): a short id for scripts and its name as the notice words it. */
    public record Area(String id, String name) {}

    /**
     * The nine check areas of section 四 of the notice (玉政办明电[2009]286号), in its order; the
     * dev campaign has them, and a campaign file may list its own.
     */
    public static final List<Area> NOTICE_AREAS = List.of(new Area("organisation", "组织机构建设情况"),
            new Area("rules", "安全制度落实情况"), new Area("protection", "安全防范措施落实情况"),
            new Area("emergency", "应急响应机制建设情况"), new Area("domestic", "信息技术产品和服务国产化情况"),
            new Area("cryptography", "密码技术与产品使用情况"), new Area("training", "安全教育培训情况"),
            new Area("accountability", "责任追究情况"), new Area("hazards", "安全隐患排查及整改情况"));

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
