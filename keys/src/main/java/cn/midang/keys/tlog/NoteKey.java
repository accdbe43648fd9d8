package cn.midang.keys.tlog;

import cn.midang.keys.KeysException;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.sign.RawSignatures;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * An SM2 key as a signer of notes: the log's key, which signs checkpoints, or a witness's, which
 * cosigns them. The signed-note specification assigns no byte to SM2, so the signature type is
 * {@code 0xff} followed by an identifier of ours, {@code midang/sm2} for a log signature or
 * {@code midang/sm2-cosignature/v1} for a cosignature; the key ID is, as recommended,
 * {@code SHA-256(name || 0x0A || type || SubjectPublicKeyInfo)[:4]}.
 *
 * <p>A log signature is the DER SM2 signature (SM3, ID {@code 1234567812345678}) over the note
 * text, so {@code openssl dgst -sm3 -verify} checks it. A cosignature follows C2SP
 * {@code tlog-cosignature}: an 8-byte big-endian POSIX time, then the DER SM2 signature over
 * {@code "cosignature/v1\ntime <t>\n"} followed by the checkpoint's text.
 */
public final class NoteKey {

    /** Whose key this is. */
    public enum Kind {
        LOG("midang/sm2"),
        COSIGNER("midang/sm2-cosignature/v1");

        private final String identifier;

        Kind(String identifier) {
            this.identifier = identifier;
        }
    }

    private final String name;
    private final Certificate certificate;
    private final Kind kind;
    private final int keyId;

    public NoteKey(String name, Certificate certificate, Kind kind) {
        if (!isName(name)) {
            throw new IllegalArgumentException("a key name is non-empty, without spaces or '+': " + name);
        }
        this.name = name;
        this.certificate = certificate;
        this.kind = kind;
        this.keyId = ByteBuffer.wrap(sha256(name.getBytes(StandardCharsets.UTF_8), new byte[] {'\n'}, type(),
                certificate.publicKeyInfo())).getInt();
    }

    /** The log's key for the server signing certificate {@code server}; its name is the log's origin, {@code midang/log/<16 hex>}. */
    public static NoteKey forLog(Certificate server) {
        return new NoteKey("midang/log/" + server.fingerprint().substring(0, 16), server, Kind.LOG);
    }

    /** A witness's cosigning key for its certificate, named {@code midang/witness/<16 hex of its fingerprint>}. */
    public static NoteKey forWitness(Certificate witness) {
        return new NoteKey("midang/witness/" + witness.fingerprint().substring(0, 16), witness, Kind.COSIGNER);
    }

    public String name() {
        return name;
    }

    public Certificate certificate() {
        return certificate;
    }

    public int keyId() {
        return keyId;
    }

    /** The C2SP verifier key: {@code name+hex(key ID)+base64(type || SubjectPublicKeyInfo)}. */
    public String verifierKey() {
        byte[] type = type();
        byte[] spki = certificate.publicKeyInfo();
        byte[] all = Arrays.copyOf(type, type.length + spki.length);
        System.arraycopy(spki, 0, all, type.length, spki.length);
        return name + "+" + HexFormat.of().toHexDigits(keyId) + "+" + Base64.getEncoder().encodeToString(all);
    }

    /** Signs {@code text} as a log ({@link Kind#LOG}). */
    public Note.Signature sign(RawSignatures.Signer signer, String text) throws KeysException {
        requireKind(Kind.LOG);
        return new Note.Signature(name, keyId, signer.sign(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Cosigns the checkpoint text {@code text} at {@code time} ({@link Kind#COSIGNER}). */
    public Note.Signature cosign(RawSignatures.Signer signer, String text, Instant time) throws KeysException {
        requireKind(Kind.COSIGNER);
        long t = time.getEpochSecond();
        byte[] sig = signer.sign(cosigned(text, t));
        return new Note.Signature(name, keyId, ByteBuffer.allocate(8 + sig.length).putLong(t).put(sig).array());
    }

    /** The message a cosignature signs: {@code cosignature/v1}, the time, and the checkpoint's text. */
    public static byte[] cosigned(String text, long time) {
        return ("cosignature/v1\ntime " + time + "\n" + text).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * This key's signature on {@code note}, checked: empty when the note has no line with this
     * key's name and ID; {@code BAD_SIGNATURE} when it has one that does not verify.
     */
    public Optional<Note.Signature> verified(Note note) throws KeysException {
        for (Note.Signature s : note.signatures()) {
            if (s.name().equals(name) && s.keyId() == keyId) {
                byte[] sig = s.signature();
                if (kind == Kind.LOG) {
                    RawSignatures.verify(certificate, sig, note.text().getBytes(StandardCharsets.UTF_8));
                } else {
                    if (sig.length < 9) {
                        throw new KeysException(KeysException.Reason.BAD_SIGNATURE, "cosignature of " + name + " too short");
                    }
                    long t = ByteBuffer.wrap(sig).getLong();
                    if (t < 0) {
                        throw new KeysException(KeysException.Reason.BAD_SIGNATURE, "cosignature of " + name + " has a bad time");
                    }
                    RawSignatures.verify(certificate, Arrays.copyOfRange(sig, 8, sig.length), cosigned(note.text(), t));
                }
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** The time a verified cosignature states. */
    public static Instant cosignedAt(Note.Signature cosignature) {
        return Instant.ofEpochSecond(ByteBuffer.wrap(cosignature.signature()).getLong());
    }

    /** What C2SP allows as a key name: non-empty, no Unicode space, no '+'. */
    public static boolean isName(String name) {
        if (name == null || name.isEmpty() || name.length() > 256) {
            return false;
        }
        return name.codePoints().noneMatch(c -> c == '+' || c < 0x21 || Character.isSpaceChar(c) || Character.isWhitespace(c)
                || c == 0x7f);
    }

    private byte[] type() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0xff);
        b.writeBytes(kind.identifier.getBytes(StandardCharsets.US_ASCII));
        return b.toByteArray();
    }

    private void requireKind(Kind k) {
        if (kind != k) {
            throw new IllegalStateException("a " + kind + " key does not make " + k + " signatures");
        }
    }

    private static byte[] sha256(byte[]... parts) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (byte[] p : parts) {
                d.update(p);
            }
            return d.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
