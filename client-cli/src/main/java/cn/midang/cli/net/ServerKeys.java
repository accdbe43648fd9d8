package cn.midang.cli.net;

import cn.midang.keys.KeysException;
import cn.midang.keys.io.SafeFiles;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.ChainValidator;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The one answer to "is this the server's key?" for everything the server signs — receipts, audit
 * checkpoints, result notices, the documents it makes. A certificate merely carried beside a file,
 * or named by the file itself, proves nothing: anyone can sign a receipt with their own key and put
 * their certificate next to it. A key is the server's when
 * <ul>
 * <li>the deployment's CA issued it with the role {@code server} (checked online against the CA in
 * the user's identity, offline against the {@code --ca} the user gives), or</li>
 * <li>the user named it ({@code --cert}), or</li>
 * <li>the user's own client checked it that way before and remembered it in
 * {@code ~/.midang/trusted-servers} (one SM3 fingerprint per line, with the server's address).</li>
 * </ul>
 */
public final class ServerKeys {

    /** The role the deployment's CA gives the server's signing and archive certificates. */
    public static final String ROLE = "server";
    private static final Pattern FINGERPRINT = Pattern.compile("[0-9a-f]{64}");

    private ServerKeys() {}

    /**
     * Checks that {@code cert} is a server certificate of the deployment {@code trust} stands for:
     * issued by its CA, valid now (and not revoked, when the CRL is known), with the server role.
     */
    public static Certificate requireServer(Certificate cert, ChainValidator trust) throws KeysException {
        trust.validate(cert);
        if (!ROLE.equals(cert.role())) {
            throw new KeysException(KeysException.Reason.WRONG_KEY_USAGE, cert.subject() + " is not a server certificate (its role is "
                    + (cert.role() == null || cert.role().isEmpty() ? "none" : cert.role()) + "); only the server's key signs this");
        }
        return cert;
    }

    /** The file of server keys this user's client has checked, in the Midang folder {@code home}/.midang. */
    public static Path pinFile(Path home) {
        return home.resolve(".midang").resolve("trusted-servers");
    }

    /** Remembers {@code signing} (already checked by {@link #requireServer}) as a server key of {@code server}. */
    public static void remember(Path home, Certificate signing, String server) throws IOException {
        Path file = pinFile(home);
        if (pinned(home, signing)) {
            return;
        }
        Files.createDirectories(file.getParent());
        Files.writeString(file, signing.fingerprint() + " " + server.replaceAll("\\s", "") + System.lineSeparator(),
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Whether this user's client checked {@code cert} as a server's signing key before. */
    public static boolean pinned(Path home, Certificate cert) {
        return pins(home).contains(cert.fingerprint());
    }

    private static List<String> pins(Path home) {
        Path file = pinFile(home);
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(l -> l.strip().split("\\s+")[0])
                    .filter(f -> FINGERPRINT.matcher(f).matches()).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The file of the highest CRL number this user's client has seen per CA. */
    public static Path crlNumbers(Path home) {
        return home.resolve(".midang").resolve("crl-numbers");
    }

    /**
     * Refuses a revocation list older than one this user's client has already seen from the same CA
     * (a server replaying last month's CRL to hide a revocation, while it is still within its
     * next-update), and remembers a newer one. Lines are {@code CA-FINGERPRINT NUMBER}.
     */
    public static synchronized void requireNotOlder(Path home, Certificate ca, BigInteger number) throws KeysException {
        Path file = crlNumbers(home);
        Map<String, BigInteger> seen = new LinkedHashMap<>();
        try {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    String[] f = line.strip().split("\\s+");
                    if (f.length == 2 && FINGERPRINT.matcher(f[0]).matches() && f[1].matches("[0-9]{1,40}")) {
                        seen.merge(f[0], new BigInteger(f[1]), BigInteger::max);
                    }
                }
            }
        } catch (IOException e) {
            return; // an unreadable memory is no reason to refuse; it is rewritten below when possible
        }
        BigInteger before = seen.get(ca.fingerprint());
        if (before != null && number.compareTo(before) < 0) {
            throw new KeysException(KeysException.Reason.CRL_INVALID, "the server sent revocation list number " + number + " of "
                    + ca.subject() + ", older than number " + before + " which this computer has already seen: a revocation may be hidden");
        }
        if (before == null || number.compareTo(before) > 0) {
            seen.put(ca.fingerprint(), number);
            StringBuilder out = new StringBuilder();
            seen.forEach((k, v) -> out.append(k).append(' ').append(v).append(System.lineSeparator()));
            try {
                Files.createDirectories(file.getParent());
                SafeFiles.writeAtomically(file, out.toString().getBytes(StandardCharsets.UTF_8), false);
            } catch (IOException | KeysException e) {
                // remembered next time
            }
        }
    }
}
