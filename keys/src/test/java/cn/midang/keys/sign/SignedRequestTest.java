package cn.midang.keys.sign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.keys.KeysException;
import cn.midang.keys.digest.Sm3;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.testkit.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SignedRequestTest {

    static final String KEY = "ab".repeat(32);
    static final String NONCE = "0123456789abcdef0123456789abcdef";

    SignedRequest request() {
        return new SignedRequest("POST", "/api/v1/submissions", "campaign=demo&kind=report",
                Instant.parse("2026-11-25T02:00:00Z"), NONCE, Sm3.digest(new byte[0]), KEY);
    }

    /** Golden: the exact signed bytes. Changing them breaks every deployed client. */
    @Test
    void signatureBase_isPinned() {
        assertThat(new String(request().signatureBase(), StandardCharsets.UTF_8)).isEqualTo("""
                "@method": POST
                "@path": /api/v1/submissions
                "@query": ?campaign=demo&kind=report
                "date": Wed, 25 Nov 2026 02:00:00 GMT
                "x-midang-nonce": 0123456789abcdef0123456789abcdef
                "content-digest": sm3=:GrIdg1XPoX+OYRlIMegajyK+yMco/vt0ftA161CCqis=:
                "@signature-params": ("@method" "@path" "@query" "date" "x-midang-nonce" "content-digest");\
                created=1795572000;keyid="%s";alg="sm2-sm3\"""".formatted(KEY));
    }

    @Test
    void fromHeaders_roundTrips() throws Exception {
        SignedRequest r = request();
        SignedRequest back = SignedRequest.fromHeaders("POST", "/api/v1/submissions", "campaign=demo&kind=report",
                r.dateHeader(), r.nonce(), r.contentDigestHeader(), r.signatureInputHeader());
        assertThat(back).isEqualTo(r);
    }

    @Test
    void fromHeaders_otherComponentList_isRefused() {
        SignedRequest r = request();
        assertThatThrownBy(() -> SignedRequest.fromHeaders("POST", "/api/v1/submissions", "", r.dateHeader(), r.nonce(),
                r.contentDigestHeader(), r.signatureInputHeader().replace(" \"@query\"", "")))
                .isInstanceOf(KeysException.class).hasMessageContaining("must cover");
        SignedRequest p = packageRequest();
        assertThatThrownBy(() -> SignedRequest.fromHeaders("POST", "/api/v1/submissions", "", p.dateHeader(), p.nonce(),
                null, p.signatureInputHeader().replace(" \"x-midang-nonce\"", "")))
                .isInstanceOf(KeysException.class).hasMessageContaining("must cover");
    }

    SignedRequest packageRequest() {
        return new SignedRequest("POST", "/api/v1/submissions", "campaign=demo&kind=report&content_size=3",
                Instant.parse("2026-11-25T02:00:00Z"), NONCE, null, KEY);
    }

    /** Golden: a sealed package's request leaves the body out; its query names the content. */
    @Test
    void signatureBase_ofAPackage_isPinned() {
        assertThat(new String(packageRequest().signatureBase(), StandardCharsets.UTF_8)).isEqualTo("""
                "@method": POST
                "@path": /api/v1/submissions
                "@query": ?campaign=demo&kind=report&content_size=3
                "date": Wed, 25 Nov 2026 02:00:00 GMT
                "x-midang-nonce": 0123456789abcdef0123456789abcdef
                "@signature-params": ("@method" "@path" "@query" "date" "x-midang-nonce");\
                created=1795572000;keyid="%s";alg="sm2-sm3\"""".formatted(KEY));
        assertThat(packageRequest().contentDigestHeader()).isNull();
        assertThat(packageRequest().digestsBody()).isFalse();
        assertThat(request().digestsBody()).isTrue();
    }

    @Test
    void fromHeaders_ofAPackage_roundTrips_withoutAContentDigest() throws Exception {
        SignedRequest p = packageRequest();
        SignedRequest back = SignedRequest.fromHeaders("POST", "/api/v1/submissions", p.query(), p.dateHeader(), p.nonce(), null,
                p.signatureInputHeader());
        assertThat(back).isEqualTo(p);
        assertThat(back.bodySm3()).isNull();
    }

    /** Either form is exact: a digest the signature leaves out is refused, and so is a digested form without one. */
    @Test
    void fromHeaders_digestAndComponents_mustAgree() {
        SignedRequest p = packageRequest();
        assertThatThrownBy(() -> SignedRequest.fromHeaders("POST", "/api/v1/submissions", p.query(), p.dateHeader(), p.nonce(),
                request().contentDigestHeader(), p.signatureInputHeader()))
                .isInstanceOf(KeysException.class).hasMessageContaining("does not cover");
        SignedRequest r = request();
        assertThatThrownBy(() -> SignedRequest.fromHeaders("POST", "/api/v1/submissions", r.query(), r.dateHeader(), r.nonce(),
                null, r.signatureInputHeader()))
                .isInstanceOf(KeysException.class).hasMessageContaining("Content-Digest must be");
    }

    /** A package request's signature does not verify as the digested form, nor the other way round. */
    @Test
    void theTwoForms_signDifferentBytes() {
        SignedRequest p = packageRequest();
        SignedRequest digested = new SignedRequest(p.method(), p.path(), p.query(), p.date(), p.nonce(), Sm3.digest(new byte[0]), KEY);
        assertThat(p.signatureBase()).isNotEqualTo(digested.signatureBase());
        assertThat(p).isNotEqualTo(digested);
    }

    @Test
    void fromHeaders_createdNotDate_isRefused() {
        SignedRequest r = request();
        assertThatThrownBy(() -> SignedRequest.fromHeaders("POST", "/api/v1/submissions", "", "Wed, 25 Nov 2026 02:00:01 GMT",
                r.nonce(), r.contentDigestHeader(), r.signatureInputHeader()))
                .isInstanceOf(KeysException.class).hasMessageContaining("created");
    }

    @Test
    void verify_signedByHolder_passes_andOtherPathFails(@TempDir Path dir) throws Exception {
        TestPki pki = TestPki.create(dir);
        Identity alice = pki.person("alice", "unit", "unit-a");
        SignedRequest r = SignedRequest.of("GET", "/api/v1/submissions/x", "", pki.clock.instant(), NONCE,
                Sm3.digest(new byte[0]), alice.certificate());
        byte[] sig = RawSignatures.sign(alice, r.signatureBase());
        r.verify(alice.certificate(), sig);
        SignedRequest moved = SignedRequest.of("GET", "/api/v1/submissions/y", "", pki.clock.instant(), NONCE,
                Sm3.digest(new byte[0]), alice.certificate());
        assertThatThrownBy(() -> moved.verify(alice.certificate(), sig)).isInstanceOfSatisfying(KeysException.class,
                e -> assertThat(e.reason()).isEqualTo(KeysException.Reason.BAD_SIGNATURE));
    }

    @Test
    void theSignatureHeader_roundTrips_andOnlyMidangsFormIsRead() throws Exception {
        byte[] sig = {0x30, 0x45, 1, 2, 3, (byte) 0xff};
        String header = SignedRequest.signatureHeader(sig);
        assertThat(header).isEqualTo("midang=:MEUBAgP/:");
        assertThat(SignedRequest.parseSignatureHeader(header)).containsExactly(sig);
        for (String bad : new String[] {null, "", "midang=MEUBAgP/", "other=:MEUBAgP/:", "midang=:MEUBAgP/: extra"}) {
            assertThatThrownBy(() -> SignedRequest.parseSignatureHeader(bad)).as("%s", bad).isInstanceOf(KeysException.class)
                    .extracting(e -> ((KeysException) e).reason()).isEqualTo(KeysException.Reason.MALFORMED);
        }
    }

    @Test
    void aRequest_isEqualOnlyToTheSameRequest_andItsDigestCannotBeChangedFromOutside() {
        SignedRequest r = request();
        assertThat(r).isEqualTo(request()).hasSameHashCodeAs(request());
        Instant at = Instant.parse("2026-11-25T02:00:00Z");
        byte[] empty = Sm3.digest(new byte[0]);
        assertThat(r).isNotEqualTo(new SignedRequest("GET", "/api/v1/submissions", "campaign=demo&kind=report", at, NONCE, empty, KEY))
                .isNotEqualTo(new SignedRequest("POST", "/api/v1/other", "campaign=demo&kind=report", at, NONCE, empty, KEY))
                .isNotEqualTo(new SignedRequest("POST", "/api/v1/submissions", "", at, NONCE, empty, KEY))
                .isNotEqualTo(new SignedRequest("POST", "/api/v1/submissions", "campaign=demo&kind=report", at.plusSeconds(1), NONCE,
                        empty, KEY))
                .isNotEqualTo(new SignedRequest("POST", "/api/v1/submissions", "campaign=demo&kind=report", at,
                        "f".repeat(32), empty, KEY))
                .isNotEqualTo(new SignedRequest("POST", "/api/v1/submissions", "campaign=demo&kind=report", at, NONCE,
                        Sm3.digest(new byte[1]), KEY))
                .isNotEqualTo(new SignedRequest("POST", "/api/v1/submissions", "campaign=demo&kind=report", at, NONCE, empty,
                        "cd".repeat(32)))
                .isNotEqualTo("a string");
        assertThat(r.hashCode()).isNotEqualTo(new SignedRequest("GET", "/", "", at, NONCE, empty, KEY).hashCode());
        byte[] digest = r.bodySm3();
        digest[0] ^= 1;
        assertThat(r.bodySm3()).isEqualTo(empty);
        assertThat(r.toString()).isEqualTo("POST /api/v1/submissions?campaign=demo&kind=report by abababababab");
        assertThat(new SignedRequest("GET", "/healthz", null, at, NONCE, empty, KEY).toString()).isEqualTo("GET /healthz by abababababab");
    }
}
