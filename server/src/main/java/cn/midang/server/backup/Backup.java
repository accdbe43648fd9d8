package cn.midang.server.backup;

import cn.midang.keys.KeysException;
import cn.midang.keys.digest.Sm3;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.sign.RawSignatures;
import cn.midang.server.archive.BlobCopy;
import cn.midang.server.deploy.DataDir;
import cn.midang.server.storage.Database;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.commons.io.file.PathUtils;

/**
 * A backup of an embedded deployment (H2 + files), taken while it serves, and its restore.
 *
 * <p>A backup is a folder: {@code db.zip} (H2's online {@code BACKUP}: one consistent copy of every
 * record), {@code blobs/NAME} for every sealed package that copy refers to, the data directory's
 * own files (configuration, certificates, key files, identities of a dev deployment) with their
 * permissions, the audit checkpoints that cover records in the copy, and {@code MANIFEST.json}:
 * the cut (submissions and the last audit record in the copy) and the size and SM3 of every file,
 * signed by the server's key ({@code MANIFEST.json.sig}, raw SM2 over the file's bytes — OpenSSL
 * verifies it as it verifies receipts). The search index is not copied: it is derived, and the
 * restored server rebuilds it. Nothing is decrypted: the copies are as sealed as the originals.
 *
 * <p>Backups and restores are written beside their destination and renamed into place when
 * complete, so a destination either holds a whole backup (or deployment) or nothing.
 */
public final class Backup {

    public static final String FORMAT = "midang-backup/1";
    public static final String MANIFEST = "MANIFEST.json";
    public static final String SIGNATURE = "MANIFEST.json.sig";
    public static final String DATABASE = "db.zip";
    static final String BLOBS = "blobs";
    /** Not copied from the data directory: the database and blobs (copied their own way), the derived index, scratch. */
    private static final Set<String> NOT_COPIED = Set.of("db", "blobs", "index", "run", "tmp");
    private static final ObjectMapper JSON = new ObjectMapper();

    private Backup() {}

    /** Where the backup was cut: the submissions in its records and its last audit record. */
    public record Cut(long submissions, long lastSequence, long auditSeq, String auditHash) {
        Map<String, Object> fields() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("submissions", submissions);
            m.put("last_submission_sequence", lastSequence);
            m.put("audit_seq", auditSeq);
            m.put("audit_hash", auditHash);
            return m;
        }

        static Cut of(JsonNode n) {
            return new Cut(n.path("submissions").asLong(), n.path("last_submission_sequence").asLong(), n.path("audit_seq").asLong(),
                    n.path("audit_hash").asText());
        }
    }

    /** A backup taken: where, its cut, how many files and bytes it holds, and how many packages it linked from an earlier one. */
    public record Taken(Path folder, Cut cut, long files, long bytes, long linked) {}

    /** Progress for the operator: one line at a time. */
    @FunctionalInterface
    public interface Progress {
        void say(String line);
    }

    /**
     * Backs up the deployment in {@code dir}, whose records are {@code db} (open, perhaps serving),
     * into {@code dest} (absent or an empty folder, outside the data directory), the manifest
     * signed by {@code signer} (the server's signing identity).
     */
    public static Taken take(DataDir dir, Database db, Identity signer, Path dest, Clock clock, Progress progress)
            throws IOException, SQLException, KeysException {
        return take(dir, db, signer, dest, null, clock, progress);
    }

    /**
     * As above; with {@code since} (an earlier backup of this deployment, its manifest signed by
     * {@code signer}), every sealed package that has not changed since that backup began is
     * hard-linked from it instead of copied — incremental, yet every backup stays whole on its own:
     * deleting the earlier one deletes none of this one's files. Unchanged means the blob's name was
     * bound to its file (the file's ctime: its rename into place) at least {@link #MARGIN} before the
     * earlier backup began reading packages — blobs are never written in place, and a rekey's
     * replacement is a new file renamed over the name — and the earlier copy has the size its
     * manifest records. A package on another file system than the earlier backup is copied.
     */
    public static Taken take(DataDir dir, Database db, Identity signer, Path dest, Path since, Clock clock, Progress progress)
            throws IOException, SQLException, KeysException {
        if (db.engine() != Database.Engine.H2) {
            throw new IllegalArgumentException("the records are in PostgreSQL: back them up with PostgreSQL's own tools "
                    + "(pg_basebackup, or pg_dump) and the bucket with the object store's versioning; 'backup' covers the embedded default");
        }
        Path root = dir.root().toAbsolutePath().normalize();
        Path target = dest.toAbsolutePath().normalize();
        if (target.startsWith(root)) {
            throw new IllegalArgumentException(target + " is inside the data directory " + root + "; put backups elsewhere");
        }
        requireEmpty(target);
        Map<String, Earlier> earlier = since == null ? Map.of() : earlier(since, signer.certificate());
        Path staging = staging(target);
        try {
            progress.say("Copying the records (H2 online backup) …");
            try (Connection c = db.connection(); Statement s = c.createStatement()) {
                s.execute("BACKUP TO '" + staging.resolve(DATABASE).toString().replace("'", "''") + "'");
            }
            Path check = staging.resolve(".records");
            Cut cut;
            List<String> blobs;
            org.h2.tools.Restore.execute(staging.resolve(DATABASE).toString(), check.toString(), "midang");
            try (Database copy = Database.open(check)) {
                cut = cut(copy);
                blobs = blobNames(copy);
            } finally {
                PathUtils.deleteDirectory(check);
            }
            progress.say("Records copied: " + cut.submissions() + " submission(s), audit record " + cut.auditSeq() + ".");
            Files.createDirectories(staging.resolve(BLOBS));
            // When the packages are read (every one in the cut was named before the records were copied): file-system time,
            // not the deployment's clock, for the next incremental backup compares it with the blobs' ctime.
            java.time.Instant packagesRead = java.time.Instant.now();
            Map<String, String> linked = new LinkedHashMap<>(); // backup path -> SM3 from the earlier, signed manifest
            List<String> copied = new ArrayList<>();
            for (String name : blobs) {
                Earlier e = earlier.get(name);
                if (e != null && unchangedSince(dir.blobs(), name, e) && link(staging.resolve(BLOBS).resolve(name), e.file())) {
                    linked.put(BLOBS + "/" + name, e.sm3());
                } else {
                    copied.add(name);
                }
            }
            if (since != null) {
                progress.say(linked.size() + " sealed package(s) unchanged since " + since + ": linked, not copied.");
            }
            blobs = copied;
            progress.say("Copying " + blobs.size() + " sealed package(s) …");
            BlobCopy.toFolder(dir.blobs(), blobs, staging.resolve(BLOBS), (done, of) -> {
                if (done == of || done % 500 == 0) {
                    progress.say("  " + done + " of " + of);
                }
            });
            copyFiles(root, staging, cut);
            progress.say("Writing and signing the manifest …");
            Map<String, Object> manifest = new LinkedHashMap<>();
            manifest.put("format", FORMAT);
            manifest.put("taken_at", clock.instant().toString());
            manifest.put("packages_read_from", packagesRead.toString());
            if (since != null) {
                manifest.put("since", since.toAbsolutePath().normalize().toString());
                manifest.put("linked", linked.size());
            }
            manifest.put("from", root.toString());
            manifest.put("signer", signer.certificate().fingerprint());
            manifest.put("cut", cut.fields());
            List<Map<String, Object>> files = new ArrayList<>();
            long bytes = 0;
            for (Path f : files(staging)) {
                Map<String, Object> e = new LinkedHashMap<>();
                String path = staging.relativize(f).toString();
                String known = linked.get(path); // a linked package: already on disk, its SM3 in the earlier signed manifest
                e.put("path", path);
                e.put("bytes", Files.size(f));
                e.put("sm3", known != null ? known : sm3(f));
                bytes += Files.size(f);
                files.add(e);
                if (known == null) {
                    force(f);
                }
            }
            manifest.put("files", files);
            byte[] text = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest);
            Files.write(staging.resolve(MANIFEST), text);
            Files.write(staging.resolve(SIGNATURE), RawSignatures.sign(signer, text));
            force(staging.resolve(MANIFEST));
            force(staging.resolve(SIGNATURE));
            place(staging, target);
            return new Taken(target, cut, files.size(), bytes, linked.size());
        } catch (IOException | SQLException | KeysException | RuntimeException e) {
            PathUtils.deleteDirectory(staging);
            throw e;
        }
    }

    /** What checking a backup found: nothing wrong (no problems), or each problem. */
    public record Checked(Cut cut, int files, List<String> problems) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    /**
     * Checks the backup in {@code folder} offline: the manifest's signature with {@code signer}
     * (null: the backup's own {@code server-signing.crt}), then every file's size and SM3, and that
     * no file is missing or added.
     */
    public static Checked verify(Path backup, Certificate signer) throws IOException {
        Path folder = backup.toAbsolutePath().normalize();
        List<String> problems = new ArrayList<>();
        Path manifestFile = folder.resolve(MANIFEST);
        if (!Files.isRegularFile(manifestFile) || !Files.isRegularFile(folder.resolve(SIGNATURE))) {
            return new Checked(null, 0, List.of(folder + " holds no " + MANIFEST + " and " + SIGNATURE + ": not a Midang backup"));
        }
        byte[] text = Files.readAllBytes(manifestFile);
        try {
            Certificate cert = signer != null ? signer : Certificate.read(folder.resolve("server-signing.crt"));
            RawSignatures.verify(cert, Files.readAllBytes(folder.resolve(SIGNATURE)), text);
        } catch (KeysException e) {
            problems.add(MANIFEST + ": its signature does not verify with the server's certificate (" + e.getMessage() + ")");
        }
        JsonNode m;
        try {
            m = JSON.readTree(text);
        } catch (IOException e) {
            problems.add(MANIFEST + ": not JSON");
            return new Checked(null, 0, problems);
        }
        if (!FORMAT.equals(m.path("format").asText())) {
            problems.add(MANIFEST + ": format " + m.path("format").asText() + ", not " + FORMAT);
            return new Checked(null, 0, problems);
        }
        Set<String> listed = new TreeSet<>();
        for (JsonNode e : m.path("files")) {
            String name = e.path("path").asText();
            Path f = folder.resolve(name).normalize();
            if (!f.startsWith(folder) || name.isEmpty() || !listed.add(name)) {
                problems.add(name + ": not a path inside the backup, or listed twice");
                continue;
            }
            if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                problems.add(name + ": missing");
            } else if (Files.size(f) != e.path("bytes").asLong() || !sm3(f).equals(e.path("sm3").asText())) {
                problems.add(name + ": changed (its size or SM3 differs from the manifest)");
            }
        }
        for (Path f : files(folder)) {
            String name = folder.relativize(f).toString();
            if (!listed.contains(name)) {
                problems.add(name + ": not in the manifest");
            }
        }
        return new Checked(Cut.of(m.path("cut")), listed.size(), List.copyOf(problems));
    }

    /** A deployment restored: where, and the cut it holds. */
    public record Restored(Path data, Cut cut, long blobs) {}

    /**
     * Makes a new data directory {@code data} (absent or empty) from the backup in {@code folder},
     * once {@link #verify} finds nothing wrong with it (checked with the backup's own certificate,
     * or {@code signer}). Its index is empty: the server rebuilds it at its first start.
     */
    public static Restored restore(Path folder, Path data, Certificate signer, Progress progress) throws IOException {
        progress.say("Checking the backup …");
        Checked checked = verify(folder, signer);
        if (!checked.ok()) {
            throw new IllegalArgumentException("the backup in " + folder + " does not check out; nothing was restored:\n  "
                    + String.join("\n  ", checked.problems()));
        }
        Path target = data.toAbsolutePath().normalize();
        requireEmpty(target);
        Path staging = staging(target);
        try {
            List<String> blobs = new ArrayList<>();
            for (JsonNode e : JSON.readTree(folder.resolve(MANIFEST).toFile()).path("files")) {
                String name = e.path("path").asText();
                if (name.equals(DATABASE)) {
                    continue;
                }
                if (name.startsWith(BLOBS + "/")) {
                    blobs.add(name.substring(BLOBS.length() + 1));
                    continue;
                }
                Path to = staging.resolve(name);
                Files.createDirectories(to.getParent());
                Files.copy(folder.resolve(name), to, StandardCopyOption.COPY_ATTRIBUTES);
            }
            progress.say("Restoring the records …");
            org.h2.tools.Restore.execute(folder.resolve(DATABASE).toString(), staging.resolve("db").toString(), "midang");
            progress.say("Restoring " + blobs.size() + " sealed package(s) …");
            BlobCopy.fromFolder(folder.resolve(BLOBS), blobs, staging.resolve(BLOBS), (done, of) -> {
                if (done == of || done % 500 == 0) {
                    progress.say("  " + done + " of " + of);
                }
            });
            place(staging, target);
            return new Restored(target, checked.cut(), blobs.size());
        } catch (IOException | RuntimeException e) {
            PathUtils.deleteDirectory(staging);
            throw e;
        }
    }

    /** How long before an earlier backup read its packages a blob must have been named to be linked from it. */
    static final java.time.Duration MARGIN = java.time.Duration.ofSeconds(1);

    /** A sealed package in an earlier backup: its file, and its size and SM3 as that backup's signed manifest records them. */
    private record Earlier(Path file, long bytes, String sm3, java.time.Instant started) {}

    /**
     * The packages of the earlier backup {@code since}, once its manifest's signature verifies with
     * {@code cert}; none from a backup that does not say when it started (made before incremental
     * backups).
     */
    private static Map<String, Earlier> earlier(Path since, Certificate cert) throws IOException {
        Path folder = since.toAbsolutePath().normalize();
        byte[] text;
        try {
            text = Files.readAllBytes(folder.resolve(MANIFEST));
            RawSignatures.verify(cert, Files.readAllBytes(folder.resolve(SIGNATURE)), text);
        } catch (IOException | KeysException e) {
            throw new IllegalArgumentException(folder + " is not a backup of this server (" + e.getMessage()
                    + "); leave out --since for a full backup", e);
        }
        JsonNode m = JSON.readTree(text);
        if (!m.path("packages_read_from").isTextual()) {
            return Map.of();
        }
        java.time.Instant started = java.time.Instant.parse(m.path("packages_read_from").asText());
        Map<String, Earlier> out = new java.util.HashMap<>();
        for (JsonNode f : m.path("files")) {
            String path = f.path("path").asText();
            String name = path.startsWith(BLOBS + "/") ? path.substring(BLOBS.length() + 1) : "";
            if (name.matches("[0-9a-f]{32}")) {
                out.put(name, new Earlier(folder.resolve(BLOBS).resolve(name), f.path("bytes").asLong(), f.path("sm3").asText(), started));
            }
        }
        return out;
    }

    /** Whether blob {@code name} has been this file since before the earlier backup began, and that backup's copy is whole. */
    private static boolean unchangedSince(Path blobs, String name, Earlier e) {
        Path file = blobs.resolve(name.substring(0, 2)).resolve(name);
        try {
            java.nio.file.attribute.FileTime changed = (java.nio.file.attribute.FileTime) Files.getAttribute(file, "unix:ctime",
                    LinkOption.NOFOLLOW_LINKS);
            // A second's margin: some file systems keep times to the second.
            return changed.toInstant().isBefore(e.started().minus(MARGIN)) && Files.size(file) == e.bytes() && Files.isRegularFile(e.file(),
                    LinkOption.NOFOLLOW_LINKS) && Files.size(e.file()) == e.bytes();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException x) {
            return false; // no ctime here, or a file gone: copied
        }
    }

    /** Hard-links {@code link} to {@code existing}; false (and nothing made) when the file system will not. */
    private static boolean link(Path link, Path existing) {
        try {
            Files.createLink(link, existing);
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static Cut cut(Database db) throws SQLException {
        try (Connection c = db.connection()) {
            long count;
            long last;
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*), COALESCE(MAX(sequence), 0) FROM submissions");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                count = rs.getLong(1);
                last = rs.getLong(2);
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT seq, hash FROM audit_log ORDER BY seq DESC FETCH FIRST 1 ROW ONLY");
                    ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Cut(count, last, rs.getLong(1), rs.getString(2)) : new Cut(count, last, 0, "");
            }
        }
    }

    private static List<String> blobNames(Database db) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("SELECT blob_name FROM submissions");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    /**
     * The data directory's own files, permissions kept; of the audit checkpoints, those that cover
     * a record in the copy (a later one would name a record the restored chain does not have).
     */
    private static void copyFiles(Path root, Path staging, Cut cut) throws IOException {
        Path checkpoints = root.resolve("audit").resolve("checkpoints.jsonl");
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                if (d.getParent() != null && d.getParent().equals(root) && NOT_COPIED.contains(d.getFileName().toString())) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(staging.resolve(root.relativize(d).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                if (!attrs.isRegularFile()) {
                    return FileVisitResult.CONTINUE; // a socket or link is no part of a deployment
                }
                Path to = staging.resolve(root.relativize(f).toString());
                if (f.equals(checkpoints)) {
                    StringBuilder kept = new StringBuilder();
                    for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                        if (!line.isBlank() && seq(line) <= cut.auditSeq()) {
                            kept.append(line).append('\n');
                        }
                    }
                    Files.writeString(to, kept, StandardCharsets.UTF_8);
                } else {
                    Files.copy(f, to, StandardCopyOption.COPY_ATTRIBUTES);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * The record a checkpoint line covers; a line the server is still writing (the newest, beyond
     * the cut by construction) does not parse and counts as beyond it.
     */
    private static long seq(String line) {
        try {
            return JSON.readTree(line).path("seq").asLong(Long.MAX_VALUE);
        } catch (IOException partial) {
            return Long.MAX_VALUE;
        }
    }

    /** Every regular file under {@code folder} but the manifest and its signature, in a stable order. */
    private static List<Path> files(Path folder) throws IOException {
        try (var all = Files.walk(folder)) {
            return all.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS))
                    .filter(f -> !f.equals(folder.resolve(MANIFEST)) && !f.equals(folder.resolve(SIGNATURE)))
                    .sorted().toList();
        }
    }

    private static String sm3(Path f) throws IOException {
        try (InputStream in = Files.newInputStream(f)) {
            return HexFormat.of().formatHex(Sm3.digest(in));
        }
    }

    private static void force(Path f) throws IOException {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static void requireEmpty(Path target) throws IOException {
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            boolean empty;
            try (var entries = Files.list(target)) {
                empty = entries.findAny().isEmpty();
            } catch (java.nio.file.NotDirectoryException e) {
                empty = false;
            }
            if (!empty) {
                throw new IllegalArgumentException(target + " exists and is not an empty folder; name a new one");
            }
        }
    }

    /** A new folder beside {@code target}, where the work is done before it is renamed into place. */
    private static Path staging(Path target) throws IOException {
        Files.createDirectories(target.getParent());
        // Only the server's user may enter it: it holds the key files and the sealed records.
        return Files.createDirectory(target.resolveSibling("." + target.getFileName() + ".partial-"
                + HexFormat.of().formatHex(random(4))), java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }

    private static void place(Path staging, Path target) throws IOException {
        Files.deleteIfExists(target); // an empty folder, checked before
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel ch = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
