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

    public static Receipt parse(byte[] bytes, byte[] signature) throws IOException {
        JsonNode n = JSON.readTree(bytes);
        if (!"midang-receipt/1".equals(n.path("type").asText())) {
            throw new IOException("not a Midang receipt (type " + n.path("type").asText() + ")");
        }
        return new Receipt(bytes.clone(), signature.clone(), n.path("id").asText(), n.path("sequence").asLong(),
                n.path("campaign").asText(), n.path("unit").asText(), n.path("kind").asText(), n.path("file_name").asText(),
                n.path("size").asLong(), n.path("content_sm3").asText(), n.path("submitter").asText(),
                n.path("server").asText(), n.path("received_at").asText(), n.path("late").asBoolean(),
                n.hasNonNull("area") ? n.get("area").asText() : null, n.hasNonNull("finding") ? n.get("finding").asText() : null);
    }
}
