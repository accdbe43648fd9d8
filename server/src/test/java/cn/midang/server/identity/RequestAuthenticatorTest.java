package cn.midang.server.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.keys.digest.Sm3;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.pki.RevocationReason;
import cn.midang.keys.testkit.TestPki;
import cn.midang.server.RawApi;
import cn.midang.server.refusal.ApiException;
import cn.midang.server.refusal.ErrorCode;
import cn.midang.server.storage.Database;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Authentication of a signed request, in seconds, without a server: each way a request can be
 * wrong is refused with its own code and names the certificate it presented; a good one yields
 * the caller's account.
 */
class RequestAuthenticatorTest {

    @TempDir
    Path tmp;

    Database db;
    TestPki pki;
    Identity alice;
    RequestAuthenticator authenticator;
    Accounts accounts;
    int nonces;

    @BeforeEach
    void setUp() throws Exception {
        db = Database.open(tmp.resolve("db"));
        pki = TestPki.create(tmp.resolve("pki"));
        alice = pki.person("alice", "unit", "unit-a");
        accounts = new Accounts(db);
        accounts.register(alice.certificate(), pki.clock.instant());
        authenticator = new RequestAuthenticator(db, accounts, () -> pki.ca.validator(), pki.clock, Duration.ofSeconds(300));
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    /** The headers the real client sends (as {@code RawApi} makes them), with a unique nonce, then {@code tamper}ed. */
    Map<String, String> headers(Identity id, Instant date, String path, Consumer<Map<String, String>> tamper) throws Exception {
        Map<String, String> h = RawApi.headers(id, date, "GET", path, "", Sm3.digest(new byte[0]), String.format("%032x", nonces++));
        tamper.accept(h);
        return h;
    }

    RequestAuthenticator.Authenticated authenticate(String path, Map<String, String> h) throws ApiException {
        return authenticator.authenticate("GET", path, "", h::get);
    }

    ApiException refused(String path, Map<String, String> h) {
        try {
            authenticate(path, h);
        } catch (ApiException e) {
            return e;
        }
        throw new AssertionError("accepted");
    }

    @Test
    void aGoodRequest_yieldsTheCallersAccount() throws Exception {
        var a = authenticate("/api/v1/me", headers(alice, pki.clock.instant(), "/api/v1/me", h -> { }));
        assertThat(a.caller().account().role()).isEqualTo(Role.UNIT);
        assertThat(a.caller().account().organisation()).isEqualTo("unit-a");
        assertThat(a.caller().certificate().fingerprint()).isEqualTo(alice.certificate().fingerprint());
        assertThat(a.request().bodySm3()).isEqualTo(Sm3.digest(new byte[0]));
    }

    @Test
    void eachWrongRequest_isRefusedWithItsCode_andNamesThePresentedCertificate() throws Exception {
        Instant now = pki.clock.instant();
        String fp = alice.certificate().fingerprint();
        assertThat(refused("/x", Map.of()).code()).isEqualTo(ErrorCode.UNSIGNED_REQUEST);
        ApiException moved = refused("/api/v1/submissions/other", headers(alice, now, "/api/v1/submissions/mine", h -> { }));
        assertThat(moved.code()).isEqualTo(ErrorCode.BAD_SIGNATURE);
        assertThat(moved.presentedCertificate()).isEqualTo(fp);
        assertThat(refused("/x", headers(alice, now.minusSeconds(301), "/x", h -> { })).code()).isEqualTo(ErrorCode.STALE_REQUEST);
        assertThat(refused("/x", headers(alice, now.plusSeconds(301), "/x", h -> { })).code()).isEqualTo(ErrorCode.STALE_REQUEST);
        // Within the skew either way, up to and including its end: accepted.
        authenticate("/x", headers(alice, now.minusSeconds(300), "/x", h -> { }));
        authenticate("/x", headers(alice, now.plusSeconds(300), "/x", h -> { }));
        assertThat(refused("/x", headers(alice, now, "/x", h -> h.put("X-Midang-Certificate", "not base64!"))).code())
                .isEqualTo(ErrorCode.MALFORMED_SIGNATURE);
        assertThat(refused("/x", headers(alice, now, "/x", h -> h.remove("X-Midang-Certificate"))).code())
                .isEqualTo(ErrorCode.MALFORMED_SIGNATURE);
        assertThat(refused("/x", headers(alice, now, "/x", h -> h.put("X-Midang-Certificate", "A".repeat(9000)))).code())
                .isEqualTo(ErrorCode.MALFORMED_SIGNATURE);
        // Another key's signature over the request, with alice's certificate presented.
        Identity mallory = pki.person("mallory", "unit", "unit-a");
        Map<String, String> forged = headers(mallory, now, "/x", h -> { });
        forged.put("X-Midang-Certificate", Base64.getEncoder().encodeToString(alice.certificate().der()));
        ApiException f = refused("/x", forged);
        assertThat(f.code()).isEqualTo(ErrorCode.BAD_SIGNATURE);
        assertThat(f.presentedCertificate()).isEqualTo(fp);
        // A certificate the CA issued, but with no account.
        assertThat(refused("/x", headers(mallory, now, "/x", h -> { })).code()).isEqualTo(ErrorCode.UNKNOWN_ACCOUNT);
        // A certificate of another CA.
        Identity stranger = TestPki.create(tmp.resolve("other-ca")).person("alice", "unit", "unit-a");
        assertThat(refused("/x", headers(stranger, now, "/x", h -> { })).code()).isEqualTo(ErrorCode.UNTRUSTED_CERTIFICATE);
    }

    @Test
    void aReplayedRequest_isRefused() throws Exception {
        Map<String, String> h = headers(alice, pki.clock.instant(), "/x", x -> { });
        authenticate("/x", h);
        assertThat(refused("/x", h).code()).isEqualTo(ErrorCode.REPLAYED_REQUEST);
    }

    @Test
    void aRevokedOrExpiredCertificate_isRefused() throws Exception {
        Instant now = pki.clock.instant();
        pki.clock.set(alice.certificate().notAfter().plusSeconds(60));
        assertThat(refused("/x", headers(alice, pki.clock.instant(), "/x", h -> { })).code()).isEqualTo(ErrorCode.CERTIFICATE_EXPIRED);
        pki.clock.set(now);
        pki.ca.revoke(alice.certificate(), RevocationReason.KEY_COMPROMISE);
        assertThat(refused("/x", headers(alice, now, "/x", h -> { })).code()).isEqualTo(ErrorCode.CERTIFICATE_REVOKED);
    }

    @Test
    void thePresentedFingerprint_isReadOnlyFromAWellFormedCertificate() {
        assertThat(RequestAuthenticator.presentedFingerprint(null)).isNull();
        assertThat(RequestAuthenticator.presentedFingerprint("A".repeat(9000))).isNull();
        assertThat(RequestAuthenticator.presentedFingerprint("bm90IGEgY2VydA==")).isNull();
        assertThat(RequestAuthenticator.presentedFingerprint(" " + Base64.getEncoder().encodeToString(alice.certificate().der()) + " "))
                .isEqualTo(alice.certificate().fingerprint());
    }

    @Test
    void aDisabledAccount_isRefused_untilEnabledAgain() throws Exception {
        accounts.setDisabled(alice.certificate().fingerprint(), pki.clock.instant());
        assertThat(refused("/api/v1/me", headers(alice, pki.clock.instant(), "/api/v1/me", h -> { })).code())
                .isEqualTo(ErrorCode.ACCOUNT_DISABLED);
        accounts.setDisabled(alice.certificate().fingerprint(), null);
        assertThat(authenticate("/api/v1/me", headers(alice, pki.clock.instant(), "/api/v1/me", h -> { })).caller().account().fingerprint())
                .isEqualTo(alice.certificate().fingerprint());
    }

    @Test
    void aRenewal_refusesTheOldCertificate_andTheNewOneIsTheSameAccount() throws Exception {
        Identity renewed = pki.person("alice", "unit", "unit-a");
        accounts.renew(alice.certificate().fingerprint(), renewed.certificate(), pki.clock.instant());
        assertThat(refused("/api/v1/me", headers(alice, pki.clock.instant(), "/api/v1/me", h -> { })).code())
                .isEqualTo(ErrorCode.CERTIFICATE_REPLACED);
        var a = authenticate("/api/v1/me", headers(renewed, pki.clock.instant(), "/api/v1/me", h -> { }));
        assertThat(a.caller().account().fingerprint()).as("the account id stays").isEqualTo(alice.certificate().fingerprint());
        assertThat(a.caller().certificate()).isEqualTo(renewed.certificate());
        assertThat(accounts.list(Role.UNIT)).singleElement().satisfies(l -> {
            assertThat(l.current()).isEqualTo(renewed.certificate());
            assertThat(l.certificates()).isEqualTo(2);
        });
    }
}
