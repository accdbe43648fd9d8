package cn.midang.server.deploy;

import cn.midang.keys.KeysException;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.CertificateAuthority;
import cn.midang.keys.pki.ChainValidator;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.pki.RevocationList;
import cn.midang.keys.sign.RawSignatures;
import cn.midang.keys.tls.TransportKey;
import cn.midang.server.access.AccessRecords;
import cn.midang.server.access.Engagement;
import cn.midang.server.campaign.Campaign;
import cn.midang.server.campaign.CampaignState;
import cn.midang.server.campaign.Campaigns;
import cn.midang.server.campaign.ShippedCampaigns;
import cn.midang.server.identity.Accounts;
import cn.midang.server.config.ServerConfig;
import cn.midang.server.storage.Database;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import cn.midang.keys.io.SafeFiles;

/**
 * Creates a deployment ({@link #init}) and opens one ({@link #open}): the server's keys and
 * certificates, the trusted CA and CRL, and the database.
 */
public final class Deployment implements AutoCloseable {

    /** The demo identities of a dev deployment: file name → role and organisation. */
    public static final Map<String, String[]> DEMO_IDENTITIES = demoIdentities();

    /** PBKDF2 and MAC iterations of the demo identities' files (production files keep Bouncy Castle's 300,000/600,000). */
    static final int DEMO_IDENTITY_ITERATIONS = 10_000;

    /** The dev deployment's engagement: the testing body, for unit-a in the demo campaign, open for a week. */
    public static final String DEMO_ENGAGEMENT = "demo-tester";

    private static Map<String, String[]> demoIdentities() {
        Map<String, String[]> m = new LinkedHashMap<>();
        m.put("unit-a", new String[] {"unit", "unit-a"});
        m.put("unit-b", new String[] {"unit", "unit-b"});
        m.put("inspector-info", new String[] {"inspector", "市信息产业办"});
        m.put("inspector-police", new String[] {"inspector", "市公安局"});
        m.put("inspector-secrecy", new String[] {"inspector", "市保密局"});
        m.put("tester", new String[] {"tester", "安全检测机构"});
        m.put("approver-info", new String[] {"approver", "市信息产业办"});
        m.put("approver-police", new String[] {"approver", "市公安局"});
        m.put("approver-secrecy", new String[] {"approver", "市保密局"});
        m.put("leader", new String[] {"leader", "市人民政府"});
        m.put("admin", new String[] {"admin", "市信息产业办"});
        return Collections.unmodifiableMap(m);
    }

    private final DataDir dir;
    private final Identity signing;
    private volatile Identity archive;
    private volatile ArchiveHolders holders;
    private final Certificate ca;
    private final Database database;
    private final Clock clock;

    private final TransportKey transport;
    private final byte[] transportBinding;

    private Deployment(DataDir dir, Identity signing, Identity archive, ArchiveHolders holders, TransportKey transport, Certificate ca,
            Database database, Clock clock) throws KeysException {
        this.holders = holders;
        this.transport = transport;
        this.transportBinding = RawSignatures.sign(signing,
                TransportKey.bindingStatement(transport.certificateSha256(), signing.certificate().fingerprint()));
        this.dir = dir;
        this.signing = signing;
        this.archive = archive;
        this.ca = ca;
        this.database = database;
        this.clock = clock;
    }

    /**
     * What init made, for the operator: in production also the certification requests of the
     * server's two keys, which the CA must answer before the server can run ({@link #certify}).
     */
    public record Created(DataDir dir, boolean generatedPassphrase, List<Path> identities, List<Path> requests) {}

    /** The server's keys: signing (receipts, checkpoints, documents) and archive (what units seal to). */
    public static final String SIGNING_NAME = "Midang server signing";
    public static final String ARCHIVE_NAME = "Midang archive";

    /**
     * Creates a development deployment in {@code root}: a local CA (in {@code ca/}) that issues the
     * server's certificates and demo identities for every role, an open campaign {@code demo} with
     * units {@code unit-a} and {@code unit-b}.
     *
     * @param passphrase protects every key file; null generates one (written to {@code passphrase}, mode 0600)
     */
    public static Created initDev(Path root, char[] passphrase, Clock clock) throws KeysException, IOException, SQLException {
        return init(root, true, passphrase, null, null, KeySplit.NONE, null, clock);
    }

    /** As {@link #initDev(Path, char[], Clock)}, with the records in {@code database} (written to server.conf). */
    public static Created initDev(Path root, char[] passphrase, ServerConfig.DatabaseSettings database, Clock clock)
            throws KeysException, IOException, SQLException {
        return init(root, true, passphrase, null, null, KeySplit.NONE, Optional.of(database), clock);
    }

    /**
     * Who holds the archive key (issue 16): {@code holders}' certificates (issued by the
     * deployment's CA), any {@code threshold} of whose shares open it; each holder's share is written
     * to {@code sharesOut}/COMMON-NAME.share. None: the operator's passphrase opens the archive key.
     */
    public record KeySplit(List<Path> holders, int threshold, Path sharesOut) {
        public static final KeySplit NONE = new KeySplit(List.of(), 0, null);

        public KeySplit {
            holders = List.copyOf(holders);
        }

        boolean none() {
            return holders.isEmpty();
        }
    }

    /**
     * Creates a production deployment in {@code root} from the deployment CA's public part only —
     * {@code caDir}/ca.crt and {@code caDir}/crl.pem (or {@code caDir} naming the certificate, with
     * crl.pem beside it); the CA's private key is never read — and
     * registers {@code adminCertificate} (issued by that CA with role admin, valid and not revoked)
     * as the first administrator. The server's signing and archive keys are generated here; their
     * certification requests are written to {@code requests/} for the CA to answer, and the server
     * runs once {@link #certify} installed the certificates.
     */
    public static Created initProduction(Path root, char[] passphrase, Path caDir, Path adminCertificate, Clock clock)
            throws KeysException, IOException, SQLException {
        return init(root, false, passphrase, caDir, adminCertificate, KeySplit.NONE, null, clock);
    }

    /** As {@link #initProduction(Path, char[], Path, Path, Clock)}, with the archive key split among {@code split}'s holders. */
    public static Created initProduction(Path root, char[] passphrase, Path caDir, Path adminCertificate, KeySplit split, Clock clock)
            throws KeysException, IOException, SQLException {
        return init(root, false, passphrase, caDir, adminCertificate, split, null, clock);
    }

    /**
     * Creates a deployment (dev: {@code caDir} and {@code adminCertificate} unused) with its records
     * in {@code database} (empty: the embedded database; {@code null}: as the environment's
     * {@code MIDANG_DATABASE_URL} says).
     */
    public static Created init(Path root, boolean dev, char[] passphrase, Path caDir, Path adminCertificate, KeySplit split,
            Optional<ServerConfig.DatabaseSettings> database, Clock clock) throws KeysException, IOException, SQLException {
        DataDir d = new DataDir(root);
        if (Files.exists(d.config())) {
            throw new IOException(root + " already holds a deployment (server.conf exists); choose an empty directory");
        }
        Certificate caCert = null;
        RevocationList caCrl = null;
        Certificate admin = null;
        if (!dev) {
            // Everything is checked before anything is written: a refused init leaves no directory behind.
            // The CA's folder (or its ca.crt): its certificate and the revocation list beside it, nothing else.
            Path caFile = Files.isDirectory(caDir) ? caDir.resolve("ca.crt") : caDir;
            caCert = Certificate.read(caFile);
            caCrl = RevocationList.read(caFile.resolveSibling("crl.pem"));
            admin = Certificate.read(adminCertificate);
            ChainValidator.of(caCert, caCrl, clock).validate(admin);
            if (!"admin".equals(admin.role())) {
                throw new KeysException(KeysException.Reason.WRONG_KEY_USAGE, admin.subject() + " is not an administrator's certificate "
                        + "(its role is " + (admin.role() == null || admin.role().isEmpty() ? "none" : admin.role())
                        + "); issue one with 'midang ca issue --role admin'");
            }
        }
        List<Certificate> holders = split.none() ? List.of() : holderCertificates(split, ChainValidator.of(caCert, caCrl, clock));
        if (passphrase == null && !dev) {
            throw new IOException("no passphrase: set MIDANG_PASSPHRASE or give --passphrase-file");
        }
        if (database == null) {
            database = databaseSettings(d);
        }
        // The record store is reached (and migrated) before any file is written: one that cannot be used leaves nothing behind.
        try (Database db = openDatabase(d, database)) {
            return init(d, dev, passphrase, caCert, caCrl, admin, split, holders, database, db, clock);
        }
    }

    private static Created init(DataDir d, boolean dev, char[] passphrase, Certificate caCert, RevocationList caCrl, Certificate admin,
            KeySplit split, List<Certificate> holders, Optional<ServerConfig.DatabaseSettings> database, Database db, Clock clock)
            throws KeysException, IOException, SQLException {
        Path root = d.root();
        Files.createDirectories(root);
        boolean generated = false;
        if (passphrase == null) {
            byte[] b = new byte[16];
            new SecureRandom().nextBytes(b);
            passphrase = HexFormat.of().formatHex(b).toCharArray();
            writeOwnerOnly(d.devPassphrase(), new String(passphrase) + "\n");
            generated = true;
        }
        CertificateAuthority authority = dev ? CertificateAuthority.init(d.devCa(), "Midang Dev CA", passphrase, clock) : null;
        Identity signing;
        Identity archive;
        List<Path> requests = new ArrayList<>();
        if (dev) {
            signing = issue(authority, SIGNING_NAME, "server", "Midang", clock);
            archive = issue(authority, ARCHIVE_NAME, "server", "Midang", clock);
            signing.certificate().writePem(d.signingCertificate());
            archive.certificate().writePem(d.archiveCertificate());
            authority.certificate().writePem(d.caCertificate());
            authority.revocationList().writePem(d.crl());
        } else {
            signing = Identity.generate(SIGNING_NAME, clock);
            archive = Identity.generate(ARCHIVE_NAME, clock);
            Files.createDirectories(d.requests());
            signing.request().writePem(d.requests().resolve("server-signing.csr"));
            archive.request().writePem(d.requests().resolve("server-archive.csr"));
            requests.add(d.requests().resolve("server-signing.csr"));
            requests.add(d.requests().resolve("server-archive.csr"));
            caCert.writePem(d.caCertificate());
            caCrl.writePem(d.crl());
        }
        signing.save(d.signingKey(), passphrase);
        if (split.none()) {
            archive.save(d.archiveKey(), passphrase);
        } else {
            // The archive key opens with a fresh secret split among the key holders; the secret is kept nowhere.
            byte[] secret = KeyShares.newSecret();
            archive.save(d.archiveKey(), KeyShares.passphrase(secret));
            ArchiveHolders named = writeShares(secret, split.threshold(), holders, archive.certificate(), signing, split.sharesOut(),
                    false, clock);
            java.util.Arrays.fill(secret, (byte) 0);
            named.write(d.archiveHolders());
        }
        TransportKey tls = TransportKey.generate("localhost", clock, CertificateAuthority.DEFAULT_CERT_VALIDITY, passphrase);
        tls.save(d.tlsKey());
        Files.writeString(d.tlsCertificate(), tls.certificatePem(), StandardCharsets.US_ASCII);

        List<Path> identities = new ArrayList<>();
        Accounts accounts = new Accounts(db);
        Instant now = clock.instant();
        if (!dev) {
            accounts.register(admin, now);
        } else {
            accounts.register(signing.certificate(), now);
            accounts.register(archive.certificate(), now);
            demo(d, authority, accounts, db, passphrase, identities, clock);
        }
        Files.createDirectories(d.blobs());
        writeConfig(d, dev, generated, database);
        return new Created(d, generated, identities, requests);
    }

    /** The key holders' certificates of {@code split}, each issued by the CA and valid, none twice; the threshold and output checked. */
    static List<Certificate> holderCertificates(KeySplit split, ChainValidator trust) throws KeysException, IOException {
        List<Certificate> holders = new ArrayList<>();
        for (Path h : split.holders()) {
            Certificate c = Certificate.read(h);
            trust.validate(c);
            if (holders.stream().anyMatch(x -> x.samePublicKey(c))) {
                throw new KeysException(KeysException.Reason.MISMATCH, h + " names a key holder twice");
            }
            holders.add(c);
        }
        if (holders.size() < 2 || split.threshold() < 2 || split.threshold() > holders.size()) {
            throw new IOException("--threshold must be 2.." + holders.size() + " (of " + holders.size() + " key holders, at least 2)");
        }
        if (split.sharesOut() == null) {
            throw new IOException("give --shares-out DIR: where each key holder's share is written for delivery");
        }
        return holders;
    }

    /**
     * Splits {@code secret} among {@code holders} and writes each share to {@code sharesOut}/COMMON-NAME.share (sealed to
     * its holder, signed by {@code signing}); {@code replace} lets a resumed rekey write them again. Returns who holds them.
     */
    static ArchiveHolders writeShares(byte[] secret, int threshold, List<Certificate> holders, Certificate archive, Identity signing,
            Path sharesOut, boolean replace, Clock clock) throws KeysException, IOException {
        List<byte[]> shares = KeyShares.split(secret, threshold, holders, archive, signing, clock);
        Files.createDirectories(sharesOut);
        List<ArchiveHolders.Holder> named = new ArrayList<>();
        for (int i = 0; i < holders.size(); i++) {
            Certificate h = holders.get(i);
            String base = h.commonName().replaceAll("[^\\p{L}\\p{N}._-]", "_");
            boolean unique = holders.stream().filter(x -> x.commonName().equals(h.commonName())).count() == 1;
            Path file = sharesOut.resolve((unique ? base : base + "-" + h.fingerprint().substring(0, 8)) + ".share");
            if (replace) {
                SafeFiles.writeAtomically(file, shares.get(i), false);
            } else {
                SafeFiles.writeNew(file, shares.get(i));
            }
            named.add(new ArchiveHolders.Holder(h.fingerprint(), h.subject()));
        }
        return new ArchiveHolders(cn.midang.forms.KeyShare.archiveId(archive), threshold, named);
    }

    /** The dev deployment's demo identities, campaign, assignments and engagement. */
    private static void demo(DataDir d, CertificateAuthority authority, Accounts accounts, Database db, char[] passphrase,
            List<Path> identities, Clock clock) throws KeysException, SQLException {
        Instant now = clock.instant();
        Map<String, Identity> demo = new LinkedHashMap<>();
        for (Map.Entry<String, String[]> e : DEMO_IDENTITIES.entrySet()) {
            Identity id = issue(authority, e.getKey(), e.getValue()[0], e.getValue()[1], clock);
            Path file = d.identities().resolve(e.getKey() + ".p12");
            // The dev passphrase is written beside these files, so a slow key derivation
            // would protect nothing; fewer iterations keep each midang command fast (D30).
            id.saveWithIterations(file, passphrase, DEMO_IDENTITY_ITERATIONS);
            accounts.register(id.certificate(), now);
            identities.add(file);
            demo.put(e.getKey(), id);
        }
        // The demo campaign has the notice's check areas and joint-review departments (the
        // demo approvers' organisations), with a two-week on-site inspection after the deadline.
        Campaign yuxi = ShippedCampaigns.yuxi2009();
        Instant deadline = now.plus(Duration.ofDays(7));
        new Campaigns(db).create(new Campaign("demo", "演示检查 Demo campaign", CampaignState.OPEN, now, deadline, true, List.of(
                        new Campaign.Unit("unit-a", "演示单位甲 Demo unit A", "市", true),
                        new Campaign.Unit("unit-b", "演示县区乙 Demo county B", "县区", false)), yuxi.areas(),
                new Campaign.Details(null, null, yuxi.details().leadOffice(), yuxi.details().jointReview(), deadline,
                        deadline.plus(Duration.ofDays(14)))));
        // The working group's three inspectors are assigned to the demo campaign, and the
        // testing body has an engagement for unit-a, open now for the campaign's week.
        AccessRecords access = new AccessRecords(db);
        for (String inspector : List.of("inspector-info", "inspector-police", "inspector-secrecy")) {
            access.assign("demo", demo.get(inspector).certificate().fingerprint(), now);
        }
        access.createEngagement(new Engagement(DEMO_ENGAGEMENT, DEMO_IDENTITIES.get("tester")[1], "demo", List.of("unit-a"),
                now, now.plus(Duration.ofDays(7)), null), demo.get("admin").certificate().fingerprint(), now);
    }

    /**
     * Installs the certificates the deployment's CA issued for the server's signing and archive
     * keys (answering {@code requests/}): each must be for that key, issued by the CA, valid, not
     * revoked and with the role {@code server}. Also renews them later, the same way. Nothing is
     * written unless both are right.
     */
    public static void certify(Path root, char[] passphrase, Path signingCertificate, Path archiveCertificate, Clock clock)
            throws KeysException, IOException, SQLException {
        DataDir d = new DataDir(root);
        if (!Files.exists(d.config())) {
            throw new IOException(root + " is not a Midang data directory (no server.conf); create it with 'midang-server init'");
        }
        Certificate ca = Certificate.read(d.caCertificate());
        ChainValidator trust = ChainValidator.of(ca, RevocationList.read(d.crl()), clock);
        Identity signing = certified(Identity.load(d.signingKey(), passphrase), Certificate.read(signingCertificate), trust, "signing");
        Certificate archiveCert;
        if (Files.exists(d.archiveHolders())) {
            // The archive key is split among its holders: its certificate is checked against the key's
            // public part recorded at init, and installed beside the key file, which stays closed.
            archiveCert = Certificate.read(archiveCertificate);
            certifiedPublic(archiveCert, ArchiveHolders.read(d.archiveHolders()).archive(), trust, "server-archive.csr");
        } else {
            Identity archive = certified(Identity.load(d.archiveKey(), passphrase), Certificate.read(archiveCertificate), trust, "archive");
            archive.save(d.archiveKey(), passphrase);
            archiveCert = archive.certificate();
        }
        signing.save(d.signingKey(), passphrase);
        signing.certificate().writePem(d.signingCertificate());
        archiveCert.writePem(d.archiveCertificate());
        try (Database db = openDatabase(d, databaseSettings(d))) {
            Accounts accounts = new Accounts(db);
            for (Certificate c : List.of(signing.certificate(), archiveCert)) {
                if (accounts.byCertificate(c.fingerprint()).isEmpty()) {
                    accounts.register(c, clock.instant());
                }
            }
        }
    }

    static void certifiedPublic(Certificate issued, String archiveId, ChainValidator trust, String request) throws KeysException {
        trust.validate(issued);
        if (!"server".equals(issued.role())) {
            throw new KeysException(KeysException.Reason.WRONG_KEY_USAGE, issued.subject() + " is not a server certificate (issue it "
                    + "with 'midang ca issue --role server')");
        }
        if (!cn.midang.forms.KeyShare.archiveId(issued).equals(archiveId)) {
            throw new KeysException(KeysException.Reason.MISMATCH, issued.subject() + " certifies another key than the server's "
                    + "archive key; issue it from requests/" + request + " of this data directory");
        }
    }

    private static Identity certified(Identity key, Certificate issued, ChainValidator trust, String which) throws KeysException {
        trust.validate(issued);
        if (!"server".equals(issued.role())) {
            throw new KeysException(KeysException.Reason.WRONG_KEY_USAGE, issued.subject() + " is not a server certificate (issue it "
                    + "with 'midang ca issue --role server')");
        }
        if (!issued.samePublicKey(key.certificate())) {
            throw new KeysException(KeysException.Reason.MISMATCH, issued.subject() + " certifies another key than the server's "
                    + which + " key; issue it from requests/server-" + which + ".csr of this data directory");
        }
        return key.withIssuedCertificate(issued, trust.ca());
    }

    private static Identity issue(CertificateAuthority ca, String name, String role, String org, Clock clock) throws KeysException {
        Identity fresh = Identity.generate(name, clock);
        return fresh.withIssuedCertificate(ca.issue(fresh.request(), role, org, CertificateAuthority.DEFAULT_CERT_VALIDITY),
                ca.certificate());
    }

    private static void writeConfig(DataDir d, boolean dev, boolean generatedPassphrase, Optional<ServerConfig.DatabaseSettings> database)
            throws IOException {
        String template;
        try (InputStream in = Deployment.class.getResourceAsStream("/cn/midang/server/config/server.conf")) {
            if (in == null) {
                throw new IOException("the server.conf template is missing from the server jar");
            }
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (dev) {
            template = template.replace("\ndev = false\n", "\ndev = true\n")
                    .replace("\nlisten.tls = true\n", "\nlisten.tls = false\n")
                    .replace("\nlog.round-seconds = 60\n", "\nlog.round-seconds = 2\n");
        }
        if (generatedPassphrase) {
            template = template.replace("\npassphrase.file =\n", "\npassphrase.file = passphrase\n");
        }
        if (database.isPresent()) {
            template = template.replace("\ndatabase.url =\n", "\ndatabase.url = " + database.get().url() + "\n");
            if (database.get().credentialsFile().isPresent()) {
                template = template.replace("\ndatabase.credentials-file =\n",
                        "\ndatabase.credentials-file = " + database.get().credentialsFile().get() + "\n");
            }
        }
        Files.writeString(d.config(), template, StandardCharsets.UTF_8);
    }

    /** The record store server.conf and the environment name for {@code d} (empty: the embedded database). */
    static Optional<ServerConfig.DatabaseSettings> databaseSettings(DataDir d) throws IOException {
        try {
            return ServerConfig.database(d.root(), System.getenv());
        } catch (ServerConfig.InvalidConfigException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Opens (and migrates) the record store of {@code d}: PostgreSQL when {@code settings} names it, else the embedded H2 database. */
    public static Database openDatabase(DataDir d, Optional<ServerConfig.DatabaseSettings> settings) throws IOException {
        if (settings.isEmpty()) {
            return Database.open(d.database());
        }
        ServerConfig.DatabaseSettings s = settings.get();
        try {
            return Database.postgres(s.url(), s.user(), s.password());
        } catch (RuntimeException e) {
            throw new IOException("the record store " + s + " cannot be used: " + rootCause(e).getMessage(), e);
        }
    }

    /** The record store of the deployment in {@code root}, as its server.conf and the environment name it. */
    public static Database openDatabase(Path root) throws IOException {
        DataDir d = new DataDir(root);
        return openDatabase(d, databaseSettings(d));
    }

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private static void writeOwnerOnly(Path file, String content) throws IOException {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }

    /** Opens the deployment in {@code root} with the passphrase of its key files. */
    public static Deployment open(Path root, char[] passphrase, Clock clock) throws KeysException {
        DataDir d = new DataDir(root);
        if (!Files.exists(d.signingCertificate()) || !Files.exists(d.archiveCertificate())) {
            throw new KeysException(KeysException.Reason.IO, "the server's certificates are not installed yet: have the CA issue "
                    + d.requests().resolve("server-signing.csr") + " and " + d.requests().resolve("server-archive.csr")
                    + " ('midang ca issue --role server --org Midang'), then 'midang-server certify --data " + root
                    + " --signing SIGNING.crt --archive ARCHIVE.crt'");
        }
        Identity signing = Identity.load(d.signingKey(), passphrase);
        TransportKey transport = TransportKey.load(d.tlsKey(), passphrase);
        Certificate ca = Certificate.read(d.caCertificate());
        try {
            if (Rekey.switchFiles(d)) { // a rekey that stopped while switching its files: finished now
                try (Database db = openDatabase(d, databaseSettings(d))) {
                    Certificate next = Certificate.read(d.archiveCertificate());
                    Accounts accounts = new Accounts(db);
                    if (accounts.byCertificate(next.fingerprint()).isEmpty()) {
                        accounts.register(next, clock.instant());
                    }
                }
            }
        } catch (IOException | SQLException e) {
            throw new KeysException(KeysException.Reason.IO, "finishing the archive key's rekey: " + e.getMessage(), e);
        }
        Database db;
        try {
            db = openDatabase(d, databaseSettings(d));
        } catch (IOException e) {
            throw new KeysException(KeysException.Reason.IO, e.getMessage(), e);
        }
        if (Files.exists(d.archiveHolders())) {
            // The archive key is split among the key holders: the operator's passphrase does not open it.
            return new Deployment(d, signing, null, ArchiveHolders.read(d.archiveHolders()), transport, ca, db, clock);
        }
        return new Deployment(d, signing, Identity.load(d.archiveKey(), passphrase), null, transport, ca, db, clock);
    }

    /** The validator built from one version of {@code crl.pem}, identified by its file attributes. */
    private record CachedValidator(Object fileKey, FileTime modified, long size, ChainValidator validator,
            java.math.BigInteger number) {}

    private volatile CachedValidator cached;

    /**
     * A validator for callers' certificates with the CRL as it is on disk now. Replacing
     * {@code crl.pem} (atomically, as the CA tools do) takes effect on the next request without a
     * restart; the file is parsed and its signature checked only when it changed, not on every
     * request. With the records in PostgreSQL, where other nodes may have published a newer list,
     * that list is installed here first ({@link #followPublishedCrl}).
     */
    public ChainValidator validator() throws KeysException {
        if (database.engine() == Database.Engine.POSTGRESQL) {
            followPublishedCrl();
        }
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(dir.crl(), BasicFileAttributes.class);
        } catch (IOException e) {
            throw new KeysException(KeysException.Reason.IO, "cannot read " + dir.crl() + ": " + e.getMessage(), e);
        }
        CachedValidator c = cached;
        if (c == null || !Objects.equals(c.fileKey(), attrs.fileKey()) || !c.modified().equals(attrs.lastModifiedTime())
                || c.size() != attrs.size()) {
            RevocationList crl = RevocationList.read(dir.crl());
            c = new CachedValidator(attrs.fileKey(), attrs.lastModifiedTime(), attrs.size(), ChainValidator.of(ca, crl, clock),
                    crl.number());
            cached = c;
        }
        return c.validator();
    }

    /**
     * Installs the newest list published through any node (table {@code revocation_lists}) if it
     * is newer than the one in force here: one indexed look-up per request, so a revocation
     * through one node holds on every node from the next request. The list is checked again (the
     * CA's, signed by it): the database is not trusted to make one up.
     */
    private void followPublishedCrl() throws KeysException {
        CachedValidator c = cached;
        java.math.BigInteger inForce = c != null ? c.number() : RevocationList.read(dir.crl()).number();
        String pem;
        try (java.sql.Connection conn = database.connection();
                java.sql.PreparedStatement ps = conn.prepareStatement("SELECT pem FROM revocation_lists WHERE crl_number > ? "
                        + "ORDER BY crl_number DESC LIMIT 1")) {
            ps.setBigDecimal(1, new java.math.BigDecimal(inForce));
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return;
                }
                pem = rs.getString(1);
            }
        } catch (SQLException e) {
            throw new KeysException(KeysException.Reason.IO, "cannot read the published revocation lists: " + e.getMessage(), e);
        }
        RevocationList published = RevocationList.parse(pem.getBytes(StandardCharsets.US_ASCII));
        if (!published.namesIssuer(ca) || !published.isSignedBy(ca)) {
            throw new KeysException(KeysException.Reason.MISMATCH, "revocation list " + published.number()
                    + " in the database is not the deployment CA's: not installed");
        }
        installCrlIfNewer(published);
    }

    /** The deployment's CA certificate: every account's certificate, and every CRL, must come from it. */
    public Certificate ca() {
        return ca;
    }

    /** The revocation list installed now. */
    public RevocationList crl() throws KeysException {
        return RevocationList.read(dir.crl());
    }

    /**
     * Installs {@code crl} (already checked by the caller: signed by the CA, current) in place of
     * {@code crl.pem} if its number is higher than the installed one's, atomically: a request sees
     * the old list or the new one, never a torn file, and the next request is validated against it.
     * Returns the list installed before; when that one is not older, nothing is changed.
     */
    public synchronized RevocationList installCrlIfNewer(RevocationList crl) throws KeysException {
        RevocationList current = crl();
        if (crl.number().compareTo(current.number()) > 0) {
            publish(crl); // first: the other nodes follow what is in the database
            SafeFiles.writeAtomically(dir.crl(), crl.toPem().getBytes(StandardCharsets.US_ASCII), false);
            cached = null;
        }
        return current;
    }

    /** Records {@code crl} as published, for every node sharing the database (once per number). */
    private void publish(RevocationList crl) throws KeysException {
        try {
            java.math.BigDecimal n = new java.math.BigDecimal(crl.number());
            database.inTransaction(c -> {
                try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT 1 FROM revocation_lists WHERE crl_number = ?")) {
                    ps.setBigDecimal(1, n);
                    try (java.sql.ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            return null;
                        }
                    }
                }
                try (java.sql.PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO revocation_lists (crl_number, pem, installed_at) VALUES (?, ?, ?)")) {
                    ps.setBigDecimal(1, n);
                    ps.setString(2, crl.toPem());
                    ps.setTimestamp(3, java.sql.Timestamp.from(clock.instant()));
                    ps.executeUpdate();
                }
                return null;
            });
        } catch (SQLException e) {
            if (!Database.isUniqueViolation(e)) { // another node published the same list at the same moment
                throw new KeysException(KeysException.Reason.IO, "cannot record the revocation list: " + e.getMessage(), e);
            }
        }
    }

    /** How many days before the installed CRL's next update the server starts warning (log, /healthz, status). */
    public static final Duration CRL_WARNING = Duration.ofDays(7);

    /**
     * What the operator must be told about the installed CRL at {@code now}: nothing, or that a
     * fresh one is due (a stale list refuses everyone).
     */
    public Optional<String> crlWarning(Instant now) {
        try {
            return crlWarning(crl(), now);
        } catch (KeysException e) {
            return Optional.of("the revocation list cannot be read: " + e.getMessage());
        }
    }

    /** As above, for the list {@code l}. */
    public static Optional<String> crlWarning(RevocationList l, Instant now) {
        Optional<Instant> next = l.nextUpdate();
        if (next.isEmpty() || !next.get().isAfter(now)) {
            return Optional.of("the revocation list (number " + l.number() + ") is stale since " + next.map(Instant::toString)
                    .orElse("(no next update)") + ": every request is refused until a fresh one is published "
                    + "('midang ca crl', then 'midang admin crl publish')");
        }
        if (!next.get().isAfter(now.plus(CRL_WARNING))) {
            return Optional.of("the revocation list (number " + l.number() + ") must be replaced before " + next.get()
                    + ": sign a fresh one ('midang ca crl') and publish it ('midang admin crl publish')");
        }
        return Optional.empty();
    }

    public DataDir dir() {
        return dir;
    }

    public Identity signingIdentity() {
        return signing;
    }

    public Identity archiveIdentity() {
        Identity a = archive;
        if (a == null) {
            throw new IllegalStateException("the archive is sealed: its key opens only when the key holders unseal it");
        }
        return a;
    }

    /** True while the archive key waits for its key holders (a deployment whose key is split, not yet unsealed). */
    public boolean sealed() {
        return archive == null;
    }

    /** Who holds shares of the archive key's secret, and how many unseal; empty when the passphrase opens it. */
    public java.util.Optional<ArchiveHolders> holders() {
        return java.util.Optional.ofNullable(holders);
    }

    /**
     * Opens the archive key with the secret the key holders' shares rebuilt; refused ({@code
     * WRONG_PASSPHRASE}) when it does not open it. The key then carries the certificate installed
     * by {@code certify}.
     */
    public synchronized void unseal(byte[] secret) throws KeysException {
        if (archive != null) {
            return;
        }
        Identity key = Identity.load(dir.archiveKey(), KeyShares.passphrase(secret));
        Certificate installed = Certificate.read(dir.archiveCertificate());
        if (!installed.equals(key.certificate())) {
            if (!installed.samePublicKey(key.certificate())) {
                throw new KeysException(KeysException.Reason.MISMATCH, "archive.crt certifies another key than keys/archive.p12");
            }
            key = key.withIssuedCertificate(installed, ca);
        }
        archive = key;
    }

    /** Closes the archive again (an unseal whose rekey stopped half-way: the next unseal resumes it). */
    public synchronized void reseal() {
        if (holders != null) {
            archive = null;
        }
    }

    /** The rekey under way, if any ({@link Rekey}). */
    public Optional<Rekey.Plan> rekeyPlan() throws KeysException {
        return Rekey.plan(dir);
    }

    /**
     * The archive, now addressed to {@code next} only, moves to it: the new holders' shares are
     * written, the files switched, the next key's certificate registered; from here on the server
     * uses {@code next}.
     */
    public synchronized void rekeyed(Rekey.Plan plan, Rekey.Next next) throws KeysException, IOException, SQLException {
        ArchiveHolders now = Rekey.finish(dir, plan, next, signing, clock);
        Accounts accounts = new Accounts(database);
        if (accounts.byCertificate(next.key().certificate().fingerprint()).isEmpty()) {
            accounts.register(next.key().certificate(), clock.instant());
        }
        holders = now;
        archive = next.key();
    }

    public TransportKey transportKey() {
        return transport;
    }

    /** The signing key's raw SM2 signature over {@link TransportKey#bindingStatement}. */
    public byte[] transportBinding() {
        return transportBinding.clone();
    }

    public Database database() {
        return database;
    }

    public Clock clock() {
        return clock;
    }

    public void close() {
        database.close();
    }
}
