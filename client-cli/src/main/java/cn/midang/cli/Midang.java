package cn.midang.cli;

import cn.midang.cli.admin.AdminCommand;
import cn.midang.cli.audit.AuditCommand;
import cn.midang.cli.ca.CaCommand;
import cn.midang.cli.campaign.CampaignCommand;
import cn.midang.cli.finding.FindingCommand;
import cn.midang.cli.form.FormCommand;
import cn.midang.cli.info.StatusCommand;
import cn.midang.cli.info.WhoamiCommand;
import cn.midang.cli.key.KeyCommand;
import cn.midang.cli.results.ResultsCommand;
import cn.midang.cli.sign.SignCommand;
import cn.midang.cli.sign.VerifyCommand;
import cn.midang.cli.submit.GetCommand;
import cn.midang.cli.submit.ListCommand;
import cn.midang.cli.submit.SearchCommand;
import cn.midang.cli.submit.ShowCommand;
import cn.midang.cli.submit.SubmitCommand;
import cn.midang.cli.summary.SummaryCommand;
import cn.midang.cli.tester.AttestDestructionCommand;
import cn.midang.cli.tester.EngagementsCommand;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * {@code midang}: one command for every role of a Midang deployment. This class only wires the
 * subcommands and the error handling; each subcommand is a class of its own.
 */
@Command(name = "midang",
        mixinStandardHelpOptions = true,
        versionProvider = Midang.Version.class,
        header = "Midang (密档): signed, encrypted exchange of inspection reports.",
        description = {
            "Every file you send is signed with your SM2 key and encrypted; every receipt is signed by the server.",
            "Passphrases come from MIDANG_PASSPHRASE, --passphrase-file, or a prompt; never from a flag.",
            "Server, identity and language: options, else MIDANG_SERVER / MIDANG_IDENTITY / MIDANG_LANG, else",
            "~/.midang/config (lines such as 'server = http://127.0.0.1:8443', 'identity = /home/me/unit-a.p12', 'lang = zh').",
        },
        footer = {
            "",
            "Exit codes: 0 ok, 1 internal error, 2 usage error, 3 authentication refused, 4 not found,",
            "            5 refused by policy, 6 integrity failure, 7 network failure.",
            "",
            "Examples:",
            "  midang whoami",
            "  midang submit --campaign demo --kind report 自查报告.docx",
            "  midang --lang zh list --campaign demo",
        },
        footerHeading = "")
public final class Midang implements Runnable {

    /**
     * The subcommands, in the order of the help. They are added when the command line is built: only
     * the one named is, when one is (picocli reflects over every class it is given, which took half
     * of a command's start), and all of them for the top-level help, completion and anything unknown.
     */
    static final java.util.List<Class<?>> COMMANDS = java.util.List.of(WhoamiCommand.class, StatusCommand.class,
            SubmitCommand.class, ListCommand.class, SearchCommand.class, ShowCommand.class, GetCommand.class, VerifyCommand.class,
            SignCommand.class, EngagementsCommand.class, AttestDestructionCommand.class, AdminCommand.class, AuditCommand.class,
            KeyCommand.class, CaCommand.class, CompletionCommand.class, CampaignCommand.class, FormCommand.class,
            FindingCommand.class, SummaryCommand.class, ResultsCommand.class, cn.midang.cli.log.LogCommand.class,
            cn.midang.cli.log.WitnessCommand.class, cn.midang.cli.unseal.UnsealCommand.class);

    /** Top-level options that take a value: the token after them is not a command's name. */
    private static final java.util.Set<String> VALUED_OPTIONS = java.util.Set.of("--lang");

    /** The command {@code args} name, or null when they name none (help, version, a mistake). */
    static String named(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (VALUED_OPTIONS.contains(a)) {
                i++;
            } else if (!a.startsWith("-")) {
                return a;
            }
        }
        return null;
    }

    private static String nameOf(Class<?> command) {
        Command c = command.getAnnotation(Command.class);
        return c == null ? "" : c.name();
    }

    /** The whole command tree, every subcommand added (tests walk it; the help and completion show it). */
    public static CommandLine allCommands() {
        CommandLine cl = new CommandLine(new Midang());
        addCommands(cl, new String[0]);
        return cl;
    }

    /** Adds the commands {@code args} need: the named one, or all of them. */
    private static void addCommands(CommandLine cl, String[] args) {
        String named = named(args);
        // "midang --version" prints the version: no command is needed to do that.
        if (named == null && java.util.Arrays.stream(args).anyMatch(a -> a.equals("--version") || a.equals("-V"))) {
            return;
        }
        // Commands of other modules on the class path (the web console): found, not named here.
        java.util.List<java.util.ServiceLoader.Provider<MidangCommand>> extras = java.util.ServiceLoader.load(MidangCommand.class)
                .stream().toList();
        boolean all = named == null || named.equals("completion") || named.equals("help")
                || COMMANDS.stream().noneMatch(c -> nameOf(c).equals(named)) && extras.stream().noneMatch(p -> nameOf(p.type()).equals(named));
        java.util.List<Object> chosen = new java.util.ArrayList<>();
        for (Class<?> c : COMMANDS) {
            if (all || nameOf(c).equals(named)) {
                chosen.add(c);
            }
        }
        extras.stream().filter(p -> all || nameOf(p.type()).equals(named)).forEach(p -> chosen.add(p.get()));
        chosen.add(CommandLine.HelpCommand.class);
        for (Object c : chosen) {
            cl.addSubcommand(c);
        }
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    GlobalOptions globals;

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs the command with the given output streams; returns the exit code. Used by tests. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return run(out, err, System.getenv(), args);
    }

    /** As {@link #run(PrintWriter, PrintWriter, String...)} with {@code env} in place of the environment (tests). */
    public static int run(PrintWriter out, PrintWriter err, Map<String, String> env, String... args) {
        return run(out, err, env, Clock.systemUTC(), args);
    }

    /**
     * As above, on {@code clock} instead of the system clock: the time requests are signed with and
     * receipts are checked against (tests run the command in-process on the server's test clock).
     */
    public static int run(PrintWriter out, PrintWriter err, Map<String, String> env, Clock clock, String... args) {
        CommandLine cl = new CommandLine(new Midang(clock, env));
        addCommands(cl, args);
        cl.setDefaultValueProvider(new UserConfig(env));
        // Whatever is printed, from whatever source, cannot drive the terminal (TerminalSafeWriter).
        cl.setOut(new PrintWriter(new TerminalSafeWriter(out), true));
        cl.setErr(new PrintWriter(new TerminalSafeWriter(err), true));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler(new FailureHandler());
        cl.setParameterExceptionHandler(new FailureHandler.Usage());
        // In a search, "-草稿" is a term to exclude, not an unknown option.
        if (cl.getSubcommands().containsKey("search")) {
            cl.getSubcommands().get("search").setUnmatchedOptionsArePositionalParams(true);
        }
        HelpLayout.apply(cl);
        try {
            return cl.execute(args);
        } finally {
            ((Midang) cl.getCommand()).closeOpened();
        }
    }

    private final Clock clock;
    private final Map<String, String> env;

    public Midang() {
        this(Clock.systemUTC(), System.getenv());
    }

    Midang(Clock clock, Map<String, String> env) {
        this.clock = clock;
        this.env = env;
    }

    private final java.util.List<AutoCloseable> toClose = new java.util.ArrayList<>();

    /** Closes {@code c} when the command has run (a server connection a command opened). */
    void closeAtEnd(AutoCloseable c) {
        toClose.add(c);
    }

    private void closeOpened() {
        for (AutoCloseable c : toClose) {
            try {
                c.close();
            } catch (Exception ignored) {
                // the command's result is decided; closing cannot change it
            }
        }
        toClose.clear();
    }

    /** The clock of this run: the system's, except in tests that run the command in-process. */
    Clock clock() {
        return clock;
    }

    /** The environment of this run (HOME, MIDANG_*): the process's, except in tests that run the command in-process. */
    Map<String, String> env() {
        return env;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command (see midang --help)");
    }

    /** The version from the jar manifest, or "development" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Midang.class.getPackage().getImplementationVersion();
            return new String[] {"midang " + (v == null ? "development build" : v),
                "crypto: " + cn.midang.keys.CryptoEngine.inUse() + cn.midang.keys.CryptoEngine.whyNotNative().map(w -> " — " + w)
                        .orElse(""),
                "java: " + System.getProperty("java.vm.name") + " " + Runtime.version()};
        }
    }
}
