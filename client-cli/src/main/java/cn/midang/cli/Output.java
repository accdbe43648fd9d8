package cn.midang.cli;

import cn.midang.forms.SafeText;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.util.Map;

/** Prints a result as a sentence for people or as one JSON object for scripts. */
public final class Output {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    static {
        JSON.getFactory().setCharacterEscapes(new SafeEscapes());
    }

    /**
     * JSON for scripts keeps every string exactly, but a control or direction character (see
     * {@code forms.SafeText}) is written as its backslash-u escape (&#92;u202e), never raw: a script that
     * prints a value decides itself what to show.
     */
    private static final class SafeEscapes extends CharacterEscapes {
        private static final long serialVersionUID = 1L;
        private final int[] ascii = standardAsciiEscapesForJSON();

        SafeEscapes() {
            ascii[0x7F] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return SafeText.unsafe(ch) && !Character.isSurrogate((char) ch)
                    ? new SerializedString(String.format("\\u%04x", ch)) : null;
        }
    }

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
