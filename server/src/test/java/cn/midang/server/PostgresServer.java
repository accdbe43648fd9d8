package cn.midang.server;

import cn.midang.server.config.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real PostgreSQL for the tests: Debian's {@code postgresql} binaries, a throw-away cluster made
 * with {@code initdb} in a temporary folder and started with {@code pg_ctl} on a free loopback
 * port, one per test JVM, stopped when it exits. PostgreSQL refuses to run as root, so under root
 * (CI) the cluster belongs to the {@code postgres} user and its commands run through
 * {@code runuser}. Password authentication (SCRAM), as in production; each caller gets a
 * database of its own ({@link #newDatabase}).
 */
public final class PostgresServer {

    public static final String USER = "midang";

    private static PostgresServer shared;

    private final Path base;
    private final Path bin;
    private final int port;
    private final String password;
    private final AtomicInteger databases = new AtomicInteger();

    private PostgresServer(Path base, Path bin, int port, String password) {
        this.base = base;
        this.bin = bin;
        this.port = port;
        this.password = password;
    }

    /** The test JVM's PostgreSQL, started on first use. */
    public static synchronized PostgresServer shared() {
        if (shared == null) {
            try {
                shared = start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the tests' PostgreSQL", e);
            }
            PostgresServer started = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(started::stop));
        }
        return shared;
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The newest {@code /usr/lib/postgresql/N/bin}, where Debian puts initdb and pg_ctl. */
    private static Path binaries() throws IOException {
        Path lib = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(lib)) {
            try (Stream<Path> versions = Files.list(lib)) {
                Optional<Path> newest = versions.filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
                        .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString().replaceAll("\\D", "0"))));
                if (newest.isPresent()) {
                    return newest.get().resolve("bin");
                }
            }
        }
        throw new IOException("PostgreSQL's initdb was not found under /usr/lib/postgresql: install Debian's postgresql package "
                + "(.ci/run does)");
    }

    private static PostgresServer start() throws IOException {
        Path bin = binaries();
        Path base = Files.createTempDirectory("midang-pg");
        byte[] b = new byte[16];
        new java.security.SecureRandom().nextBytes(b);
        String password = HexFormat.of().formatHex(b);
        Path pwfile = base.resolve("pwfile");
        Files.writeString(pwfile, password + "\n");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        if (root()) {
            run(List.of("chown", "-R", "postgres:postgres", base.toString()), base);
        }
        PostgresServer pg = new PostgresServer(base, bin, port, password);
        pg.asOwner(List.of(bin.resolve("initdb").toString(), "-D", base.resolve("data").toString(), "-U", USER,
                "--pwfile=" + pwfile, "-A", "scram-sha-256", "-E", "UTF8", "--locale=C"));
        Files.delete(pwfile);
        // -w: pg_ctl waits until the server accepts connections; -t: however long a busy machine needs.
        pg.asOwner(List.of(bin.resolve("pg_ctl").toString(), "-D", base.resolve("data").toString(), "-l",
                base.resolve("postgres.log").toString(), "-w", "-t", "600", "-o",
                "-p " + port + " -k " + base + " -c listen_addresses=127.0.0.1 -c max_connections=300", "start"));
        return pg;
    }

    private void asOwner(List<String> command) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (root()) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.addAll(command);
        run(cmd, base);
    }

    private static void run(List<String> cmd, Path dir) throws IOException {
        Path out = Files.createTempFile("midang-pg-cmd", ".log");
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            int exit = p.waitFor();
            if (exit != 0) {
                throw new IOException(String.join(" ", cmd) + " exited with " + exit + ": " + Files.readString(out));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + cmd, e);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private void stop() {
        try {
            asOwner(List.of(bin.resolve("pg_ctl").toString(), "-D", base.resolve("data").toString(), "-m", "immediate", "-w",
                    "stop"));
            org.apache.commons.io.file.PathUtils.deleteDirectory(base);
        } catch (IOException e) {
            // a temporary cluster left behind
        }
    }

    /** The environment an operator sets for the server's database user. */
    public java.util.Map<String, String> environment() {
        return java.util.Map.of("MIDANG_DATABASE_USER", USER, "MIDANG_DATABASE_PASSWORD", password);
    }

    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** A new empty database, or a copy of {@code template} (a database no one is connected to). */
    public String newDatabase(Optional<String> template) {
        String name = "midang_" + databases.incrementAndGet();
        try (Connection c = DriverManager.getConnection(url("postgres"), USER, password); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name + template.map(t -> " TEMPLATE " + t).orElse(""));
        } catch (SQLException e) {
            throw new IllegalStateException("CREATE DATABASE " + name + ": " + e.getMessage(), e);
        }
        return name;
    }

    /** Makes {@code database} a fresh copy of {@code template} (no one may be connected to either). */
    public void replaceDatabase(String database, String template) {
        try (Connection c = DriverManager.getConnection(url("postgres"), USER, password); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE " + database);
            s.execute("CREATE DATABASE " + database + " TEMPLATE " + template);
        } catch (SQLException e) {
            throw new IllegalStateException("replacing database " + database + ": " + e.getMessage(), e);
        }
    }

    /**
     * The settings of {@code database} for the deployment in {@code dataDir}: its credentials are
     * written to {@code dataDir/database.credentials} (owner only), as an operator would.
     */
    public ServerConfig.DatabaseSettings settings(String database, Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        Path file = dataDir.resolve("database.credentials");
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, "user = " + USER + "\npassword = " + password + "\n");
        return new ServerConfig.DatabaseSettings(url(database), USER, password, Optional.of("database.credentials"));
    }
}
