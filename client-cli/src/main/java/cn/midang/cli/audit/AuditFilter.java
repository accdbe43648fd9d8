package cn.midang.cli.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * Which records of a verified audit export a reader asked to see (null: any), as
 * {@code midang audit show} and the console's audit page narrow them: all given conditions must
 * match.
 */
public record AuditFilter(String action, String decision, String org, String contains) {

    public boolean matches(JsonNode r) {
        if (action != null && !action.equalsIgnoreCase(r.path("action").asText())) {
            return false;
        }
        if (decision != null && !decision.toLowerCase(Locale.ROOT).equals(r.path("decision").asText())) {
            return false;
        }
        if (org != null && !org.equals(r.path("organisation").asText())) {
            return false;
        }
        return contains == null || object(r).contains(contains) || r.path("reason").asText().contains(contains);
    }

    /** The object as a reader wants it: a search's terms opened (marked *), not their ciphertext. */
    public static String object(JsonNode r) {
        String o = r.path("object").asText();
        int sealed = o.indexOf(":sealed:");
        return sealed < 0 || !r.has("object_text") ? o : o.substring(0, sealed) + " 「" + r.path("object_text").asText() + "」*";
    }
}
