package cn.midang.server.access.api;

import cn.midang.server.access.Action;
import cn.midang.server.access.Engagement;
import cn.midang.server.access.Target;
import cn.midang.server.http.Route;
import cn.midang.server.http.Route.Targeting;
import cn.midang.server.identity.Account;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The endpoints of access management: assignments, engagements, attestations, permits; decided by the pipeline. */
public final class AccessRoutes {

    private final AccessService access;
    private final Clock clock;

    public AccessRoutes(AccessService access, Clock clock) {
        this.access = access;
        this.clock = clock;
    }

    public List<Route> routes() {
        return List.of(
                Route.signed("POST", "/api/v1/campaigns/{id}/inspectors", Action.ASSIGN_INSPECTOR,
                        Targeting.of(Target.Named.class, ex -> access.assignment(ex.pathParam(1), ex.jsonBody())), (ex, g) -> {
                            Account a = access.assign(g, ex.jsonBody());
                            ex.json(200, Map.of("campaign", g.target().id(), "inspector", a.commonName(), "fingerprint", a.fingerprint()));
                        }),
                Route.signed("GET", "/api/v1/engagements", Action.LIST_ENGAGEMENTS, (ex, g) -> ex.json(200, Map.of("engagements",
                        access.engagements(g).stream().map(e -> engagement(e, clock.instant())).toList()))),
                Route.signed("POST", "/api/v1/engagements", Action.CREATE_ENGAGEMENT,
                        Targeting.of(Target.Named.class, ex -> access.newEngagement(ex.jsonBody())),
                        (ex, g) -> ex.json(201, engagement(access.createEngagement(g, ex.jsonBody()), clock.instant()))),
                Route.signed("POST", "/api/v1/engagements/{id}/attestation", Action.ATTEST_DESTRUCTION,
                        Targeting.of(Target.OfEngagement.class, ex -> {
                            ex.jsonBody(); // a body that is not the signed JSON is refused before the lookup, as always
                            return access.engagement(ex.pathParam(1));
                        }),
                        (ex, g) -> ex.json(201, engagement(access.attest(g, ex.jsonBody()), clock.instant()))),
                Route.signed("POST", "/api/v1/permits", Action.ISSUE_PERMIT,
                        Targeting.of(Target.Named.class, ex -> access.newPermit(ex.jsonBody())),
                        (ex, g) -> ex.json(201, Map.of("permit", access.issuePermit(g, ex.jsonBody())))));
    }

    static Map<String, Object> engagement(Engagement e, Instant now) {
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
}
