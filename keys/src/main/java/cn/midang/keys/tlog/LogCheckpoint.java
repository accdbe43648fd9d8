package cn.midang.keys.tlog;

import cn.midang.keys.KeysException;
import cn.midang.keys.sign.RawSignatures;
import java.util.ArrayList;
import java.util.List;

/**
 * A checkpoint of the log as a client trusts it: the signed note, its tree head, checked against
 * the log's key, and the witnesses whose cosignatures on it verified.
 */
public record LogCheckpoint(TreeHead head, Note note, List<String> cosigners) {

    public LogCheckpoint {
        cosigners = List.copyOf(cosigners);
    }

    /** The log signs {@code head}; its key's name is the origin. */
    public static LogCheckpoint sign(TreeHead head, NoteKey log, RawSignatures.Signer signer) throws KeysException {
        if (!head.origin().equals(log.name())) {
            throw new IllegalArgumentException("the log signs under its origin " + head.origin());
        }
        Note note = new Note(head.text(), List.of(log.sign(signer, head.text())));
        return new LogCheckpoint(head, note, List.of());
    }

    /**
     * Reads a checkpoint served by the log: refused ({@code BAD_SIGNATURE}) unless the log's own
     * signature is on it and verifies, any signature by a known witness verifies, and at least
     * {@code required} of {@code witnesses} cosigned it; lines of unknown keys are ignored.
     */
    public static LogCheckpoint open(String served, NoteKey log, List<NoteKey> witnesses, int required) throws KeysException {
        Note note = Note.parse(served);
        TreeHead head = TreeHead.parse(note.text());
        if (!head.origin().equals(log.name())) {
            throw new KeysException(KeysException.Reason.MISMATCH, "a checkpoint of log " + head.origin() + ", not of "
                    + log.name());
        }
        if (log.verified(note).isEmpty()) {
            throw new KeysException(KeysException.Reason.BAD_SIGNATURE, "the checkpoint is not signed by the log's key");
        }
        List<String> cosigners = new ArrayList<>();
        for (NoteKey w : witnesses) {
            if (w.verified(note).isPresent()) {
                cosigners.add(w.name());
            }
        }
        if (cosigners.size() < required) {
            throw new KeysException(KeysException.Reason.BAD_SIGNATURE, "the checkpoint carries " + cosigners.size()
                    + " witness cosignature(s), " + required + " required");
        }
        return new LogCheckpoint(head, note, cosigners);
    }

    /** The same checkpoint with a witness's cosignature added. */
    public LogCheckpoint cosignedBy(NoteKey witness, Note.Signature cosignature) {
        List<String> all = new ArrayList<>(cosigners);
        all.add(witness.name());
        return new LogCheckpoint(head, note.with(cosignature), all);
    }
}
