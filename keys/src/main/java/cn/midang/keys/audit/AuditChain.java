package cn.midang.keys.audit;

import cn.midang.keys.KeysException;
import cn.midang.keys.pki.Certificate;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/** Checks a run of audit records and their checkpoints, and names the first bad record. */
public final class AuditChain {

    private AuditChain() {}

    /**
     * What a check found.
     *
     * @param firstBad the sequence number of the first bad record, or empty when all is well
     * @param problem what is wrong with it, in one sentence
     * @param lastSigned the highest sequence number covered by a good checkpoint (0 if none)
     */
    public record Result(long records, long checkpoints, long lastSigned, long lastRecord, Optional<Long> firstBad,
            String problem) {
        public boolean ok() {
            return firstBad.isEmpty();
        }
    }

    /**
     * Checks {@code records} (in the order stored, starting at sequence {@code firstSeq} whose
     * {@code prev} must be {@code anchor}) against {@code checkpoints}, each of which must be
     * signed by {@code server}. A checkpoint beyond the last record means records were removed.
     */
    public static Result verify(Iterator<AuditRecord> records, long firstSeq, String anchor, List<Checkpoint> checkpoints,
            Certificate server) {
        TreeMap<Long, Checkpoint> bySeq = new TreeMap<>();
        for (Checkpoint c : checkpoints) {
            try {
                c.verify(server);
            } catch (KeysException e) {
                return new Result(0, 0, 0, 0, Optional.of(c.seq()), "the checkpoint for record " + c.seq()
                        + " is not validly signed by the server (" + e.getMessage() + ")");
            }
            Checkpoint other = bySeq.put(c.seq(), c);
            if (other != null && !other.hash().equals(c.hash())) {
                return new Result(0, 0, 0, 0, Optional.of(c.seq()), "two signed checkpoints disagree about record " + c.seq());
            }
        }
        long expected = firstSeq;
        String prev = anchor;
        long count = 0;
        long lastSigned = 0;
        long previousCheckpoint = firstSeq - 1;
        while (records.hasNext()) {
            AuditRecord r = records.next();
            if (r.seq() != expected) {
                return bad(count, bySeq, lastSigned, expected - 1, expected, r.seq() > expected
                        ? "record " + expected + " is missing (the next record is " + r.seq() + ")"
                        : "record " + r.seq() + " appears where record " + expected + " should be (reordered or duplicated)");
            }
            if (!r.prev().equals(prev)) {
                return bad(count, bySeq, lastSigned, expected - 1, r.seq(),
                        "record " + r.seq() + " does not chain to the record before it (prev hash differs)");
            }
            if (!r.computeHash().equals(r.hash())) {
                return bad(count, bySeq, lastSigned, expected - 1, r.seq(),
                        "record " + r.seq() + " was altered (its contents do not match its hash)");
            }
            Checkpoint cp = bySeq.get(r.seq());
            if (cp != null) {
                if (!cp.hash().equals(r.hash())) {
                    long first = previousCheckpoint + 1;
                    return bad(count, bySeq, lastSigned, expected - 1, first, "records " + first + " to " + r.seq()
                            + " do not match the server's signed checkpoint for record " + r.seq()
                            + " (altered and re-chained); the first that may be altered is " + first);
                }
                lastSigned = r.seq();
                previousCheckpoint = r.seq();
            }
            prev = r.hash();
            expected++;
            count++;
        }
        long lastRecord = expected - 1;
        Long beyond = bySeq.higherKey(lastRecord);
        if (beyond != null) {
            return bad(count, bySeq, lastSigned, lastRecord, expected, "records " + expected + " to " + bySeq.lastKey()
                    + " are missing: the server signed a checkpoint for record " + bySeq.lastKey() + " (the log was truncated)");
        }
        return new Result(count, bySeq.size(), lastSigned, lastRecord, Optional.empty(), "");
    }

    private static Result bad(long count, TreeMap<Long, Checkpoint> bySeq, long lastSigned, long lastRecord, long firstBad,
            String problem) {
        return new Result(count, bySeq.size(), lastSigned, lastRecord, Optional.of(firstBad), problem);
    }
}
