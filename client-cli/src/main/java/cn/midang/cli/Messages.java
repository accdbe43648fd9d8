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
