package cn.midang.server;

import cn.midang.server.access.Action;
import cn.midang.server.deploy.Deployment;
import cn.midang.server.http.Route;
import cn.midang.server.identity.Caller;
import cn.midang.server.tlog.TransparencyLog;
import cn.midang.server.unseal.Unsealing;
import java.nio.file.Files;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import cn.midang.server.access.AccessRecords;
import cn.midang.server.identity.Role;
import java.util.Optional;
import cn.midang.keys.KeysException;
import cn.midang.keys.pki.RevocationList;

/** The endpoints about the server itself: health, the API description, its certificates, and who the caller is. */
final class ServerRoutes {

    private ServerRoutes() {}

    static List<Route> routes(Deployment d, AccessRecords access, TransparencyLog log, Unsealing unsealing) {
        return List.of(
                Route.publicRoute("GET", "/healthz", Action.HEALTH, (ex, g) -> {
                    Map<String, Object> h = health(d);
                    if (d.holders().isPresent()) {
                        Map<String, Object> u = unsealing.status();
                        h.put("sealed", u.get("sealed"));
                        Map<String, Object> shown = new java.util.LinkedHashMap<>();
                        shown.put("threshold", u.get("threshold"));
                        shown.put("shares_in", u.get("shares_in"));
                        if (u.containsKey("rekey")) {
                            shown.put("rekey", u.get("rekey")); // as public as GET /api/v1/unseal, which shows it to the holders
                        }
                        h.put("unseal", shown);
                        if (d.sealed()) {
                            h.put("status", "sealed");
                        }
                    } else {
                        h.put("sealed", false);
                    }
                    ex.json(200, h);
                }),
                Route.publicRoute("GET", "/openapi.json", Action.OPENAPI, (ex, g) -> ex.stream("application/json", -1, out -> {
                    try (var in = MidangServer.class.getResourceAsStream("/cn/midang/server/openapi.json")) {
                        in.transferTo(out);
                    }
                })),
                // The newest log checkpoint rides along, so that every client checks the history it is shown on every contact.
                Route.publicRoute("GET", "/api/v1/server", Action.SERVER_INFO, (ex, g) -> ex.json(200, Map.of(
                        "log_checkpoint", log.checkpoint(0).orElse(""),
                        "signing_certificate", Files.readString(d.dir().signingCertificate()),
                        "archive_certificate", Files.readString(d.dir().archiveCertificate()),
                        "ca_certificate", Files.readString(d.dir().caCertificate()),
                        "crl", Files.readString(d.dir().crl()),
                        "tls_certificate_sha256", d.transportKey().certificateSha256(),
                        "tls_binding", Base64.getEncoder().encodeToString(d.transportBinding())))),
                Route.signed("GET", "/api/v1/me", Action.WHOAMI, (ex, g) -> {
                    Map<String, Object> me = caller(g.caller());
                    if (g.caller().account().role() == Role.UNIT) {
                        // Its own binding only: the campaigns (past their draft) naming its unit id; empty = bound to none yet.
                        me.put("unit_campaigns", new TreeSet<>(access.campaignsNaming(g.caller().account().organisation())));
                    }
                    ex.json(200, me);
                }));
    }

    /**
     * Whether the server can serve: {@code ok}, or {@code warning} with what the operator must do
     * (a revocation list about to go stale, or stale: it refuses everyone). Only what the server
     * publishes anyway (its CRL's dates); nothing about any user.
     */
    static Map<String, Object> health(Deployment d) {
        Map<String, Object> m = new LinkedHashMap<>();
        Optional<String> warning;
        try {
            RevocationList crl = d.crl(); // read once for both
            warning = Deployment.crlWarning(crl, d.clock().instant());
            m.put("crl_next_update", crl.nextUpdate().map(Object::toString).orElse(null));
        } catch (KeysException e) {
            warning = Optional.of("the revocation list cannot be read: " + e.getMessage());
            m.put("crl_next_update", null);
        }
        m.put("status", warning.isPresent() ? "warning" : "ok");
        m.put("warnings", warning.map(List::of).orElse(List.of()));
        return m;
    }

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
}
