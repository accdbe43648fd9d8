package cn.midang.keys.tlog;

import cn.midang.keys.digest.Sm3;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * What the log holds for one attested statement: not the statement, which may name a unit, but a
 * 32-byte SM3 commitment to it and its signature,
 * {@code SM3("midang-log-entry/v1\n" || kind || "\n" || u32 len || statement || u32 len || signature)}.
 * Whoever holds the statement (a unit its receipt, an approver the summary) computes the entry and
 * asks for its proof; to everyone else entries are indistinguishable from the random ones the log
 * pads its rounds with, because every signature in them carries fresh SM2 randomness.
 */
public final class LogEntry {

    /** The kinds of statement the archive attests (SPEC C7). */
    public enum Kind {
        RECEIPT("receipt"), TRANSITION("transition"), SIGN_OFF("sign-off"), RESULT("result"),
        AUDIT_CHECKPOINT("audit-checkpoint");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private LogEntry() {}

    public static byte[] of(Kind kind, byte[] statement, byte[] signature) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(statement.length + signature.length + 64);
        b.writeBytes(("midang-log-entry/v1\n" + kind.label + "\n").getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(ByteBuffer.allocate(4).putInt(statement.length).array());
        b.writeBytes(statement);
        b.writeBytes(ByteBuffer.allocate(4).putInt(signature.length).array());
        b.writeBytes(signature);
        return Sm3.digest(b.toByteArray());
    }
}
