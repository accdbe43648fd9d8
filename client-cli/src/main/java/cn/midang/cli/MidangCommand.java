package cn.midang.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every {@code midang} subcommand shares: the global options ({@code --json --lang
 * --debug}, declared once on the root command and accepted before or after the subcommand's
 * name), its output, and its message catalogue.
 */
public abstract class MidangCommand implements Callable<Integer> {

    @Spec
    protected CommandSpec spec;

    public GlobalOptions globals() {
        return GlobalOptions.of(spec);
    }

    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }

    protected PrintWriter err() {
        return spec.commandLine().getErr();
    }

    protected Messages messages() {
        return globals().messages();
    }

    /** The user's home folder for this run (HOME of the run's environment), where ~/.midang lives. */
    protected java.nio.file.Path home() {
        return CliFiles.userHome(spec.root().userObject() instanceof Midang m ? m.env() : System.getenv());
    }
}
