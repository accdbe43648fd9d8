package cn.midang.server;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.cli.net.MidangClient;
import cn.midang.cli.net.Receipt;
import cn.midang.keys.audit.Checkpoint;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.sign.CanonicalJson;
import cn.midang.keys.sign.RawSignatures;
import cn.midang.server.access.AccessRecords;
import cn.midang.server.campaign.Campaign;
import cn.midang.server.campaign.CampaignState;
import cn.midang.server.campaign.Campaigns;
import cn.midang.server.campaign.ShippedCampaigns;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client attacked from the server's side (issue 23): a compromised server — a proxy in front of
 * a real dev server that signs what it forges with the deployment's own signing key — and forged
 * files handed to the offline verifiers. Each test shows the refusal and that nothing was written
 * outside the folder the user named.
 */
class HostileServerIT {

    @TempDir
    static Path tmp;

    static DevServer dev;
    static HostileProxy proxy;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        dev = DevServer.startForCli(tmp.resolve("data"));
        proxy = HostileProxy.in(dev);
    }

    @AfterEach
    void honest() {
        proxy.clear();
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        dev.close();
    }

    /** {@code midang ARGS} as {@code who}, talking to the hostile proxy. */
    static DevServer.CliRun viaProxy(String who, String... args) throws Exception {
        return dev.midangAt(proxy.uri().toString(), who, args);
    }

    static Path file(String name, String text) throws Exception {
        Path dir = Files.createTempDirectory(tmp, "f");
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    /** Every file under the test's folder whose name contains {@code marker}. */
    static List<Path> anywhere(String marker) throws Exception {
        try (Stream<Path> s = Files.walk(tmp)) {
            return s.filter(p -> p.getFileName().toString().contains(marker)).toList();
        }
    }

    static byte[] resign(JsonNode receiptFields) throws Exception {
        Map<String, Object> m = JSON.convertValue(receiptFields, new com.fasterxml.jackson.core.type.TypeReference<>() {});
        return CanonicalJson.encode(m);
    }

    /** A submit answer carrying {@code receipt}, signed with the deployment's own signing key. */
    static HostileProxy.Answer receiptAnswer(String id, byte[] receipt) throws Exception {
        byte[] sig = RawSignatures.sign(dev.deployment.signingIdentity(), receipt);
        return new HostileProxy.Answer(201, "application/json", JSON.writeValueAsBytes(Map.of("id", id,
                "receipt", Base64.getEncoder().encodeToString(receipt), "receipt_signature", Base64.getEncoder().encodeToString(sig))));
    }

    // 1. summary get: the server names no file and no folder.
    @Test
    void summaryGet_writesOnlyNamesItChooses_andRefusesADepartmentThatIsAPath() throws Exception {
        Instant now = dev.clock.instant();
        new Campaigns(dev.deployment.database()).create(new Campaign("hs-sum", "敌意汇总", CampaignState.SUMMARY, now.minus(Duration.ofDays(9)),
                now.minus(Duration.ofDays(2)), true, List.of(new Campaign.Unit("unit-a", "甲", "市", true)),
                ShippedCampaigns.yuxi2009().areas(), ShippedCampaigns.yuxi2009().details()));
        new AccessRecords(dev.deployment.database()).assign("hs-sum", dev.identity("inspector-info").certificate().fingerprint(), now);
        dev.client("inspector-info").generateSummary("hs-sum");

        Path honest = tmp.resolve("汇总-诚实");
        DevServer.CliRun ok = viaProxy("approver-info", "summary", "get", "--campaign", "hs-sum", "-o", honest.toString());
        assertThat(ok.exit()).as(ok.err()).isZero();
        try (Stream<Path> s = Files.list(honest)) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("ca.pem", "hs-sum-汇总-v1.docx", "hs-sum-汇总-v1.json", "hs-sum-汇总-v1.xlsx");
        }

        String pem = dev.identity("approver-info").certificate().toPem();
        proxy.when("GET /api/v1/campaigns/hs-sum/summary", (m, p, real) -> {
            ObjectNode meta = (ObjectNode) JSON.readTree(real.body());
            ArrayNode sigs = meta.putArray("signatures");
            sigs.addObject().put("department", "../../hs-autostart").put("signature", "AAAA").put("signer_certificate", pem);
            return new HostileProxy.Answer(200, "application/json", JSON.writeValueAsBytes(meta));
        });
        Path dir = tmp.resolve("汇总-敌意");
        DevServer.CliRun r = viaProxy("approver-info", "summary", "get", "--campaign", "hs-sum", "-o", dir.toString());
        assertThat(r.exit()).isEqualTo(6);
        assertThat(r.err()).contains("hs-autostart");
        assertThat(anywhere("hs-autostart")).isEmpty();
    }

    // 2. and 4. A receipt that is genuine but for something else, re-dated, or whose id is a path, is refused and never kept.
    @Test
    void submit_refusesReceiptsThatDoNotDescribeWhatWasSent_andNeverReplacesOne() throws Exception {
        Path receipts = tmp.resolve("回执");
        DevServer.CliRun first = viaProxy("unit-a", "submit", "-q", "--campaign", "demo", "--kind", "report", "--receipt-dir",
                receipts.toString(), file("第一份.txt", "第一份报告").toString());
        assertThat(first.exit()).as(first.err()).isZero();
        String id = first.out().strip();
        byte[] genuine = Files.readAllBytes(receipts.resolve(id + ".receipt"));
        JsonNode fields = JSON.readTree(genuine);

        Map<String, byte[]> forged = new LinkedHashMap<>();
        forged.put("an earlier genuine receipt", genuine);
        ObjectNode other = fields.deepCopy();
        other.put("unit", "unit-b").put("received_at", "2020-01-01T00:00:00Z").put("late", true);
        forged.put("re-dated, another unit", resign(other));
        ObjectNode path = fields.deepCopy();
        path.put("id", "../../hs-receipt");
        forged.put("an id that is a path", resign(path));
        for (var f : forged.entrySet()) {
            String forgedId = JSON.readTree(f.getValue()).path("id").asText();
            byte[] bytes = f.getValue();
            proxy.when("POST /api/v1/submissions", (m, p, real) -> receiptAnswer(forgedId, bytes));
            DevServer.CliRun r = viaProxy("unit-a", "submit", "--campaign", "demo", "--kind", "report", "--receipt-dir",
                    receipts.toString(), file("第二份.txt", "第二份报告").toString());
            assertThat(r.exit()).as(f.getKey() + ": " + r.err()).isEqualTo(6);
            assertThat(Files.readAllBytes(receipts.resolve(id + ".receipt"))).as(f.getKey()).isEqualTo(genuine);
        }
        assertThat(anywhere("hs-receipt")).isEmpty();
        try (Stream<Path> s = Files.list(receipts)) {
            assertThat(s.filter(p -> p.toString().endsWith(".receipt")).count()).isEqualTo(1);
        }
        // The receipt of another id is refused where one is asked for by id.
        proxy.when("GET /api/v1/submissions/[0-9a-f]+/receipt", (m, p, real) -> new HostileProxy.Answer(200, "application/json",
                JSON.writeValueAsBytes(Map.of("id", id, "receipt", Base64.getEncoder().encodeToString(genuine), "receipt_signature",
                        Base64.getEncoder().encodeToString(RawSignatures.sign(dev.deployment.signingIdentity(), genuine))))));
        DevServer.CliRun show = viaProxy("unit-a", "show", "f".repeat(32));
        assertThat(show.exit()).isEqualTo(6);
    }

    // 5. get ID is bound to ID's receipt: another validly signed document is refused and not written.
    @Test
    void get_refusesADocumentOtherThanTheOneItsReceiptDescribes() throws Exception {
        MidangClient direct = dev.client("unit-a");
        Receipt a = direct.submit(file("甲.txt", "甲单位报告 A"), "demo", "report", null).receipt();
        Receipt b = direct.submit(file("乙.txt", "甲单位另一份报告 B"), "demo", "report", null).receipt();
        byte[] packageOfB = RawApi.signed(dev, dev.identity("unit-a"), "GET", "/api/v1/submissions/" + b.id(), "", null).body();
        proxy.when("GET /api/v1/submissions/" + a.id(), (m, p, real) -> new HostileProxy.Answer(200, "application/cms", packageOfB));
        Path out = tmp.resolve("取回-甲.txt");
        DevServer.CliRun r = viaProxy("unit-a", "get", a.id(), "-o", out.toString());
        assertThat(r.exit()).isEqualTo(6);
        assertThat(r.err()).contains("not the one its receipt describes");
        assertThat(out).doesNotExist();
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.filter(p -> p.getFileName().toString().contains("partial"))).isEmpty();
        }
        proxy.clear();
        DevServer.CliRun good = viaProxy("unit-a", "get", a.id(), "-o", out.toString());
        assertThat(good.exit()).as(good.err()).isZero();
        assertThat(good.out()).contains("demo").contains("report");
        assertThat(Files.readString(out)).isEqualTo("甲单位报告 A");
    }

    // 3. An audit export signed by a unit's key is refused with --ca: only the server's key signs checkpoints.
    @Test
    void auditVerifyAndShow_refuseAnExportSignedByAnyKeyButTheServers() throws Exception {
        JsonNode export = JSON.readTree(dev.client("admin").auditExport(1));
        Identity unitB = dev.identity("unit-b");
        ObjectNode forged = export.deepCopy();
        forged.put("server_certificate", unitB.certificate().toPem());
        ArrayNode cps = forged.putArray("checkpoints");
        RawSignatures.Signer signer = RawSignatures.newSigner(unitB);
        for (JsonNode c : export.path("checkpoints")) {
            Checkpoint real = Checkpoint.parse(Base64.getDecoder().decode(c.path("bytes").asText()),
                    Base64.getDecoder().decode(c.path("signature").asText()));
            Checkpoint fake = Checkpoint.sign(signer, unitB, real.seq(), real.hash(), real.at());
            cps.addObject().put("seq", fake.seq()).put("bytes", Base64.getEncoder().encodeToString(fake.bytes()))
                    .put("signature", Base64.getEncoder().encodeToString(fake.signature()));
        }
        Path file = tmp.resolve("伪造的审计导出.json");
        Files.write(file, JSON.writeValueAsBytes(forged));
        String ca = dev.data.resolve("ca.crt").toString();
        DevServer.CliRun verify = dev.midang("admin", "audit", "verify", file.toString(), "--ca", ca);
        assertThat(verify.exit()).isEqualTo(6);
        DevServer.CliRun show = dev.midang("admin", "audit", "show", file.toString(), "--ca", ca);
        assertThat(show.exit()).isEqualTo(6);
        assertThat(show.out()).doesNotContain("server-start");
        Path honest = tmp.resolve("审计导出.json");
        Files.write(honest, JSON.writeValueAsBytes(export));
        assertThat(dev.midang("admin", "audit", "verify", honest.toString(), "--ca", ca).exit()).isZero();
    }

    // 7. What a server sends cannot drive the user's terminal.
    @Test
    void campaignTitlesAndMessagesFromTheServer_areShownNotObeyed() throws Exception {
        proxy.when("GET /api/v1/campaigns", (m, p, real) -> {
            ObjectNode n = (ObjectNode) JSON.readTree(real.body());
            for (JsonNode c : n.path("campaigns")) {
                ((ObjectNode) c).put("title", "\u001B]0;owned\u0007\u001B[2J标题\u202Etxt.exe");
            }
            return new HostileProxy.Answer(200, "application/json", JSON.writeValueAsBytes(n));
        });
        proxy.when("GET /api/v1/me", (m, p, real) -> new HostileProxy.Answer(403, "application/json", JSON.writeValueAsBytes(Map.of(
                "code", "not_permitted", "message", "\u001B[31mred\u001B[0m \u202Eevil", "message_zh", "\u001B[2J清屏"))));
        DevServer.CliRun status = viaProxy("unit-a", "status");
        assertThat(status.out()).doesNotContain("\u001B").doesNotContain("\u0007").doesNotContain("\u202E")
                .contains("<U+001B>]0;owned<U+0007>");
        DevServer.CliRun me = viaProxy("unit-a", "whoami");
        assertThat(me.err()).doesNotContain("\u001B").doesNotContain("\u202E").contains("<U+001B>[31mred");
    }

    // 10. Plain HTTP only to this computer.
    @Test
    void plainHttp_isRefusedToAnyHostButLoopback() throws Exception {
        DevServer.CliRun r = dev.midangAt("http://192.0.2.10:8443/", "unit-a", "whoami");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("https://");
        assertThat(MidangClient.transportAllowed(java.net.URI.create("http://127.0.0.1:1/"))).isTrue();
        assertThat(MidangClient.transportAllowed(java.net.URI.create("http://[::1]:1/"))).isTrue();
        assertThat(MidangClient.transportAllowed(java.net.URI.create("http://localhost:1/"))).isTrue();
        assertThat(MidangClient.transportAllowed(java.net.URI.create("http://127.0.0.1.evil.example:1/"))).isFalse();
        assertThat(MidangClient.transportAllowed(java.net.URI.create("https://midang.example.gov.cn:8443/"))).isTrue();
    }
}
