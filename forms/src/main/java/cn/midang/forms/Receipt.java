package cn.midang.forms;

import cn.midang.keys.sign.CanonicalJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What the server promises it received (SPEC C6), one definition for the server that writes it and
 * the client that reads it: the canonical JSON bytes below (RFC 8785 key order), signed with the
 * server's raw SM2 signature so that {@code openssl dgst -sm3 -verify server-signing-pub.pem
 * -sigopt distid:1234567812345678 -signature ID.receipt.sig ID.receipt} confirms it.
 *
 * <pre>
 * {"campaign":"demo","content_sm3":"…","file_name":"report.docx","id":"…","kind":"report","late":false,
 *  "received_at":"2026-11-25T02:00:00.123Z","sequence":1,"server":"<SM3 of server-signing.crt>","size":12345,
 *  "submitter":"<SM3 of the submitter's certificate>","type":"midang-receipt/1","unit":"unit-a"}
 * </pre>
 *
 * <p>{@code sequence} numbers the receipts of the submitter's organisation (the server's own for
 * the documents it makes): it proves the order of one unit's submissions without telling the unit
 * anything about other units' traffic (SPEC C2). {@code area} and {@code finding} appear only when
 * given, so receipts without them keep their form. The golden file
 * {@code forms/src/test/resources/cn/midang/forms/receipt-golden.json} pins the bytes: receipts
 * already issued depend on them.
 */
public record Receipt(String id, long sequence, String campaign, String unit, String kind, String fileName, long size,
        String contentSm3, String submitter, String server, Instant receivedAt, boolean late, String area, String finding) {

    public static final String TYPE = "midang-receipt/1";

    /** A receipt id: 128 random bits in hex, the only form the server makes (and a safe file name). */
    public static final Pattern ID = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern SM3 = Pattern.compile("[0-9a-f]{64}");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The exact bytes that are signed. */
    public byte[] canonicalBytes() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", TYPE);
        m.put("id", id);
        m.put("sequence", sequence);
        m.put("campaign", campaign);
        m.put("unit", unit);
        m.put("kind", kind);
        m.put("file_name", fileName);
        m.put("size", size);
        m.put("content_sm3", contentSm3);
        m.put("submitter", submitter);
        m.put("server", server);
        m.put("received_at", receivedAt.toString());
        m.put("late", late);
        if (area != null) {
            m.put("area", area);
        }
        if (finding != null) {
            m.put("finding", finding);
        }
        return CanonicalJson.encode(m);
    }

    /**
     * Reads a receipt's signed bytes; refuses anything not of the receipt's form (an id that is not
     * 32 hex digits, a digest or key fingerprint that is not SM3 hex, a time that is not one), so
     * that no field can be used as a path or mistaken for another.
     */
    public static Receipt parse(byte[] bytes) throws IOException {
        JsonNode n = JSON.readTree(bytes);
        if (n == null || !TYPE.equals(n.path("type").asText())) {
            throw new IOException("not a Midang receipt (type " + (n == null ? "none" : n.path("type").asText()) + ")");
        }
        if (!ID.matcher(n.path("id").asText()).matches() || !SM3.matcher(n.path("content_sm3").asText()).matches()
                || !SM3.matcher(n.path("server").asText()).matches() || !SM3.matcher(n.path("submitter").asText()).matches()
                || !n.path("size").canConvertToLong() || n.path("size").asLong() < 0 || !n.path("sequence").canConvertToLong()
                || !n.path("late").isBoolean()) {
            throw new IOException("not a well-formed Midang receipt (id, digests, size, sequence or late)");
        }
        Instant receivedAt;
        try {
            receivedAt = Instant.parse(n.path("received_at").asText());
        } catch (DateTimeParseException e) {
            throw new IOException("the receipt's received_at is not a time", e);
        }
        return new Receipt(n.path("id").asText(), n.path("sequence").asLong(), n.path("campaign").asText(), n.path("unit").asText(),
                n.path("kind").asText(), n.path("file_name").asText(), n.path("size").asLong(), n.path("content_sm3").asText(),
                n.path("submitter").asText(), n.path("server").asText(), receivedAt, n.path("late").asBoolean(),
                n.hasNonNull("area") ? n.get("area").asText() : null, n.hasNonNull("finding") ? n.get("finding").asText() : null);
    }
}
