package cn.midang.server.submission;

import cn.midang.keys.sign.CanonicalJson;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the server promises it received (SPEC C6): the canonical JSON bytes below, signed with the
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
 * anything about other units' traffic (SPEC C2). The global order is in the audit log (D40).
 */
public record Receipt(String id, long sequence, String campaign, String unit, String kind, String fileName, long size,
        String contentSm3, String submitterFingerprint, String serverFingerprint, Instant receivedAt, boolean late, String area,
        String finding) {

    /** A receipt naming no finding (anything but a rectification report). */
    public Receipt(String id, long sequence, String campaign, String unit, String kind, String fileName, long size,
            String contentSm3, String submitterFingerprint, String serverFingerprint, Instant receivedAt, boolean late, String area) {
        this(id, sequence, campaign, unit, kind, fileName, size, contentSm3, submitterFingerprint, serverFingerprint, receivedAt,
                late, area, null);
    }

    /** A receipt for a submission about no particular check area. */
    public Receipt(String id, long sequence, String campaign, String unit, String kind, String fileName, long size,
            String contentSm3, String submitterFingerprint, String serverFingerprint, Instant receivedAt, boolean late) {
        this(id, sequence, campaign, unit, kind, fileName, size, contentSm3, submitterFingerprint, serverFingerprint, receivedAt,
                late, null, null);
    }

    public static final String TYPE = "midang-receipt/1";

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
        m.put("submitter", submitterFingerprint);
        m.put("server", serverFingerprint);
        m.put("received_at", receivedAt.toString());
        m.put("late", late);
        if (area != null) {
            m.put("area", area); // only when given, so receipts without an area keep their form
        }
        if (finding != null) {
            m.put("finding", finding); // the finding a rectification report answers
        }
        return CanonicalJson.encode(m);
    }
}
