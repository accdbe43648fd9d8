package cn.midang.server.audit.api;

import cn.midang.server.access.Action;
import cn.midang.server.access.Target;
import cn.midang.server.audit.AuditLog;
import cn.midang.server.http.Route;
import cn.midang.server.http.Route.Targeting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The audit export (administrators): records, anchor and checkpoints from a sequence number on. */
public final class AuditRoutes {

    private final AuditLog audit;
    private final Path signingCertificate;

    public AuditRoutes(AuditLog audit, Path signingCertificate) {
        this.audit = audit;
        this.signingCertificate = signingCertificate;
    }

    public List<Route> routes() {
        return List.of(Route.signed("GET", "/api/v1/audit", Action.AUDIT_EXPORT,
                Targeting.of(Target.Named.class, ex -> new Target.Named("audit:" + from(ex.queryInt("from", 1)) + "-")),
                (ex, g) -> ex.json(200, audit.export(from(ex.queryInt("from", 1)), Files.readString(signingCertificate)))));
    }

    private static long from(int asked) {
        return Math.max(1, asked);
    }
}
