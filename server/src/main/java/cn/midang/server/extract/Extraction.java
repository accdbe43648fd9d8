package cn.midang.server.extract;

/**
 * What extraction produced: the text (possibly cut at the write limit) and its media type, or
 * the reason there is none ("not indexed"), in words an inspector understands.
 */
public record Extraction(boolean extracted, String text, String mediaType, boolean truncated, String reason) {

    public static Extraction failed(String reason) {
        return new Extraction(false, "", "", false, reason);
    }
}
