package cn.midang.server.access;

import cn.midang.server.audit.AuditLog;
import cn.midang.server.audit.AuditUnavailableException;
import cn.midang.server.refusal.ApiException;
import cn.midang.server.refusal.ErrorCode;
import cn.midang.server.identity.Caller;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a request meets the policy: asks {@link Policy} for the decision, writes it to the audit
 * log (before anything is read or sent; if it cannot be written the request fails, SPEC C5), and
 * returns a {@link Grant} or throws the refusal.
 */
public final class Guard {

    private static final Logger LOG = LoggerFactory.getLogger(Guard.class);

    private final AccessRecords records;
    private final AuditLog audit;
    private final Clock clock;

    public Guard(AccessRecords records, AuditLog audit, Clock clock) {
        this.records = records;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * Decides {@code action} on {@code target} for {@code caller} (null on a public route) in
     * request {@code requestId}: reads the caller's standing, asks {@link Policy}, records the
     * decision, and grants or refuses. Only the request pipeline calls this.
     */
    public <T extends Target> Grant<T> check(String requestId, Caller caller, Action action, T target) throws ApiException {
        Instant now = clock.instant();
        Decision d;
        try {
            d = Policy.decide(caller, Standing.of(caller, records, now), action, target, now);
        } catch (SQLException | IllegalStateException e) {
            // No decision without the facts; the refusal is recorded like any other (fail closed if it cannot be).
            record(requestId, caller, action.label(), target.label(), target.sealed(), "fail", "internal: policy facts unavailable");
            throw new ApiException(ErrorCode.INTERNAL, "policy facts unavailable", e).markAudited();
        }
        record(requestId, caller, action.label(), target.label(), target.sealed(), d.allowed() ? "allow" : "deny",
                d.allowed() ? d.reason() : d.code().code() + ": " + d.reason());
        if (!d.allowed()) {
            throw new ApiException(d.code(), action.label() + " " + target.label() + ": " + d.reason()).markAudited();
        }
        return new Grant<>(caller, action, target, d.scope());
    }

    /** Records a refusal that did not come from the policy (bad signature, malformed or tampered upload, ...). */
    public void refused(String requestId, Caller caller, String action, String object, ErrorCode code, String detail)
            throws ApiException {
        refused(requestId, caller, null, action, object, code, detail);
    }

    /**
     * As above, for a request whose caller could not be authenticated but which presented a
     * certificate ({@code presented}: its SM3 fingerprint): the record names that certificate as the
     * actor with the role {@code unauthenticated} (nothing it claims was verified), so that a replay,
     * a revoked certificate or a forged signature can be traced to the certificate it used (C5).
     */
    public void refused(String requestId, Caller caller, String presented, String action, String object, ErrorCode code,
            String detail) throws ApiException {
        if (caller == null && presented != null) {
            record(requestId, presented, UNAUTHENTICATED, "-", action, object, null, "fail", code.code() + ": " + detail);
        } else {
            record(requestId, caller, action, object, null, "fail", code.code() + ": " + detail);
        }
    }

    /** The role recorded for a certificate that was presented but not authenticated. */
    public static final String UNAUTHENTICATED = "unauthenticated";

    private void record(String requestId, Caller caller, String action, String object, String sealed, String decision,
            String reason) throws ApiException {
        record(requestId, caller == null ? "-" : caller.certificate().fingerprint(),
                caller == null ? "-" : caller.account().role().label(),
                caller == null ? "-" : caller.account().organisation(), action, object, sealed, decision, reason);
    }

    private void record(String requestId, String actor, String role, String organisation, String action, String object,
            String sealed, String decision, String reason) throws ApiException {
        try {
            audit.append(new AuditLog.Entry(requestId, actor, role, organisation, action, object, sealed, decision, reason));
        } catch (AuditUnavailableException e) {
            LOG.error("AUDIT UNAVAILABLE: refusing request {} ({} {}): {}", requestId, action, object, e.getMessage());
            throw new ApiException(ErrorCode.AUDIT_UNAVAILABLE, e.getMessage(), e).markAudited();
        }
    }
}
