package cn.midang.server.access;

import cn.midang.server.http.ErrorCode;

/** The policy's answer: allowed, or denied with the catalogue code the caller sees and a reason for the audit log. */
public record Decision(boolean allowed, ErrorCode code, String reason) {

    public static Decision allow(String reason) {
        return new Decision(true, null, reason);
    }

    public static Decision deny(ErrorCode code, String reason) {
        return new Decision(false, code, reason);
    }
}
