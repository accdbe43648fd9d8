package cn.midang.cli;

/**
 * The documented exit codes of {@code midang}. Scripts may rely on them; they never change
 * meaning.
 */
public final class ExitCode {
    /** Done. */
    public static final int OK = 0;
    /** Something unexpected inside midang (run again with --debug and report it). */
    public static final int INTERNAL = 1;
    /** The command line is wrong: unknown option, missing argument, bad value. */
    public static final int USAGE = 2;
    /** Authentication refused: wrong passphrase, unknown or refused certificate. */
    public static final int AUTHENTICATION = 3;
    /** A file, identity or object named on the command line does not exist. */
    public static final int NOT_FOUND = 4;
    /** Refused by policy: not allowed for this role, outside a window, not a recipient. */
    public static final int POLICY = 5;
    /** Integrity failure: bad signature, tampered or truncated data, untrusted, revoked or expired certificate. */
    public static final int INTEGRITY = 6;
    /** Network failure: server down, wrong server certificate, connection lost. */
    public static final int NETWORK = 7;

    private ExitCode() {}
}
