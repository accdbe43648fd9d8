package cn.midang.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs {@code midang} in-process, as a user would type it, and keeps what it printed. The
 * environment is the real one except that the user's own {@code ~/.midang/config} is never read
 * (tests name their own with {@code MIDANG_CONFIG}).
 */
final class CliRunner {

    record Run(int exit, String out, String err) {}

    private CliRunner() {}

    static Run run(String... args) {
        return run(Map.of(), args);
    }

    /** With {@code extra} added to the environment. */
    static Run run(Map<String, String> extra, String... args) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("MIDANG_CONFIG", "/nonexistent/midang-test-config");
        env.remove("MIDANG_LANG");
        env.putAll(extra);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Midang.run(new PrintWriter(out, true), new PrintWriter(err, true), env, args);
        return new Run(code, out.toString(), err.toString());
    }
}
