package cn.midang.server.campaign;

/** The lifecycle of SPEC §4. Submissions are accepted only in {@link #OPEN}. */
public enum CampaignState {
    DRAFT, OPEN, CLOSED, ON_SITE, SUMMARY, JOINT_REVIEW, APPROVED, PUBLISHED, RECTIFICATION, ARCHIVED
}
