package cn.midang.server.campaign.api;

import cn.midang.server.access.Action;
import cn.midang.server.access.Target;
import cn.midang.server.campaign.Campaign;
import cn.midang.server.campaign.CampaignDefinition;
import cn.midang.server.campaign.Campaigns;
import cn.midang.server.campaign.Findings;
import cn.midang.server.campaign.Lifecycle;
import cn.midang.server.campaign.Overviews;
import cn.midang.server.http.Route.Targeting;
import cn.midang.server.http.Route;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The campaign endpoints: define, list, advance, progress, findings; each request parsed here, decided by the pipeline. */
public final class CampaignRoutes {

    private final CampaignService campaigns;
    private final FindingService findings;
    private final Clock clock;

    public CampaignRoutes(CampaignService campaigns, FindingService findings, Clock clock) {
        this.campaigns = campaigns;
        this.findings = findings;
        this.clock = clock;
    }

    public List<Route> routes() {
        Targeting<Target.OfCampaign> campaign = Targeting.of(Target.OfCampaign.class, ex -> campaigns.target(ex.pathParam(1)));
        Targeting<Target.Transition> transition = Targeting.of(Target.Transition.class,
                ex -> campaigns.transition(ex.pathParam(1), ex.jsonBody()));
        return List.of(
                Route.signed("POST", "/api/v1/campaigns", Action.CREATE_CAMPAIGN, (ex, g) -> ex.json(201, campaign(campaigns.create(
                        ex.jsonBody(CampaignDefinition.MAX_CHARS * 4).path("definition").asText(""))))),
                Route.signed("POST", "/api/v1/campaigns/{id}/transitions", Action.ADVANCE_CAMPAIGN, transition, (ex, g) -> {
                    CampaignService.Shown c = campaigns.advance(g, ex.jsonBody(), clock);
                    ex.json(200, campaign(c.campaign(), c.steps()));
                }),
                Route.signed("POST", "/api/v1/campaigns/{id}/dates", Action.RESCHEDULE_CAMPAIGN, campaign, (ex, g) -> {
                    CampaignService.Shown c = campaigns.reschedule(g, ex.jsonBody(), clock);
                    ex.json(200, campaign(c.campaign(), c.steps()));
                }),
                Route.signed("GET", "/api/v1/campaigns", Action.LIST_CAMPAIGNS, (ex, g) -> {
                    List<Map<String, Object>> shown = new ArrayList<>();
                    for (Campaign c : campaigns.visible(g)) {
                        shown.add(campaign(c, campaigns.transitions(c.id())));
                    }
                    ex.json(200, Map.of("campaigns", shown));
                }),
                Route.signed("GET", "/api/v1/campaigns/{id}/status", Action.CAMPAIGN_STATUS, campaign,
                        (ex, g) -> ex.json(200, status(campaigns.status(g), clock.instant()))),
                Route.signed("POST", "/api/v1/campaigns/{id}/findings", Action.RECORD_FINDING, campaign,
                        (ex, g) -> ex.json(201, finding(findings.record(g, ex.jsonBody()), clock.instant()))),
                Route.signed("GET", "/api/v1/campaigns/{id}/findings", Action.LIST_FINDINGS, campaign, (ex, g) -> {
                    Instant now = clock.instant();
                    ex.json(200, Map.of("findings", findings.list(g, ex.query("unit")).stream().map(f -> finding(f, now)).toList()));
                }));
    }

    /** A campaign with the lifecycle steps it has taken (who, when, signed statement). */
    static Map<String, Object> campaign(Campaign c, List<Campaigns.Transition> steps) {
        Map<String, Object> m = campaign(c);
        m.put("transitions", steps.stream().map(t -> {
            Map<String, Object> tm = new LinkedHashMap<>();
            tm.put("step", t.step());
            tm.put("from", Lifecycle.label(t.from()));
            tm.put("to", Lifecycle.label(t.to()));
            tm.put("at", t.at().toString());
            tm.put("by", t.actorName());
            tm.put("role", t.actorRole());
            tm.put("signer", t.actorFingerprint());
            tm.put("statement", Base64.getEncoder().encodeToString(t.statement()));
            tm.put("signature", Base64.getEncoder().encodeToString(t.signature()));
            return tm;
        }).toList());
        return m;
    }

    public static Map<String, Object> campaign(Campaign c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id());
        m.put("title", c.title());
        m.put("state", c.state().name().toLowerCase(Locale.ROOT));
        m.put("submissions_open_at", c.submissionsOpenAt().toString());
        m.put("submission_deadline", c.submissionDeadline().toString());
        m.put("late_accepted", c.lateAccepted());
        m.put("units", c.units().stream().map(u -> {
            Map<String, Object> um = new LinkedHashMap<>();
            um.put("id", u.id());
            um.put("name", u.name());
            um.put("level", u.level());
            um.put("key_spot_check", u.keySpotCheck());
            return um;
        }).toList());
        m.put("areas", c.areas().stream().map(a -> Map.of("id", a.id(), "name", a.name(), "items",
                a.items().stream().map(Campaign.Item::fields).toList())).toList());
        m.put("details", c.details().fields());
        return m;
    }

    static Map<String, Object> status(CampaignService.Status st, Instant now) {
        Campaign c = st.campaign();
        List<Overviews.UnitOverview> rows = st.units();
        Map<String, Object> m = campaign(c);
        m.remove("units");
        m.put("as_of", now.toString());
        m.put("units", rows.stream().map(r -> {
            Map<String, Object> um = new LinkedHashMap<>();
            um.put("id", r.unit().id());
            um.put("name", r.unit().name());
            um.put("level", r.unit().level());
            um.put("key_spot_check", r.unit().keySpotCheck());
            um.put("report_in", r.reportIn());
            um.put("report_on_time", r.reportIn() && r.reportOnTime());
            um.put("first_report_at", r.firstReport() == null ? null : r.firstReport().toString());
            um.put("form", r.form() == null ? "missing" : r.formComplete(c) ? "complete" : "incomplete");
            um.put("submissions_by_kind", r.byKind());
            if (st.showFindings()) {
                um.put("findings", severities(r.findingsBySeverity()));
                um.put("findings_rectified", r.rectified());
                um.put("findings_overdue", r.overdue(now));
            }
            return um;
        }).toList());
        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("units", rows.size());
        totals.put("reports_in", rows.stream().filter(Overviews.UnitOverview::reportIn).count());
        totals.put("reports_on_time", rows.stream().filter(r -> r.reportIn() && r.reportOnTime()).count());
        totals.put("reports_missing", rows.stream().filter(r -> !r.reportIn()).count());
        totals.put("forms_complete", rows.stream().filter(r -> r.formComplete(c)).count());
        // The answers of the forms in scope, per check area (area id → answer → items), for the dashboard's chart.
        Map<String, Map<String, Long>> answers = new LinkedHashMap<>();
        c.areas().forEach(a -> answers.put(a.id(), new LinkedHashMap<>()));
        for (Overviews.UnitOverview r : rows) {
            if (r.form() != null) {
                r.form().answered().forEach(a -> answers.computeIfAbsent(a.area(), k -> new LinkedHashMap<>()).merge(a.answer(), 1L, Long::sum));
            }
        }
        totals.put("form_answers", answers);
        if (st.showFindings()) {
            Map<Findings.Severity, Long> all = new EnumMap<>(Findings.Severity.class);
            rows.forEach(r -> r.findingsBySeverity().forEach((k, v) -> all.merge(k, v, Long::sum)));
            totals.put("findings", severities(all));
            totals.put("findings_rectified", rows.stream().mapToLong(Overviews.UnitOverview::rectified).sum());
            totals.put("findings_overdue", rows.stream().mapToLong(r -> r.overdue(now)).sum());
        }
        m.put("totals", totals);
        return m;
    }

    private static Map<String, Long> severities(Map<Findings.Severity, Long> m) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Findings.Severity s : Findings.Severity.values()) {
            out.put(s.label(), m.getOrDefault(s, 0L));
        }
        return out;
    }

    static Map<String, Object> finding(Findings.Finding f, Instant now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", f.id());
        m.put("campaign", f.campaign());
        m.put("unit", f.unit());
        m.put("area", f.area());
        m.put("severity", f.severity().label());
        m.put("description", f.description());
        m.put("rectification", f.rectification());
        m.put("deadline", f.deadline().toString());
        m.put("record", f.recordId());
        m.put("recorded_at", f.recordedAt().toString());
        m.put("rectification_report", f.rectificationId());
        m.put("rectified_at", f.rectifiedAt() == null ? null : f.rectifiedAt().toString());
        m.put("overdue", f.overdueAt(now));
        return m;
    }
}
