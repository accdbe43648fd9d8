package cn.midang.server.access;

import cn.midang.server.submission.Kind;
import cn.midang.server.submission.ListScope;
import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.keys.pki.Identity;
import cn.midang.keys.seal.RecordCipher;
import cn.midang.keys.testkit.MutableClock;
import cn.midang.keys.testkit.TestPki;
import cn.midang.server.campaign.Campaign;
import cn.midang.server.campaign.CampaignState;
import cn.midang.server.campaign.Campaigns;
import cn.midang.server.identity.Account;
import cn.midang.server.identity.Accounts;
import cn.midang.server.identity.Caller;
import cn.midang.server.identity.Role;
import cn.midang.server.storage.Database;
import cn.midang.server.submission.StoredSubmission;
import cn.midang.server.submission.Submissions;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The need-to-know rules (SPEC §2, C1–C3) as a table, decided by {@link Policy} itself in
 * seconds — no server, no HTTP: role × action × target → allow, or the refusal's code. A change
 * to a rule shows here before the integration suite runs. Each row names the caller, the action,
 * the target and what must come out ({@code allow}, {@code allow:SCOPE} for listings, or a code).
 */
class PolicyTest {

    @TempDir
    static Path tmp;

    static Database db;
    static AccessRecords records;

    /** The policy's decision, with the caller's standing read from the access records as the guard reads it. */
    static Decision decide(Caller caller, Action action, Target target) throws Exception {
        return Policy.decide(caller, Standing.of(caller, records, CLOCK.instant()), action, target, CLOCK.instant());
    }
    static final MutableClock CLOCK = MutableClock.fixed();
    static final Map<String, Caller> CALLERS = new LinkedHashMap<>();
    static final Map<String, Campaign> CAMPAIGNS = new LinkedHashMap<>();
    static final Map<String, Target.OfSubmission> SUBMISSIONS = new LinkedHashMap<>();
    static final String LAB = "安全检测机构";

    static Campaign campaign(String id, CampaignState state, String... units) {
        Instant now = CLOCK.instant();
        List<Campaign.Unit> us = new ArrayList<>();
        for (String u : units) {
            us.add(new Campaign.Unit(u, u, "市", false));
        }
        return new Campaign(id, id, state, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(7)), true, us);
    }

    @BeforeAll
    static void setUp() throws Exception {
        db = Database.open(tmp.resolve("db"));
        TestPki pki = TestPki.create(tmp.resolve("pki"));
        Accounts accounts = new Accounts(db);
        Map<String, String[]> people = new LinkedHashMap<>();
        people.put("unit-a", new String[] {"unit", "unit-a"});
        people.put("unit-b", new String[] {"unit", "unit-b"});
        people.put("unit-z", new String[] {"unit", "unit-z"}); // enrolled, but no campaign names unit-z
        people.put("inspector", new String[] {"inspector", "市公安局"});
        people.put("inspector-elsewhere", new String[] {"inspector", "市保密局"});
        people.put("tester", new String[] {"tester", LAB});
        people.put("other-lab", new String[] {"tester", "另一检测机构"});
        people.put("approver", new String[] {"approver", "市信息产业办"});
        people.put("leader", new String[] {"leader", "市人民政府"});
        people.put("admin", new String[] {"admin", "市信息产业办"});
        for (var p : people.entrySet()) {
            Identity id = pki.person(p.getKey(), p.getValue()[0], p.getValue()[1]);
            accounts.register(id.certificate(), CLOCK.instant());
            CALLERS.put(p.getKey(), new Caller(new Account(id.certificate().fingerprint(), p.getKey(),
                    Role.fromLabel(p.getValue()[0]).orElseThrow(), p.getValue()[1]), id.certificate()));
        }
        Campaigns campaigns = new Campaigns(db);
        for (Campaign c : List.of(campaign("open", CampaignState.OPEN, "unit-a", "unit-b"), campaign("draft", CampaignState.DRAFT, "unit-a"),
                campaign("b-only", CampaignState.OPEN, "unit-b"), campaign("summary", CampaignState.SUMMARY, "unit-a"),
                campaign("published", CampaignState.PUBLISHED, "unit-a"), campaign("approved", CampaignState.APPROVED, "unit-a"))) {
            campaigns.create(c);
            CAMPAIGNS.put(c.id(), c);
        }
        AccessRecords records = new AccessRecords(db);
        for (String c : List.of("open", "summary", "published", "approved", "draft")) {
            records.assign(c, CALLERS.get("inspector").certificate().fingerprint(), CLOCK.instant());
        }
        Instant now = CLOCK.instant();
        for (String c : List.of("open", "draft", "approved")) {
            records.createEngagement(new Engagement("eng-" + c, LAB, c, List.of("unit-a"), now.minus(Duration.ofHours(1)),
                    now.plus(Duration.ofDays(1)), null), CALLERS.get("admin").certificate().fingerprint(), now);
        }
        // Stored submissions: a unit's own report, another unit's, an inspection record and a test result about unit-a,
        // a summary; the test result is under a permit for the lab.
        Submissions submissions = new Submissions(db, RecordCipher.generate());
        stored(submissions, "report-a", "open", "unit-a", "report", "unit-a");
        stored(submissions, "report-b", "open", "unit-b", "report", "unit-b");
        stored(submissions, "record-a", "open", "unit-a", "inspection-record", "inspector");
        stored(submissions, "result-a", "open", "unit-a", "test-result", "tester");
        stored(submissions, "result-unpermitted", "open", "unit-a", "test-result", "tester");
        stored(submissions, "summary", "summary", "", "summary", "inspector");
        stored(submissions, "report-elsewhere", "b-only", "unit-b", "report", "unit-b");
        records.issuePermit("permit-1", LAB, List.of(SUBMISSIONS.get("result-a").id()), now.plus(Duration.ofDays(1)),
                CALLERS.get("admin").certificate().fingerprint(), now);
        SUBMISSIONS.put("missing", new Target.OfSubmission("f".repeat(32), null, null, null));
        PolicyTest.records = records;
    }

    static void stored(Submissions s, String name, String campaign, String unit, String kind, String by) throws Exception {
        String id = String.format("%032x", name.hashCode() & 0xffffffffL);
        Caller c = CALLERS.get(by);
        s.record(new Submissions.Pending(id, new Submissions.Placement(campaign, unit, Kind.fromLabel(kind).orElseThrow(), null, null),
                new Submissions.Content(name + ".txt", 1, "0".repeat(64), 100, "blob-" + id),
                c.certificate().fingerprint(), "0".repeat(64), CLOCK.instant(), false), bytes -> new byte[] {1});
        SUBMISSIONS.put(name, new Target.OfSubmission(id, new StoredSubmission(id, campaign, unit, kind, c.certificate().fingerprint(),
                "blob-" + id, 100, new byte[0], new byte[0]), c.account().role(), c.account().organisation()));
    }

    @AfterAll
    static void tearDown() {
        db.close();
    }

    /**
     * caller action target → expected. Targets: a submission by name (download, read-receipt), a
     * campaign (status, findings, …), an upload {@code campaign/unit/kind}, or {@code -}.
     */
    static final String TABLE = """
            # Reads of stored submissions (C1, C2, C3)
            unit-a              download          report-a            allow
            unit-a              download          report-b            not_found
            unit-a              download          missing             not_found
            unit-a              download          record-a            not_found
            unit-a              download          result-a            not_found
            unit-a              read-receipt      report-b            not_found
            inspector           download          report-a            allow
            inspector           download          report-elsewhere    not_found
            inspector-elsewhere download          report-a            not_found
            tester              download          result-a            allow
            tester              download          result-unpermitted  retention_permit_required
            tester              read-receipt      result-unpermitted  allow
            tester              download          report-a            not_found
            other-lab           download          result-a            not_found
            approver            download          summary             allow
            approver            download          report-a            not_found
            approver            download          missing             not_found
            leader              read-receipt      report-a            not_found
            leader              download          summary             allow
            admin               download          report-a            not_permitted
            admin               download          missing             not_permitted
            unit-a              read-text         report-a            allow
            unit-a              read-text         report-b            not_found
            unit-a              read-text         missing             not_found
            inspector           read-text         report-a            allow
            inspector-elsewhere read-text         report-a            not_found
            tester              read-text         result-a            allow
            tester              read-text         result-unpermitted  retention_permit_required
            tester              read-text         report-a            not_found
            other-lab           read-text         result-a            not_found
            approver            read-text         summary             allow
            approver            read-text         report-a            not_found
            leader              read-text         summary             allow
            admin               read-text         report-a            not_permitted
            # Listings and searches: the scope each may see
            unit-a              list-submissions  -                   allow:unit=unit-a
            inspector           search            -                   allow:campaigns=[approved, draft, open, published, summary]
            tester              list-submissions  -                   allow:ids=1
            approver            list-submissions  -                   not_permitted
            admin               search            -                   not_permitted
            # Uploads
            unit-a              submit            open/unit-a/report  allow
            unit-a              submit            open/unit-b/report  unit_not_in_scope
            unit-a              submit            draft/unit-a/report unknown_campaign
            unit-a              submit            draft/unit-b/report unknown_campaign
            unit-a              submit            b-only/unit-a/report unknown_campaign
            unit-a              submit            open/unit-a/test-result not_permitted
            tester              submit            open/unit-a/test-result allow
            tester              submit            open/unit-b/test-result no_engagement
            tester              submit            draft/unit-a/test-result unknown_campaign
            tester              submit            approved/unit-a/test-result campaign_closed
            inspector           submit            open/unit-a/inspection-record allow
            inspector           submit            approved/unit-a/inspection-record campaign_closed
            inspector           submit            open/unit-a/report  not_permitted
            inspector           submit            b-only/unit-b/inspection-record not_assigned
            inspector           submit            open/unit-c/inspection-record unit_not_in_scope
            tester              submit            open/unit-a/report  not_permitted
            unit-a              submit            open/unit-a/rectification campaign_closed
            unit-a              submit            published/unit-a/rectification allow
            unit-a              submit            published/unit-a/report campaign_closed
            leader              submit            open/unit-a/report  not_permitted
            # Reads the rules tell apart
            inspector           read-receipt      missing             not_found
            tester              download          missing             not_found
            tester              read-receipt      result-a            allow
            unit-a              download          summary             not_found
            approver            read-receipt      report-b            not_found
            inspector           read-results      published           allow
            inspector           read-results      summary             no_results
            inspector           list-findings     summary             allow
            inspector           read-summary      summary             allow
            inspector           generate-summary  open                wrong_state
            inspector-elsewhere record-finding    summary             not_assigned
            approver            read-summary      summary             allow
            approver            list-findings     summary             not_permitted
            leader              read-summary      summary             allow
            leader              sign-summary      summary             not_permitted
            unit-a              read-results      published           allow:unit=unit-a
            unit-a              read-results      summary             no_results
            unit-a              read-summary      published           not_permitted
            inspector           campaign-status   open                allow
            admin               campaign-status   nothing             unknown_campaign
            other-lab           list-submissions  -                   retention_permit_required
            leader              search            -                   not_permitted
            inspector           whoami            -                   allow
            approver            list-campaigns    -                   allow
            tester              list-engagements  -                   allow
            unit-a              list-engagements  -                   not_permitted
            admin               audit-export      -                   allow
            approver            submit            open/unit-a/report  not_permitted
            # A campaign's progress and the work after the inspection
            unit-a              campaign-status   open                allow
            unit-a              campaign-status   draft               unknown_campaign
            unit-a              campaign-status   b-only              unknown_campaign
            unit-a              campaign-status   nothing             unknown_campaign
            tester              campaign-status   open                not_permitted
            tester              campaign-status   nothing             not_permitted
            inspector-elsewhere campaign-status   open                not_assigned
            admin               campaign-status   draft               allow
            admin               reschedule-campaign open              allow
            admin               reschedule-campaign draft             allow
            admin               reschedule-campaign nothing           unknown_campaign
            leader              reschedule-campaign open              not_permitted
            inspector           reschedule-campaign open              not_permitted
            unit-a              reschedule-campaign open              not_permitted
            tester              reschedule-campaign nothing           not_permitted
            unit-a              list-findings     open                no_results
            unit-a              list-findings     published           allow:unit=unit-a
            unit-a              list-findings     draft               unknown_campaign
            unit-a              record-finding    open                not_permitted
            unit-a              record-finding    nothing             not_permitted
            inspector           record-finding    summary             allow
            inspector           record-finding    open                wrong_state
            inspector           generate-summary  summary             allow
            approver            sign-summary      summary             allow
            approver            read-results      published           not_permitted
            leader              read-results      published           allow
            leader              read-results      summary             no_results
            tester              read-summary      summary             not_permitted
            tester              read-summary      nothing             not_permitted
            # Management
            admin               issue-permit      -                   allow
            unit-a              issue-permit      -                   not_permitted
            admin               audit-export      -                   allow
            inspector           audit-export      -                   not_permitted
            # A unit whose unit id no campaign names is told so, for every id alike (nothing about any campaign);
            # a unit named only by a draft is not told that a draft names it
            unit-z              campaign-status   open                unit_not_bound
            unit-z              campaign-status   nothing             unit_not_bound
            unit-z              list-findings     published           unit_not_bound
            unit-z              submit            open/unit-z/report  unit_not_bound
            unit-z              list-campaigns    -                   allow
            # Enrolment (issue 21): the administrator alone manages accounts and installs revocation lists
            admin               list-accounts     -                   allow
            admin               enrol-accounts    -                   allow
            admin               disable-account   -                   allow
            admin               enable-account    -                   allow
            admin               publish-crl       -                   allow
            unit-a              list-accounts     -                   not_permitted
            inspector           enrol-accounts    -                   not_permitted
            approver            enrol-accounts    -                   not_permitted
            leader              disable-account   -                   not_permitted
            tester              enable-account    -                   not_permitted
            unit-a              publish-crl       -                   not_permitted
            inspector           publish-crl       -                   not_permitted
            """;

    static Target target(Action action, String t) {
        return switch (action) {
            case DOWNLOAD, READ_RECEIPT, READ_TEXT -> SUBMISSIONS.get(t);
            case SUBMIT -> {
                String[] p = t.split("/");
                yield new Target.Upload(CAMPAIGNS.get(p[0]), p[1], Kind.fromLabel(p[2]).orElseThrow());
            }
            case CAMPAIGN_STATUS, RESCHEDULE_CAMPAIGN, RECORD_FINDING, LIST_FINDINGS, GENERATE_SUMMARY, READ_SUMMARY, SIGN_SUMMARY,
                    READ_RESULTS -> new Target.OfCampaign(t, CAMPAIGNS.get(t));
            case SEARCH -> new Target.Search("弱口令");
            case ADVANCE_CAMPAIGN -> new Target.Transition(t, CAMPAIGNS.get(t), null);
            case ATTEST_DESTRUCTION -> new Target.OfEngagement(t, null);
            case ASSIGN_INSPECTOR, CREATE_ENGAGEMENT, ISSUE_PERMIT, AUDIT_EXPORT, ENROL_ACCOUNTS, DISABLE_ACCOUNT, ENABLE_ACCOUNT, PUBLISH_CRL ->
                    new Target.Named(t);
            default -> Target.NONE;
        };
    }

    static String outcome(Decision d) {
        if (!d.allowed()) {
            return d.code().code();
        }
        ListScope s = d.scope();
        if (s == null) {
            return "allow";
        }
        return "allow:" + (s.unit() != null ? "unit=" + s.unit() : s.campaigns() != null ? "campaigns=" + new java.util.TreeSet<>(s.campaigns())
                : "ids=" + s.ids().size());
    }

    @Test
    void everyRowOfTheTable_isWhatThePolicyDecides() throws Exception {
        List<String> wrong = new ArrayList<>();
        int rows = 0;
        for (String line : TABLE.strip().split("\n")) {
            if (line.isBlank() || line.strip().startsWith("#")) {
                continue;
            }
            String[] w = line.strip().split("\\s+", 4);
            Action action = Action.valueOf(w[1].toUpperCase().replace('-', '_'));
            Decision d = decide(CALLERS.get(w[0]), action, target(action, w[2]));
            String got = outcome(d);
            if (!got.equals(w[3].strip())) {
                wrong.add(line.strip() + "  → got " + got + " (" + d.reason() + ")");
            }
            rows++;
        }
        assertThat(wrong).as("rows that disagree with the policy").isEmpty();
        assertThat(rows).isGreaterThan(60);
    }

    /** Lifecycle steps: the leadership approves, the administrator takes every other step; the statement names the step. */
    @Test
    void transitions_areTakenByTheRoleEntitledToTheStep() throws Exception {
        Campaign open = CAMPAIGNS.get("open");
        Campaign summary = CAMPAIGNS.get("summary");
        assertThat(outcome(decide(CALLERS.get("admin"), Action.ADVANCE_CAMPAIGN, new Target.Transition("open", open, CampaignState.CLOSED))))
                .isEqualTo("allow");
        assertThat(outcome(decide(CALLERS.get("leader"), Action.ADVANCE_CAMPAIGN, new Target.Transition("open", open, CampaignState.CLOSED))))
                .isEqualTo("not_permitted");
        assertThat(outcome(decide(CALLERS.get("leader"), Action.ADVANCE_CAMPAIGN,
                new Target.Transition("summary", summary, CampaignState.APPROVED)))).isEqualTo("allow");
        assertThat(outcome(decide(CALLERS.get("admin"), Action.ADVANCE_CAMPAIGN,
                new Target.Transition("summary", summary, CampaignState.APPROVED)))).isEqualTo("not_permitted");
        assertThat(outcome(decide(CALLERS.get("admin"), Action.ADVANCE_CAMPAIGN, new Target.Transition("nothing", null, CampaignState.CLOSED))))
                .isEqualTo("unknown_campaign");
        assertThat(outcome(decide(CALLERS.get("admin"), Action.ADVANCE_CAMPAIGN, new Target.Transition("open", open, null))))
                .as("a statement naming no step is checked after the decision").isEqualTo("allow");
        for (String who : List.of("unit-a", "inspector", "tester", "approver")) {
            assertThat(outcome(decide(CALLERS.get(who), Action.ADVANCE_CAMPAIGN, new Target.Transition("open", open, CampaignState.CLOSED))))
                    .as(who).isEqualTo("not_permitted");
        }
    }

    /** A destruction attestation is the engagement's own testing body's, and another's engagement does not exist for it. */
    @Test
    void attestations_areForTheTestingBodysOwnEngagements() throws Exception {
        Engagement own = records.engagement("eng-open").orElseThrow();
        assertThat(outcome(decide(CALLERS.get("tester"), Action.ATTEST_DESTRUCTION, new Target.OfEngagement("eng-open", own))))
                .isEqualTo("allow");
        assertThat(outcome(decide(CALLERS.get("other-lab"), Action.ATTEST_DESTRUCTION, new Target.OfEngagement("eng-open", own))))
                .isEqualTo("not_found");
        assertThat(outcome(decide(CALLERS.get("tester"), Action.ATTEST_DESTRUCTION, new Target.OfEngagement("eng-none", null))))
                .isEqualTo("not_found");
        assertThat(outcome(decide(CALLERS.get("admin"), Action.ATTEST_DESTRUCTION, new Target.OfEngagement("eng-open", own))))
                .isEqualTo("not_permitted");
    }

    @Test
    void anonymousCallers_mayOnlyReachThePublicActions() throws Exception {
        for (Action a : Action.values()) {
            Target t = target(a, switch (a) {
                case DOWNLOAD, READ_RECEIPT, READ_TEXT -> "report-a";
                case SUBMIT -> "open/unit-a/report";
                default -> "open";
            });
            if (a == Action.ADVANCE_CAMPAIGN) {
                t = new Target.Transition("open", CAMPAIGNS.get("open"), CampaignState.CLOSED);
            } else if (a == Action.ATTEST_DESTRUCTION) {
                t = new Target.OfEngagement("eng-open", null);
            }
            boolean allowed = decide(null, a, t).allowed();
            // Unsealing is public: a delivered share carries its holder's signature, checked by the service (SealedArchiveIT)
            assertThat(allowed).as(a.label()).isEqualTo(a == Action.HEALTH || a == Action.OPENAPI || a == Action.SERVER_INFO
                    || a == Action.UNSEAL_STATUS || a == Action.UNSEAL || a == Action.READ_LOG);
        }
    }
}
