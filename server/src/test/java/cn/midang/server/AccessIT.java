package cn.midang.server;

import static cn.midang.server.Refusals.refusal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.cli.net.MidangClient;
import cn.midang.cli.net.Receipt;
import cn.midang.cli.net.ServerRefusal;
import cn.midang.server.access.AccessRecords;
import cn.midang.server.campaign.Campaign;
import cn.midang.server.campaign.CampaignState;
import cn.midang.server.campaign.Campaigns;
import cn.midang.server.deploy.Deployment;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Need to know in practice (SPEC C1–C3), against a real dev server on a clock the test moves:
 * the tester's drop box, retention permits until they expire, the engagement window, the
 * destruction attestation, inspector assignments, and C2's identical answers.
 */
class AccessIT {

    @TempDir
    Path tmp;

    DevServer dev;
    Instant start;

    @BeforeEach
    void start() throws Exception {
        dev = DevServer.start(tmp.resolve("data"));
        start = dev.clock.instant();
    }

    @AfterEach
    void stop() throws Exception {
        dev.close();
    }

    Path file(String name, String text) throws Exception {
        Path f = tmp.resolve(name);
        Files.writeString(f, text, StandardCharsets.UTF_8);
        return f;
    }


    String permit(String testerOrg, String submission, Instant expires) throws Exception {
        return dev.client("admin").postJson("/api/v1/permits", Map.of("tester_org", testerOrg, "submissions", List.of(submission),
                "expires_at", expires.toString())).path("permit").asText();
    }

    static final String LAB = Deployment.DEMO_IDENTITIES.get("tester")[1];

    @Test
    void tester_uploadsInsideTheWindow_seesOnlyItsReceipt_andReadsBackOnlyUnderAPermitUntilItExpires() throws Exception {
        MidangClient tester = dev.client("tester");
        Receipt r = tester.submit(file("检测结果.txt", "渗透测试结果：unit-a 存在弱口令"), "demo", "test-result", "unit-a").receipt();
        assertThat(r.unit()).isEqualTo("unit-a");
        assertThat(tester.receipt(r.id()).bytes()).isEqualTo(r.bytes());

        Path out = tmp.resolve("back.txt");
        assertThat(refusal(() -> tester.getInMemory(r.id(), 1 << 20)).code()).isEqualTo("retention_permit_required");
        assertThat(refusal(() -> tester.list(null, null, null, 10, 0)).code()).isEqualTo("retention_permit_required");
        assertThat(out).doesNotExist();
        // Only for the units and the kind of its engagement.
        assertThat(refusal(() -> tester.submit(file("b.txt", "x"), "demo", "test-result", "unit-b")).code()).isEqualTo("no_engagement");
        assertThat(refusal(() -> tester.submit(file("c.txt", "x"), "demo", "report", "unit-a")).code()).isEqualTo("not_permitted");

        // The unit the result is about does not see the tester's upload; the inspectors do.
        assertThat(refusal(() -> dev.client("unit-a").receipt(r.id())).status()).isEqualTo(404);
        dev.client("inspector-secrecy").get(r.id(), tmp.resolve("inspector-copy.txt"));

        // A second result of the same testing body, not named by the permit below: the permit does not reach it.
        Receipt unnamed = tester.submit(file("检测结果-2.txt", "渗透测试结果：unit-a 第二份"), "demo", "test-result", "unit-a").receipt();
        permit(LAB, r.id(), start.plus(Duration.ofDays(1)));
        assertThat(refusal(() -> tester.getInMemory(unnamed.id(), 1 << 20)).code()).isEqualTo("retention_permit_required");
        assertThat(tester.list(null, null, null, 10, 0).path("submissions").findValuesAsText("id")).containsExactly(r.id());
        // Under the permit the tester views it in memory; its key never writes it to disk, even through the library (C3).
        assertThat(new String(tester.getInMemory(r.id(), 1 << 20), StandardCharsets.UTF_8)).contains("弱口令");
        assertThatThrownBy(() -> tester.get(r.id(), out)).isInstanceOfSatisfying(cn.midang.keys.KeysException.class,
                e -> assertThat(e.reason()).isEqualTo(cn.midang.keys.KeysException.Reason.WRONG_KEY_USAGE));
        assertThat(out).doesNotExist();
        dev.server.awaitIndexed();
        assertThat(tester.search("检测结果", null, null, null, null, 10, 0).path("hits")).hasSize(1);

        dev.clock.advance(Duration.ofDays(1).plusSeconds(1));
        assertThat(refusal(() -> tester.getInMemory(r.id(), 1 << 20)).code()).isEqualTo("retention_permit_required");
        assertThat(refusal(() -> tester.list(null, null, null, 10, 0)).code()).isEqualTo("retention_permit_required");
        assertThat(refusal(() -> tester.search("检测结果", null, null, null, null, 10, 0)).code())
                .isEqualTo("retention_permit_required");
        assertThat(out).doesNotExist();
    }

    @Test
    void beforeAndAfterTheWindow_everythingIsRefused() throws Exception {
        MidangClient tester = dev.client("tester");
        dev.client("admin").postJson("/api/v1/engagements", Map.of("id", "later", "tester_org", LAB, "campaign", "demo",
                "units", List.of("unit-b"), "starts_at", start.plus(Duration.ofDays(1)).toString(),
                "ends_at", start.plus(Duration.ofDays(3)).toString()));
        assertThat(refusal(() -> tester.submit(file("early.txt", "x"), "demo", "test-result", "unit-b")).code())
                .isEqualTo("no_engagement");
        dev.clock.advance(Duration.ofDays(1));
        tester.submit(file("on-time.txt", "x"), "demo", "test-result", "unit-b");

        Receipt r = tester.submit(file("t.txt", "result"), "demo", "test-result", "unit-a").receipt();
        dev.clock.advance(Duration.ofDays(6).plusSeconds(1));
        assertThat(refusal(() -> tester.submit(file("late.txt", "x"), "demo", "test-result", "unit-a")).code())
                .isEqualTo("no_engagement");
        assertThat(refusal(() -> tester.receipt(r.id())).code()).isEqualTo("retention_permit_required");
        assertThat(refusal(() -> tester.getInMemory(r.id(), 1 << 20)).code()).isEqualTo("retention_permit_required");
        assertThat(refusal(() -> tester.list(null, null, null, 10, 0)).code()).isEqualTo("retention_permit_required");
    }

    @Test
    void destructionAttestation_signedOnce_missingOnesAreFlagged() throws Exception {
        MidangClient admin = dev.client("admin");
        admin.postJson("/api/v1/engagements", Map.of("id", "short", "tester_org", LAB, "campaign", "demo",
                "units", List.of("unit-b"), "starts_at", start.toString(), "ends_at", start.plus(Duration.ofDays(1)).toString()));
        dev.clock.advance(Duration.ofDays(2));
        JsonNode all = admin.engagements().path("engagements");
        List<String> missing = new ArrayList<>();
        all.forEach(e -> {
            if (e.path("attestation_missing").asBoolean()) {
                missing.add(e.path("id").asText());
            }
        });
        assertThat(missing).containsExactly("short");

        MidangClient tester = dev.client("tester");
        JsonNode done = tester.attestDestruction("short", "已全部销毁");
        assertThat(done.path("attested_at").isNull()).isFalse();
        assertThat(refusal(() -> tester.attestDestruction("short", "again")).code()).isEqualTo("already_attested");
        assertThat(refusal(() -> dev.client("unit-a").attestDestruction("demo-tester", "x")).code()).isEqualTo("not_permitted");
        assertThat(refusal(() -> tester.attestDestruction("nope", "x")).status()).isEqualTo(404);
        // A statement signed for one engagement cannot be filed for another, nor one signed by someone else.
        admin.postJson("/api/v1/engagements", Map.of("id", "third", "tester_org", LAB, "campaign", "demo",
                "units", List.of("unit-a"), "starts_at", dev.clock.instant().toString(),
                "ends_at", dev.clock.instant().plusSeconds(60).toString()));
        assertThat(refusal(() -> tester.postJson("/api/v1/engagements/third/attestation",
                signedStatement(dev.identity("tester"), "demo-tester"))).code()).isEqualTo("bad_attestation");
        assertThat(refusal(() -> tester.postJson("/api/v1/engagements/third/attestation",
                signedStatement(dev.identity("unit-a"), "third"))).code()).isEqualTo("bad_attestation");
        admin.engagements().path("engagements").forEach(e -> assertThat(e.path("attestation_missing").asBoolean()).isFalse());
        // The tester sees its own engagements only; other roles none.
        assertThat(tester.engagements().path("engagements")).hasSize(3);
        assertThat(refusal(() -> dev.client("inspector-info").engagements()).code()).isEqualTo("not_permitted");
    }

    @Test
    void inspectors_readOnlyAssignedCampaigns_untilTheAdministratorAssignsThem() throws Exception {
        new Campaigns(dev.deployment.database()).create(new Campaign("other", "另一检查", CampaignState.OPEN, start,
                start.plus(Duration.ofDays(7)), true, List.of(new Campaign.Unit("unit-a", "甲", "市", false))));
        Receipt r = dev.client("unit-a").submit(file("o.txt", "report in other"), "other", "report", null).receipt();
        MidangClient inspector = dev.client("inspector-police");
        assertThat(refusal(() -> inspector.receipt(r.id())).status()).isEqualTo(404);
        assertThat(refusal(() -> inspector.status("other")).code()).isEqualTo("not_assigned");
        assertThat(inspector.list("other", null, null, 10, 0).path("submissions")).isEmpty();
        assertThat(refusal(() -> inspector.postJson("/api/v1/campaigns/other/inspectors",
                Map.of("inspector", "inspector-police"))).code()).isEqualTo("not_permitted");

        dev.client("admin").postJson("/api/v1/campaigns/other/inspectors", Map.of("inspector", "inspector-police"));
        assertThat(inspector.receipt(r.id()).id()).isEqualTo(r.id());
        assertThat(inspector.list("other", null, null, 10, 0).path("submissions")).hasSize(1);
        assertThat(inspector.status("other").path("units")).hasSize(1);
    }

    @Test
    void c2_anotherUnitsId_andANonexistentId_getByteIdenticalAnswers() throws Exception {
        Receipt r = dev.client("unit-a").submit(file("secret.txt", "unit A only"), "demo", "report", null).receipt();
        var unitB = dev.identity("unit-b");
        for (String suffix : List.of("", "/receipt")) {
            HttpResponse<byte[]> other = RawApi.signed(dev, unitB, "GET", "/api/v1/submissions/" + r.id() + suffix, "", null);
            HttpResponse<byte[]> missing = RawApi.signed(dev, unitB, "GET", "/api/v1/submissions/"
                    + "0123456789abcdef0123456789abcdef" + suffix, "", null);
            assertThat(other.statusCode()).isEqualTo(404).isEqualTo(missing.statusCode());
            assertThat(other.body()).isEqualTo(missing.body());
            Map<String, List<String>> h1 = new java.util.TreeMap<>(other.headers().map());
            Map<String, List<String>> h2 = new java.util.TreeMap<>(missing.headers().map());
            for (String perRequest : List.of("date", "x-midang-request")) {
                h1.remove(perRequest);
                h2.remove(perRequest);
            }
            assertThat(h1).isEqualTo(h2);
        }
        // Lists and status never show it.
        assertThat(dev.client("unit-b").list("demo", null, null, 100, 0).toString()).doesNotContain(r.id());
        assertThat(dev.client("unit-b").status("demo").path("units")).hasSize(1);
    }

    @Test
    void management_isTheAdministratorsAlone_andTheAdministratorReadsNoContent() throws Exception {
        Receipt r = dev.client("unit-a").submit(file("r.txt", "content"), "demo", "report", null).receipt();
        MidangClient admin = dev.client("admin");
        assertThat(refusal(() -> admin.get(r.id(), tmp.resolve("a"))).code()).isEqualTo("not_permitted");
        assertThat(refusal(() -> admin.receipt(r.id())).code()).isEqualTo("not_permitted");
        assertThat(refusal(() -> admin.list(null, null, null, 10, 0)).code()).isEqualTo("not_permitted");
        assertThat(admin.status("demo").path("units")).hasSize(2);
        for (String who : List.of("unit-a", "inspector-info", "tester", "approver-info", "leader")) {
            assertThat(refusal(() -> dev.client(who).postJson("/api/v1/permits", Map.of("tester_org", LAB,
                    "submissions", List.of(r.id()), "expires_at", start.plus(Duration.ofDays(1)).toString()))).code())
                    .as(who).isEqualTo("not_permitted");
        }
        assertThat(refusal(() -> permit(LAB, r.id(), start.plus(Duration.ofDays(91)))).code()).isEqualTo("malformed_request");
        assertThat(new AccessRecords(dev.deployment.database()).permitted(LAB, dev.clock.instant())).isEmpty();
    }

    /** An attestation statement for {@code engagement}, signed by {@code signer}, as the request body carries it. */
    static Map<String, Object> signedStatement(cn.midang.keys.pki.Identity signer, String engagement) throws Exception {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("type", "midang-destruction-attestation/1");
        m.put("engagement", engagement);
        m.put("signer", signer.certificate().fingerprint());
        m.put("text", "已销毁");
        byte[] statement = cn.midang.keys.sign.CanonicalJson.encode(m);
        return Map.of("statement", java.util.Base64.getEncoder().encodeToString(statement),
                "signature", java.util.Base64.getEncoder().encodeToString(cn.midang.keys.sign.RawSignatures.sign(signer, statement)));
    }
}
