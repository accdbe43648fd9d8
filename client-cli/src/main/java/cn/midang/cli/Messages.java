package cn.midang.cli;

import java.text.MessageFormat;
import java.util.Locale;
import java.util.MissingResourceException;
import java.util.ResourceBundle;

/**
 * The message catalogue of the CLI, in Chinese and English ({@code messages.properties},
 * {@code messages_zh.properties}). The language comes from {@code --lang}, then
 * {@code MIDANG_LANG}, then the locale ({@code LANG}).
 */
public final class Messages {

    private final ResourceBundle bundle;
    private final Locale locale;

    private Messages(Locale locale) {
        this.locale = locale;
        this.bundle = ResourceBundle.getBundle("cn.midang.cli.messages", locale,
                ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES));
    }

    /** {@code lang} is "zh", "en" or null (then the environment decides). */
    public static Messages forLanguage(String lang) {
        String chosen = lang;
        if (chosen == null || chosen.isBlank()) {
            chosen = System.getenv("MIDANG_LANG");
        }
        if (chosen == null || chosen.isBlank()) {
            String env = System.getenv("LANG");
            chosen = env != null && env.toLowerCase(Locale.ROOT).startsWith("zh") ? "zh" : "en";
        }
        return new Messages(chosen.toLowerCase(Locale.ROOT).startsWith("zh") ? Locale.SIMPLIFIED_CHINESE : Locale.ROOT);
    }

    public boolean chinese() {
        return locale.getLanguage().equals("zh");
    }

    private static final java.time.ZoneId CHINA = java.time.ZoneId.of("Asia/Shanghai");

    /**
     * An instant as people in the offices read it: China Standard Time, in Chinese
     * {@code 2026年11月30日 11:53（北京时间）}, in English {@code 2026-11-30 11:53 CST (UTC+8)}.
     */
    public String time(java.time.Instant t) {
        return t == null ? "-" : chinaTime(t, chinese());
    }

    private static final java.time.format.DateTimeFormatter ZH_TIME = java.time.format.DateTimeFormatter.ofPattern("uuuu年M月d日 HH:mm");
    private static final java.time.format.DateTimeFormatter EN_TIME = java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm 'CST'");

    /** {@code t} in China Standard Time: {@code 2026年11月30日 17:00}, or {@code 2026-11-30 17:00 CST}; the one definition for the CLI and the console. */
    public static String chinaTime(java.time.Instant t, boolean chinese) {
        return (chinese ? ZH_TIME : EN_TIME).format(t.atZone(CHINA));
    }

    public String get(String key, Object... args) {
        String pattern;
        try {
            pattern = bundle.getString(key);
        } catch (MissingResourceException e) {
            return key;
        }
        return new MessageFormat(pattern, locale).format(args);
    }
}
