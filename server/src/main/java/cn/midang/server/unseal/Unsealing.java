package cn.midang.server.unseal;

import cn.midang.forms.KeyShare;
import cn.midang.keys.KeysException;
import cn.midang.keys.pki.Identity;
import cn.midang.server.audit.AuditLog;
import cn.midang.server.audit.AuditUnavailableException;
import cn.midang.server.deploy.ArchiveHolders;
import cn.midang.server.deploy.Deployment;
import cn.midang.server.deploy.Rekey;
import cn.midang.server.deploy.KeyShares;
import cn.midang.server.refusal.ApiException;
import cn.midang.server.refusal.ErrorCode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sealed server's one unsealing: a one-time SM2 key made at this start (so a share delivered
 * to an earlier start opens nothing), the shares taken so far (in memory only), and, once
 * {@code threshold} of them are in, the archive key opened with the secret they rebuild and the
 * rest of the server started ({@link Opening}). Every share taken is audited with its holder;
 * every share refused is audited by the pipeline with its reason.
 */
public final class Unsealing {

    /** What happens when the secret is rebuilt: open the archive key and start what needs it. */
    @FunctionalInterface
    public interface Opening {
        void open(byte[] secret) throws Exception;
    }

    private final Deployment deployment;
    private final AuditLog audit;
    private final Identity startKey;
    private final List<KeyShare.Share> in = new ArrayList<>();
    private final List<String> holdersIn = new ArrayList<>();
    /** The next archive key each share in agreed to ("" for none), in the order of {@link #in}. */
    private final List<String> agreedIn = new ArrayList<>();
    private volatile Opening opening;

    public Unsealing(Deployment deployment, AuditLog audit) throws KeysException {
        this.deployment = deployment;
        this.audit = audit;
        this.startKey = Identity.generate("Midang unseal key of one start", deployment.clock());
    }

    /** What to do with the rebuilt secret (set by the composition root before the first request). */
    public void onSecret(Opening opening) {
        this.opening = opening;
    }

    /** Sealed or not, how many shares are in of how many needed, and the key to deliver them to. */
    public synchronized Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sealed", deployment.sealed());
        deployment.holders().ifPresent(h -> {
            m.put("threshold", h.threshold());
            m.put("key_holders", h.holders().size());
            m.put("shares_in", deployment.sealed() ? in.size() : 0);
            m.put("holders", h.holders().stream().map(ArchiveHolders.Holder::subject).toList());
        });
        if (deployment.sealed()) {
            m.put("start_key", startKey.certificate().toPem());
            rekey().ifPresent(p -> {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("archive", p.next().archive());
                r.put("threshold", p.next().threshold());
                r.put("holders", p.next().holders().stream().map(ArchiveHolders.Holder::subject).toList());
                r.put("begun", p.begun().toString());
                m.put("rekey", r);
            });
        }
        return m;
    }

    /** The holder's delivery, checked and kept; with enough shares, the archive is opened. */
    public synchronized Map<String, Object> deliver(String requestId, byte[] delivery) throws ApiException {
        if (!deployment.sealed()) {
            throw new ApiException(ErrorCode.NOT_SEALED, "a share delivered to an unsealed archive");
        }
        ArchiveHolders holders = deployment.holders().orElseThrow();
        KeyShare.Delivered d;
        try {
            d = KeyShare.receive(delivery, startKey, deployment.validator());
        } catch (KeysException e) {
            throw new ApiException(switch (e.reason()) {
                case UNTRUSTED_ISSUER, EXPIRED, NOT_YET_VALID, REVOKED, WRONG_KEY_USAGE -> ErrorCode.NOT_A_KEY_HOLDER;
                default -> ErrorCode.BAD_SHARE;
            }, "share refused: " + e.getMessage(), e);
        }
        String holder = d.holder().fingerprint();
        if (!holders.holds(holder)) {
            throw new ApiException(ErrorCode.NOT_A_KEY_HOLDER, d.holder().subject() + " holds no share of this archive's key");
        }
        if (!d.share().archive().equals(holders.archive()) || d.share().threshold() != holders.threshold()) {
            throw new ApiException(ErrorCode.BAD_SHARE, "a share of another archive key, from " + d.holder().subject());
        }
        java.util.Optional<Rekey.Plan> rekey = rekey();
        if (rekey.isPresent() && !rekey.get().next().archive().equals(d.rekey())) {
            throw new ApiException(ErrorCode.REKEY_NOT_AGREED, d.holder().subject() + " delivered a share without agreeing to move "
                    + "the archive to key " + rekey.get().next().archive());
        }
        if (rekey.isPresent()) {
            // Shares taken before this rekey was certified did not agree to it: they no longer count.
            for (int i = in.size() - 1; i >= 0; i--) {
                if (!agreedIn.get(i).equals(rekey.get().next().archive())) {
                    in.remove(i);
                    holdersIn.remove(i);
                    agreedIn.remove(i);
                }
            }
        }
        if (holdersIn.contains(holder)) {
            throw new ApiException(ErrorCode.SHARE_ALREADY_IN, d.holder().subject());
        }
        in.add(d.share());
        holdersIn.add(holder);
        agreedIn.add(d.rekey());
        record(requestId, d.holder(), "share " + in.size() + " of " + holders.threshold() + " taken"
                + rekey.map(p -> ", agreeing to move the archive to key " + p.next().archive()).orElse(""));
        if (in.size() >= holders.threshold()) {
            byte[] secret;
            try {
                secret = KeyShares.combine(in);
            } catch (KeysException e) {
                in.clear();
                holdersIn.clear();
                agreedIn.clear();
                throw new ApiException(ErrorCode.BAD_SHARE, "the shares in do not rebuild the archive key's secret; all were "
                        + "discarded", e);
            }
            Opening open = opening;
            try {
                if (open == null) {
                    throw new IllegalStateException("the server is still starting");
                }
                open.open(secret);
            } catch (Exception e) {
                in.clear();
                holdersIn.clear();
                agreedIn.clear();
                throw new ApiException(ErrorCode.INTERNAL, "opening the archive with the rebuilt secret", e);
            } finally {
                Arrays.fill(secret, (byte) 0);
            }
            in.clear();
            holdersIn.clear();
            agreedIn.clear();
            record(requestId, d.holder(), rekey.map(p -> "archive unsealed and moved to key " + p.next().archive() + ", held by "
                    + p.next().holders().size() + " (" + p.next().threshold() + " unseal)").orElse("archive unsealed"));
        }
        return status();
    }

    /** The rekey this unsealing carries out, if one is ready: read at each request, as the operator may begin or cancel it. */
    private java.util.Optional<Rekey.Plan> rekey() {
        try {
            return deployment.rekeyPlan().filter(Rekey.Plan::ready);
        } catch (KeysException e) {
            throw new IllegalStateException("the rekey plan cannot be read: " + e.getMessage(), e);
        }
    }

    private void record(String requestId, cn.midang.keys.pki.Certificate holder, String what) throws ApiException {
        try {
            audit.append(new AuditLog.Entry(requestId, holder.fingerprint(), "key-holder", holder.organisation(), "unseal",
                    "archive-key", "allow", what));
        } catch (AuditUnavailableException e) {
            throw new ApiException(ErrorCode.AUDIT_UNAVAILABLE, "unseal step not recorded", e);
        }
    }
}
