package cn.midang.server.audit;

/** The audit record could not be written; the request must fail and have no effect (SPEC C5, fail closed). */
public final class AuditUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    public AuditUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
