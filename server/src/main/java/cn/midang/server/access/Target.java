package cn.midang.server.access;

import cn.midang.server.campaign.Campaign;
import cn.midang.server.campaign.CampaignState;
import cn.midang.server.identity.Role;
import cn.midang.server.submission.Kind;
import cn.midang.server.submission.StoredSubmission;
import java.util.Locale;

/** What an action is about, with the facts the policy needs; {@code label} goes into the audit log. */
public sealed interface Target {

    String label();

    /**
     * What the audit record keeps about the target only sealed (under the record key), never in
     * plaintext, in the log or in messages: a search's terms. Null when there is nothing.
     */
    default String sealed() {
        return null;
    }

    /** Nothing in particular (public endpoints, whoami, listings). */
    record None() implements Target {
        @Override
        public String label() {
            return "-";
        }
    }

    None NONE = new None();

    /** A campaign, or the id of one that does not exist ({@code campaign} null). */
    record OfCampaign(String id, Campaign campaign) implements Target {
        @Override
        public String label() {
            return "campaign:" + id;
        }
    }

    /** A lifecycle step of a campaign into {@code to} (as the caller's statement claims it; null if it names none). */
    record Transition(String id, Campaign campaign, CampaignState to) implements Target {
        @Override
        public String label() {
            return "campaign:" + id + "/to:" + (to == null ? "?" : to.name().toLowerCase(Locale.ROOT));
        }
    }

    /** A stored submission, or the id asked for when there is none ({@code stored} null). */
    record OfSubmission(String id, StoredSubmission stored, Role submitterRole, String submitterOrg)
            implements Target {
        @Override
        public String label() {
            return "submission:" + id;
        }
    }

    /** A document about to be submitted: to {@code campaign}, for {@code unit}, of {@code kind}. */
    record Upload(Campaign campaign, String unit, Kind kind) implements Target {
        @Override
        public String label() {
            return "campaign:" + campaign.id() + "/unit:" + unit + "/kind:" + kind;
        }
    }

    /** An engagement, or the id asked for when there is none ({@code engagement} null). */
    record OfEngagement(String id, Engagement engagement) implements Target {
        @Override
        public String label() {
            return "engagement:" + id;
        }
    }

    /**
     * A search: its terms say what an inspector looks for ("弱口令 公安局"), so they go into the
     * audit record sealed and appear nowhere else; the label is only {@code query}.
     */
    record Search(String query) implements Target {
        @Override
        public String label() {
            return "query";
        }

        @Override
        public String sealed() {
            return query;
        }
    }

    /**
     * A management object named by the request (an assignment, a permit, a new engagement):
     * {@code id} is what the endpoint makes or changes under that name, {@code label} how the audit log names it.
     */
    record Named(String id, String label) implements Target {
        public Named(String label) {
            this(label, label);
        }
    }
}
