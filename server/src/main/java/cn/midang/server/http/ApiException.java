package cn.midang.server.http;

/** A refusal with a code from the catalogue; the detail goes to the log only. */
public final class ApiException extends Exception {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private boolean audited;

    public ApiException(ErrorCode code, String logDetail) {
        super(logDetail);
        this.code = code;
    }

    public ApiException(ErrorCode code, String logDetail, Throwable cause) {
        super(logDetail, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    /** Whether the refusal is already in the audit log (a policy denial is recorded where it is decided). */
    public boolean audited() {
        return audited;
    }

    public ApiException markAudited() {
        this.audited = true;
        return this;
    }
}
