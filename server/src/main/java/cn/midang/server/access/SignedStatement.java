package cn.midang.server.access;

import cn.midang.keys.KeysException;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.sign.RawSignatures;
import cn.midang.server.http.ApiException;
import cn.midang.server.http.ErrorCode;
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

    /** Reads and verifies the statement in {@code body}; a bad one is refused with {@code bad}. */
    public static SignedStatement from(JsonNode body, Certificate signer, String type, ErrorCode bad) throws ApiException {
        byte[] statement;
        byte[] signature;
        try {
            statement = Base64.getDecoder().decode(field(body, "statement", 8192));
            signature = Base64.getDecoder().decode(field(body, "signature", 512));
        } catch (IllegalArgumentException x) {
            throw new ApiException(ErrorCode.MALFORMED_REQUEST, "statement and signature must be base64");
        }
        try {
            RawSignatures.verify(signer, signature, statement);
            JsonNode s = JSON.readTree(statement);
            if (s == null || !type.equals(s.path("type").asText()) || !signer.fingerprint().equals(s.path("signer").asText())) {
                throw new ApiException(bad, "statement of another type or signer");
            }
            return new SignedStatement(statement, signature, s);
        } catch (KeysException | IOException x) {
            throw new ApiException(bad, "statement signature: " + x.getMessage(), x);
        }
    }

    private static String field(JsonNode body, String name, int max) throws ApiException {
        String v = body.path(name).asText("");
        if (v.isBlank() || v.length() > max) {
            throw new ApiException(ErrorCode.MALFORMED_REQUEST, "missing or overlong " + name);
        }
        return v;
    }
}
