package cn.midang.cli;

import picocli.CommandLine.Option;

/** Options every subcommand takes; mixed in with {@code @Mixin}. */
public final class GlobalOptions {

    @Option(names = "--json", description = "Print results as JSON (for scripts) instead of sentences.")
    public boolean json;

    @Option(names = "--lang", paramLabel = "zh|en", description = "Language of messages: zh (中文) or en. Default: MIDANG_LANG, then LANG.")
    public String lang;

    @Option(names = "--debug", description = "Show the technical details (stack trace) of a failure.")
    public boolean debug;

    public Messages messages() {
        return Messages.forLanguage(lang);
    }
}
