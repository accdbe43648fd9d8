package cn.midang.server.config;

import java.util.Locale;

/**
 * Deterministic crash points for the crash tests ({@code CrashIT}): when the server reaches the
 * point named by the system property {@code midang.crash-at} (e.g. {@code -Dmidang.crash-at=blob-committed}),
 * the JVM halts at once, as {@code kill -9} would — no shutdown hook, no finally block. Without
 * the property nothing happens; a deployment never sets it. A kill at a random moment may land
 * anywhere or nowhere interesting; these land exactly where a crash is hardest to recover from.
 */
public enum CrashPoint {
    /** An upload was received whole and verified; its blob is staged, not yet named. */
    UPLOAD_STAGED,
    /** The blob is forced to disk and named; no record points to it yet. */
    BLOB_COMMITTED,
    /** The record and its signed receipt are committed; the answer has not been sent. */
    RECORD_COMMITTED;

    private static final String ARMED = System.getProperty("midang.crash-at", "");

    /** The name in {@code midang.crash-at}, e.g. {@code blob-committed}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Halts the JVM if this is the armed point. */
    public void reach() {
        if (label().equals(ARMED)) {
            System.err.println("midang.crash-at=" + label() + ": halting as kill -9 would");
            System.err.flush();
            Runtime.getRuntime().halt(137);
        }
    }
}
