package cn.midang.cli.net;

import java.io.IOException;
import java.util.regex.Pattern;

/**
 * A receipt as the client holds it: the exact signed bytes, the server's signature, and the fields
 * parsed from the bytes (never from anything unsigned) by the one definition the server writes with,
 * {@link cn.midang.forms.Receipt}.
 */
public record Receipt(byte[] bytes, byte[] signature, cn.midang.forms.Receipt fields) {

    /** A receipt id: 128 random bits in hex, the only form the server makes (and a safe file name). */
    public static final Pattern ID = cn.midang.forms.Receipt.ID;

    /** Reads a receipt's signed bytes, refusing anything not of the receipt's form ({@link cn.midang.forms.Receipt#parse}). */
    public static Receipt parse(byte[] bytes, byte[] signature) throws IOException {
        return new Receipt(bytes.clone(), signature.clone(), cn.midang.forms.Receipt.parse(bytes));
    }

    public String id() {
        return fields.id();
    }

    public long sequence() {
        return fields.sequence();
    }

    public String campaign() {
        return fields.campaign();
    }

    public String unit() {
        return fields.unit();
    }

    public String kind() {
        return fields.kind();
    }

    public String fileName() {
        return fields.fileName();
    }

    public long size() {
        return fields.size();
    }

    public String contentSm3() {
        return fields.contentSm3();
    }

    /** The SM3 fingerprint of the submitter's certificate. */
    public String submitter() {
        return fields.submitter();
    }

    /** The SM3 fingerprint of the server's signing certificate. */
    public String server() {
        return fields.server();
    }

    /** When the server received it, as the receipt writes it (ISO-8601, UTC). */
    public String receivedAt() {
        return fields.receivedAt().toString();
    }

    /** When the server received it. */
    public java.time.Instant received() {
        return fields.receivedAt();
    }

    public boolean late() {
        return fields.late();
    }

    public String area() {
        return fields.area();
    }

    public String finding() {
        return fields.finding();
    }
}
