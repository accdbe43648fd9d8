package cn.midang.keys.sign;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * The canonical JSON of RFC 8785 (JCS) for the flat objects Midang signs: keys sorted, no
 * whitespace, strings escaped minimally, integers and booleans only (no floats). Signed bytes
 * are always produced here and nowhere else.
 */
public final class CanonicalJson {

    private CanonicalJson() {}

    public static byte[] encode(Map<String, ?> object) {
        StringBuilder sb = new StringBuilder("{");
        boolean first = true;
        for (Map.Entry<String, ?> e : new TreeMap<>(object).entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            string(sb, e.getKey());
            sb.append(':');
            Object v = e.getValue();
            if (v instanceof String s) {
                string(sb, s);
            } else if (v instanceof Long || v instanceof Integer) {
                sb.append(v);
            } else if (v instanceof Boolean b) {
                sb.append(b);
            } else {
                throw new IllegalArgumentException("canonical JSON here takes strings, integers and booleans, not " + v);
            }
        }
        return sb.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
