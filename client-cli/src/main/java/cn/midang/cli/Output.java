package cn.midang.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.util.Map;

/** Prints a result as a sentence for people or as one JSON object for scripts. */
public final class Output {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private Output() {}

    public static String json(Map<String, ?> fields) {
        try {
            return JSON.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Prints {@code fields} as JSON when asked to, else the catalogue message {@code key}. */
    public static void result(PrintWriter out, GlobalOptions g, Map<String, ?> fields, String key, Object... args) {
        out.println(g.json ? json(fields) : g.messages().get(key, args));
        out.flush();
    }
}
