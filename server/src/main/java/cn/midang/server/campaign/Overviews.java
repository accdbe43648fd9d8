package cn.midang.server.campaign;

import cn.midang.forms.ReportForm;
import cn.midang.server.refusal.ApiException;
import cn.midang.server.refusal.ErrorCode;
import cn.midang.server.submission.StoredSubmission;
import cn.midang.server.submission.Submissions;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a campaign stands, unit by unit: what arrived and when, whether the latest report form
 * (报告表) is complete and how it was answered, and the findings with their rectification. The
 * campaign status, the summary and the published results are all read from one overview, so they
 * cannot disagree.
 */
public final class Overviews {

    private static final Logger LOG = LoggerFactory.getLogger(Overviews.class);

    /** Opens a stored submission's content for the server's own reading (at most {@code maxBytes}). */
    @FunctionalInterface
    public interface ContentSource {
        byte[] content(StoredSubmission s, int maxBytes) throws ApiException;
    }

    /** One unit: its submissions by kind, its first report, its latest form as checked (null: none), its findings. */
    public record UnitOverview(Campaign.Unit unit, Map<String, Long> byKind, Instant firstReport, boolean reportOnTime,
            String formId, ReportForm.Checked form, List<Findings.Finding> findings) {

        public boolean reportIn() {
            return firstReport != null;
        }

        /** A form came in and checks without problems for this campaign and unit. */
        public boolean formComplete(Campaign c) {
            return form != null && form.complete() && c.id().equals(form.campaign()) && unit.id().equals(form.unit());
        }

        public Map<Findings.Severity, Long> findingsBySeverity() {
            Map<Findings.Severity, Long> m = new EnumMap<>(Findings.Severity.class);
            for (Findings.Severity s : Findings.Severity.values()) {
                m.put(s, findings.stream().filter(f -> f.severity() == s).count());
            }
            return m;
        }

        public long overdue(Instant now) {
            return findings.stream().filter(f -> f.overdueAt(now)).count();
        }

        public long rectified() {
            return findings.stream().filter(f -> f.rectificationId() != null).count();
        }
    }

    /** A campaign and its units' overviews (of one unit only when asked for one). */
    public record Overview(Campaign campaign, List<UnitOverview> units) {}

    private final Submissions submissions;
    private final Findings findings;
    private final ContentSource contents;
    /**
     * Forms already read, by submission id (a stored submission never changes): the dashboard of a
     * 500-unit campaign would otherwise open and parse 500 forms on every request. Bounded; only
     * forms that could be read are kept. Answers held here are what every status answer derives
     * anyway, in the memory of the process that holds the archive key.
     */
    private final Map<String, ReportForm.Checked> checkedForms = java.util.Collections.synchronizedMap(
            new LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, ReportForm.Checked> eldest) {
                    return size() > FORMS_KEPT;
                }
            });
    static final int FORMS_KEPT = 4096;

    public Overviews(Submissions submissions, Findings findings, ContentSource contents) {
        this.submissions = submissions;
        this.findings = findings;
        this.contents = contents;
    }

    /**
     * A unit's stored form as checked, or {@link ReportForm#unreadable()} when it cannot be opened:
     * nothing a unit uploads can make the status, the summary or a lifecycle step fail.
     */
    private ReportForm.Checked read(StoredSubmission form) {
        ReportForm.Checked known = checkedForms.get(form.id());
        if (known != null) {
            return known;
        }
        try {
            ReportForm.Checked checked = ReportForm.check(new String(contents.content(form, ReportForm.MAX_BYTES), StandardCharsets.UTF_8));
            checkedForms.put(form.id(), checked);
            return checked;
        } catch (ApiException | RuntimeException e) {
            LOG.warn("the report form {} of unit {} in campaign {} could not be read and counts as incomplete: {}", form.id(),
                    form.unit(), form.campaign(), e.getMessage());
            return ReportForm.unreadable();
        }
    }

    /**
     * The overview of {@code c}, for every unit in scope, or as unit {@code unit} sees its own row:
     * then only what units submitted is counted (a unit does not learn when testers and inspectors
     * file about it, SPEC C2).
     */
    public Overview of(Campaign c, String unit) throws ApiException {
        try {
            List<Submissions.Tally> tally = submissions.tally(c.id(), unit != null);
            Map<String, StoredSubmission> forms = submissions.latest(c.id(), "form");
            List<Findings.Finding> all = findings.of(c.id(), unit);
            List<UnitOverview> out = new ArrayList<>();
            for (Campaign.Unit u : c.units()) {
                if (unit != null && !unit.equals(u.id())) {
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
                StoredSubmission form = forms.get(u.id());
                ReportForm.Checked checked = form == null ? null : read(form);
                out.add(new UnitOverview(u, byKind, firstReport, onTime, form == null ? null : form.id(), checked,
                        all.stream().filter(f -> f.unit().equals(u.id())).toList()));
            }
            return new Overview(c, out);
        } catch (SQLException e) {
            throw new ApiException(ErrorCode.INTERNAL, "reading the campaign's progress", e);
        }
    }
}
