package cn.midang.server;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.cli.net.MidangClient;
import cn.midang.keys.pki.Identity;
import cn.midang.server.access.AccessRecords;
import cn.midang.server.access.Action;
import cn.midang.server.access.Engagement;
import cn.midang.server.audit.AuditLog;
import cn.midang.server.campaign.Campaign;
import cn.midang.server.campaign.CampaignState;
import cn.midang.server.campaign.Campaigns;
import cn.midang.server.deploy.DataDir;
import cn.midang.server.deploy.Deployment;
import cn.midang.server.http.Route;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The authorisation matrix, generated from one table: every route x every role (and anonymous)
 * x four objects — the caller's own, another unit's, one in a campaign the caller is not
 * assigned to, one in the wrong state — with the status the server must answer. A route whose
 * action has no rows here fails the test, so a new endpoint cannot ship without its rows.
 *
 * <p>Objects, per kind of action: submissions (own: unit-a's report in demo, or the tester's own
 * upload; other: unit-b's report; unassigned: unit-a's report in campaign "other", to which no
 * inspector is assigned; wrong state: unit-a's report in campaign "closed"); submissions about to
 * be made (demo/unit-a, demo/unit-b, other/unit-a, closed/unit-a); campaigns (demo, "b-only"
 * without unit-a, other, closed); engagements (the tester's, another body's, none, one already
 * attested). One value means the action takes no object.
 */
class AuthorizationMatrixIT {

    static final List<String> ROLES = List.of("anonymous", "unit", "inspector", "tester", "approver", "leader", "admin");
    static final Map<String, String> IDENTITY = Map.of("unit", "unit-a", "inspector", "inspector-info", "tester", "tester",
            "approver", "approver-info", "leader", "leader", "admin", "admin");

    /** action, then one line per role: own other unassigned wrong-state (or a single value). */
    static final String TABLE = """
            health              anonymous 200  unit 200  inspector 200  tester 200  approver 200  leader 200  admin 200
            openapi             anonymous 200  unit 200  inspector 200  tester 200  approver 200  leader 200  admin 200
            server-info         anonymous 200  unit 200  inspector 200  tester 200  approver 200  leader 200  admin 200
            whoami              anonymous 401  unit 200  inspector 200  tester 200  approver 200  leader 200  admin 200
            list-campaigns      anonymous 401  unit 200  inspector 200  tester 200  approver 200  leader 200  admin 200
            create-campaign     anonymous 401  unit 403  inspector 403  tester 403  approver 403  leader 403  admin 201
            advance-campaign    anonymous 401  unit 403  inspector 403  tester 403  approver 403  leader 403  admin 409
            reschedule-campaign
                anonymous 401 401 401 401
                unit      403 403 403 403
                inspector 403 403 403 403
                tester    403 403 403 403
                approver  403 403 403 403
                leader    403 403 403 403
                admin     400 400 400 409
            record-finding
                anonymous 401 401 401 401
                unit      403 403 403 403
                inspector 409 403 403 409
                tester    403 403 403 403
                approver  403 403 403 403
                leader    403 403 403 403
                admin     403 403 403 403
            list-findings
                anonymous 401 401 401 401
                unit      409 404 409 409
                inspector 200 403 403 200
                tester    403 403 403 403
                approver  403 403 403 403
                leader    403 403 403 403
                admin     403 403 403 403
            generate-summary
                anonymous 401 401 401 401
                unit      403 403 403 403
                inspector 409 403 403 409
                tester    403 403 403 403
                approver  403 403 403 403
                leader    403 403 403 403
                admin     403 403 403 403
            read-summary
                anonymous 401 401 401 401
                unit      403 403 403 403
                inspector 409 403 403 409
                tester    403 403 403 403
                approver  409 409 409 409
                leader    409 409 409 409
                admin     403 403 403 403
            sign-summary
                anonymous 401 401 401 401
                unit      403 403 403 403
                inspector 403 403 403 403
                tester    403 403 403 403
                approver  409 409 409 409
                leader    403 403 403 403
                admin     403 403 403 403
            read-results
                anonymous 401 401 401 401
                unit      409 404 409 409
                inspector 409 403 403 409
                tester    403 403 403 403
                approver  403 403 403 403
                leader    409 409 409 409
                admin     403 403 403 403
            list-submissions    anonymous 401  unit 200  inspector 200  tester 403  approver 403  leader 403  admin 403
            search              anonymous 401  unit 200  inspector 200  tester 403  approver 403  leader 403  admin 403
            list-engagements    anonymous 401  unit 403  inspector 403  tester 200  approver 403  leader 403  admin 200
            audit-export        anonymous 401  unit 403  inspector 403  tester 403  approver 403  leader 403  admin 200
            list-accounts       anonymous 401  unit 403  inspector 403  tester 403  approver 403  leader 403  admin 200
            enrol-accounts      anonymous 401  unit 403  inspector 403  tester 403  approver 403  leader 403  admin 201
            disable-account     anonymous 401  unit 403  inspector 403  tester 403  approver 403  leader 403  admin 200
            enable-account      anonymous 401  unit 403  inspector 403  tester 403  approver 403  leader 403  admin 200
            publish-crl         anonymous 401  unit 403  inspector 403  tester 403  approver 403  leader 403  admin 200
            read-log            anonymous 200  unit 200  inspector 200  tester 200  approver 200  leader 200  admin 200
            cosign-log          anonymous 401  unit 403  inspector 403  tester 403  approver 201  leader 403  admin 403
            unseal-status       anonymous 200  unit 200  inspector 200  tester 200  approver 200  leader 200  admin 200
            unseal              anonymous 409  unit 409  inspector 409  tester 409  approver 409  leader 409  admin 409
            campaign-status
                anonymous 401 401 401 401
                unit      200 404 200 200
                inspector 200 403 403 200
                tester    403 403 403 403
                approver  403 403 403 403
                leader    403 403 403 403
                admin     200 200 200 200
            submit
                anonymous 401 401 401 401
                unit      201 403 201 409
                inspector 201 201 403 201
                tester    201 403 403 403
                approver  403 403 403 403
                leader    403 403 403 403
                admin     403 403 403 403
            read-receipt
                anonymous 401 401 401 401
                unit      200 404 200 200
                inspector 200 200 404 200
                tester    200 404 404 404
                approver  404 404 404 404
                leader    404 404 404 404
                admin     403 403 403 403
            download
                anonymous 401 401 401 401
                unit      200 404 200 200
                inspector 200 200 404 200
                tester    403 404 404 404
                approver  404 404 404 404
                leader    404 404 404 404
                admin     403 403 403 403
            read-text
                anonymous 401 401 401 401
                unit      200 404 200 200
                inspector 200 200 404 200
                tester    403 404 404 404
                approver  404 404 404 404
                leader    404 404 404 404
                admin     403 403 403 403
            assign-inspector
                anonymous 401 401 401 401
                unit      403 403 403 403
                inspector 403 403 403 403
                tester    403 403 403 403
                approver  403 403 403 403
                leader    403 403 403 403
                admin     200 200 200 200
            create-engagement
                anonymous 401 401 401 401
                unit      403 403 403 403
                inspector 403 403 403 403
                tester    403 403 403 403
                approver  403 403 403 403
                leader    403 403 403 403
                admin     201 201 201 201
            issue-permit
                anonymous 401 401 401 401
                unit      403 403 403 403
                inspector 403 403 403 403
                tester    403 403 403 403
                approver  403 403 403 403
                leader    403 403 403 403
                admin     201 403 403 403
            attest-destruction
                anonymous 401 401 401 401
                unit      403 403 403 403
                inspector 403 403 403 403
                tester    201 404 404 409
                approver  403 403 403 403
                leader    403 403 403 403
                admin     403 403 403 403
            """;

    @TempDir
    static Path tmp;

    static DevServer dev;
    static final Map<String, String> SUBMISSION = new LinkedHashMap<>();
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        dev = DevServer.start(tmp.resolve("data"));
        Instant now = dev.clock.instant();
        Campaigns campaigns = new Campaigns(dev.deployment.database());
        List<Campaign.Unit> both = List.of(new Campaign.Unit("unit-a", "甲", "市", true), new Campaign.Unit("unit-b", "乙", "县区", false));
        campaigns.create(new Campaign("other", "未分配的检查", CampaignState.OPEN, now, now.plus(Duration.ofDays(7)), true, both));
        campaigns.create(new Campaign("closed", "已截止的检查", CampaignState.OPEN, now, now.plus(Duration.ofDays(7)), true, both));
        campaigns.create(new Campaign("b-only", "仅乙单位", CampaignState.OPEN, now, now.plus(Duration.ofDays(7)), true,
                List.of(both.get(1))));
        AccessRecords access = new AccessRecords(dev.deployment.database());
        access.assign("closed", dev.identity("inspector-info").certificate().fingerprint(), now);
        String lab = Deployment.DEMO_IDENTITIES.get("tester")[1];
        String admin = dev.identity("admin").certificate().fingerprint();
        access.createEngagement(new Engagement("m-other", "另一检测机构", "demo", List.of("unit-a"), now,
                now.plus(Duration.ofDays(7)), null), admin, now);
        access.createEngagement(new Engagement("m-attested", lab, "demo", List.of("unit-a"), now, now.plus(Duration.ofDays(7)),
                null), admin, now);
        dev.client("tester").attestDestruction("m-attested", "已销毁");

        SUBMISSION.put("own", submit("unit-a", "demo", "report", "unit-a"));
        SUBMISSION.put("other", submit("unit-b", "demo", "report", "unit-b"));
        SUBMISSION.put("unassigned", submit("unit-a", "other", "report", "unit-a"));
        SUBMISSION.put("wrong", submit("unit-a", "closed", "report", "unit-a"));
        SUBMISSION.put("tester-own", submit("tester", "demo", "test-result", "unit-a"));
        try (Connection c = dev.deployment.database().connection(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE campaigns SET state = 'closed' WHERE id = 'closed'");
        }
        dev.server.awaitIndexed(); // so that a search finds the fixtures and its ids can be checked
        // An account that only the disable and enable cells touch.
        DUMMY = dev.issue("matrix-dummy", "inspector", "市保密局").certificate();
        new cn.midang.server.identity.Accounts(dev.deployment.database()).register(DUMMY, now);
    }

    static cn.midang.keys.pki.Certificate DUMMY;

    @AfterAll
    static void stop() throws Exception {
        dev.close();
    }

    static String submit(String who, String campaign, String kind, String unit) throws Exception {
        Path f = tmp.resolve(who + "-" + campaign + "-" + System.nanoTime() + ".txt");
        Files.writeString(f, "matrix fixture " + who + " " + campaign, StandardCharsets.UTF_8);
        return dev.client(who).submit(f, campaign, kind, unit).receipt().id();
    }

    /** The table, parsed: action -> role -> statuses (1 or 4). */
    static Map<String, Map<String, int[]>> table() {
        Map<String, Map<String, int[]>> t = new LinkedHashMap<>();
        String action = null;
        for (String line : TABLE.strip().split("\n")) {
            String[] w = line.strip().split("\\s+");
            int i = 0;
            if (!line.startsWith(" ")) {
                action = w[0];
                t.put(action, new LinkedHashMap<>());
                i = 1;
            }
            while (i < w.length) {
                String role = w[i++];
                List<Integer> codes = new ArrayList<>();
                while (i < w.length && w[i].matches("\\d{3}")) {
                    codes.add(Integer.parseInt(w[i++]));
                }
                t.get(action).put(role, codes.stream().mapToInt(Integer::intValue).toArray());
            }
        }
        return t;
    }

    @Test
    void everyRouteHasRowsForEveryRole() {
        Map<String, Map<String, int[]>> t = table();
        Set<String> routed = new TreeSet<>();
        for (Route r : dev.server.routes()) {
            routed.add(r.action().label());
        }
        assertThat(new TreeSet<>(t.keySet())).as("actions in the table vs routes").isEqualTo(routed);
        t.forEach((action, rows) -> assertThat(rows.keySet()).as(action).containsExactlyInAnyOrderElementsOf(ROLES));
    }

    @Test
    void everyCellAnswersAsTheTableSays_andLeavesAnAuditRecord() throws Exception {
        Map<String, Route> byAction = new LinkedHashMap<>();
        for (Route r : dev.server.routes()) {
            byAction.put(r.action().label(), r);
        }
        List<String> wrong = new ArrayList<>();
        List<String> requestIds = new ArrayList<>();
        int cells = 0;
        int listings = 0;
        for (var row : table().entrySet()) {
            Route route = byAction.get(row.getKey());
            for (var cell : row.getValue().entrySet()) {
                String[] objects = cell.getValue().length == 1 ? new String[] {"-"} : new String[] {"own", "other", "unassigned", "wrong"};
                for (int o = 0; o < objects.length; o++) {
                    HttpResponse<byte[]> r = call(route, cell.getKey(), objects[o]);
                    cells++;
                    int expected = cell.getValue()[o];
                    if (r.statusCode() != expected) {
                        wrong.add(row.getKey() + " as " + cell.getKey() + " on " + objects[o] + ": expected " + expected + ", got "
                                + r.statusCode() + " " + new String(r.body(), StandardCharsets.UTF_8).strip());
                    }
                    requestIds.add(r.headers().firstValue("X-Midang-Request").orElse("none"));
                    if (r.statusCode() == 200 && (route.action() == Action.LIST_SUBMISSIONS || route.action() == Action.SEARCH)) {
                        wrong.addAll(outsideScope(row.getKey(), cell.getKey(), r.body()));
                        listings++;
                    }
                }
            }
        }
        assertThat(wrong).as("cells that answered otherwise").isEmpty();
        assertThat(cells).isGreaterThan(200);
        assertThat(listings).as("listing and search answers whose ids were checked").isEqualTo(4);
        try (Connection c = dev.deployment.database().connection();
                PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM audit_log WHERE request_id = ?")) {
            for (String id : requestIds) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("audit records of request %s", id).isPositive();
                }
            }
        }
        assertThat(AuditLog.verify(dev.deployment.database(), new DataDir(dev.data).auditCheckpoints(),
                dev.deployment.signingIdentity().certificate()).ok()).isTrue();
    }

    /**
     * The ids of a 200 listing or search answer that {@code role} may not read, as problems; a status
     * alone would pass a listing of every unit's submissions. A unit reads what units submitted about
     * itself; an inspector what was submitted in the campaigns it is assigned to (demo, closed). The
     * answer must also hold the fixtures the role may read, so the check is never over an empty list.
     */
    static List<String> outsideScope(String action, String role, byte[] body) throws Exception {
        com.fasterxml.jackson.databind.JsonNode json = JSON.readTree(body);
        com.fasterxml.jackson.databind.JsonNode items = json.has("hits") ? json.path("hits") : json.path("submissions");
        Set<String> ids = new TreeSet<>();
        items.forEach(i -> ids.add(i.path("id").asText()));
        List<String> problems = new ArrayList<>();
        try (Connection c = dev.deployment.database().connection();
                PreparedStatement ps = c.prepareStatement("SELECT s.campaign_id, s.unit_id, a.role FROM submissions s "
                        + "JOIN accounts a ON a.fingerprint = s.submitter_fingerprint WHERE s.id = ?")) {
            for (String id : ids) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    boolean allowed = rs.next() && switch (role) {
                        case "unit" -> rs.getString(2).equals("unit-a") && rs.getString(3).equals("unit");
                        case "inspector" -> Set.of("demo", "closed").contains(rs.getString(1));
                        default -> false;
                    };
                    if (!allowed) {
                        problems.add(action + " as " + role + " showed " + id + ", which it may not read");
                    }
                }
            }
        }
        Set<String> expected = switch (role) {
            case "unit" -> Set.of(SUBMISSION.get("own"), SUBMISSION.get("unassigned"), SUBMISSION.get("wrong"));
            case "inspector" -> Set.of(SUBMISSION.get("own"), SUBMISSION.get("other"), SUBMISSION.get("wrong"),
                    SUBMISSION.get("tester-own"));
            default -> Set.of();
        };
        if (!ids.containsAll(expected)) {
            problems.add(action + " as " + role + " showed " + ids + ", not all of " + expected);
        }
        for (String never : switch (role) {
            case "unit" -> List.of(SUBMISSION.get("other"), SUBMISSION.get("tester-own"));
            default -> List.of(SUBMISSION.get("unassigned"));
        }) {
            if (ids.contains(never)) {
                problems.add(action + " as " + role + " showed " + never);
            }
        }
        return problems;
    }

    static final String[] CAMPAIGN = {"demo", "b-only", "other", "closed"};
    static final String[] ENGAGEMENT = {"demo-tester", "m-other", "m-none", "m-attested"};

    static int index(String object) {
        return switch (object) {
            case "own", "-" -> 0;
            case "other" -> 1;
            case "unassigned" -> 2;
            default -> 3;
        };
    }

    /** One cell: the route called as {@code role} about {@code object}. */
    static HttpResponse<byte[]> call(Route route, String role, String object) throws Exception {
        Identity id = role.equals("anonymous") ? null : dev.identity(IDENTITY.get(role));
        int i = index(object);
        String submission = role.equals("tester") && object.equals("own") ? SUBMISSION.get("tester-own") : SUBMISSION.get(
                object.equals("-") ? "own" : object);
        String path = route.template()
                .replace("{id}", switch (route.action()) {
                    case CAMPAIGN_STATUS, ASSIGN_INSPECTOR, ADVANCE_CAMPAIGN, RESCHEDULE_CAMPAIGN, RECORD_FINDING, LIST_FINDINGS, GENERATE_SUMMARY,
                            READ_SUMMARY, SIGN_SUMMARY, READ_RESULTS -> CAMPAIGN[i];
                    case ATTEST_DESTRUCTION -> ENGAGEMENT[i];
                    default -> submission;
                });
        String query = "";
        byte[] body = null;
        switch (route.action()) {
            case SUBMIT -> {
                String kind = switch (role) {
                    case "tester" -> "test-result";
                    case "inspector" -> "inspection-record";
                    default -> "report";
                };
                String campaign = new String[] {"demo", "demo", "other", "closed"}[i];
                String unit = i == 1 ? "unit-b" : "unit-a";
                query = "campaign=" + campaign + "&kind=" + kind + "&unit=" + unit;
                Path f = tmp.resolve("cell-" + System.nanoTime() + ".txt");
                Files.writeString(f, "cell " + role + " " + object);
                if (id == null) {
                    return RawApi.signedAs(dev, null, "POST", path, query, new byte[] {1});
                }
                MidangClient.SealedUpload sealed = dev.client(IDENTITY.get(role)).seal(f);
                try {
                    return RawApi.signedAs(dev, id, "POST", path, query, Files.readAllBytes(sealed.file()));
                } finally {
                    Files.deleteIfExists(sealed.file());
                }
            }
            case SEARCH -> query = "q=matrix&limit=100";
            case ADVANCE_CAMPAIGN -> {
                // open -> closed before the deadline: the administrator's step, refused for its condition
                if (id != null) {
                    body = RawApi.signedStatement(id, Map.of("type", "midang-transition/1", "campaign", "demo", "from", "open",
                            "to", "closed", "signed_at", dev.clock.instant().toString()));
                }
            }
            case CREATE_CAMPAIGN -> body = JSON.writeValueAsBytes(Map.of("definition", cn.midang.server.campaign.ShippedCampaigns
                    .text("yuxi-2009.yaml").replace("id: yuxi-2009", "id: matrix-" + role)));
            case ASSIGN_INSPECTOR -> body = JSON.writeValueAsBytes(Map.of("inspector", "inspector-police"));
            // a deadline in the past: the administrator reaches the check (400 invalid_dates), or the state's (409, closed)
            case RESCHEDULE_CAMPAIGN -> body = JSON.writeValueAsBytes(Map.of("submission_deadline", "2001-01-01T00:00:00Z"));
            case RECORD_FINDING -> body = JSON.writeValueAsBytes(Map.of("unit", "unit-a", "area", "cryptography", "severity", "high",
                    "description", "矩阵", "rectification", "矩阵", "deadline", "2099-12-31"));
            case SIGN_SUMMARY -> body = JSON.writeValueAsBytes(Map.of("version", 1, "json_sm3", "0".repeat(64), "signature", "AA=="));
            case CREATE_ENGAGEMENT -> body = JSON.writeValueAsBytes(Map.of("tester_org", "矩阵检测机构", "campaign", CAMPAIGN[i],
                    "units", List.of(i == 1 ? "unit-b" : "unit-a"), "starts_at", dev.clock.instant().toString(),
                    "ends_at", dev.clock.instant().plus(Duration.ofDays(1)).toString()));
            // A permit gives the testing body back its own result ("own"); any other document is out of its scope.
            case ISSUE_PERMIT -> body = JSON.writeValueAsBytes(Map.of("tester_org", Deployment.DEMO_IDENTITIES.get("tester")[1],
                    "submissions", List.of(object.equals("own") ? SUBMISSION.get("tester-own") : submission),
                    "expires_at", dev.clock.instant().plus(Duration.ofDays(1)).toString()));
            case ATTEST_DESTRUCTION -> {
                if (id != null) {
                    return attest(id, ENGAGEMENT[i]);
                }
                body = "{}".getBytes(StandardCharsets.UTF_8);
            }
            // A fresh inspector's certificate each time, so that the administrator's cell registers one.
            case ENROL_ACCOUNTS -> body = JSON.writeValueAsBytes(Map.of("certificates", List.of(
                    dev.issue("matrix-" + role + "-" + System.nanoTime(), "inspector", "市公安局").certificate().toPem())));
            case DISABLE_ACCOUNT, ENABLE_ACCOUNT -> body = JSON.writeValueAsBytes(Map.of("certificate", DUMMY.toPem()));
            // A newer list each time, so that the administrator's cell installs one.
            case PUBLISH_CRL -> body = JSON.writeValueAsBytes(Map.of("crl", dev.ca().refreshRevocationList().toPem()));
            // the last READ_LOG route: the consistency proof from the empty tree to the newest checkpoint
            case READ_LOG -> query = "from=0&to=" + dev.server.log().size();
            // a real cosignature by the caller of the newest checkpoint: the approver's is taken
            case COSIGN_LOG -> {
                if (id != null) {
                    long size = dev.server.log().size();
                    var note = cn.midang.keys.tlog.Note.parse(dev.server.log().checkpointAt(size).orElseThrow());
                    var co = cn.midang.server.tlog.TransparencyLog.witnessKey(id.certificate())
                            .cosign(cn.midang.keys.sign.RawSignatures.newSigner(id), note.text(), dev.clock.instant());
                    String line = new cn.midang.keys.tlog.Note("x\n", List.of(co)).format().substring(3).strip();
                    body = JSON.writeValueAsBytes(Map.of("size", size, "line", line));
                }
            }
            default -> {
            }
        }
        if (route.method().equals("POST") && body == null) {
            body = "{}".getBytes(StandardCharsets.UTF_8);
        }
        return RawApi.signedAs(dev, id, route.method(), path, query, body);
    }

    /** A correctly signed attestation by {@code id} for {@code engagement}. */
    static HttpResponse<byte[]> attest(Identity id, String engagement) throws Exception {
        byte[] body = RawApi.signedStatement(id, Map.of("type", "midang-destruction-attestation/1", "engagement", engagement,
                "text", "已销毁"));
        return RawApi.signedAs(dev, id, "POST", "/api/v1/engagements/" + engagement + "/attestation", "", body);
    }
}
