package cn.midang.server;

import cn.midang.cli.net.MidangClient;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.testkit.MutableClock;
import cn.midang.keys.testkit.TestPki;
import cn.midang.server.config.ServerConfig;
import cn.midang.server.deploy.Deployment;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The server test fixture: a real dev deployment (init --dev) in a temporary folder, a real
 * server on a free loopback port, a clock the test controls, and real clients for the demo
 * identities. One per test class: init issues 13 certificates and writes 13 PKCS#12 files.
 */
public final class DevServer implements AutoCloseable {

    public final Path data;
    public final char[] passphrase;
    public final MutableClock clock;
    public final Deployment deployment;
    public final MidangServer server;
    /** The configuration the server runs with (its file and the test's environment). */
    public final ServerConfig config;
    private final Map<String, Identity> identities = new ConcurrentHashMap<>();

    private DevServer(Path data, char[] passphrase, MutableClock clock, Deployment deployment, MidangServer server, ServerConfig config) {
        this.config = config;
        this.data = data;
        this.passphrase = passphrase;
        this.clock = clock;
        this.deployment = deployment;
        this.server = server;
    }

    public static DevServer start(Path data) throws Exception {
        return start(data, Map.of());
    }

    /** {@code env} overrides configuration keys, e.g. {@code MIDANG_UPLOAD_MAX_BYTES}. */
    public static DevServer start(Path data, Map<String, String> env) throws Exception {
        return start(data, env, MutableClock.fixed(), false);
    }

    /**
     * A server on a clock that follows the system clock, for tests that drive the real
     * {@code midang} command (its requests carry the system time, checked for freshness).
     */
    public static DevServer startForCli(Path data) throws Exception {
        return start(data, Map.of(), MutableClock.followingSystem(), true);
    }

    /**
     * {@code -Dmidang.it.blobs=s3}: every server keeps its blobs in a bucket of its own on the tests'
     * S3 server instead of files (the build's {@code blobs-on-s3} run of the integration suites).
     */
    static final boolean BACKEND_S3 = "s3".equals(System.getProperty("midang.it.blobs"));

    /**
     * {@code -Dmidang.it.database=postgresql}: every server keeps its records in a PostgreSQL
     * database of its own on the tests' cluster instead of the embedded H2 database.
     */
    static final boolean BACKEND_POSTGRESQL = "postgresql".equals(System.getProperty("midang.it.database"));

    /**
     * A fresh dev deployment made once per JVM and clock kind, copied for each server (on
     * PostgreSQL, its database too: {@code database} is the template's).
     */
    private record Template(Path dir, char[] passphrase, Optional<String> database) {}

    private static final Map<Boolean, Template> TEMPLATES = new ConcurrentHashMap<>();

    /**
     * Creating a dev deployment issues 13 certificates and writes 13 PKCS#12 files (600,000 MAC
     * iterations each), several seconds; every test server gets a copy of one made by the real
     * {@code Deployment.init} on the same kind of clock, so tests stay independent but cheap.
     */
    private static Template template(boolean followingSystem) {
        return TEMPLATES.computeIfAbsent(followingSystem, f -> {
            try {
                Path dir = Files.createTempDirectory("midang-dev-template").resolve("data");
                char[] pass = TestPki.randomPassphrase();
                java.time.Clock clock = f ? MutableClock.followingSystem() : MutableClock.fixed();
                if (BACKEND_POSTGRESQL) {
                    PostgresServer pg = PostgresServer.shared();
                    String db = pg.newDatabase(Optional.empty());
                    Deployment.initDev(dir, pass, pg.settings(db, dir), clock);
                    return new Template(dir, pass, Optional.of(db));
                }
                Deployment.initDev(dir, pass, clock);
                return new Template(dir, pass, Optional.empty());
            } catch (Exception e) {
                throw new IllegalStateException("cannot create the dev deployment template", e);
            }
        });
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static DevServer start(Path data, Map<String, String> env, MutableClock clock, boolean followingSystem)
            throws Exception {
        Template t = template(followingSystem);
        char[] pass = t.passphrase().clone();
        copyTree(t.dir(), data);
        if (t.database().isPresent()) {
            PostgresServer pg = PostgresServer.shared();
            String db = pg.newDatabase(t.database());
            Path conf = data.resolve("server.conf");
            Files.writeString(conf, Files.readString(conf).replace(pg.url(t.database().get()) + "\n", pg.url(db) + "\n"));
        }
        Map<String, String> e = new HashMap<>(env);
        e.put("MIDANG_LISTEN_PORT", "0");
        if (BACKEND_S3 && !e.containsKey("MIDANG_BLOBS_URL")) {
            S3Server s3 = S3Server.shared();
            e.putAll(s3.environment(s3.newBucket()));
        }
        Deployment d = Deployment.open(data, pass, clock);
        ServerConfig config = ServerConfig.load(data, e);
        MidangServer s = MidangServer.start(d, config);
        return new DevServer(data, pass, clock, d, s, config);
    }

    /** A copy of a stopped deployment's records, put back on demand (to tamper with them again and again). */
    @FunctionalInterface
    public interface RecordSnapshot {
        void restore() throws Exception;
    }

    /**
     * Copies the records of the stopped deployment in {@code data}: the H2 file (to {@code copy}),
     * or on PostgreSQL a database made from the deployment's as template.
     */
    public static RecordSnapshot snapshotRecords(Path data, Path copy) throws Exception {
        Path conf = data.resolve("server.conf");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\ndatabase.url = (\\S+)\n").matcher(Files.readString(conf));
        if (m.find()) {
            PostgresServer pg = PostgresServer.shared();
            String database = m.group(1).substring(m.group(1).lastIndexOf('/') + 1);
            String saved = pg.newDatabase(Optional.of(database));
            return () -> pg.replaceDatabase(database, saved);
        }
        Path db = new cn.midang.server.deploy.DataDir(data).database().resolve("midang.mv.db");
        Files.copy(db, copy);
        return () -> Files.copy(copy, db, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    public URI uri() {
        return URI.create(server.url("127.0.0.1"));
    }

    /** The key file of demo identity {@code name}. */
    public Path identityFile(String name) {
        return data.resolve("identities").resolve(name + ".p12");
    }

    /** A file holding the dev passphrase, for {@code midang --passphrase-file}. */
    public Path passphraseFile() throws IOException {
        Path f = data.resolveSibling(data.getFileName() + ".passphrase");
        if (!Files.exists(f)) {
            Files.writeString(f, new String(passphrase) + "\n");
            Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        }
        return f;
    }

    public Identity identity(String name) {
        return identities.computeIfAbsent(name, n -> {
            try {
                return Identity.load(data.resolve("identities").resolve(n + ".p12"), passphrase);
            } catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        });
    }

    /** The dev deployment's CA (in {@code ca/}), unlocked: to issue certificates and sign revocation lists in a test. */
    public cn.midang.keys.pki.CertificateAuthority ca() throws cn.midang.keys.KeysException {
        return cn.midang.keys.pki.CertificateAuthority.open(data.resolve("ca"), passphrase, clock);
    }

    /** A new key with a certificate from the dev CA, as {@code role} in {@code organisation}; registered nowhere. */
    public Identity issue(String name, String role, String organisation) throws cn.midang.keys.KeysException {
        cn.midang.keys.pki.CertificateAuthority authority = ca();
        Identity fresh = Identity.generate(name, clock);
        return fresh.withIssuedCertificate(authority.issue(fresh.request(), role, organisation,
                cn.midang.keys.pki.CertificateAuthority.DEFAULT_CERT_VALIDITY), authority.certificate());
    }

    public MidangClient client(String name) {
        return new MidangClient(uri(), identity(name), clock);
    }

    public long submissions() throws Exception {
        return records().count();
    }

    /** The submission records of this server's database (opened with its record key). */
    public cn.midang.server.submission.Submissions records() throws Exception {
        try (var archive = cn.midang.server.archive.Archive.of(deployment, config)) {
            return new cn.midang.server.submission.Submissions(deployment.database(), archive.recordCipher(deployment.dir().recordKey()));
        }
    }

    /**
     * Fails unless the statement {@code statement} with {@code signature} is an entry of the
     * transparency log whose inclusion proof verifies against the newest checkpoint, signed by the
     * server's key (run a round first: {@code server.log().integrate()}).
     */
    public void assertLogged(cn.midang.keys.tlog.LogEntry.Kind kind, byte[] statement, byte[] signature) throws Exception {
        byte[] entry = cn.midang.keys.tlog.LogEntry.of(kind, statement, signature);
        var checkpoint = cn.midang.keys.tlog.LogCheckpoint.open(server.log().checkpoint(0).orElseThrow(),
                cn.midang.keys.tlog.NoteKey.forLog(deployment.signingIdentity().certificate()), java.util.List.of(), 0);
        var in = server.log().inclusion(entry).orElseThrow(() -> new AssertionError(kind + " statement not in the log"));
        if (!cn.midang.keys.tlog.MerkleTree.verifyInclusion(cn.midang.keys.tlog.TreeHasher.SM3, in.index(), in.size(),
                cn.midang.keys.tlog.TreeHasher.SM3.leaf(entry), in.proof(), checkpoint.head().root())) {
            throw new AssertionError(kind + " statement's inclusion proof does not verify");
        }
    }

    /** Every blob the server's store holds, committed (files or objects) and staged (files in blobs/tmp). */
    public long blobFiles() throws IOException {
        try (var blobs = cn.midang.server.archive.BlobStore.open(config, data.resolve("blobs"));
                Stream<Path> s = Files.list(data.resolve("blobs").resolve("tmp"))) {
            return blobs.names().size() + s.count();
        }
    }

    @Override
    public void close() throws Exception {
        server.close();
    }

    /** What one {@code midang} run printed, and its exit code. */
    public record CliRun(int exit, String out, String err) {
        public com.fasterxml.jackson.databind.JsonNode json() throws IOException {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(out);
        }
    }

    /**
     * {@code midang ARGS} run in-process as typed by {@code who}: server and identity from the
     * environment as a user sets them, no settings file, the passphrase from a file.
     */
    public CliRun midang(String who, String... args) throws IOException {
        return midangAt(uri().toString(), who, args);
    }

    /** {@code midang submit -q} of {@code file} to the demo campaign as a report by {@code who}; its submission id. */
    public String submitReport(String who, Path file, Path receiptDir) throws IOException {
        CliRun r = midang(who, "submit", "-q", "--campaign", "demo", "--kind", "report", "--receipt-dir", receiptDir.toString(),
                file.toString());
        if (r.exit() != 0) {
            throw new AssertionError("midang submit " + file.getFileName() + " exited " + r.exit() + ": " + r.err());
        }
        return r.out().strip();
    }

    /** As {@link #midang}, talking to {@code server} instead (a proxy in front of this one, or an address to refuse). */
    public CliRun midangAt(String server, String who, String... args) throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("MIDANG_SERVER", server);
        env.put("MIDANG_IDENTITY", identityFile(who).toString());
        env.put("MIDANG_CONFIG", data.resolveSibling("no-config").toString());
        return midangWith(env, args);
    }

    /** {@code midang ARGS} with exactly {@code env}; the passphrase file is added unless given (or not needed by verify). */
    public CliRun midangWith(Map<String, String> env, String... args) throws IOException {
        // What the command remembers (receipts, trusted server keys, CRL numbers seen) stays with this
        // server's test, never in the HOME of whoever runs the tests, nor shared with another test.
        if (!env.containsKey("HOME")) {
            env = new HashMap<>(env);
            env.put("HOME", data.resolveSibling(data.getFileName() + ".home").toString());
        }
        java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of(args));
        boolean offline = all.contains("verify") || all.contains("form") && all.contains("check")
                || all.contains("audit") && all.contains("show"); // commands without a key
        if (!all.contains("--passphrase-file") && !offline) {
            all.add("--passphrase-file");
            all.add(passphraseFile().toString());
        }
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        // The command runs on this server's clock: its requests are dated, and its receipts checked, on the test's time.
        int code = cn.midang.cli.Midang.run(new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true), env, clock,
                all.toArray(String[]::new));
        return new CliRun(code, out.toString(), err.toString());
    }
}
