package cn.midang.server.access;

import cn.midang.server.submission.ListScope;
import cn.midang.server.refusal.ErrorCode;

/**
 * The policy's answer: allowed (for listings and searches, with the scope they may show), or
 * denied with the catalogue code the caller sees and a reason for the audit log.
 */
public record Decision(boolean allowed, ErrorCode code, String reason, ListScope scope) {

    public static Decision allow(String reason) {
        return new Decision(true, null, reason, null);
    }

    /** Allowed to list or search within {@code scope}. */
    public static Decision allowWithin(ListScope scope) {
        return new Decision(true, null, "scoped listing", scope);
    }

    public static Decision deny(ErrorCode code, String reason) {
        return new Decision(false, code, reason, null);
    }
}
