package cn.midang.server.deploy;

import cn.midang.forms.KeyShare;
import cn.midang.keys.KeysException;
import cn.midang.keys.io.SafeFiles;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.ChainValidator;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.pki.RevocationList;
import cn.midang.keys.seal.Opened;
import cn.midang.keys.seal.Opener;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Replacing the archive key and its holders (issue 16; Vault's rekey is the model). Shamir shares
 * of an unchanged key would still combine, so a new holder set gets a new key, and the old key is
 * left opening nothing in the data directory:
 *
 * <ol>
 *   <li>{@link #begin} (the operator; the server may run): checks the new holders against the CA,
 *       makes the next archive key, protects its file with a fresh random secret, seals that secret
 *       to the <em>current</em> archive key and writes the next key's certification request. The
 *       secret is kept nowhere else, so only the current key holders' agreement reaches it.
 *   <li>{@link #certify}: installs the CA's certificate for the next key.
 *   <li>At the next start, {@code k} current holders unseal, each signing their agreement to the
 *       next key's identity. With the current key open, the server opens the secret and the next
 *       key, re-addresses every stored package to it (the content is not re-encrypted), re-seals
 *       the record and index keys, splits the secret among the new holders, and switches the files;
 *       then it runs on the next key. Each step is idempotent: a crash resumes at the next unseal.
 * </ol>
 *
 * <p>An old backup of the data directory stays as open to the old shares as it was; only the
 * current data directory is closed to them.
 */
public final class Rekey {

    private Rekey() {}

    /** Where a rekey stands. */
    public enum State {
        /** Begun: the next key waits for its certificate from the CA. */
        AWAITING_CERTIFICATE,
        /** Certified: the next unseal, with the holders' agreement, moves the archive to it. */
        READY,
        /** Packages are being re-addressed: the rekey can no longer be cancelled, only finished. */
        READDRESSING,
        /** Everything is addressed to the next key and the new shares are written: only files remain to switch. */
        SWITCHING
    }

    public static final String SECRET_DESCRIPTION = "midang-archive-next-secret/1";
    private static final String TYPE = "midang-archive-rekey/1";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The plan of a rekey: its state, the next key's holders (with their certificates), where their shares go. */
    public record Plan(State state, ArchiveHolders next, List<Certificate> holders, Path sharesOut, Instant begun) {
        public Plan {
            holders = List.copyOf(holders);
        }

        /** True when the next unseal moves the archive to the next key. */
        public boolean ready() {
            return state == State.READY || state == State.READDRESSING;
        }

        Plan in(State s) {
            return new Plan(s, next, holders, sharesOut, begun);
        }

        void write(Path file) throws KeysException {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", TYPE);
            m.put("state", state.name().toLowerCase(java.util.Locale.ROOT));
            m.put("archive", next.archive());
            m.put("threshold", next.threshold());
            m.put("holders", holders.stream().map(Certificate::toPem).toList());
            m.put("shares_out", sharesOut.toString());
            m.put("begun", begun.toString());
            try {
                SafeFiles.writeAtomically(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(m), false);
            } catch (IOException e) {
                throw new KeysException(KeysException.Reason.IO, "cannot write " + file + ": " + e.getMessage(), e);
            }
        }

        static Plan read(Path file) throws KeysException {
            try {
                JsonNode n = JSON.readTree(Files.readAllBytes(file));
                if (!TYPE.equals(n.path("type").asText())) {
                    throw new KeysException(KeysException.Reason.MALFORMED, file + " is not a rekey plan");
                }
                List<Certificate> holders = new ArrayList<>();
                for (JsonNode h : n.path("holders")) {
                    holders.add(Certificate.parse(h.asText().getBytes(StandardCharsets.US_ASCII)));
                }
                ArchiveHolders next = new ArchiveHolders(n.path("archive").asText(), n.path("threshold").asInt(),
                        holders.stream().map(c -> new ArchiveHolders.Holder(c.fingerprint(), c.subject())).toList());
                return new Plan(State.valueOf(n.path("state").asText().toUpperCase(java.util.Locale.ROOT)), next, holders,
                        Path.of(n.path("shares_out").asText()), Instant.parse(n.path("begun").asText()));
            } catch (IOException | RuntimeException e) {
                throw new KeysException(KeysException.Reason.MALFORMED, file + " is not a readable rekey plan: " + e.getMessage(), e);
            }
        }
    }

    /** What {@link #begin} made: the next key's certification request and its identity for shares. */
    public record Begun(Path request, String archive) {}

    /** The rekey in progress in {@code d}, if any. */
    public static Optional<Plan> plan(DataDir d) throws KeysException {
        return Files.exists(d.rekeyPlan()) ? Optional.of(Plan.read(d.rekeyPlan())) : Optional.empty();
    }

    /** Begins a rekey of the split archive key of {@code root} to the holders of {@code split}; see the class comment. */
    public static Begun begin(Path root, char[] passphrase, Deployment.KeySplit split, Clock clock) throws KeysException, IOException {
        DataDir d = existing(root);
        if (!Files.exists(d.archiveHolders())) {
            throw new IOException("rekey replaces the key holders of a split archive key; the archive key of " + root
                    + " opens with the operator's passphrase (a deployment made without --key-holders)");
        }
        Optional<Plan> running = plan(d);
        if (running.isPresent()) {
            throw new IOException("a rekey is already under way (" + running.get().state().name().toLowerCase(java.util.Locale.ROOT)
                    + ", begun " + running.get().begun() + "); finish it, or 'midang-server rekey cancel --data " + root + "'");
        }
        if (!Files.exists(d.archiveCertificate())) {
            throw new IOException("the archive key has no certificate yet: run 'midang-server certify' first");
        }
        ChainValidator trust = ChainValidator.of(Certificate.read(d.caCertificate()), RevocationList.read(d.crl()), clock);
        List<Certificate> holders = Deployment.holderCertificates(split, trust);
        Identity signing = Identity.load(d.signingKey(), passphrase);
        Certificate current = Certificate.read(d.archiveCertificate());
        Identity next = Identity.generate(Deployment.ARCHIVE_NAME, clock);
        byte[] secret = KeyShares.newSecret();
        try {
            next.save(d.nextArchiveKey(), KeyShares.passphrase(secret));
            SafeFiles.writeAtomically(d.nextArchiveSecret(), KeyShare.seal(secret, SECRET_DESCRIPTION, signing, current, clock), false);
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
        Files.createDirectories(d.requests());
        Path csr = d.requests().resolve("server-archive-next.csr");
        next.request().writePem(csr);
        String id = KeyShare.archiveId(next.certificate());
        new Plan(State.AWAITING_CERTIFICATE, new ArchiveHolders(id, split.threshold(),
                holders.stream().map(c -> new ArchiveHolders.Holder(c.fingerprint(), c.subject())).toList()), holders,
                split.sharesOut().toAbsolutePath(), clock.instant()).write(d.rekeyPlan());
        return new Begun(csr, id);
    }

    /** Installs the CA's certificate for the next archive key (checked as {@code certify} checks the archive's). */
    public static Plan certify(Path root, Path certificate, Clock clock) throws KeysException, IOException {
        DataDir d = existing(root);
        Plan p = plan(d).orElseThrow(() -> new IOException("no rekey is under way in " + root + " ('midang-server rekey begin')"));
        if (p.state() != State.AWAITING_CERTIFICATE && p.state() != State.READY) {
            throw new IOException("the rekey is past its certificate (" + p.state().name().toLowerCase(java.util.Locale.ROOT) + ")");
        }
        Certificate issued = Certificate.read(certificate);
        ChainValidator trust = ChainValidator.of(Certificate.read(d.caCertificate()), RevocationList.read(d.crl()), clock);
        Deployment.certifiedPublic(issued, p.next().archive(), trust, "server-archive-next.csr");
        issued.writePem(d.nextArchiveCertificate());
        Plan ready = p.in(State.READY);
        ready.write(d.rekeyPlan());
        return ready;
    }

    /** Abandons a rekey that has not begun re-addressing: the next key and its secret are deleted; nothing else changed. */
    public static void cancel(Path root) throws KeysException, IOException {
        DataDir d = existing(root);
        Plan p = plan(d).orElseThrow(() -> new IOException("no rekey is under way in " + root));
        if (p.state() == State.READDRESSING || p.state() == State.SWITCHING) {
            throw new IOException("packages are already being re-addressed to the next key: the rekey can only be finished "
                    + "(start the server; the key holders unseal with their current shares)");
        }
        for (Path f : List.of(d.nextArchiveSecret(), d.nextArchiveKey(), d.nextArchiveCertificate(),
                d.requests().resolve("server-archive-next.csr"))) {
            Files.deleteIfExists(f);
        }
        Files.delete(d.rekeyPlan());
    }

    /** The next archive key, opened, with the secret its file opens with (the holders' new shares are split from it). */
    public record Next(Identity key, byte[] secret) {}

    /**
     * Opens the next key of a ready rekey with {@code current}, the archive key (its secret is sealed to
     * it and signed by the server's signing key {@code signing}).
     */
    public static Next open(DataDir d, Identity current, Certificate signing) throws KeysException, IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Opened o = Opener.forRecipient(current, signer -> {
            if (!signer.samePublicKey(signing)) {
                throw new KeysException(KeysException.Reason.UNTRUSTED_ISSUER, "the next archive key's secret is not signed by this server");
            }
        }).streamUnverified(new ByteArrayInputStream(SafeFiles.read(d.nextArchiveSecret(), "the next archive key's secret")), out);
        byte[] secret = out.toByteArray();
        if (!SECRET_DESCRIPTION.equals(o.description().orElse("")) || secret.length != KeyShares.SECRET_LENGTH) {
            throw new KeysException(KeysException.Reason.MALFORMED, d.nextArchiveSecret() + " is not the next archive key's secret");
        }
        Identity key = Identity.load(d.nextArchiveKey(), KeyShares.passphrase(secret));
        Certificate issued = Certificate.read(d.nextArchiveCertificate());
        if (!issued.samePublicKey(key.certificate())) {
            throw new KeysException(KeysException.Reason.MISMATCH, d.nextArchiveCertificate() + " certifies another key than "
                    + d.nextArchiveKey());
        }
        return new Next(key.withIssuedCertificate(issued, Certificate.read(d.caCertificate())), secret);
    }

    /** Marks the plan as re-addressing (from here on it can only be finished). */
    public static void readdressing(DataDir d, Plan p) throws KeysException {
        if (p.state() == State.READY) {
            p.in(State.READDRESSING).write(d.rekeyPlan());
        }
    }

    /**
     * Everything is addressed to {@code next}: splits its secret among the new holders (writing their
     * shares), then switches the files. Returns the new holders.
     */
    static ArchiveHolders finish(DataDir d, Plan p, Next next, Identity signing, Clock clock) throws KeysException, IOException {
        ArchiveHolders holders = Deployment.writeShares(next.secret(), p.next().threshold(), p.holders(), next.key().certificate(),
                signing, p.sharesOut(), true, clock);
        p.in(State.SWITCHING).write(d.rekeyPlan());
        switchFiles(d);
        return holders;
    }

    /**
     * The last step, idempotent, run again at open when a crash interrupted it: the next key, its
     * certificate and holders become the archive's, and the old key file and the sealed secret go.
     */
    static boolean switchFiles(DataDir d) throws KeysException, IOException {
        Optional<Plan> p = plan(d);
        if (p.isEmpty() || p.get().state() != State.SWITCHING) {
            return false;
        }
        p.get().next().write(d.archiveHolders());
        if (Files.exists(d.nextArchiveKey())) {
            SafeFiles.moveAtomically(d.nextArchiveKey(), d.archiveKey());
        }
        if (Files.exists(d.nextArchiveCertificate())) {
            SafeFiles.moveAtomically(d.nextArchiveCertificate(), d.archiveCertificate());
        }
        Files.deleteIfExists(d.nextArchiveSecret());
        Files.deleteIfExists(d.requests().resolve("server-archive-next.csr"));
        Files.delete(d.rekeyPlan());
        return true;
    }

    private static DataDir existing(Path root) throws IOException {
        DataDir d = new DataDir(root);
        if (!Files.exists(d.config())) {
            throw new IOException(root + " is not a Midang data directory (no server.conf)");
        }
        return d;
    }
}
