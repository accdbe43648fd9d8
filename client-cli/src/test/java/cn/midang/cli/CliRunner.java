package cn.midang.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs {@code midang} in-process, as a user would type it, and keeps what it printed. */
final class CliRunner {

    record Run(int exit, String out, String err) {}

    private CliRunner() {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Midang.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }
}
