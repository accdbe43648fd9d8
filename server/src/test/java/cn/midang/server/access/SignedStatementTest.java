package cn.midang.server.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.keys.pki.Identity;
import cn.midang.keys.sign.CanonicalJson;
import cn.midang.keys.sign.RawSignatures;
import cn.midang.keys.testkit.TestPki;
import cn.midang.server.refusal.ApiException;
import cn.midang.server.refusal.ErrorCode;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signed statements (lifecycle steps, destruction attestations): only the signer's own statement of the right type passes. */
class SignedStatementTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String TYPE = "midang-transition/1";

    @TempDir
    Path tmp;

    static JsonNode body(Identity signer, Identity named, String type) throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.put("signer", named.certificate().fingerprint());
        m.put("campaign", "demo");
        byte[] statement = CanonicalJson.encode(m);
        return JSON.valueToTree(Map.of("statement", Base64.getEncoder().encodeToString(statement),
                "signature", Base64.getEncoder().encodeToString(RawSignatures.sign(signer, statement))));
    }

    @Test
    void theSignersOwnStatementOfTheType_passes_andAnythingElseIsRefusedWithTheGivenCode() throws Exception {
        TestPki pki = TestPki.create(tmp);
        Identity admin = pki.person("admin", "admin", "office");
        Identity other = pki.person("other", "admin", "office");
        SignedStatement s = SignedStatement.from(body(admin, admin, TYPE), admin.certificate(), TYPE, ErrorCode.BAD_STATEMENT);
        assertThat(s.fields().path("campaign").asText()).isEqualTo("demo");

        assertThatThrownBy(() -> SignedStatement.from(body(other, admin, TYPE), admin.certificate(), TYPE, ErrorCode.BAD_STATEMENT))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_STATEMENT));
        assertThatThrownBy(() -> SignedStatement.from(body(admin, other, TYPE), admin.certificate(), TYPE, ErrorCode.BAD_STATEMENT))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_STATEMENT));
        assertThatThrownBy(() -> SignedStatement.from(body(admin, admin, "midang-destruction-attestation/1"), admin.certificate(),
                TYPE, ErrorCode.BAD_ATTESTATION))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_ATTESTATION));
        assertThatThrownBy(() -> SignedStatement.from(JSON.readTree("{}"), admin.certificate(), TYPE, ErrorCode.BAD_STATEMENT))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_REQUEST));
        assertThat(SignedStatement.read(JSON.readTree("{\"statement\":\"not base64!\",\"signature\":\"AA==\"}"))).isNull();
        assertThat(SignedStatement.read(JSON.readTree("{\"statement\":\"" + "A".repeat(20000) + "\",\"signature\":\"AA==\"}"))).isNull();
        assertThat(SignedStatement.read(JSON.readTree("{\"statement\":\"WzFd\",\"signature\":\"AA==\"}"))).as("a JSON array").isNull();
    }
}
