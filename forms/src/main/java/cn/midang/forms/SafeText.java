package cn.midang.forms;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.CharBuffer;
import java.util.Optional;

/**
 * Text that came from someone else — a file name a co-user signed, a campaign title, a finding, a
 * server's message — on its way to a person: which file names are acceptable at all (client and
 * server apply the same rule), and how anything is shown on a terminal without letting it move the
 * cursor, retitle the window, clear the screen or reverse the reading order.
 *
 * <p>Unsafe characters are the C0 and C1 controls and DEL (escape sequences start with ESC or CSI),
 * the bidirectional controls (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069: "report‮txt.exe"
 * reads as an .exe's name reversed), the line and paragraph separators U+2028 and U+2029, and
 * lone surrogates.
 */
public final class SafeText {

    /** The longest file name, in UTF-8 bytes (what Linux and most file systems allow). */
    public static final int MAX_FILE_NAME_BYTES = 255;

    private SafeText() {}

    /** Whether code point {@code cp} must never reach a terminal or a file name as it is. */
    public static boolean unsafe(int cp) {
        return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || bidiControl(cp) || cp == 0x2028 || cp == 0x2029
                || Character.isSurrogate((char) cp) && cp <= 0xFFFF;
    }

    /** The Unicode bidirectional formatting characters. */
    static boolean bidiControl(int cp) {
        return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
    }

    /** Characters that show nothing: spaces, format characters (zero-width space, joiners, BOM), and unsafe ones. */
    static boolean invisible(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp) || Character.getType(cp) == Character.FORMAT || unsafe(cp)
                || cp == 0x3164 || cp == 0x115F || cp == 0x1160 || cp == 0xFFA0; // Hangul fillers, blank but not "format"
    }

    /**
     * What is wrong with {@code name} as the name of a submitted file, or empty when it is
     * acceptable: a plain name (no folder), not {@code .} or {@code ..}, at most 255 bytes of UTF-8,
     * no unsafe character (see the class comment), and at least one visible character.
     */
    public static Optional<String> fileNameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.of("the file name is empty");
        }
        if (name.equals(".") || name.equals("..")) {
            return Optional.of("the file name is '" + name + "', which names a folder");
        }
        if (name.indexOf('/') >= 0 || name.indexOf('\\') >= 0) {
            return Optional.of("the file name contains a folder separator (/ or \\)");
        }
        int bad = name.codePoints().filter(SafeText::unsafe).findFirst().orElse(-1);
        if (bad >= 0) {
            return Optional.of(String.format("the file name contains the control or direction character U+%04X", bad));
        }
        if (name.codePoints().allMatch(SafeText::invisible)) {
            return Optional.of("the file name has no visible character (only spaces or zero-width characters)");
        }
        int bytes;
        try {
            bytes = StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(name)).remaining();
        } catch (CharacterCodingException e) {
            return Optional.of("the file name is not valid Unicode text");
        }
        if (bytes > MAX_FILE_NAME_BYTES) {
            return Optional.of("the file name is " + bytes + " bytes long in UTF-8; at most " + MAX_FILE_NAME_BYTES + " are allowed");
        }
        return Optional.empty();
    }

    /**
     * {@code s} as it may be shown on a terminal: every unsafe character but line feed and tab
     * written as {@code <U+XXXX>}, so that it is seen rather than obeyed. Null stays null.
     */
    public static String printable(String s) {
        if (s == null) {
            return null;
        }
        StringBuilder out = null;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int n = Character.charCount(cp);
            boolean escape = unsafe(cp) && cp != '\n' && cp != '\t';
            if (escape && out == null) {
                out = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (escape) {
                out.append(String.format("<U+%04X>", cp));
            } else if (out != null) {
                out.appendCodePoint(cp);
            }
            i += n;
        }
        return out == null ? s : out.toString();
    }
}
