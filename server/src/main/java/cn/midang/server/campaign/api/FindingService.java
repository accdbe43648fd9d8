package cn.midang.server.campaign.api;

import cn.midang.server.access.Grant;
import cn.midang.server.access.Target;
import cn.midang.server.campaign.Campaign;
import cn.midang.server.campaign.Findings;
import cn.midang.server.refusal.ApiException;
import cn.midang.server.refusal.ErrorCode;
import cn.midang.server.submission.Kind;
import cn.midang.server.submission.Submissions;
import com.fasterxml.jackson.databind.JsonNode;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Recording and reading findings (SPEC §1 五(二)): an assigned inspector records a finding about a
 * unit in scope, under one of the campaign's check areas, with its severity, what must be
 * rectified and by when; every problem with the request is reported at once and nothing is kept.
 */
public final class FindingService {

    /** Deadlines given as a date end that day, China Standard Time (the notice's dates are local). */
    static final ZoneOffset CHINA = ZoneOffset.ofHours(8);
    static final int MAX_TEXT = 4000;

    private final Findings findings;
    private final Submissions submissions;
    private final Clock clock;

    public FindingService(Findings findings, Submissions submissions, Clock clock) {
        this.findings = findings;
        this.submissions = submissions;
        this.clock = clock;
    }

    /**
     * Records the finding in the body ({@code unit, area, severity, description, rectification,
     * deadline[, record]}) for campaign {@code id}.
     */
    public Findings.Finding record(Grant<Target.OfCampaign> g, JsonNode b) throws ApiException {
        Campaign c = g.target().campaign();
        Instant now = clock.instant();
        List<String> problems = new ArrayList<>();
        String unit = b.path("unit").asText("").strip();
        if (!c.hasUnit(unit)) {
            problems.add("unit: '" + unit + "' is not a unit in the scope of " + c.id());
        }
        String areaAsked = b.path("area").asText("").strip();
        Optional<Campaign.Area> area = c.area(areaAsked);
        if (area.isEmpty()) {
            problems.add("area: '" + areaAsked + "' is not one of " + c.areas().stream().map(Campaign.Area::id).toList());
        }
        Optional<Findings.Severity> severity = Findings.Severity.parse(b.path("severity").asText("").strip());
        if (severity.isEmpty()) {
            problems.add("severity: write high, medium or low (高, 中, 低)");
        }
        String description = text(b, "description", problems);
        String rectification = text(b, "rectification", problems);
        Instant deadline = deadline(b.path("deadline").asText(""), now, problems);
        String record = b.hasNonNull("record") ? b.path("record").asText().strip() : null;
        if (record != null) {
            try {
                boolean ok = submissions.byId(record).filter(s -> s.campaign().equals(c.id()) && s.unit().equals(unit)
                        && Kind.INSPECTION_RECORD.is(s.kind())).isPresent();
                if (!ok) {
                    problems.add("record: " + record + " is not an inspection record of " + unit + " in " + c.id());
                }
            } catch (SQLException e) {
                throw new ApiException(ErrorCode.INTERNAL, "record lookup", e);
            }
        }
        if (!problems.isEmpty()) {
            throw new ApiException(ErrorCode.INVALID_FINDING, String.join("; ", problems)).withProblems(problems);
        }
        try {
            return findings.add(new Findings.Finding(c.id(), null, unit, area.get().id(), severity.get(), description, rectification,
                    deadline, record, g.caller().certificate().fingerprint(), now, null, null));
        } catch (SQLException e) {
            throw new ApiException(ErrorCode.INTERNAL, "recording a finding", e);
        }
    }

    /** The findings of campaign {@code id} the caller may see (a unit: its own, once published), optionally of one unit. */
    public List<Findings.Finding> list(Grant<Target.OfCampaign> g, String unit) throws ApiException {
        Campaign c = g.target().campaign();
        String only = g.scope() != null && g.scope().unit() != null ? g.scope().unit() : unit;
        try {
            return findings.of(c.id(), only);
        } catch (SQLException e) {
            throw new ApiException(ErrorCode.INTERNAL, "listing findings", e);
        }
    }

    private static String text(JsonNode b, String key, List<String> problems) {
        String v = b.path(key).asText("").strip();
        if (v.isEmpty()) {
            problems.add(key + ": must not be empty");
        } else if (v.length() > MAX_TEXT) {
            problems.add(key + ": at most " + MAX_TEXT + " characters");
        }
        return v;
    }

    /** A date (end of that day, +08:00) or an ISO-8601 instant, after {@code now}. */
    static Instant deadline(String text, Instant now, List<String> problems) {
        Instant d = null;
        try {
            d = text.length() == 10 ? LocalDate.parse(text).atTime(23, 59, 59).toInstant(CHINA) : Instant.parse(text);
        } catch (DateTimeParseException e) {
            problems.add("deadline: '" + text + "' is not a date (2010-01-31) or a time (2010-01-31T16:00:00Z)");
            return null;
        }
        if (!d.isAfter(now)) {
            problems.add("deadline: " + text + " has passed already");
        }
        return d;
    }
}
