package cn.midang.cli;

import java.io.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Where passphrases come from, in order: a file named by {@code --passphrase-file} (first
 * line), the {@code MIDANG_PASSPHRASE} environment variable, or a prompt on the terminal without
 * echo. Never a command-line value, which would land in shell history and process lists.
 */
public final class Passphrases {

    public static final String ENV = "MIDANG_PASSPHRASE";

    private Passphrases() {}

    /** The passphrase to open an existing key file. */
    public static char[] existing(Path file, String prompt) {
        return read(file, prompt, false);
    }

    /** A passphrase for a new key file: asked twice on a terminal. */
    public static char[] fresh(Path file, String prompt) {
        return read(file, prompt, true);
    }

    private static char[] read(Path file, String prompt, boolean confirm) {
        if (file != null) {
            try {
                String first = Files.readAllLines(file, StandardCharsets.UTF_8).stream().findFirst().orElse("");
                if (first.isEmpty()) {
                    throw new CliFailure(ExitCode.USAGE, "error.passphrase.file", file);
                }
                return first.toCharArray();
            } catch (IOException e) {
                throw new CliFailure(e, ExitCode.USAGE, "error.passphrase.file", file);
            }
        }
        String env = System.getenv(ENV);
        if (env != null && !env.isEmpty()) {
            return env.toCharArray();
        }
        Console console = System.console();
        if (console == null) {
            throw new CliFailure(ExitCode.USAGE, "error.passphrase.none");
        }
        char[] first = console.readPassword("%s: ", prompt);
        if (first == null || first.length == 0) {
            throw new CliFailure(ExitCode.USAGE, "error.passphrase.none");
        }
        if (confirm) {
            char[] again = console.readPassword("%s (again): ", prompt);
            if (!Arrays.equals(first, again)) {
                throw new CliFailure(ExitCode.USAGE, "error.passphrase.mismatch");
            }
        }
        return first;
    }
}
