package cn.midang.keys.sign;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The canonical JSON of RFC 8785 (JCS) for the objects Midang signs: keys sorted, no whitespace,
 * strings escaped minimally; strings, integers, booleans, objects and arrays (no floats, no
 * nulls). Signed bytes
 * are always produced here and nowhere else.
 */
public final class CanonicalJson {

    private CanonicalJson() {}

    public static byte[] encode(Map<String, ?> object) {
        StringBuilder sb = new StringBuilder();
        value(sb, object);
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void value(StringBuilder sb, Object v) {
        if (v instanceof String s) {
            string(sb, s);
        } else if (v instanceof Long || v instanceof Integer) {
            sb.append(v);
        } else if (v instanceof Boolean b) {
            sb.append(b);
        } else if (v instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            TreeMap<String, Object> sorted = new TreeMap<>(); // String order is UTF-16 code-unit order, as JCS sorts
            m.forEach((k, x) -> sorted.put((String) k, x));
            for (Map.Entry<String, ?> e : sorted.entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                string(sb, e.getKey());
                sb.append(':');
                value(sb, e.getValue());
            }
            sb.append('}');
        } else if (v instanceof List<?> list) {
            sb.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                value(sb, list.get(i));
            }
            sb.append(']');
        } else {
            throw new IllegalArgumentException("canonical JSON here takes strings, integers, booleans, objects and arrays, not "
                    + (v == null ? "null" : v.getClass().getSimpleName()));
        }
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
