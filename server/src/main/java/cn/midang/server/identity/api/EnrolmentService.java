package cn.midang.server.identity.api;

import cn.midang.keys.KeysException;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.RevocationList;
import cn.midang.server.access.AccessRecords;
import cn.midang.server.access.Grant;
import cn.midang.server.access.Target;
import cn.midang.server.deploy.Deployment;
import cn.midang.server.identity.Account;
import cn.midang.server.identity.Accounts;
import cn.midang.server.identity.Role;
import cn.midang.server.refusal.ApiException;
import cn.midang.server.refusal.ErrorCode;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enrolment (SPEC §2, the administrator's "accounts and certificates"; issue 21): registering the
 * holders of certificates the deployment's CA issued, renewing, disabling and enabling accounts,
 * and installing the CA's revocation lists. Each request's target is named here; the pipeline
 * decides on it (administrator only) and audits it before anything changes. A refused request
 * changes nothing: every certificate of a batch is checked before any is registered.
 */
public final class EnrolmentService {

    private static final Logger LOG = LoggerFactory.getLogger(EnrolmentService.class);

    /** The most certificates one request registers (a campaign's units at once). */
    static final int MAX_BATCH = 500;
    /** A body of {@link #MAX_BATCH} certificates in PEM. */
    static final int MAX_BODY = 4 * 1024 * 1024;

    private static final Pattern UNIT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final Accounts accounts;
    private final AccessRecords records;
    private final Deployment deployment;
    private final Clock clock;

    public EnrolmentService(Accounts accounts, AccessRecords records, Deployment deployment, Clock clock) {
        this.accounts = accounts;
        this.records = records;
        this.deployment = deployment;
        this.clock = clock;
    }

    /** One account after enrolment: new or renewed, and for a unit whether a campaign names its unit id yet. */
    public record Enrolled(Account account, Certificate certificate, boolean renewed, Set<String> campaigns) {}

    /** The certificates named by an enrolment request, for the audit record. */
    public Target.Named enrolment(JsonNode body) throws ApiException {
        List<Certificate> certs = certificates(body);
        StringBuilder label = new StringBuilder("accounts:");
        for (Certificate c : certs) {
            label.append(label.length() > 9 ? "," : "").append(c.fingerprint(), 0, 16);
        }
        return new Target.Named(label.toString());
    }

    /**
     * Registers (or, with {@code renew}, gives a new certificate to) the holders of the
     * certificates in the body: all of them, or none with every problem listed.
     */
    public List<Enrolled> enrol(Grant<Target.Named> g, JsonNode body) throws ApiException {
        List<Certificate> certs = certificates(body);
        boolean renew = body.path("renew").asBoolean(false);
        String unit = body.hasNonNull("unit") ? body.get("unit").asText() : null;
        if ((renew || unit != null) && certs.size() != 1) {
            throw new ApiException(ErrorCode.MALFORMED_REQUEST, "--renew and --unit take one certificate at a time")
                    .withProblems(List.of("--renew / --unit: one certificate at a time, " + certs.size() + " given"));
        }
        if (unit != null && !UNIT_ID.matcher(unit).matches()) {
            throw new ApiException(ErrorCode.MALFORMED_REQUEST, "unit id " + unit)
                    .withProblems(List.of("unit id '" + unit + "': letters, digits, '.', '_' and '-', at most 64"));
        }
        Instant now = clock.instant();
        List<Accounts.NewAccount> fresh = new ArrayList<>();
        Problems problems = new Problems();
        Optional<Account> renewed = Optional.empty();
        try {
            Set<String> seen = new LinkedHashSet<>();
            for (Certificate c : certs) {
                String who = c.commonName() + " (" + c.serialHex() + ")";
                Optional<Role> role = trusted(c, now, who, problems);
                if (role.isEmpty()) {
                    continue;
                }
                if (unit != null && role.get() != Role.UNIT) {
                    problems.add(ErrorCode.MALFORMED_REQUEST, who + ": --unit binds a unit's certificate, not a " + role.get().label() + "'s");
                    continue;
                }
                String organisation = role.get() == Role.UNIT && unit != null ? unit : c.organisation();
                if (organisation == null || organisation.isBlank()) {
                    problems.add(ErrorCode.ENROL_NO_ROLE, who + ": the certificate names no organisation");
                    continue;
                }
                if (!seen.add(c.fingerprint()) || accounts.byCertificate(c.fingerprint()).isPresent()) {
                    problems.add(ErrorCode.ACCOUNT_EXISTS, who + ": this certificate is registered already");
                    continue;
                }
                List<Account> holders = accounts.holders(c.commonName(), role.get(), organisation);
                if (renew) {
                    if (holders.size() != 1) {
                        problems.add(ErrorCode.NO_SUCH_ACCOUNT, who + ": " + (holders.isEmpty() ? "no account" : holders.size() + " accounts")
                                + " for " + c.commonName() + " (" + role.get().label() + ", " + organisation + ") to renew");
                        continue;
                    }
                    renewed = Optional.of(holders.get(0));
                } else if (!holders.isEmpty()) {
                    problems.add(ErrorCode.ACCOUNT_EXISTS, who + ": an account for " + c.commonName() + " (" + role.get().label() + ", "
                            + organisation + ") exists; to give it this certificate, use --renew");
                    continue;
                }
                fresh.add(new Accounts.NewAccount(c, role.get(), organisation));
            }
            problems.throwIfAny();
            List<Enrolled> out = new ArrayList<>();
            if (renewed.isPresent()) {
                Certificate c = fresh.get(0).certificate();
                accounts.renew(renewed.get().fingerprint(), c, now);
                out.add(new Enrolled(renewed.get(), c, true, campaignsOf(renewed.get())));
            } else {
                List<Account> added = accounts.registerAll(fresh, now);
                for (int i = 0; i < added.size(); i++) {
                    out.add(new Enrolled(added.get(i), fresh.get(i).certificate(), false, campaignsOf(added.get(i))));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new ApiException(ErrorCode.INTERNAL, "enrolling", e);
        }
    }

    /** The role of a certificate the deployment may enrol now, or empty with the problem recorded. */
    private Optional<Role> trusted(Certificate c, Instant now, String who, Problems problems) {
        try {
            deployment.validator().validateAt(c, now);
        } catch (KeysException e) {
            problems.add(switch (e.reason()) {
                case EXPIRED, NOT_YET_VALID -> ErrorCode.ENROL_EXPIRED;
                case REVOKED -> ErrorCode.ENROL_REVOKED;
                case WRONG_KEY_USAGE -> ErrorCode.ENROL_NO_ROLE;
                case CRL_INVALID -> ErrorCode.CRL_OUT_OF_DATE;
                default -> ErrorCode.ENROL_UNTRUSTED;
            }, who + ": " + e.getMessage());
            return Optional.empty();
        }
        Optional<Role> role = Role.fromLabel(c.role() == null ? "" : c.role()).filter(r -> r != Role.SERVER);
        if (role.isEmpty()) {
            problems.add(ErrorCode.ENROL_NO_ROLE, who + ": role '" + (c.role() == null ? "" : c.role()) + "' is not a Midang role of a person");
        }
        return role;
    }

    /** For a unit, the campaigns (past their draft) that name its unit id; for anyone else, none asked. */
    private Set<String> campaignsOf(Account a) throws SQLException {
        return a.role() == Role.UNIT ? records.campaignsNaming(a.organisation()) : Set.of();
    }

    private static List<Certificate> certificates(JsonNode body) throws ApiException {
        JsonNode list = body.path("certificates");
        if (!list.isArray() || list.isEmpty() || list.size() > MAX_BATCH) {
            throw new ApiException(ErrorCode.MALFORMED_REQUEST, "certificates: 1 to " + MAX_BATCH + " PEM certificates");
        }
        List<Certificate> out = new ArrayList<>();
        for (JsonNode n : list) {
            out.add(certificate(n));
        }
        return out;
    }

    private static Certificate certificate(JsonNode n) throws ApiException {
        try {
            return Certificate.parse(n.asText().getBytes(StandardCharsets.US_ASCII));
        } catch (KeysException e) {
            throw new ApiException(ErrorCode.MALFORMED_REQUEST, "a certificate that does not parse: " + e.getMessage(), e)
                    .withProblems(List.of(e.getMessage()));
        }
    }

    /** Every account, or those of one role (from the query), with its current certificate. */
    public List<Accounts.Listed> list(String role) throws ApiException {
        Role r = null;
        if (role != null && !role.isEmpty()) {
            r = Role.fromLabel(role).filter(x -> x != Role.SERVER).orElseThrow(() -> new ApiException(ErrorCode.MALFORMED_REQUEST,
                    "role " + role).withProblems(List.of("role '" + role + "': unit, inspector, tester, approver, leader or admin")));
        }
        try {
            return accounts.list(r);
        } catch (SQLException e) {
            throw new ApiException(ErrorCode.INTERNAL, "listing accounts", e);
        }
    }

    /** The certificate whose account a disable or enable request names, for the audit record. */
    public Target.Named change(JsonNode body, boolean disable) throws ApiException {
        Certificate c = certificate(body.path("certificate"));
        return new Target.Named(c.fingerprint(), (disable ? "disable" : "enable") + ":certificate:" + c.fingerprint().substring(0, 16));
    }

    /**
     * Disables (refused from the next request on, whatever certificate it presents) or enables the
     * account of the certificate in the body. An administrator cannot disable their own account.
     */
    public Account setDisabled(Grant<Target.Named> g, boolean disable) throws ApiException {
        try {
            Accounts.Enrolment e = accounts.byCertificate(g.target().id())
                    .orElseThrow(() -> new ApiException(ErrorCode.NO_SUCH_ACCOUNT, "no account has certificate " + g.target().id()));
            if (disable && e.account().fingerprint().equals(g.caller().account().fingerprint())) {
                throw new ApiException(ErrorCode.MALFORMED_REQUEST, "an administrator disabling their own account")
                        .withProblems(List.of("you cannot disable your own account; another administrator can"));
            }
            accounts.setDisabled(e.account().fingerprint(), disable ? clock.instant() : null);
            return e.account();
        } catch (SQLException ex) {
            throw new ApiException(ErrorCode.INTERNAL, "changing an account", ex);
        }
    }

    /** The revocation list a publish request carries, for the audit record (refused before the decision if it is no CRL). */
    public Target.Named crl(JsonNode body) throws ApiException {
        RevocationList l = parseCrl(body);
        return new Target.Named("crl:" + l.number());
    }

    /**
     * Installs the revocation list in the body, once it is shown to be the deployment CA's (named as
     * issuer, signature valid), newer than the installed one and current; the certificates it lists
     * are refused from the next request on.
     */
    public RevocationList publish(Grant<Target.Named> g, JsonNode body) throws ApiException {
        RevocationList l = parseCrl(body);
        Certificate ca = deployment.ca();
        if (!l.namesIssuer(ca)) {
            throw new ApiException(ErrorCode.CRL_WRONG_ISSUER, "issuer " + l.issuer() + ", deployment CA " + ca.subject())
                    .withProblems(List.of("the list is issued by " + l.issuer() + ", not by " + ca.subject()));
        }
        if (!l.isSignedBy(ca)) {
            throw new ApiException(ErrorCode.CRL_BAD_SIGNATURE, "CRL " + l.number() + " signature does not verify");
        }
        Instant now = clock.instant();
        if (l.thisUpdate().isAfter(now) || l.nextUpdate().map(n -> !n.isAfter(now)).orElse(true)) {
            throw new ApiException(ErrorCode.CRL_OUT_OF_DATE, "CRL " + l.number() + " this " + l.thisUpdate() + " next " + l.nextUpdate())
                    .withProblems(List.of("issued " + l.thisUpdate() + ", next update " + l.nextUpdate().map(Instant::toString)
                            .orElse("none") + ", now " + now));
        }
        RevocationList before;
        try {
            before = deployment.installCrlIfNewer(l);
        } catch (KeysException e) {
            throw new ApiException(ErrorCode.INTERNAL, "installing the CRL", e);
        }
        if (l.number().compareTo(before.number()) <= 0) {
            throw new ApiException(ErrorCode.CRL_NOT_NEWER, "CRL " + l.number() + " vs installed " + before.number())
                    .withProblems(List.of("number " + l.number() + ", installed number " + before.number()));
        }
        LOG.info("revocation list number {} installed ({} revoked, next update {})", l.number(), l.entries().size(),
                l.nextUpdate().orElseThrow());
        return l;
    }

    private static RevocationList parseCrl(JsonNode body) throws ApiException {
        try {
            return RevocationList.parse(body.path("crl").asText().getBytes(StandardCharsets.US_ASCII));
        } catch (KeysException e) {
            throw new ApiException(ErrorCode.MALFORMED_REQUEST, "crl: " + e.getMessage(), e).withProblems(List.of(e.getMessage()));
        }
    }

    /** The problems of a batch, each with its code; the first code is the refusal's. */
    private static final class Problems {
        private ErrorCode first;
        private final List<String> all = new ArrayList<>();

        void add(ErrorCode code, String problem) {
            if (first == null) {
                first = code;
            }
            all.add(problem);
        }

        void throwIfAny() throws ApiException {
            if (first != null) {
                throw new ApiException(first, all.size() + " certificate(s) refused").withProblems(all);
            }
        }
    }
}
