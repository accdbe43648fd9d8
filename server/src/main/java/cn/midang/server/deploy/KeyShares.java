package cn.midang.server.deploy;

import cn.midang.forms.KeyShare;
import cn.midang.keys.KeysException;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.Identity;
import com.codahale.shamir.Scheme;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The archive key's secret split among the joint-review departments and rebuilt from k of their
 * shares (SPEC C4, issue 16; Vault's unseal is the model), with Shamir's secret sharing over
 * GF(256) from {@code com.codahale:shamir}. The share format, sealing and delivery are
 * {@link KeyShare}'s, shared with the client.
 */
public final class KeyShares {

    public static final int SECRET_LENGTH = 32;

    private KeyShares() {}

    /** A fresh secret to open the archive key file with. */
    public static byte[] newSecret() {
        byte[] s = new byte[SECRET_LENGTH];
        new SecureRandom().nextBytes(s);
        return s;
    }

    /** The passphrase of {@code keys/archive.p12} that {@code secret} stands for. */
    public static char[] passphrase(byte[] secret) {
        return HexFormat.of().formatHex(secret).toCharArray();
    }

    /**
     * Splits {@code secret} into one share per holder, any {@code threshold} of which rebuild it;
     * returns each holder's share file (sealed to the holder, signed by {@code server}), in the order of {@code holders}.
     */
    public static List<byte[]> split(byte[] secret, int threshold, List<Certificate> holders, Certificate archive, Identity server,
            Clock clock) throws KeysException {
        if (threshold < 2 || threshold > holders.size() || holders.size() > 255) {
            throw new IllegalArgumentException("the threshold is 2.." + holders.size() + " of at most 255 key holders");
        }
        Map<Integer, byte[]> parts = new Scheme(new SecureRandom(), holders.size(), threshold).split(secret);
        List<byte[]> files = new ArrayList<>();
        for (int i = 0; i < holders.size(); i++) {
            Certificate h = holders.get(i);
            KeyShare.Share s = new KeyShare.Share(KeyShare.archiveId(archive), h.fingerprint(), i + 1, threshold, holders.size(),
                    parts.get(i + 1), KeyShare.check(secret));
            files.add(KeyShare.seal(s.json(), KeyShare.FILE_DESCRIPTION, server, h, clock));
        }
        return files;
    }

    /** Rebuilds the secret from {@code threshold} shares of one split; refused when they do not give the secret they were split from. */
    public static byte[] combine(List<KeyShare.Share> shares) throws KeysException {
        if (shares.isEmpty()) {
            throw new KeysException(KeysException.Reason.MISMATCH, "no shares");
        }
        KeyShare.Share first = shares.get(0);
        Map<Integer, byte[]> parts = new HashMap<>();
        for (KeyShare.Share s : shares) {
            if (!s.archive().equals(first.archive()) || !s.check().equals(first.check()) || s.threshold() != first.threshold()
                    || s.holders() != first.holders() || s.index() < 1 || s.index() > s.holders()) {
                throw new KeysException(KeysException.Reason.MISMATCH, "the shares are not of one split");
            }
            parts.put(s.index(), s.value());
        }
        if (parts.size() < first.threshold()) {
            throw new KeysException(KeysException.Reason.MISMATCH, parts.size() + " of " + first.threshold() + " shares");
        }
        byte[] secret = new Scheme(new SecureRandom(), first.holders(), first.threshold()).join(parts);
        if (!MessageDigest.isEqual(KeyShare.check(secret).getBytes(StandardCharsets.US_ASCII),
                first.check().getBytes(StandardCharsets.US_ASCII))) {
            throw new KeysException(KeysException.Reason.MISMATCH, "the shares do not rebuild the archive key's secret");
        }
        return secret;
    }
}
