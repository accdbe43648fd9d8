package cn.midang.keys;

import java.util.Objects;

/**
 * Every failure of the {@code keys} library: a stable {@link Reason} that callers map to error
 * codes and exit codes, and a message a person can read.
 *
 * <p>Messages never contain key material, passphrases or plaintext. They may echo a file name,
 * a certificate subject or a serial number, because those help a user fix the problem.
 */
public final class KeysException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why an operation failed. Stable: other modules map these to error codes. */
    public enum Reason {
        /** The passphrase does not open the key file. */
        WRONG_PASSPHRASE,
        /** The input is not what it claims to be (not PEM, not DER, wrong structure). */
        MALFORMED,
        /** A signature does not match the content or the key. */
        BAD_SIGNATURE,
        /** A sealed package was altered: its authentication tag does not match. */
        TAMPERED,
        /** A sealed package or signature ends before it should. */
        TRUNCATED,
        /** A sealed package is not addressed to this key. */
        NOT_A_RECIPIENT,
        /** A certificate was not issued by the trusted CA. */
        UNTRUSTED_ISSUER,
        /** A certificate (or the CA) is past its validity period. */
        EXPIRED,
        /** A certificate (or the CA) is not valid yet. */
        NOT_YET_VALID,
        /** A certificate has been revoked by its CA. */
        REVOKED,
        /** The revocation list is not signed by the CA, or is past its next-update time. */
        CRL_INVALID,
        /** A certificate may not be used for this (a CA certificate used as a person, or the reverse). */
        WRONG_KEY_USAGE,
        /** Two things that must belong together do not (a certificate and a key, a request and a name). */
        MISMATCH,
        /** Reading or writing a file or stream failed. */
        IO,
    }

    private final Reason reason;

    public KeysException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason);
    }

    public KeysException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason);
    }

    public Reason reason() {
        return reason;
    }
}
