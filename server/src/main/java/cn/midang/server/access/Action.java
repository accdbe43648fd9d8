package cn.midang.server.access;

import java.util.Locale;

/**
 * Everything a caller can ask of the server; each route names one. An action also names the kind
 * of {@link Target} the policy decides it on: a route must build exactly that before its endpoint
 * can run ({@code Route} checks it when the route table is made, at start).
 */
public enum Action {
    HEALTH(Target.None.class), OPENAPI(Target.None.class), SERVER_INFO(Target.None.class),
    WHOAMI(Target.None.class), LIST_CAMPAIGNS(Target.None.class), CAMPAIGN_STATUS(Target.OfCampaign.class),
    CREATE_CAMPAIGN(Target.None.class), ADVANCE_CAMPAIGN(Target.Transition.class), RESCHEDULE_CAMPAIGN(Target.OfCampaign.class),
    RECORD_FINDING(Target.OfCampaign.class), LIST_FINDINGS(Target.OfCampaign.class), GENERATE_SUMMARY(Target.OfCampaign.class),
    READ_SUMMARY(Target.OfCampaign.class), SIGN_SUMMARY(Target.OfCampaign.class), READ_RESULTS(Target.OfCampaign.class),
    SUBMIT(Target.Upload.class), LIST_SUBMISSIONS(Target.None.class), SEARCH(Target.Search.class),
    READ_RECEIPT(Target.OfSubmission.class), DOWNLOAD(Target.OfSubmission.class), READ_TEXT(Target.OfSubmission.class),
    ASSIGN_INSPECTOR(Target.Named.class), CREATE_ENGAGEMENT(Target.Named.class), LIST_ENGAGEMENTS(Target.None.class),
    ATTEST_DESTRUCTION(Target.OfEngagement.class), ISSUE_PERMIT(Target.Named.class),
    AUDIT_EXPORT(Target.Named.class),
    LIST_ACCOUNTS(Target.None.class), ENROL_ACCOUNTS(Target.Named.class), DISABLE_ACCOUNT(Target.Named.class),
    ENABLE_ACCOUNT(Target.Named.class),
    PUBLISH_CRL(Target.Named.class),
    READ_LOG(Target.None.class), COSIGN_LOG(Target.None.class),
    UNSEAL_STATUS(Target.None.class), UNSEAL(Target.None.class);

    private final Class<? extends Target> target;

    Action(Class<? extends Target> target) {
        this.target = target;
    }

    /** The kind of target this action is decided on. */
    public Class<? extends Target> target() {
        return target;
    }

    /** The name in routes, metrics and the audit log, e.g. {@code read-receipt}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
