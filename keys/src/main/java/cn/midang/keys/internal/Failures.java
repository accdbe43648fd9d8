package cn.midang.keys.internal;

import cn.midang.keys.KeysException;
import cn.midang.keys.KeysException.Reason;
import java.io.EOFException;
import javax.crypto.AEADBadTagException;
import org.bouncycastle.crypto.InvalidCipherTextException;

/**
 * Turns a failure deep inside Bouncy Castle into the reason a user can act on, by the types in its
 * chain of causes, never by its messages: an authentication tag that does not match anywhere in
 * the chain is tampering (whatever parser wrapped it); then our own reasons; then an input that
 * ended before its structure did is truncation; anything else cannot be read.
 */
public final class Failures {

    private Failures() {}

    public static KeysException classify(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AEADBadTagException || t instanceof InvalidCipherTextException) {
                return new KeysException(Reason.TAMPERED, "the sealed package was altered or damaged: its authentication tag does not match", e);
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof Sm2KeyTransport.KeyTransportException kt) {
                return kt.keys();
            }
            if (t instanceof KeysException k) {
                return k;
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof EOFException) {
                return new KeysException(Reason.TRUNCATED, "the sealed package is incomplete: it ends before its structure does", e);
            }
        }
        return new KeysException(Reason.MALFORMED, "the sealed package is damaged and cannot be read", e);
    }
}
