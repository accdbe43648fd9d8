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

    public static Path requireAbsent(Path p) {
        if (Files.exists(p)) {
            throw new CliFailure(ExitCode.USAGE, "error.file.exists", p);
        }
        return p;
    }
}
