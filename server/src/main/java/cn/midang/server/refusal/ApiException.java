package cn.midang.server.refusal;

import java.util.List;

/** A refusal with a code from the catalogue; the detail goes to the log only. */
public final class ApiException extends Exception {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private boolean audited;
    private String presentedCertificate;
    private List<String> problems = List.of();

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

    /**
     * Problems the caller must see to fix its own input (the lines of a campaign file); they go to
     * the client as {@code problems}. Only for input the caller wrote, never for facts of the server.
     */
    public ApiException withProblems(List<String> p) {
        this.problems = List.copyOf(p);
        return this;
    }

    public List<String> problems() {
        return problems;
    }

    /**
     * The SM3 fingerprint of the certificate an unauthenticated request presented (its signature,
     * freshness, validity or account failed), for the audit record; null when none could be read.
     */
    public String presentedCertificate() {
        return presentedCertificate;
    }

    public ApiException presentedBy(String fingerprint) {
        this.presentedCertificate = fingerprint;
        return this;
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
