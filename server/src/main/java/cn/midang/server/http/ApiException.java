package cn.midang.server.http;

/** A refusal with a code from the catalogue; the detail goes to the log only. */
public final class ApiException extends Exception {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

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
}
