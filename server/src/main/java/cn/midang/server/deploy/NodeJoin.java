package cn.midang.server.deploy;

import cn.midang.server.config.ServerConfig;
import cn.midang.server.storage.Database;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.commons.io.file.PathUtils;

/**
 * Makes the data directory of a further server node from a node's ({@code midang-server join}):
 * what makes it the same deployment — its configuration, certificates and key files — and
 * nothing a node keeps for itself: no search index (each node builds its own from the shared
 * records), no audit checkpoint file (each node appends the checkpoints it signs), no local
 * database or blobs (the records are in PostgreSQL and the packages in the object store, both
 * shared). The new directory appears whole or not at all.
 */
public final class NodeJoin {

    private NodeJoin() {}

    /** What {@link #join} made: the new directory, its node name, and the files copied into it (relative). */
    public record Joined(Path data, String node, List<Path> copied) {}

    /**
     * Makes {@code to} (absent or empty) a node named {@code node} (null: from {@code to}'s folder
     * name) of the deployment in {@code from}; {@code port} (null: as {@code from}) is its
     * {@code listen.port}. Refused, with nothing written, unless {@code from} keeps its records in
     * PostgreSQL and its packages in an object store, reachable with {@code env}'s credentials, and
     * no node of that name has ever indexed anything there.
     */
    public static Joined join(Path from, Path to, String node, Integer port, Map<String, String> env)
            throws IOException, SQLException, ServerConfig.InvalidConfigException {
        DataDir a = new DataDir(from);
        ServerConfig config = ServerConfig.load(from, env);
        Optional<ServerConfig.DatabaseSettings> records = ServerConfig.database(from, env);
        if (records.isEmpty() || config.blobs().isEmpty()) {
            throw new IllegalArgumentException(from + " keeps its " + (records.isEmpty() ? "records in the embedded database" : "")
                    + (records.isEmpty() && config.blobs().isEmpty() ? " and its " : "")
                    + (config.blobs().isEmpty() ? "sealed packages in local files" : "")
                    + ", which only its own server can use: nodes share PostgreSQL and an object store. Move them first with "
                    + "'midang-server migrate --data " + from + " --to-database JDBC_URL --to-blobs S3_URL'");
        }
        if (Files.exists(a.rekeyPlan())) {
            throw new IllegalArgumentException("the archive key of " + from + " is being replaced (keys/rekey.json): finish or cancel "
                    + "the rekey, then join");
        }
        if (!Files.exists(a.recordKey())) {
            throw new IllegalArgumentException(a.recordKey() + " does not exist yet: start the server of " + from + " once (it makes "
                    + "the record key every node must share), then join");
        }
        String name = node != null ? node : nameFrom(to);
        if (!ServerConfig.isNodeName(name)) {
            throw new IllegalArgumentException("\"" + name + "\" is not a node name: give --node NAME (lower-case letters, digits "
                    + "and '-', e.g. node-b)");
        }
        if (name.equals(config.node())) {
            throw new IllegalArgumentException(from + " is node \"" + name + "\" itself: give the new node a name of its own with "
                    + "--node NAME");
        }
        if (Files.exists(to, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> s = Files.list(to)) {
                if (s.findAny().isPresent()) {
                    throw new IllegalArgumentException(to + " is not empty: a node's directory is made new");
                }
            }
        }
        try (Database db = Deployment.openDatabase(a, records)) {
            if (indexedAs(db, name)) {
                throw new IllegalArgumentException("a node named \"" + name + "\" has indexed submissions in " + records.get().url()
                        + " already; a new node (or one rebuilt after its directory was lost) needs a name never used: --node NAME");
            }
        }

        Path staging = to.toAbsolutePath().resolveSibling("." + to.getFileName() + ".joining");
        if (Files.exists(staging)) {
            PathUtils.deleteDirectory(staging); // left by a join that was cut off
        }
        Files.createDirectories(staging);
        Files.setPosixFilePermissions(staging, Files.getPosixFilePermissions(from));
        List<Path> copied = new ArrayList<>();
        try {
            DataDir b = new DataDir(staging);
            String conf = Files.readString(a.config(), StandardCharsets.UTF_8);
            conf = ServerConfig.withSetting(conf, "node.name", name);
            if (port != null) {
                conf = ServerConfig.withSetting(conf, "listen.port", port.toString());
            }
            Files.writeString(b.config(), conf, StandardCharsets.UTF_8);
            copied.add(from.relativize(a.config()));
            for (Path p : List.of(a.signingCertificate(), a.archiveCertificate(), a.caCertificate(), a.crl(), a.tlsCertificate())) {
                copy(from, staging, p, copied);
            }
            try (Stream<Path> keys = Files.list(a.signingKey().getParent())) {
                for (Path k : keys.sorted().toList()) {
                    copy(from, staging, k, copied);
                }
            }
            // The files the configuration names inside the data directory: the dev passphrase, the database's credentials.
            List<Path> named = new ArrayList<>();
            config.passphraseFile().ifPresent(named::add);
            records.get().credentialsFile().map(from::resolve).ifPresent(named::add);
            for (Path p : named) {
                Path file = p.toAbsolutePath().normalize();
                if (file.startsWith(from.toAbsolutePath().normalize()) && Files.isRegularFile(file)) {
                    copy(from.toAbsolutePath().normalize(), staging, file, copied);
                }
            }
            if (Files.exists(to)) {
                Files.delete(to); // empty, checked above
            }
            Files.move(staging, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            PathUtils.deleteDirectory(staging);
            throw e;
        }
        return new Joined(to, name, copied);
    }

    /** A node name from a directory's name: {@code /srv/Midang_B} → {@code midang-b}. */
    static String nameFrom(Path dir) {
        return dir.toAbsolutePath().normalize().getFileName().toString().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-")
                .replaceAll("^-+|-+$", "");
    }

    private static boolean indexedAs(Database db, String node) throws SQLException {
        try (Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement("SELECT 1 FROM index_status WHERE node = ? LIMIT 1")) {
            ps.setString(1, node);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Copies {@code file} of {@code from} to the same place under {@code to}, keeping its permissions (key files: 0600). */
    private static void copy(Path from, Path to, Path file, List<Path> copied) throws IOException {
        if (!Files.isRegularFile(file)) {
            return;
        }
        Path rel = from.relativize(file);
        Path target = to.resolve(rel);
        if (!Files.exists(target.getParent())) {
            Files.createDirectories(target.getParent());
            // keys/ is the owner's only, as in the original
            Files.setPosixFilePermissions(target.getParent(), Files.getPosixFilePermissions(file.getParent()));
        }
        Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES);
        copied.add(rel);
    }
}
