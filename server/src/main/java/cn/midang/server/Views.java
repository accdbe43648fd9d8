package cn.midang.server;

import cn.midang.server.campaign.Findings;
import cn.midang.server.campaign.Overviews;
import cn.midang.server.summary.ResultNotices;
import cn.midang.server.summary.Summaries;
import cn.midang.server.summary.SummaryService;

import cn.midang.server.campaign.Campaign;
import cn.midang.server.campaign.CampaignService;
import cn.midang.server.identity.Caller;
import cn.midang.server.submission.Submissions;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON shapes of the API's answers (documented in openapi.json), in one place. */
final class Views {

    private Views() {}

    static Map<String, Object> caller(Caller c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", c.account().commonName());
        m.put("role", c.account().role().label());
        m.put("organisation", c.account().organisation());
        m.put("fingerprint", c.certificate().fingerprint());
        m.put("certificate_serial", c.certificate().serialHex());
        m.put("certificate_not_after", c.certificate().notAfter().toString());
        return m;
    }

    /** A campaign with the lifecycle steps it has taken (who, when, signed statement). */
    static Map<String, Object> campaign(Campaign c, List<cn.midang.server.campaign.Campaigns.Transition> steps) {
        Map<String, Object> m = campaign(c);
        m.put("transitions", steps.stream().map(t -> {
            Map<String, Object> tm = new LinkedHashMap<>();
            tm.put("step", t.step());
            tm.put("from", cn.midang.server.campaign.Lifecycle.label(t.from()));
            tm.put("to", cn.midang.server.campaign.Lifecycle.label(t.to()));
            tm.put("at", t.at().toString());
            tm.put("by", t.actorName());
            tm.put("role", t.actorRole());
            tm.put("signer", t.actorFingerprint());
            tm.put("statement", java.util.Base64.getEncoder().encodeToString(t.statement()));
            tm.put("signature", java.util.Base64.getEncoder().encodeToString(t.signature()));
            return tm;
        }).toList());
        return m;
    }

    static Map<String, Object> campaign(Campaign c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id());
        m.put("title", c.title());
        m.put("state", c.state().name().toLowerCase(java.util.Locale.ROOT));
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
        if (st.showFindings()) {
            Map<Findings.Severity, Long> all = new java.util.EnumMap<>(Findings.Severity.class);
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

    static Map<String, Object> summary(SummaryService.View v) {
        Map<String, Object> m = new LinkedHashMap<>();
        Summaries.Summary s = v.summary();
        m.put("campaign", s.campaign());
        m.put("state", cn.midang.server.campaign.Lifecycle.label(v.campaign().state()));
        m.put("version", s.version());
        m.put("generated_at", s.generatedAt().toString());
        m.put("json_sm3", s.jsonSm3());
        m.put("documents", Map.of("json", s.jsonId(), "xlsx", s.xlsxId(), "docx", s.docxId()));
        m.put("signatures", v.signatures().stream().map(x -> {
            Map<String, Object> sm = new LinkedHashMap<>();
            sm.put("department", x.department());
            sm.put("signer", x.signerName());
            sm.put("signer_fingerprint", x.signerFingerprint());
            sm.put("signer_certificate", x.signerCertificatePem());
            sm.put("signature", java.util.Base64.getEncoder().encodeToString(x.signature()));
            sm.put("signed_at", x.signedAt().toString());
            return sm;
        }).toList());
        m.put("departments", v.campaign().details().jointReview().stream().map(d -> Map.of("id", d.id(), "name", d.name())).toList());
        m.put("missing", v.missing().stream().map(Campaign.Department::id).toList());
        return m;
    }

    static Map<String, Object> results(String campaign, List<ResultNotices.Notice> notices) {
        return Map.of("campaign", campaign, "notices", notices.stream().map(n -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("unit", n.unit());
            m.put("outcome", n.outcome());
            m.put("issued_at", n.issuedAt().toString());
            m.put("notice", java.util.Base64.getEncoder().encodeToString(n.bytes()));
            m.put("signature", java.util.Base64.getEncoder().encodeToString(n.signature()));
            return m;
        }).toList());
    }

    static Map<String, Object> listed(Submissions.Listed s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("sequence", s.sequence());
        m.put("campaign", s.campaign());
        m.put("unit", s.unit());
        m.put("kind", s.kind());
        m.put("file_name", s.fileName());
        m.put("size", s.size());
        m.put("content_sm3", s.contentSm3());
        m.put("submitter", s.submitterName());
        m.put("received_at", s.receivedAt().toString());
        m.put("late", s.late());
        m.put("area", s.area());
        m.put("index_state", s.indexState());
        // A stable code and the catalogue's sentence; reasons an earlier version wrote in words are not repeated.
        var note = cn.midang.server.extract.IndexNote.of(s.indexReason());
        m.put("index_reason", note.map(cn.midang.server.extract.IndexNote::code).orElse(s.indexReason().isEmpty() ? "" : "other"));
        m.put("index_note", note.map(n -> n.message).orElse(""));
        m.put("index_note_zh", note.map(n -> n.messageZh).orElse(""));
        return m;
    }

    static Map<String, Object> engagement(cn.midang.server.access.Engagement e, Instant now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.id());
        m.put("tester_org", e.testerOrg());
        m.put("campaign", e.campaign());
        m.put("units", e.units());
        m.put("starts_at", e.startsAt().toString());
        m.put("ends_at", e.endsAt().toString());
        m.put("open", e.openAt(now));
        m.put("ended", e.endedAt(now));
        m.put("attested_at", e.attestedAt() == null ? null : e.attestedAt().toString());
        m.put("attestation_missing", !now.isBefore(e.endsAt()) && e.attestedAt() == null);
        return m;
    }

    /**
     * An audit export: records from {@code from} to the head, the hash before {@code from} (the
     * anchor), every checkpoint, and the server's signing certificate. A fresh checkpoint is
     * signed first, so the whole range is covered by a signature.
     */
    /** Turns an audit record into its export fields (the record's components, in order). */
    private static final com.fasterxml.jackson.databind.ObjectMapper RECORD = new com.fasterxml.jackson.databind.ObjectMapper();

    static Map<String, Object> auditExport(cn.midang.server.audit.AuditLog audit, long from, String serverCertificatePem)
            throws Exception {
        audit.checkpoint();
        long head = audit.head();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "midang-audit-export/1");
        m.put("from", from);
        m.put("to", head);
        m.put("anchor", audit.hashOf(from - 1));
        m.put("server_certificate", serverCertificatePem);
        List<Map<String, Object>> records = new java.util.ArrayList<>();
        for (cn.midang.keys.audit.AuditRecord r : audit.records(from, head)) {
            Map<String, Object> rec = RECORD.convertValue(r, new com.fasterxml.jackson.core.type.TypeReference<>() {});
            // Outside the chain, for the reader: the object's sealed part (a search's terms), opened.
            audit.opened(r).ifPresent(text -> rec.put("object_text", text));
            records.add(rec);
        }
        m.put("records", records);
        m.put("checkpoints", audit.checkpoints().stream().filter(c -> c.seq() >= from).map(c -> Map.of(
                "seq", c.seq(),
                "bytes", java.util.Base64.getEncoder().encodeToString(c.bytes()),
                "signature", java.util.Base64.getEncoder().encodeToString(c.signature()))).distinct().toList());
        return m;
    }

    /** Search hits: each listed submission with a snippet of its text, the matches marked 【like this】. */
    static Map<String, Object> search(String q, cn.midang.server.search.SearchService.Results r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("query", q);
        m.put("total", r.total());
        m.put("facets", r.facets());
        m.put("hits", r.hits().stream().map(h -> {
            Map<String, Object> hit = listed(h.listed());
            hit.put("snippet", h.snippet());
            hit.put("score", (double) h.score());
            return hit;
        }).toList());
        return m;
    }
}
