package cn.midang.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Checks on files named on the command line, with the catalogue's messages. */
public final class CliFiles {
    private CliFiles() {}

    public static Path requireFile(Path p, String what) {
        if (!Files.isRegularFile(p)) {
            throw new CliFailure(ExitCode.NOT_FOUND, "error.file.missing", what, p);
        }
        return p;
    }

    /**
     * Writes {@code data} to {@code target} under a temporary name beside it, forces it to disk
     * and renames it, so {@code target} is either the old file or the whole new one.
     */
    public static void writeAtomically(Path target, byte[] data) throws java.io.IOException {
        try {
            cn.midang.keys.io.SafeFiles.writeAtomically(target, data, false);
        } catch (cn.midang.keys.KeysException e) {
            throw new java.io.IOException(e.getMessage(), e);
        }
    }

    public static Path requireAbsent(Path p) {
        if (Files.exists(p)) {
            throw new CliFailure(ExitCode.USAGE, "error.file.exists", p);
        }
        return p;
    }

    /**
     * The user's home folder as the shell sees it ({@code HOME}, so {@code ~/.midang} in a
     * command and in Midang mean the same folder), else the JVM's {@code user.home}.
     */
    public static Path userHome(java.util.Map<String, String> env) {
        String home = env.get("HOME");
        return Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home"));
    }
}
