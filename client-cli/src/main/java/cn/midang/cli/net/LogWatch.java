package cn.midang.cli.net;

import cn.midang.keys.KeysException;
import cn.midang.keys.io.SafeFiles;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.tlog.LogCheckpoint;
import cn.midang.keys.tlog.MerkleTree;
import cn.midang.keys.tlog.NoteKey;
import cn.midang.keys.tlog.TreeHasher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * What this computer remembers of a server's transparency log, and the check made on every
 * contact: the checkpoint the server shows now must be signed by its key and must extend (or be a
 * prefix of) the newest one seen before, by a consistency proof; otherwise the server shows a
 * history that is not the one it showed before — rewritten or forked — and the client stops,
 * keeping both checkpoints as evidence. The newest checkpoint seen is kept in
 * {@code STATE/<server signing fingerprint>.checkpoint}.
 */
public final class LogWatch {

    /** Fetches a consistency proof between two tree sizes from the server. */
    @FunctionalInterface
    public interface Consistency {
        List<byte[]> proof(long from, long to) throws IOException, InterruptedException, KeysException, ServerRefusal;
    }

    /** The checkpoint shown now, checked, and the one remembered before it (if any). */
    public record Seen(LogCheckpoint now, Optional<LogCheckpoint> before) {}

    private LogWatch() {}

    /** The folder of a user's log memory: {@code ~/.midang/log}. */
    public static Path clientState(Path home) {
        return home.resolve(".midang").resolve("log");
    }

    /**
     * Checks {@code served} (a checkpoint note) against {@code signing} and against what
     * {@code state} remembers for that server; remembers it when it is newer. Refused with
     * {@code BAD_SIGNATURE} when not signed by the server's key, {@code MISMATCH} when it does not
     * extend what was seen (the evidence is written beside the memory first).
     */
    public static Seen observe(Path state, Certificate signing, String served, Consistency server)
            throws IOException, InterruptedException, KeysException, ServerRefusal {
        NoteKey key = NoteKey.forLog(signing);
        LogCheckpoint now = LogCheckpoint.open(served, key, List.of(), 0);
        Path file = state.resolve(signing.fingerprint() + ".checkpoint");
        Optional<LogCheckpoint> before = Optional.empty();
        if (Files.exists(file)) {
            before = Optional.of(LogCheckpoint.open(Files.readString(file, StandardCharsets.UTF_8), key, List.of(), 0));
        }
        if (before.isPresent()) {
            LogCheckpoint b = before.get();
            long older = Math.min(b.head().size(), now.head().size());
            long newer = Math.max(b.head().size(), now.head().size());
            LogCheckpoint first = b.head().size() <= now.head().size() ? b : now;
            LogCheckpoint second = first == b ? now : b;
            List<byte[]> proof = older == newer ? List.of() : server.proof(older, newer);
            if (!MerkleTree.verifyConsistency(TreeHasher.SM3, older, newer, first.head().root(), second.head().root(), proof)) {
                Path evidence = state.resolve(signing.fingerprint() + ".fork-" + System.currentTimeMillis() + ".txt");
                SafeFiles.writeAtomically(evidence, ("The checkpoint seen before:\n" + b.note().format()
                        + "\nThe checkpoint shown now:\n" + now.note().format()).getBytes(StandardCharsets.UTF_8), false);
                throw new KeysException(KeysException.Reason.MISMATCH, "the server's transparency log shows a history that does "
                        + "not extend the one this computer saw before (size " + b.head().size() + ", root " + root(b)
                        + "; now size " + now.head().size() + ", root " + root(now) + "): the archive's history was rewritten or "
                        + "forked. Both checkpoints are kept in " + evidence + "; report it to the joint-review departments");
            }
            if (now.head().size() <= b.head().size()) {
                return new Seen(now, before);
            }
        }
        Files.createDirectories(state);
        SafeFiles.writeAtomically(file, now.note().format().getBytes(StandardCharsets.UTF_8), false);
        return new Seen(now, before);
    }

    private static String root(LogCheckpoint c) {
        return Base64.getEncoder().encodeToString(c.head().root());
    }
}
