package cn.midang.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * How {@code --help} is laid out. Descriptions are written in the source as lines of about a
 * hundred characters; picocli prints each line as its own line, wrapped at 80 columns, which cut
 * sentences in two, and lists a subcommand by its first line, often half a sentence. Here:
 * a sentence written over several lines becomes one line that picocli wraps whole; the first
 * sentence stands alone, so the parent's command list shows it complete; and the footer (the
 * examples: commands to copy) is printed as written, never wrapped.
 */
public final class HelpLayout {
    private HelpLayout() {}

    /** Applies the layout to {@code cl} and every command under it. */
    public static void apply(CommandLine cl) {
        CommandSpec spec = cl.getCommandSpec();
        spec.usageMessage().description(lead(joined(spec.usageMessage().description())).toArray(String[]::new));
        cl.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER, help -> {
            String nl = System.lineSeparator();
            String[] footer = help.commandSpec().usageMessage().footer();
            return footer.length == 0 ? "" : String.join(nl, footer) + nl;
        });
        cl.getSubcommands().values().stream().distinct().forEach(HelpLayout::apply);
    }

    /**
     * Joins a line to the one before it when that one does not end a sentence; an empty line,
     * or one that starts with a space, a dash or a bullet, always starts a new line.
     */
    static List<String> joined(String[] lines) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            boolean own = out.isEmpty() || line.isEmpty() || Character.isWhitespace(line.charAt(0))
                    || line.startsWith("-") || line.startsWith("•") || endsSentence(out.get(out.size() - 1));
            if (own) {
                out.add(line);
            } else {
                String prev = out.remove(out.size() - 1);
                out.add(prev.isEmpty() ? line : prev + (joinsWithoutSpace(prev, line) ? "" : " ") + line);
            }
        }
        return out;
    }

    /** The first line split after its first sentence, so that it can stand alone in a list. */
    static List<String> lead(List<String> lines) {
        if (lines.isEmpty()) {
            return lines;
        }
        String first = lines.get(0);
        int end = firstSentenceEnd(first);
        if (end < 0 || end >= first.length()) {
            return lines;
        }
        List<String> out = new ArrayList<>();
        out.add(first.substring(0, end).strip());
        out.add(first.substring(end).strip());
        out.addAll(lines.subList(1, lines.size()));
        return out;
    }

    private static boolean endsSentence(String line) {
        String s = line.stripTrailing();
        if (s.isEmpty()) {
            return true;
        }
        char c = s.charAt(s.length() - 1);
        return c == '.' || c == '。' || c == '!' || c == '?' || c == '！' || c == '？';
    }

    /** Chinese text runs on without a space; so does a line broken after an opening bracket or a slash. */
    private static boolean joinsWithoutSpace(String prev, String next) {
        char a = prev.charAt(prev.length() - 1);
        char b = next.charAt(0);
        return isCjk(a) && isCjk(b) || a == '(' || a == '（' || a == '/' || b == '）' || b == '，' || b == '。';
    }

    private static boolean isCjk(char c) {
        Character.UnicodeScript s = Character.UnicodeScript.of(c);
        return s == Character.UnicodeScript.HAN || (c >= '\u3000' && c <= '\u303f') || (c >= '\uff00' && c <= '\uffef');
    }

    /** The index just after the first sentence's end ("。", or "." followed by a space), or -1. */
    private static int firstSentenceEnd(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '。' || c == '！' || c == '？') {
                return i + 1;
            }
            if ((c == '.' || c == '!' || c == '?') && i + 1 < s.length() && s.charAt(i + 1) == ' '
                    && !s.startsWith("e.g", i - 3) && !s.startsWith("i.e", i - 3)) {
                return i + 1;
            }
        }
        return -1;
    }
}
