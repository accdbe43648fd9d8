package cn.midang.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * Options of every command, declared once on {@code midang} and inherited by every subcommand,
 * so {@code midang --lang zh get ...} and {@code midang get ... --lang zh} mean the same.
 */
public final class GlobalOptions {

    @Option(names = "--json", scope = ScopeType.INHERIT,
            description = "Print results as JSON (for scripts) instead of sentences.")
    public boolean json;

    @Option(names = "--lang", paramLabel = "zh|en", scope = ScopeType.INHERIT,
            description = "Language of messages: zh (中文) or en. Default: MIDANG_LANG, then lang in ~/.midang/config, then LANG.")
    public String lang;

    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "Show the technical details (stack trace) of a failure.")
    public boolean debug;

    public Messages messages() {
        return Messages.forLanguage(lang);
    }

    /** The global options of the command line {@code spec} belongs to. */
    public static GlobalOptions of(CommandSpec spec) {
        return spec.root().userObject() instanceof Midang m ? m.globals : new GlobalOptions();
    }
}
