package cn.midang.keys.audit;

import cn.midang.keys.digest.Sm3;
import cn.midang.keys.sign.CanonicalJson;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One audit record: who did what to which object, the decision and its reason, and the SM3 hash
 * chaining it to the record before ({@code prev}; 64 zeros for the first record). {@code hash}
 * is SM3 over the canonical JSON of every other field (see {@link #canonicalBytes()}).
 *
 * @param seq sequence number, 1, 2, 3, ... without gaps
 * @param at time of the decision, ISO-8601 UTC with milliseconds
 * @param request the request id (also in the server log)
 * @param actor SM3 fingerprint of the caller's certificate, or "-" when unknown
 * @param decision "allow", "deny" (refused by policy) or "fail" (refused as invalid)
 */
public record AuditRecord(long seq, String at, String request, String actor, String role, String organisation, String action,
        String object, String decision, String reason, String prev, String hash) {

    public static final String TYPE = "midang-audit/1";
    public static final String GENESIS = "0".repeat(64);

    /** A record with its hash computed from the other fields. */
    public static AuditRecord sealed(long seq, String at, String request, String actor, String role, String organisation,
            String action, String object, String decision, String reason, String prev) {
        AuditRecord unhashed = new AuditRecord(seq, at, request, actor, role, organisation, action, object, decision, reason, prev, "");
        return new AuditRecord(seq, at, request, actor, role, organisation, action, object, decision, reason, prev,
                unhashed.computeHash());
    }

    /** The bytes the hash covers: canonical JSON of every field except {@code hash}. */
    public byte[] canonicalBytes() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", TYPE);
        m.put("seq", seq);
        m.put("at", at);
        m.put("request", request);
        m.put("actor", actor);
        m.put("role", role);
        m.put("org", organisation);
        m.put("action", action);
        m.put("object", object);
        m.put("decision", decision);
        m.put("reason", reason);
        m.put("prev", prev);
        return CanonicalJson.encode(m);
    }

    public String computeHash() {
        return HexFormat.of().formatHex(Sm3.digest(canonicalBytes()));
    }
}
