package cn.midang.server.extract;

/**
 * What extraction produced: the text (possibly cut at the write limit) and its media type, or why
 * there is none ({@code note}, from the catalogue a user is shown) with what the parser said
 * ({@code detail}: for the server log only, it may quote names from inside the file). {@code
 * recognisedPages}: how many pages the text was recognised from (OCR), 0 for typed text.
 */
public record Extraction(boolean extracted, String text, String mediaType, boolean truncated, IndexNote note, String detail,
        int recognisedPages) {

    /** Typed text (no page of it recognised). */
    public Extraction(boolean extracted, String text, String mediaType, boolean truncated, IndexNote note, String detail) {
        this(extracted, text, mediaType, truncated, note, detail, 0);
    }

    public static Extraction failed(IndexNote note, String detail) {
        return new Extraction(false, "", "", false, note, detail);
    }

    /** The note and the detail, for a log line. */
    public String reason() {
        return note == null ? "" : note.code() + (detail == null || detail.isEmpty() ? "" : ": " + detail);
    }
}
