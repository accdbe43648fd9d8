package cn.midang.cli;

import cn.midang.forms.SafeText;
import cn.midang.keys.KeysException;
import cn.midang.keys.io.SafeFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

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
    public static void writeAtomically(Path target, byte[] data) throws IOException {
        try {
            SafeFiles.writeAtomically(target, data, false);
        } catch (KeysException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** The form of an id a server may give that becomes part of a file name (a campaign, a unit, a department). */
    private static final Pattern NAME_ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

    /**
     * {@code id}, if it has the form of an id (lower-case letters, digits and '-', at most 64, as
     * campaign files define them); else the command stops: an id from a server becomes part of a
     * file name only in that form, so it can never name another folder or hide what it is.
     */
    public static String requireId(String id, String what) {
        if (!isId(id)) {
            throw new CliFailure(ExitCode.INTEGRITY, "error.bad-id", what, SafeText.printable(String.valueOf(id)));
        }
        return id;
    }

    /** Whether {@code id} has the form of an id (see {@link #requireId}). */
    public static boolean isId(String id) {
        return id != null && NAME_ID.matcher(id).matches();
    }

    /**
     * {@code dir}/{@code name} for a file a command writes: {@code name} must be a plain file name
     * (forms.SafeText) that stays inside {@code dir}; a name from a server that is not is refused,
     * and nothing is written.
     */
    public static Path child(Path dir, String name) {
        Optional<String> bad = SafeText.fileNameProblem(name);
        Path p = dir.resolve(name == null ? "" : name).normalize();
        if (bad.isPresent() || !dir.normalize().equals(p.getParent())) {
            throw new CliFailure(ExitCode.INTEGRITY, "error.bad-file-name", SafeText.printable(String.valueOf(name)),
                    dir, bad.orElse("it leaves the folder"));
        }
        return p;
    }

    /** Writes a new file (never replacing one): see {@code keys.io.SafeFiles.writeNew}. */
    public static void writeNew(Path target, byte[] data) throws IOException {
        try {
            SafeFiles.writeNew(target, data);
        } catch (KeysException e) {
            throw new IOException(e.getMessage(), e);
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
    public static Path userHome(Map<String, String> env) {
        String home = env.get("HOME");
        return Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home"));
    }
}
