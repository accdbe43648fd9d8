package cn.midang.forms;

import cn.midang.keys.KeysException;
import cn.midang.keys.digest.Sm3;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.ChainValidator;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.seal.Opened;
import cn.midang.keys.seal.Opener;
import cn.midang.keys.seal.Sealer;
import cn.midang.keys.sign.CanonicalJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A share of the archive key's secret, as its holder and the server exchange it (SPEC C4, issue
 * 16; Vault's unseal is the model). A random 32-byte secret opens {@code keys/archive.p12}; the
 * server splits it k of n ({@code cn.midang.server.deploy.KeyShares}, Shamir over GF(256)) and
 * writes each share for its holder only, sealed to the holder's certificate and signed by the
 * server's key. The secret itself is kept nowhere.
 *
 * <p>A share is canonical JSON {@code {type: "midang-archive-key-share/1", archive: SM3 of the
 * archive key's SubjectPublicKeyInfo, holder: the holder's certificate fingerprint, index, threshold,
 * holders: n, value: base64, check: SM3 hex of "midang-archive-key-check/1" || secret}}. To unseal,
 * the holder opens it on their own computer and delivers it sealed to the one-time key of this
 * start of the server, signed by themselves: a share from an earlier start cannot be opened, one
 * changed byte fails the GCM tag or the signature, and k shares that do not combine to the secret
 * whose check they carry are refused together.
 */
public final class KeyShare {

    public static final String TYPE = "midang-archive-key-share/1";
    public static final String FILE_DESCRIPTION = "midang-archive-key-share/1";
    public static final String DELIVERY_DESCRIPTION = "midang-archive-key-share-delivery/1";
    /** A share file or delivery is a few kilobytes; anything far larger is refused unread. */
    private static final int MAX_PACKAGE = 32 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One share, read from its JSON. */
    public record Share(String archive, String holder, int index, int threshold, int holders, byte[] value, String check) {
        public Share {
            value = value.clone();
        }

        @Override
        public byte[] value() {
            return value.clone();
        }

        public byte[] json() {
            return json(null);
        }

        /** The share's JSON; with {@code rekey}, its holder's agreement that this unsealing moves the archive to that key. */
        byte[] json(String rekey) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", TYPE);
            m.put("archive", archive);
            m.put("holder", holder);
            m.put("index", index);
            m.put("threshold", threshold);
            m.put("holders", holders);
            m.put("value", Base64.getEncoder().encodeToString(value));
            m.put("check", check);
            if (rekey != null) {
                m.put("rekey", rekey);
            }
            return CanonicalJson.encode(m);
        }

        public static Share parse(byte[] json) throws KeysException {
            try {
                JsonNode n = JSON.readTree(json);
                if (n == null || !TYPE.equals(n.path("type").asText())) {
                    throw new KeysException(KeysException.Reason.MALFORMED, "not a Midang archive key share");
                }
                return new Share(n.path("archive").asText(), n.path("holder").asText(), n.path("index").asInt(-1),
                        n.path("threshold").asInt(-1), n.path("holders").asInt(-1), Base64.getDecoder().decode(n.path("value").asText()),
                        n.path("check").asText());
            } catch (IOException | IllegalArgumentException e) {
                throw new KeysException(KeysException.Reason.MALFORMED, "not a Midang archive key share: " + e.getMessage(), e);
            }
        }
    }

    private KeyShare() {}

    /** The archive key's identity for shares: SM3 of its public key, the same before and after its certificate is issued. */
    public static String archiveId(Certificate archive) {
        return Sm3.hex(archive.publicKeyInfo());
    }

    public static String check(byte[] secret) {
        return Sm3.hex(concat("midang-archive-key-check/1".getBytes(StandardCharsets.US_ASCII), secret));
    }

    /**
     * A holder opens its share file: addressed to {@code holder}, signed by the key of
     * {@code serverSigning} (the server's signing certificate as the client checked it against
     * the CA; at {@code init} the key had no certificate from the CA yet, so the key is what counts).
     */
    public static Share open(byte[] file, Identity holder, Certificate serverSigning) throws KeysException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Opened o = Opener.forRecipient(holder, signer -> {
            if (!signer.samePublicKey(serverSigning)) {
                throw new KeysException(KeysException.Reason.UNTRUSTED_ISSUER, "the share is not signed by this server's key");
            }
        }).streamUnverified(new ByteArrayInputStream(limited(file)), out);
        if (!FILE_DESCRIPTION.equals(o.description().orElse(""))) {
            throw new KeysException(KeysException.Reason.MALFORMED, "not a Midang archive key share file");
        }
        Share s = Share.parse(out.toByteArray());
        if (!s.holder().equals(holder.certificate().fingerprint())) {
            throw new KeysException(KeysException.Reason.MISMATCH, "this share is another key holder's");
        }
        return s;
    }

    /** The holder's delivery of {@code share} to this start of the server: sealed to {@code startKey}, signed by the holder. */
    public static byte[] deliver(Share share, Identity holder, Certificate startKey, Clock clock) throws KeysException {
        return deliver(share, holder, startKey, null, clock);
    }

    /**
     * As {@link #deliver(Share, Identity, Certificate, Clock)}, signed with the holder's agreement that this unsealing replaces
     * the archive key by the key whose {@link #archiveId} is {@code rekey} (null: no agreement).
     */
    public static byte[] deliver(Share share, Identity holder, Certificate startKey, String rekey, Clock clock) throws KeysException {
        return seal(share.json(rekey), DELIVERY_DESCRIPTION, holder, startKey, clock);
    }

    /**
     * A delivered share as the server reads it, who delivered it (checked by {@code trust}), and the next archive key they
     * agreed to move to (empty: none).
     */
    public record Delivered(Share share, Certificate holder, String rekey) {}

    /** Opens a delivery with this start's one-time key; its signer must be a certificate {@code trust} accepts. */
    public static Delivered receive(byte[] delivery, Identity startKey, ChainValidator trust) throws KeysException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Opened o = Opener.forRecipient(startKey, trust).streamUnverified(new ByteArrayInputStream(limited(delivery)), out);
        if (!DELIVERY_DESCRIPTION.equals(o.description().orElse(""))) {
            throw new KeysException(KeysException.Reason.MALFORMED, "not a delivered archive key share");
        }
        Share s = Share.parse(out.toByteArray());
        if (!s.holder().equals(o.signer().fingerprint())) {
            throw new KeysException(KeysException.Reason.MISMATCH, "the share was delivered by someone other than its holder");
        }
        String rekey;
        try {
            rekey = JSON.readTree(out.toByteArray()).path("rekey").asText("");
        } catch (IOException e) {
            throw new KeysException(KeysException.Reason.MALFORMED, "not a Midang archive key share: " + e.getMessage(), e);
        }
        return new Delivered(s, o.signer(), rekey);
    }

    public static byte[] seal(byte[] content, String description, Identity signer, Certificate to, Clock clock) throws KeysException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Sealer.signedBy(signer).to(to).describedAs(description).clock(clock).build().seal(new ByteArrayInputStream(content), out);
        return out.toByteArray();
    }

    private static byte[] limited(byte[] b) throws KeysException {
        if (b.length > MAX_PACKAGE) {
            throw new KeysException(KeysException.Reason.MALFORMED, "a share is a few kilobytes, not " + b.length + " bytes");
        }
        return b;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
