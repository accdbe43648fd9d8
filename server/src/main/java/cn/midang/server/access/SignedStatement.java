package cn.midang.server.access;

import cn.midang.keys.KeysException;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.sign.RawSignatures;
import cn.midang.server.refusal.ApiException;
import cn.midang.server.refusal.ErrorCode;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Base64;

/**
 * A statement the caller signed with their own key (raw SM2 over canonical JSON), sent as
 * {@code {"statement": base64, "signature": base64}}: a destruction attestation, a lifecycle step.
 * It is accepted only when the signature verifies with the caller's certificate and the statement
 * has the expected {@code type} and names the caller as {@code signer}; the bytes are kept as signed,
 * so anyone with the signer's certificate can check them later (OpenSSL included).
 */
public record SignedStatement(byte[] statement, byte[] signature, JsonNode fields) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_STATEMENT = 8192;
    private static final int MAX_SIGNATURE = 512;

    /**
     * Reads the statement in {@code body} without checking it (a route may need to know what it
     * asks for before the access decision); null when there is none that can be read.
     */
    public static SignedStatement read(JsonNode body) {
        String statement = body.path("statement").asText("");
        String signature = body.path("signature").asText("");
        if (statement.isBlank() || signature.isBlank() || statement.length() > MAX_STATEMENT * 2 || signature.length() > MAX_SIGNATURE) {
            return null;
        }
        try {
            byte[] bytes = Base64.getDecoder().decode(statement);
            JsonNode fields = JSON.readTree(bytes);
            return fields == null || !fields.isObject() ? null : new SignedStatement(bytes, Base64.getDecoder().decode(signature), fields);
        } catch (IllegalArgumentException | IOException e) {
            return null;
        }
    }

    /** Reads and verifies the statement in {@code body}; a bad one is refused with {@code bad}. */
    public static SignedStatement from(JsonNode body, Certificate signer, String type, ErrorCode bad) throws ApiException {
        SignedStatement s = read(body);
        if (s == null) {
            throw new ApiException(ErrorCode.MALFORMED_REQUEST, "no readable statement and signature (base64)");
        }
        return s.verifiedBy(signer, type, bad);
    }

    /** This statement, once its signature verifies with {@code signer} and it is of {@code type} and names the signer. */
    public SignedStatement verifiedBy(Certificate signer, String type, ErrorCode bad) throws ApiException {
        try {
            RawSignatures.verify(signer, signature, statement);
        } catch (KeysException x) {
            throw new ApiException(bad, "statement signature: " + x.getMessage(), x);
        }
        if (!type.equals(fields.path("type").asText()) || !signer.fingerprint().equals(fields.path("signer").asText())) {
            throw new ApiException(bad, "statement of another type or signer");
        }
        return this;
    }
}
