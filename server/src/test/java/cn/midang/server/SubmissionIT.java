package cn.midang.server;

import static cn.midang.server.Refusals.refusal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.cli.net.MidangClient;
import cn.midang.cli.net.Receipt;
import cn.midang.cli.net.ServerRefusal;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.CertificateAuthority;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.pki.RevocationReason;
import cn.midang.keys.seal.Sealed;
import cn.midang.keys.seal.Sealer;
import cn.midang.keys.testkit.PlaintextScan;
import cn.midang.keys.testkit.Processes;
import cn.midang.server.campaign.Campaign;
import cn.midang.server.campaign.CampaignState;
import cn.midang.server.campaign.Campaigns;
import cn.midang.server.identity.Accounts;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Uploads, receipts and downloads against a real server, and every refusal of the issue. */
class SubmissionIT {

    @TempDir
    static Path tmp;

    static DevServer dev;

    @BeforeAll
    static void start() throws Exception {
        dev = DevServer.start(tmp.resolve("data"), Map.of("MIDANG_UPLOAD_MAX_BYTES", Long.toString(300L << 20),
                "MIDANG_METRICS_LISTEN", "127.0.0.1:0"));
        new Campaigns(dev.deployment.database()).create(new Campaign("closed", "已结束 Closed campaign", CampaignState.CLOSED,
                dev.clock.instant().minus(Duration.ofDays(30)), dev.clock.instant().minus(Duration.ofDays(1)), false,
                List.of(new Campaign.Unit("unit-a", "Demo unit A", "市", false))));
    }

    @AfterAll
    static void stop() throws Exception {
        dev.close();
    }

    static Path file(String name, byte[] content) throws Exception {
        Path dir = Files.createTempDirectory(tmp, "f");
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    byte[] seal(Identity signer, Certificate to, byte[] content, String name) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Sealer.signedBy(signer).to(to).describedAs(name).clock(dev.clock).forRequest(RawApi.nonce()).build()
                .seal(new ByteArrayInputStream(content), out);
        return out.toByteArray();
    }

    Certificate archive() {
        return dev.deployment.archiveIdentity().certificate();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 1 << 20, 200 << 20})
    void submitThenGet_anySize_roundTripsWithVerifiedReceipt(int size) throws Exception {
        byte[] content = random(size, size);
        Path f = file("自查报告-" + size + ".docx", content);
        MidangClient unitA = dev.client("unit-a");
        MidangClient.Submitted s = unitA.submit(f, "demo", "report", null);
        Receipt r = s.receipt();
        assertThat(r.size()).isEqualTo(size);
        assertThat(r.unit()).isEqualTo("unit-a");
        assertThat(r.fileName()).isEqualTo("自查报告-" + size + ".docx");
        assertThat(r.late()).isFalse();
        Path back = f.resolveSibling("back.bin");
        unitA.get(r.id(), back);
        assertThat(Files.size(back)).isEqualTo(size);
        assertThat(Files.mismatch(back, f)).isEqualTo(-1L);
        assertThat(unitA.receipt(r.id()).bytes()).isEqualTo(r.bytes());
    }

    @Test
    void receipt_verifiesWithOpensslAgainstServerSigningCertificate() throws Exception {
        Path f = file("report.txt", "玉溪市自查报告".getBytes(StandardCharsets.UTF_8));
        MidangClient unitA = dev.client("unit-a");
        Receipt r = unitA.submit(f, "demo", "report", null).receipt();
        Path[] written = MidangClient.writeReceipt(r, f.getParent(), unitA.serverInfo().signing());
        assertThat(new String(r.bytes(), StandardCharsets.UTF_8)).contains(r.contentSm3());
        Path dir = f.getParent();
        Processes.ok(dir, Map.of(), "openssl", "x509", "-in", dev.data.resolve("server-signing.crt").toString(),
                "-pubkey", "-noout", "-out", "server.pub");
        Processes.Result v = Processes.ok(dir, Map.of(), "openssl", "dgst", "-sm3", "-verify", "server.pub",
                "-sigopt", "distid:1234567812345678", "-signature", written[1].toString(), written[0].toString());
        assertThat(v.out()).contains("Verified OK");
    }

    @Test
    void get_otherUnitsSubmission_looksExactlyLikeAMissingOne() throws Exception {
        Receipt r = dev.client("unit-a").submit(file("a.txt", "secret of A".getBytes()), "demo", "report", null).receipt();
        MidangClient unitB = dev.client("unit-b");
        Path out = tmp.resolve("b-out.txt");
        ServerRefusal other = refusal(() -> unitB.get(r.id(), out));
        ServerRefusal missing = refusal(() -> unitB.get("0123456789abcdef0123456789abcdef", out));
        assertThat(other.status()).isEqualTo(404).isEqualTo(missing.status());
        assertThat(other.code()).isEqualTo(missing.code());
        assertThat(other.getMessage()).isEqualTo(missing.getMessage());
        assertThat(out).doesNotExist();
    }


    /** Sends {@code call}, expects {@code code}, and checks nothing was stored. */
    void refused(String code, int status, Refusals.Call call) throws Exception {
        long records = dev.submissions();
        long blobs = dev.blobFiles();
        HttpResponse<String> r = null;
        try {
            call.run();
        } catch (Refused e) {
            r = e.response;
        }
        assertThat(r).as("expected refusal " + code).isNotNull();
        assertThat(r.body()).contains("\"code\":\"" + code + "\"").contains("message_zh");
        assertThat(r.statusCode()).isEqualTo(status);
        assertThat(dev.submissions()).isEqualTo(records);
        assertThat(dev.blobFiles()).isEqualTo(blobs);
    }

    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        final transient HttpResponse<String> response;

        Refused(HttpResponse<String> r) {
            this.response = r;
        }
    }

    static void expectRefusal(HttpResponse<String> r) throws Refused {
        if (r.statusCode() / 100 != 2) {
            throw new Refused(r);
        }
    }

    byte[] goodPackage(String who) throws Exception {
        return seal(dev.identity(who), archive(), "报告".getBytes(StandardCharsets.UTF_8), "r.txt");
    }

    @Test
    void unsignedRequest_isRefused() throws Exception {
        byte[] body = goodPackage("unit-a");
        refused("unsigned_request", 401, () -> expectRefusal(RawApi.send(dev.uri(), "POST", "/api/v1/submissions",
                "campaign=demo&kind=report", body, Map.of())));
    }

    @Test
    void badSignature_isRefused() throws Exception {
        byte[] body = goodPackage("unit-a");
        refused("bad_signature", 401, () -> expectRefusal(RawApi.upload(dev, dev.identity("unit-a"), "campaign=demo&kind=report", body,
                h -> h.put("X-Midang-Nonce", RawApi.nonce())))); // the nonce is covered: changing it breaks the signature
    }

    @Test
    void signatureOfAnotherQuery_isRefused() throws Exception {
        byte[] body = goodPackage("unit-a");
        Map<String, String> h = RawApi.headers(dev.identity("unit-a"), dev.clock.instant(), "POST", "/api/v1/submissions",
                RawApi.naming(dev, "campaign=demo&kind=form", body), null, RawApi.nonce());
        refused("bad_signature", 401, () -> expectRefusal(RawApi.send(dev.uri(), "POST", "/api/v1/submissions",
                RawApi.naming(dev, "campaign=demo&kind=report", body), body, h)));
    }

    @Test
    void aDateFurtherAheadThanTheSkew_isRefusedToo() throws Exception {
        byte[] body = goodPackage("unit-a");
        long before = dev.submissions();
        String q = RawApi.naming(dev, "campaign=demo&kind=report", body);
        Map<String, String> h = RawApi.headers(dev.identity("unit-a"), dev.clock.instant().plus(Duration.ofMinutes(6)), "POST",
                "/api/v1/submissions", q, null, RawApi.nonce());
        refused("stale_request", 401, () -> expectRefusal(RawApi.send(dev.uri(), "POST", "/api/v1/submissions", q, body, h)));
        assertThat(dev.submissions()).isEqualTo(before);
    }

    @Test
    void staleDate_isRefused() throws Exception {
        byte[] body = goodPackage("unit-a");
        String q = RawApi.naming(dev, "campaign=demo&kind=report", body);
        Map<String, String> h = RawApi.headers(dev.identity("unit-a"), dev.clock.instant().minus(Duration.ofMinutes(10)), "POST",
                "/api/v1/submissions", q, null, RawApi.nonce());
        refused("stale_request", 401, () -> expectRefusal(RawApi.send(dev.uri(), "POST", "/api/v1/submissions", q, body, h)));
    }

    @Test
    void replayedNonce_isRefused() throws Exception {
        byte[] body = goodPackage("unit-a");
        String q = RawApi.naming(dev, "campaign=demo&kind=report", body);
        Map<String, String> h = RawApi.headers(dev.identity("unit-a"), dev.clock.instant(), "POST", "/api/v1/submissions", q, null,
                RawApi.nonceOf(dev, body));
        HttpResponse<String> first = RawApi.send(dev.uri(), "POST", "/api/v1/submissions", q, body, h);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        refused("replayed_request", 401, () -> expectRefusal(RawApi.send(dev.uri(), "POST", "/api/v1/submissions", q, body, h)));
    }

    @Test
    void certificateOfAnotherCa_isRefused() throws Exception {
        cn.midang.keys.testkit.TestPki other = cn.midang.keys.testkit.TestPki.create(tmp.resolve("other-ca"), "Midang Dev CA");
        Identity mallory = other.person("unit-a", "unit", "unit-a");
        byte[] body = seal(mallory, archive(), "x".getBytes(), "x.txt");
        refused("untrusted_certificate", 401, () -> expectRefusal(RawApi.upload(dev, mallory, "campaign=demo&kind=report", body, h -> { })));
    }

    Identity issued(String name, String role, String org, Duration validity) throws Exception {
        CertificateAuthority ca = CertificateAuthority.open(dev.data.resolve("ca"), dev.passphrase, dev.clock);
        Identity fresh = Identity.generate(name, dev.clock);
        return fresh.withIssuedCertificate(ca.issue(fresh.request(), role, org, validity), ca.certificate());
    }

    @Test
    void certificateWithoutAccount_isRefused() throws Exception {
        Identity stranger = issued("stranger", "unit", "unit-a", Duration.ofDays(30));
        byte[] body = seal(stranger, archive(), "x".getBytes(), "x.txt");
        refused("unknown_account", 401, () -> expectRefusal(RawApi.upload(dev, stranger, "campaign=demo&kind=report", body, h -> { })));
    }

    @Test
    void expiredCertificate_isRefused() throws Exception {
        Identity shortLived = issued("short", "unit", "unit-a", Duration.ofDays(1));
        new Accounts(dev.deployment.database()).register(shortLived.certificate(), dev.clock.instant());
        byte[] body = seal(shortLived, archive(), "x".getBytes(), "x.txt");
        dev.clock.advance(Duration.ofDays(2));
        try {
            refused("certificate_expired", 401, () -> expectRefusal(RawApi.upload(dev, shortLived, "campaign=demo&kind=report", body, h -> { })));
        } finally {
            dev.clock.advance(Duration.ofDays(-2));
        }
    }

    @Test
    void revokedCertificate_isRefused() throws Exception {
        Identity soonRevoked = issued("revoked", "unit", "unit-a", Duration.ofDays(30));
        new Accounts(dev.deployment.database()).register(soonRevoked.certificate(), dev.clock.instant());
        byte[] body = seal(soonRevoked, archive(), "x".getBytes(), "x.txt");
        CertificateAuthority ca = CertificateAuthority.open(dev.data.resolve("ca"), dev.passphrase, dev.clock);
        ca.revoke(soonRevoked.certificate(), RevocationReason.KEY_COMPROMISE).writePem(dev.data.resolve("crl.pem"));
        refused("certificate_revoked", 401, () -> expectRefusal(RawApi.upload(dev, soonRevoked, "campaign=demo&kind=report", body, h -> { })));
    }

    @Test
    void validator_isBuiltOncePerCrlFile_andRebuiltWhenItIsReplaced() throws Exception {
        var first = dev.deployment.validator();
        assertThat(dev.deployment.validator()).isSameAs(first);
        CertificateAuthority ca = CertificateAuthority.open(dev.data.resolve("ca"), dev.passphrase, dev.clock);
        ca.revocationList().writePem(dev.data.resolve("crl.pem")); // replaced atomically, as the CA tools do
        assertThat(dev.deployment.validator()).isNotSameAs(first);
    }

    /**
     * An upload's signature leaves the body out; the package's own signature names the request
     * instead (the client seals as it sends): a valid package signed by the caller but sealed for
     * another request, or for none, is refused, and so is the right package under another size;
     * nothing is kept.
     */
    @Test
    void aPackageSealedForAnotherRequest_isRefused() throws Exception {
        long before = dev.submissions();
        byte[] named = goodPackage("unit-a");
        String q = RawApi.naming(dev, "campaign=demo&kind=report", named);
        refused("digest_mismatch", 400, () -> expectRefusal(RawApi.send(dev.uri(), "POST", "/api/v1/submissions", q, named,
                RawApi.headers(dev.identity("unit-a"), dev.clock.instant(), "POST", "/api/v1/submissions", q, null, RawApi.nonce()))));
        ByteArrayOutputStream forNone = new ByteArrayOutputStream();
        Sealer.signedBy(dev.identity("unit-a")).to(archive()).describedAs("r.txt").clock(dev.clock).build()
                .seal(new ByteArrayInputStream("报告".getBytes(StandardCharsets.UTF_8)), forNone);
        refused("digest_mismatch", 400, () -> expectRefusal(RawApi.upload(dev, dev.identity("unit-a"), "campaign=demo&kind=report",
                forNone.toByteArray(), h -> { })));
        int size = "报告".getBytes(StandardCharsets.UTF_8).length;
        String wrongSize = q.replace("content_size=" + size, "content_size=" + (size + 1));
        assertThat(wrongSize).isNotEqualTo(q);
        byte[] another = goodPackage("unit-a"); // a request's nonce is spent once it is seen, refused or not
        refused("digest_mismatch", 400, () -> expectRefusal(RawApi.send(dev.uri(), "POST", "/api/v1/submissions", wrongSize, another,
                RawApi.headers(dev.identity("unit-a"), dev.clock.instant(), "POST", "/api/v1/submissions", wrongSize, null,
                        RawApi.nonceOf(dev, another)))));
        assertThat(dev.submissions()).isEqualTo(before);
        assertThat(RawApi.upload(dev, dev.identity("unit-a"), "campaign=demo&kind=report", named, h -> { }).statusCode())
                .as("the same package, in the request it was sealed for").isEqualTo(201);
    }

    /**
     * The file's size changes after the client named it and before it is sealed (the moment the upload
     * phase starts), grown or cut: the sealing fails, the body is never completed, the user is told
     * the file changed, and nothing is kept. Changed in its bytes alone, it is read once and hashed as
     * it is sealed: what is kept is what was read, and the receipt names exactly that.
     */
    @Test
    void aFileChangedWhileItIsBeingSubmitted_isRefused_orKeptAsRead() throws Exception {
        long before = dev.submissions();
        for (int size : new int[] {600_001, 599_999, 600_000}) {
            Path f = file("changing-" + size + ".bin", random(600_000, 5));
            cn.midang.cli.net.Progress changing = new cn.midang.cli.net.Progress() {
                @Override
                public void start(long total) {
                    try {
                        Files.write(f, random(size, 6));
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }

                @Override
                public void advancedTo(long bytes) {}

                @Override
                public void finish() {}
            };
            if (size == 600_000) {
                MidangClient.Submitted s = dev.client("unit-a").submit(f, "demo", "report", null, changing);
                assertThat(s.receipt().contentSm3()).isEqualTo(cn.midang.keys.digest.Sm3.hex(random(size, 6)));
                assertThat(dev.submissions()).isEqualTo(before + 1);
            } else {
                assertThatThrownBy(() -> dev.client("unit-a").submit(f, "demo", "report", null, changing))
                        .as("%d bytes", size).isInstanceOf(cn.midang.keys.KeysException.class)
                        .hasMessageContaining("changed while it was being submitted");
                assertThat(dev.submissions()).isEqualTo(before);
            }
        }
    }

    /** The query names the content's size, so it is signed: changing it after signing breaks the signature. */
    @Test
    void theNamedContent_isCoveredByTheSignature() throws Exception {
        byte[] body = goodPackage("unit-a");
        String q = RawApi.naming(dev, "campaign=demo&kind=report", body);
        Map<String, String> h = RawApi.headers(dev.identity("unit-a"), dev.clock.instant(), "POST", "/api/v1/submissions", q, null,
                RawApi.nonceOf(dev, body));
        String other = q.replace("content_size=", "content_size=1");
        refused("bad_signature", 401, () -> expectRefusal(RawApi.send(dev.uri(), "POST", "/api/v1/submissions", other, body, h)));
    }

    /**
     * One form per route, decided by the pipeline: an upload signed over its body (Content-Digest) is
     * refused, and so is a request elsewhere whose signature leaves its body out — a JSON body must be
     * exactly what was signed. An upload that names no content, or names it malformed, is refused
     * before anything is read.
     */
    @Test
    void aSignatureThatCoversTheWrongThingForItsRoute_isRefused() throws Exception {
        long before = dev.submissions();
        byte[] body = goodPackage("unit-a");
        String q = RawApi.naming(dev, "campaign=demo&kind=report", body);
        refused("malformed_signature", 401, () -> expectRefusal(RawApi.send(dev.uri(), "POST", "/api/v1/submissions", q, body,
                RawApi.headers(dev.identity("unit-a"), dev.clock.instant(), "POST", "/api/v1/submissions", q,
                        cn.midang.keys.digest.Sm3.digest(body), RawApi.nonce()))));
        byte[] json = "{\"size\":1,\"line\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        Map<String, String> undigested = RawApi.headers(dev.identity("unit-a"), dev.clock.instant(), "POST", "/api/v1/log/cosignatures",
                "", null, RawApi.nonce());
        undigested.put("Content-Type", "application/json");
        refused("malformed_signature", 401, () -> expectRefusal(RawApi.send(dev.uri(), "POST", "/api/v1/log/cosignatures", "", json,
                undigested)));
        for (String bad : List.of("campaign=demo&kind=report", "campaign=demo&kind=report&content_size=",
                "campaign=demo&kind=report&content_size=03", "campaign=demo&kind=report&content_size=-3",
                "campaign=demo&kind=report&content_size=0x10", "campaign=demo&kind=report&content_size=99999999999999999999")) {
            refused("malformed_request", 400, () -> expectRefusal(RawApi.send(dev.uri(), "POST", "/api/v1/submissions", bad, body,
                    RawApi.headers(dev.identity("unit-a"), dev.clock.instant(), "POST", "/api/v1/submissions", bad, null,
                            RawApi.nonce()))));
        }
        assertThat(dev.submissions()).isEqualTo(before);
    }

    /** A package with a byte appended after its end: the server reads every byte, and refuses it. */
    @Test
    void aPackageWithBytesAfterItsEnd_isRefused() throws Exception {
        long before = dev.submissions();
        byte[] good = goodPackage("unit-a");
        byte[] longer = java.util.Arrays.copyOf(good, good.length + 1);
        String q = RawApi.naming(dev, "campaign=demo&kind=report", good);
        refused("tampered_package", 422, () -> expectRefusal(RawApi.send(dev.uri(), "POST", "/api/v1/submissions", q, longer,
                RawApi.headers(dev.identity("unit-a"), dev.clock.instant(), "POST", "/api/v1/submissions", q, null, RawApi.nonce()))));
        assertThat(dev.submissions()).isEqualTo(before);
    }

    @Test
    void tamperedPackage_isRefused() throws Exception {
        byte[] body = seal(dev.identity("unit-a"), archive(), random(100_000, 3), "r.bin");
        body[body.length / 2] ^= 0x10;
        refused("tampered_package", 422, () -> expectRefusal(RawApi.upload(dev, dev.identity("unit-a"), "campaign=demo&kind=report", body, h -> { })));
    }

    /**
     * A large package refused on its first bytes (sealed to another key), while most of it is still
     * to come: the real client gets the coded answer, not a connection reset. The server reads the
     * rest of the body (bounded) before it answers, so the client can finish sending and read it.
     */
    @Test
    void aLargePackageRefusedOnItsFirstBytes_getsItsCodedAnswer_notAReset() throws Exception {
        Path file = tmp.resolve("wrong-key-40MiB.bin");
        Sealed sealed;
        try (OutputStream out = Files.newOutputStream(file)) {
            sealed = Sealer.signedBy(dev.identity("unit-a")).to(dev.identity("inspector-info").certificate()).describedAs("大.bin")
                    .clock(dev.clock).build().seal(new ByteArrayInputStream(random(40 << 20, 41)), out);
        }
        long before = dev.submissions();
        for (int i = 0; i < 3; i++) {
            MidangClient.SealedUpload upload = new MidangClient.SealedUpload(file, sealed, "大.bin", RawApi.nonce());
            assertThatThrownBy(() -> dev.client("unit-a").upload(upload, "demo", "report", null))
                    .isInstanceOfSatisfying(ServerRefusal.class, r -> assertThat(r.code()).isEqualTo("not_sealed_to_archive"));
        }
        assertThat(dev.submissions()).isEqualTo(before);
    }

    @Test
    void packageSignedBySomeoneElse_isRefused() throws Exception {
        byte[] body = goodPackage("unit-b");
        refused("signer_not_caller", 422, () -> expectRefusal(RawApi.upload(dev, dev.identity("unit-a"), "campaign=demo&kind=report", body, h -> { })));
    }

    @Test
    void packageSealedToWrongKey_isRefused() throws Exception {
        byte[] body = seal(dev.identity("unit-a"), dev.identity("inspector-info").certificate(), "x".getBytes(), "x.txt");
        refused("not_sealed_to_archive", 422, () -> expectRefusal(RawApi.upload(dev, dev.identity("unit-a"), "campaign=demo&kind=report", body, h -> { })));
    }

    @Test
    void oversizedBody_isRefused() throws Exception {
        byte[] body = new byte[(300 << 20) + 1];
        refused("body_too_large", 413, () -> expectRefusal(RawApi.upload(dev, dev.identity("unit-a"), "campaign=demo&kind=report", body, h -> { })));
    }

    @Test
    void formLargerThanItsKindAllows_isRefused() throws Exception {
        byte[] body = new byte[(17 << 20)];
        refused("body_too_large", 413, () -> expectRefusal(RawApi.upload(dev, dev.identity("unit-a"), "campaign=demo&kind=form", body, h -> { })));
    }

    @Test
    void unknownCampaign_isRefused() throws Exception {
        byte[] body = goodPackage("unit-a");
        refused("unknown_campaign", 404, () -> expectRefusal(RawApi.upload(dev, dev.identity("unit-a"), "campaign=nope&kind=report", body, h -> { })));
    }

    @Test
    void closedCampaign_isRefused() throws Exception {
        byte[] body = goodPackage("unit-a");
        refused("campaign_closed", 409, () -> expectRefusal(RawApi.upload(dev, dev.identity("unit-a"), "campaign=closed&kind=report", body, h -> { })));
    }

    @Test
    void unknownKind_isRefused() throws Exception {
        byte[] body = goodPackage("unit-a");
        refused("unknown_kind", 400, () -> expectRefusal(RawApi.upload(dev, dev.identity("unit-a"), "campaign=demo&kind=secrets", body, h -> { })));
    }

    /**
     * A slowloris: a signed upload whose body trickles in at 5 bytes a second. The idle timeout
     * would never fire (bytes keep coming); the minimum data rate cuts it, and nothing is stored.
     */
    @Test
    void slowBody_isCutByTheMinimumDataRate() throws Exception {
        long records = dev.submissions();
        byte[] body = goodPackage("unit-a");
        String q = RawApi.naming(dev, "campaign=demo&kind=report", body);
        Map<String, String> h = RawApi.headers(dev.identity("unit-a"), dev.clock.instant(), "POST", "/api/v1/submissions", q, null,
                RawApi.nonce());
        long started = System.nanoTime();
        boolean cut = false;
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", dev.server.port())) {
            socket.setSoTimeout(200);
            StringBuilder head = new StringBuilder("POST /api/v1/submissions?" + q + " HTTP/1.1\r\n"
                    + "Host: 127.0.0.1\r\nContent-Length: " + body.length + "\r\n");
            h.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            head.append("\r\n");
            var out = socket.getOutputStream();
            var in = socket.getInputStream();
            out.write(head.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            // 5 bytes a second, for at most 60 seconds (the package is ~1 KiB: it never finishes)
            for (int i = 0; i < 300 && !cut; i++) {
                try {
                    out.write(body[i]);
                    out.flush();
                } catch (java.io.IOException e) {
                    cut = true;
                    break;
                }
                try {
                    in.read(); // a response or end of stream before the body is complete: the server cut it
                    cut = true;
                } catch (java.net.SocketTimeoutException e) {
                    // nothing yet: keep trickling (this read's timeout is the 200 ms pause)
                }
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        assertThat(cut).as("the server cut the slow upload").isTrue();
        assertThat(seconds).as("well before the 60 s the trickle would take").isLessThan(45);
        assertThat(dev.submissions()).isEqualTo(records);
    }

    @Test
    void dataDirectory_holdsNoPlaintext_inUtf8Utf16OrGbk() throws Exception {
        String marker = "玉溪市保密检查明文标记" + System.nanoTime();
        // the marker is the text and the file name (kept sealed in H2, in the package and in the index)
        dev.client("unit-a").submit(file(marker + ".txt", marker.getBytes(StandardCharsets.UTF_8)), "demo", "report", null);
        dev.client("unit-a").submit(file(marker + "-gbk.txt", marker.getBytes(Charset.forName("GBK"))), "demo", "report", null);
        dev.server.awaitIndexed(); // the extracted text is in the (encrypted) index by now
        assertThat(PlaintextScan.firstFileContaining(dev.data, PlaintextScan.encodings(marker))).isEmpty();
    }


    @Test
    void routeTable_everyApiRouteButPublicOnesRequiresSignature() {
        // Public: the server's own facts, the transparency log (commitments and padding, checked by every client, account or
        // not) and unsealing (a delivered share carries its holder's signature). Everything else is signed.
        List<String> open = List.of("health", "openapi", "server-info", "read-log", "unseal-status", "unseal");
        assertThat(dev.server.routes()).allSatisfy(r -> assertThat(r.authenticated()).as(r.toString())
                .isEqualTo(!open.contains(r.action().label())));
    }

    @Test
    void openapi_describesEveryRouteInTheTable() throws Exception {
        HttpResponse<String> r = RawApi.send(dev.uri(), "GET", "/openapi.json", "", null, Map.of());
        assertThat(r.statusCode()).isEqualTo(200);
        var doc = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
        for (var route : dev.server.routes()) {
            assertThat(doc.path("paths").path(route.template()).path(route.method().toLowerCase()).isMissingNode())
                    .as("%s %s in openapi.json", route.method(), route.template()).isFalse();
        }
    }

    @Test
    void metrics_countRequestsAndRefusalsByCode_onTheOperatorsListenerOnly() throws Exception {
        RawApi.send(dev.uri(), "POST", "/api/v1/submissions", "campaign=demo&kind=report", new byte[0], Map.of());
        java.net.URI operator = java.net.URI.create("http://127.0.0.1:" + dev.server.metricsPort().orElseThrow() + "/");
        HttpResponse<String> r = RawApi.send(operator, "GET", "/metrics", "", null, Map.of());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("midang_requests_total").contains("midang_request_duration_seconds")
                .contains("midang_request_body_bytes_total").contains("midang_refusals_total{code=\"unsigned_request\"}")
                .contains("midang_crypto_backend_info{backend=\"" + cn.midang.keys.CryptoEngine.inUse() + "\"");
        // Sizes and times of every upload are the operator's to see, not the API's users' (C2).
        HttpResponse<String> api = RawApi.send(dev.uri(), "GET", "/metrics", "", null, Map.of());
        assertThat(api.statusCode()).isEqualTo(404);
        assertThat(api.body()).contains("\"code\":\"not_found\"").doesNotContain("midang_");
        assertThat(RawApi.send(operator, "GET", "/api/v1/server", "", null, Map.of()).statusCode()).isEqualTo(404);
    }

    @Test
    void healthz_isOpenAndHidesServerVersion() throws Exception {
        HttpResponse<String> r = RawApi.send(dev.uri(), "GET", "/healthz", "", null, Map.of());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Server")).isEmpty();
    }

    @Test
    void clientRefusesServerOfAnotherDeployment() throws Exception {
        cn.midang.keys.testkit.TestPki other = cn.midang.keys.testkit.TestPki.create(tmp.resolve("other2"));
        Identity outsider = other.person("unit-a", "unit", "unit-a");
        MidangClient c = new MidangClient(dev.uri(), outsider, dev.clock);
        assertThatThrownBy(c::serverInfo).hasMessageContaining("another deployment");
    }
}
