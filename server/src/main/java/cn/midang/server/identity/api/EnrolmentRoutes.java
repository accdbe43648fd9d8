package cn.midang.server.identity.api;

import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.RevocationList;
import cn.midang.server.access.Action;
import cn.midang.server.access.Target;
import cn.midang.server.http.Route;
import cn.midang.server.http.Route.Targeting;
import cn.midang.server.identity.Account;
import cn.midang.server.identity.Accounts;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** The endpoints of enrolment: accounts and revocation lists; administrator only, decided by the pipeline. */
public final class EnrolmentRoutes {

    private final EnrolmentService enrolment;

    public EnrolmentRoutes(EnrolmentService enrolment) {
        this.enrolment = enrolment;
    }

    public List<Route> routes() {
        return List.of(
                Route.signed("GET", "/api/v1/accounts", Action.LIST_ACCOUNTS, (ex, g) -> ex.json(200, Map.of("accounts",
                        enrolment.list(ex.query("role")).stream().map(EnrolmentRoutes::listed).toList()))),
                Route.signed("POST", "/api/v1/accounts", Action.ENROL_ACCOUNTS,
                        Targeting.of(Target.Named.class, ex -> enrolment.enrolment(ex.jsonBody(EnrolmentService.MAX_BODY))),
                        (ex, g) -> ex.json(201, Map.of("accounts", enrolment.enrol(g, ex.jsonBody(EnrolmentService.MAX_BODY)).stream()
                                .map(EnrolmentRoutes::enrolled).toList()))),
                Route.signed("POST", "/api/v1/accounts/disable", Action.DISABLE_ACCOUNT,
                        Targeting.of(Target.Named.class, ex -> enrolment.change(ex.jsonBody(), true)),
                        (ex, g) -> ex.json(200, changed(enrolment.setDisabled(g, true), true))),
                Route.signed("POST", "/api/v1/accounts/enable", Action.ENABLE_ACCOUNT,
                        Targeting.of(Target.Named.class, ex -> enrolment.change(ex.jsonBody(), false)),
                        (ex, g) -> ex.json(200, changed(enrolment.setDisabled(g, false), false))),
                Route.signed("POST", "/api/v1/crl", Action.PUBLISH_CRL,
                        Targeting.of(Target.Named.class, ex -> enrolment.crl(ex.jsonBody())),
                        (ex, g) -> ex.json(200, crl(enrolment.publish(g, ex.jsonBody())))));
    }

    private static Map<String, Object> account(Account a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("account", a.fingerprint());
        m.put("name", a.commonName());
        m.put("role", a.role().label());
        m.put("organisation", a.organisation());
        return m;
    }

    private static Map<String, Object> certificate(Map<String, Object> m, Certificate c) {
        m.put("certificate_fingerprint", c.fingerprint());
        m.put("certificate_serial", c.serialHex());
        m.put("certificate_not_after", c.notAfter().toString());
        return m;
    }

    static Map<String, Object> enrolled(EnrolmentService.Enrolled e) {
        Map<String, Object> m = certificate(account(e.account()), e.certificate());
        m.put("renewed", e.renewed());
        if (e.account().role() == cn.midang.server.identity.Role.UNIT) {
            m.put("unit_campaigns", new TreeSet<>(e.campaigns()));
        }
        return m;
    }

    static Map<String, Object> listed(Accounts.Listed l) {
        Map<String, Object> m = certificate(account(l.account()), l.current());
        m.put("certificates", l.certificates());
        m.put("created_at", l.createdAt().toString());
        m.put("disabled_at", l.disabledAt() == null ? null : l.disabledAt().toString());
        return m;
    }

    static Map<String, Object> changed(Account a, boolean disabled) {
        Map<String, Object> m = account(a);
        m.put("disabled", disabled);
        return m;
    }

    static Map<String, Object> crl(RevocationList l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("number", l.number());
        m.put("this_update", l.thisUpdate().toString());
        m.put("next_update", l.nextUpdate().map(Instant::toString).orElse(null));
        m.put("revoked", l.entries().size());
        return m;
    }
}
