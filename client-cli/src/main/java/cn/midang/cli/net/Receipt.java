package cn.midang.cli.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * A receipt as the client reads it: the exact signed bytes, the server's signature, and the
 * fields parsed from the bytes (never from anything unsigned).
 */
public record Receipt(byte[] bytes, byte[] signature, String id, long sequence, String campaign, String unit, String kind,
        String fileName, long size, String contentSm3, String submitter, String server, String receivedAt, boolean late,
        String area, String finding) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A receipt id: 128 random bits in hex, the only form the server makes (and a safe file name). */
    public static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[0-9a-f]{32}");
    private static final java.util.regex.Pattern SM3 = java.util.regex.Pattern.compile("[0-9a-f]{64}");

    /**
     * Reads a receipt's signed bytes; refuses anything not of the receipt's form (an id that is not
     * 32 hex digits, a digest or key fingerprint that is not SM3 hex, a time that is not one), so
     * that no field can be used as a path or mistaken for another.
     */
    public static Receipt parse(byte[] bytes, byte[] signature) throws IOException {
        JsonNode n = JSON.readTree(bytes);
        if (n == null || !"midang-receipt/1".equals(n.path("type").asText())) {
            throw new IOException("not a Midang receipt (type " + (n == null ? "none" : n.path("type").asText()) + ")");
        }
        if (!ID.matcher(n.path("id").asText()).matches() || !SM3.matcher(n.path("content_sm3").asText()).matches()
                || !SM3.matcher(n.path("server").asText()).matches() || !SM3.matcher(n.path("submitter").asText()).matches()
                || !n.path("size").canConvertToLong() || n.path("size").asLong() < 0 || !n.path("sequence").canConvertToLong()
                || !n.path("late").isBoolean()) {
            throw new IOException("not a well-formed Midang receipt (id, digests, size, sequence or late)");
        }
        try {
            java.time.Instant.parse(n.path("received_at").asText());
        } catch (java.time.format.DateTimeParseException e) {
            throw new IOException("the receipt's received_at is not a time", e);
        }
        return new Receipt(bytes.clone(), signature.clone(), n.path("id").asText(), n.path("sequence").asLong(),
                n.path("campaign").asText(), n.path("unit").asText(), n.path("kind").asText(), n.path("file_name").asText(),
                n.path("size").asLong(), n.path("content_sm3").asText(), n.path("submitter").asText(),
                n.path("server").asText(), n.path("received_at").asText(), n.path("late").asBoolean(),
                n.hasNonNull("area") ? n.get("area").asText() : null, n.hasNonNull("finding") ? n.get("finding").asText() : null);
    }
}
