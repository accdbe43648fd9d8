package cn.midang.cli;

import java.io.Console;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Where passphrases come from, in order: a file named by {@code --passphrase-file} (first
 * line), the {@code MIDANG_PASSPHRASE} environment variable, or a prompt on the terminal without
 * echo. Never a command-line value, which would land in shell history and process lists.
 */
public final class Passphrases {

    public static final String ENV = "MIDANG_PASSPHRASE";

    private Passphrases() {}

    /** The shortest passphrase accepted for a new key file. */
    public static final int MIN_NEW_LENGTH = 12;

    /** The passphrase to open an existing key file. */
    public static char[] existing(Path file, String prompt) {
        return read(file, prompt, false, notice -> { });
    }

    /** A passphrase for a new key file: asked twice on a terminal; at least {@link #MIN_NEW_LENGTH} characters. */
    public static char[] fresh(Path file, String prompt) {
        return fresh(file, prompt, notice -> { });
    }

    /**
     * As {@link #fresh(Path, String)}; {@code tell} receives a message key to show the user when the
     * new passphrase was taken from {@code MIDANG_PASSPHRASE} (it must not become a key's
     * passphrase without the user hearing of it).
     */
    public static char[] fresh(Path file, String prompt, Consumer<String> tell) {
        char[] p = read(file, prompt, true, tell);
        if (p.length < MIN_NEW_LENGTH) {
            Arrays.fill(p, '\0');
            throw new CliFailure(ExitCode.USAGE, "error.passphrase.short", MIN_NEW_LENGTH);
        }
        return p;
    }

    /** Overwrites a passphrase in memory once it has been used (null is allowed). */
    public static void wipe(char[] passphrase) {
        if (passphrase != null) {
            Arrays.fill(passphrase, '\0');
        }
    }

    private static char[] read(Path file, String prompt, boolean confirm, Consumer<String> tell) {
        if (file != null) {
            requirePrivate(file);
            byte[] bytes = null;
            try {
                bytes = Files.readAllBytes(file);
                int end = 0;
                while (end < bytes.length && bytes[end] != '\n' && bytes[end] != '\r') {
                    end++;
                }
                if (end == 0) {
                    throw new CliFailure(ExitCode.USAGE, "error.passphrase.file", file);
                }
                CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(bytes, 0, end));
                char[] out = new char[chars.remaining()];
                chars.get(out);
                Arrays.fill(chars.array(), '\0');
                return out;
            } catch (IOException e) {
                throw new CliFailure(e, ExitCode.USAGE, "error.passphrase.file", file);
            } finally {
                if (bytes != null) {
                    Arrays.fill(bytes, (byte) 0);
                }
            }
        }
        String env = System.getenv(ENV);
        if (env != null && !env.isEmpty()) {
            if (confirm) {
                tell.accept("passphrase.from-env");
            }
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
            boolean same = Arrays.equals(first, again);
            wipe(again);
            if (!same) {
                wipe(first);
                throw new CliFailure(ExitCode.USAGE, "error.passphrase.mismatch");
            }
        }
        return first;
    }

    /**
     * A passphrase file others can read is refused: the passphrase in it opens the key, so it is
     * as secret as the key (chmod 600). Where the file system has no POSIX permissions, nothing is checked.
     */
    static void requirePrivate(Path file) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.contains(PosixFilePermission.OTHERS_READ)
                    || perms.contains(PosixFilePermission.GROUP_READ)) {
                throw new CliFailure(ExitCode.USAGE, "error.passphrase.readable", file);
            }
        } catch (UnsupportedOperationException | IOException e) {
            // no POSIX permissions here, or the read below reports the problem
        }
    }
}
