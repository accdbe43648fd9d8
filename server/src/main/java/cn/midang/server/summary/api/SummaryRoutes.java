package cn.midang.server.summary.api;

import cn.midang.server.access.Action;
import cn.midang.server.access.Target;
import cn.midang.server.campaign.Campaign;
import cn.midang.server.campaign.Lifecycle;
import cn.midang.server.campaign.api.CampaignService;
import cn.midang.server.http.Route;
import cn.midang.server.http.Route.Targeting;
import cn.midang.server.summary.ResultNotices;
import cn.midang.server.summary.Summaries;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The summary endpoints: generate, read, sign, and the published results; decided by the pipeline. */
public final class SummaryRoutes {

    private final SummaryService summaries;
    private final CampaignService campaigns;

    public SummaryRoutes(SummaryService summaries, CampaignService campaigns) {
        this.summaries = summaries;
        this.campaigns = campaigns;
    }

    public List<Route> routes() {
        Targeting<Target.OfCampaign> campaign = Targeting.of(Target.OfCampaign.class, ex -> campaigns.target(ex.pathParam(1)));
        return List.of(
                Route.signed("POST", "/api/v1/campaigns/{id}/summary", Action.GENERATE_SUMMARY, campaign,
                        (ex, g) -> ex.json(201, summary(summaries.generate(g)))),
                Route.signed("GET", "/api/v1/campaigns/{id}/summary", Action.READ_SUMMARY, campaign,
                        (ex, g) -> ex.json(200, summary(summaries.view(g)))),
                Route.signed("POST", "/api/v1/campaigns/{id}/summary/signatures", Action.SIGN_SUMMARY, campaign,
                        (ex, g) -> ex.json(201, summary(summaries.sign(g, ex::jsonBody)))),
                Route.signed("GET", "/api/v1/campaigns/{id}/results", Action.READ_RESULTS, campaign,
                        (ex, g) -> ex.json(200, results(g.target().id(), summaries.results(g)))));
    }

    static Map<String, Object> summary(SummaryService.View v) {
        Map<String, Object> m = new LinkedHashMap<>();
        Summaries.Summary s = v.summary();
        m.put("campaign", s.campaign());
        m.put("state", Lifecycle.label(v.campaign().state()));
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
            sm.put("signature", Base64.getEncoder().encodeToString(x.signature()));
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
            m.put("notice", Base64.getEncoder().encodeToString(n.bytes()));
            m.put("signature", Base64.getEncoder().encodeToString(n.signature()));
            return m;
        }).toList());
    }
}
