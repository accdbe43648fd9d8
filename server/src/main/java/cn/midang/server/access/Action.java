package cn.midang.server.access;

import java.util.Locale;

/** Everything a caller can ask of the server; each route names one. */
public enum Action {
    HEALTH, OPENAPI, SERVER_INFO,
    WHOAMI, LIST_CAMPAIGNS, CAMPAIGN_STATUS, CREATE_CAMPAIGN, ADVANCE_CAMPAIGN,
    RECORD_FINDING, LIST_FINDINGS, GENERATE_SUMMARY, READ_SUMMARY, SIGN_SUMMARY, READ_RESULTS,
    SUBMIT, LIST_SUBMISSIONS, SEARCH, READ_RECEIPT, DOWNLOAD,
    ASSIGN_INSPECTOR, CREATE_ENGAGEMENT, LIST_ENGAGEMENTS, ATTEST_DESTRUCTION, ISSUE_PERMIT,
    AUDIT_EXPORT;

    /** The name in routes, metrics and the audit log, e.g. {@code read-receipt}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
