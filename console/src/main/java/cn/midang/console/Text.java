package cn.midang.console;

import java.text.MessageFormat;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.MissingResourceException;
import java.util.ResourceBundle;

/**
 * What a page says, in Chinese first (English by the switch): the console's messages, times in
 * China Standard Time written the Chinese way, sizes, and a search snippet cut into plain and
 * marked pieces (so that a page escapes every piece and marks the matches without ever trusting
 * the text as HTML). Templates call it as {@code t}.
 */
public final class Text {


    private final boolean chinese;
    private final ResourceBundle bundle;

    Text(boolean chinese) {
        this.chinese = chinese;
        this.bundle = ResourceBundle.getBundle("cn.midang.console.console", chinese ? Locale.SIMPLIFIED_CHINESE : Locale.ROOT);
    }

    public boolean chinese() {
        return chinese;
    }

    public String lang() {
        return chinese ? "zh-CN" : "en";
    }

    /** The message {@code key} (templates call these fixed-arity forms: OGNL does not call varargs methods). */
    public String get(String key) {
        return format(key, new Object[0]);
    }

    public String get(String key, Object a) {
        return format(key, new Object[] {a});
    }

    public String get(String key, Object a, Object b) {
        return format(key, new Object[] {a, b});
    }

    public String get(String key, Object a, Object b, Object c) {
        return format(key, new Object[] {a, b, c});
    }

    public String get(String key, Object a, Object b, Object c, Object d, Object e) {
        return format(key, new Object[] {a, b, c, d, e});
    }

    private String format(String key, Object[] args) {
        try {
            return new MessageFormat(bundle.getString(key), chinese ? Locale.SIMPLIFIED_CHINESE : Locale.ROOT).format(args);
        } catch (MissingResourceException e) {
            return key;
        }
    }

    /** An ISO-8601 instant as people in the offices read it: {@code 2026年11月30日 17:00} (China Standard Time). */
    public String time(String iso) {
        if (iso == null || iso.isBlank()) {
            return "—";
        }
        try {
            return time(Instant.parse(iso));
        } catch (DateTimeParseException e) {
            return iso;
        }
    }

    public String time(Instant t) {
        return cn.midang.cli.Messages.chinaTime(t, chinese);
    }

    /** How long until {@code iso} from {@code now}: "还剩 3 天 4 小时", or "已截止". */
    public String countdown(String iso, Instant now) {
        if (iso == null || iso.isBlank()) {
            return "";
        }
        try {
            Duration d = Duration.between(now, Instant.parse(iso));
            if (d.isNegative() || d.isZero()) {
                return get("countdown.passed");
            }
            return get("countdown.left", d.toDays(), d.toHoursPart());
        } catch (DateTimeParseException e) {
            return "";
        }
    }

    /** A size in bytes, KiB or MiB. */
    public String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
    }

    /** One piece of a snippet: text, and whether it is a match. */
    public record Piece(String text, boolean marked) {}

    /** A snippet whose matches the server marked 【like this】, cut into pieces; a stray bracket is text. */
    public static List<Piece> pieces(String snippet) {
        List<Piece> out = new ArrayList<>();
        if (snippet == null) {
            return out;
        }
        int i = 0;
        while (i < snippet.length()) {
            int open = snippet.indexOf('【', i);
            int close = open < 0 ? -1 : snippet.indexOf('】', open + 1);
            if (open < 0 || close < 0) {
                out.add(new Piece(snippet.substring(i), false));
                break;
            }
            if (open > i) {
                out.add(new Piece(snippet.substring(i, open), false));
            }
            out.add(new Piece(snippet.substring(open + 1, close), true));
            i = close + 1;
        }
        return out;
    }
}
