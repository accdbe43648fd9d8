package cn.midang.keys.audit;

import cn.midang.keys.KeysException;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.sign.CanonicalJson;
import cn.midang.keys.sign.RawSignatures;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server's signed statement "the audit log's record {@code seq} has hash {@code hash}":
 * canonical JSON bytes with a raw SM2 signature, so {@code openssl dgst -sm3 -verify} checks it.
 * Kept in the database and, outside it, in an append-only file and in every export: a hash chain
 * alone cannot reveal a truncated tail; a checkpoint held elsewhere can.
 */
public record Checkpoint(long seq, String hash, String at, String server, byte[] bytes, byte[] signature) {

    /** Its own copies: what a caller does to the arrays it passed or was given cannot change what was signed. */
    public Checkpoint {
        bytes = bytes.clone();
        signature = signature.clone();
    }

    /** A copy of the signed bytes. */
    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** A copy of the signature. */
    @Override
    public byte[] signature() {
        return signature.clone();
    }

    public static final String TYPE = "midang-audit-checkpoint/1";
    private static final Pattern FIELDS = Pattern.compile(
            "\\{\"at\":\"([^\"]+)\",\"hash\":\"([0-9a-f]{64})\",\"seq\":(\\d+),\"server\":\"([0-9a-f]{64})\",\"type\":\""
                    + Pattern.quote(TYPE) + "\"\\}");

    /** Signs a checkpoint for record {@code seq} with hash {@code hash}. */
    public static Checkpoint sign(RawSignatures.Signer signer, Identity server, long seq, String hash, String at)
            throws KeysException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", TYPE);
        m.put("seq", seq);
        m.put("hash", hash);
        m.put("at", at);
        m.put("server", server.certificate().fingerprint());
        byte[] bytes = CanonicalJson.encode(m);
        return new Checkpoint(seq, hash, at, server.certificate().fingerprint(), bytes, signer.sign(bytes));
    }

    /** Reads a checkpoint from its exact signed bytes; the fields come from the bytes only. */
    public static Checkpoint parse(byte[] bytes, byte[] signature) throws KeysException {
        Matcher m = FIELDS.matcher(new String(bytes, StandardCharsets.UTF_8));
        if (!m.matches()) {
            throw new KeysException(KeysException.Reason.MALFORMED, "not a Midang audit checkpoint");
        }
        return new Checkpoint(Long.parseLong(m.group(3)), m.group(2), m.group(1), m.group(4), bytes, signature);
    }

    /** Checks the signature with the server's signing certificate. */
    public void verify(Certificate serverSigning) throws KeysException {
        if (!serverSigning.fingerprint().equals(server)) {
            throw new KeysException(KeysException.Reason.MISMATCH, "checkpoint " + seq + " names another server key");
        }
        RawSignatures.verify(serverSigning, signature, bytes);
    }
}
