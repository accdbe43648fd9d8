package cn.midang.server;

import cn.midang.keys.audit.AuditChain;
import cn.midang.keys.pki.Certificate;
import cn.midang.server.archive.Archive;
import cn.midang.server.audit.AuditLog;
import cn.midang.server.config.ServerConfig;
import cn.midang.server.deploy.DataDir;
import cn.midang.server.deploy.Deployment;
import cn.midang.server.deploy.Rekey;
import cn.midang.server.search.IndexStatus;
import cn.midang.server.storage.Database;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code midang-server}: init, run, and dev (init on first use, then run). */
@Command(name = "midang-server", mixinStandardHelpOptions = true,
        description = "The Midang server.",
        footer = {"", "Example (a development server with demo identities, on loopback):",
            "  midang-server dev --data .midang-dev --port 8443"},
        subcommands = {ServerCommand.Init.class, ServerCommand.Certify.class, ServerCommand.Run.class, ServerCommand.Dev.class, ServerCommand.Audit.class,
            ServerCommand.Reindex.class, ServerCommand.Status.class, ServerCommand.RekeyCommand.class, ServerCommand.Migrate.class,
            ServerCommand.Join.class, ServerCommand.BackupCommand.class, ServerCommand.Restore.class})
final class ServerCommand {

    private static final Logger LOG = LoggerFactory.getLogger(ServerCommand.class);

    /** Exit code of {@code audit verify} when the log is not intact (as the client's integrity failure). */
    static final int AUDIT_BROKEN = 6;

    static int run(String[] args) {
        CommandLine cl = new CommandLine(new ServerCommand());
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            line.getErr().println("midang-server: " + ex.getMessage());
            if (System.getenv("MIDANG_DEBUG") != null) {
                ex.printStackTrace(line.getErr());
            }
            return 1;
        });
        return cl.execute(args);
    }

    /** The key passphrase: --passphrase-file, then the config's passphrase.file, then MIDANG_PASSPHRASE. */
    static char[] passphrase(Path flagFile, Optional<Path> configFile) throws IOException {
        Optional<Path> file = Optional.ofNullable(flagFile).or(() -> configFile);
        if (file.isPresent()) {
            String first = Files.readAllLines(file.get(), StandardCharsets.UTF_8).stream().findFirst().orElse("");
            if (first.isEmpty()) {
                throw new IOException("the passphrase file " + file.get() + " is empty");
            }
            return first.toCharArray();
        }
        String env = System.getenv("MIDANG_PASSPHRASE");
        return env == null || env.isEmpty() ? null : env.toCharArray();
    }

    /** The passphrase of a deployment's key files, as {@link #passphrase}, or a refusal that says where to give it. */
    static char[] keyPassphrase(Path data, Path flagFile, ServerConfig config) throws IOException {
        char[] pass = passphrase(flagFile, config.passphraseFile());
        if (pass == null) {
            throw new IllegalArgumentException("no passphrase for the server's keys: set MIDANG_PASSPHRASE, "
                    + "give --passphrase-file, or set passphrase.file in " + data.resolve("server.conf"));
        }
        return pass;
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = {"Create a deployment in an empty data directory: the server's signing and archive keys, its TLS key,",
                "the H2 database and server.conf.",
                "Production (--ca, --admin): reads only the CA's certificate and revocation list (CA/ca.crt, CA/crl.pem; never",
                "its private key), registers the first administrator, and writes requests/server-signing.csr and",
                "requests/server-archive.csr for the CA to answer; then 'certify' installs the certificates and the server runs.",
                "--dev also creates a local CA, demo identities for every role (identities/NAME.p12) and an open campaign",
                "'demo' with units unit-a and unit-b."},
            footer = {"", "Examples:",
                "  MIDANG_PASSPHRASE=... midang-server init --data /srv/midang --ca /media/ca-public --admin admin.crt",
                "  midang-server init --data .midang-dev --dev"})
    static final class Init implements Callable<Integer> {
        @Option(names = "--data", required = true, description = "The data directory to create.")
        Path data;

        @Option(names = "--database", paramLabel = "JDBC_URL", description = "Keep the records in PostgreSQL, "
                + "jdbc:postgresql://HOST:5432/DATABASE (it must exist; the user and password from MIDANG_DATABASE_USER and "
                + "MIDANG_DATABASE_PASSWORD), not in the embedded database; written to server.conf as database.url.")
        String database;

        @Option(names = "--blobs", paramLabel = "S3_URL", description = "Keep the sealed packages in an S3-compatible object "
                + "store, s3://BUCKET?endpoint=http://HOST:PORT&region=REGION (the bucket must exist; keys from AWS_ACCESS_KEY_ID "
                + "and AWS_SECRET_ACCESS_KEY), not in files; written to server.conf as blobs.url.")
        String blobs;

        @Option(names = "--dev", description = "A development deployment with a local CA and demo identities.")
        boolean dev;

        @Option(names = "--ca", paramLabel = "CA_DIR", description = "Without --dev: the deployment CA's folder, or its ca.crt (only ca.crt and the crl.pem beside it are read).")
        Path ca;

        @Option(names = "--admin", paramLabel = "ADMIN.crt", description = "Without --dev: the first administrator's certificate (role admin, issued by that CA).")
        Path admin;

        @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Passphrase for the new key files (else MIDANG_PASSPHRASE; in dev, generated).")
        Path passphraseFile;

        @Option(names = "--key-holders", split = ",", paramLabel = "HOLDER.crt", description = "Without --dev: split the archive key "
                + "among these certificates' holders (one per joint-review department, issued by the CA); the passphrase then "
                + "does not open it, and the server starts sealed until --threshold of them unseal it.")
        List<Path> keyHolders = List.of();

        @Option(names = "--threshold", paramLabel = "K", defaultValue = "2", description = "With --key-holders: how many shares "
                + "unseal the archive (default 2).")
        int threshold;

        @Option(names = "--shares-out", paramLabel = "DIR", description = "With --key-holders: where each holder's share is "
                + "written (COMMON-NAME.share, sealed to that holder) for delivery to them.")
        Path sharesOut;

        @Override
        public Integer call() throws Exception {
            if (dev && !keyHolders.isEmpty()) {
                throw new IllegalArgumentException("--key-holders is for a production deployment; a dev deployment's archive key "
                        + "opens with its passphrase");
            }
            if (!dev && (ca == null || admin == null)) {
                throw new IllegalArgumentException("give --ca CA_DIR and --admin ADMIN.crt (the deployment CA's folder and the first "
                        + "administrator's certificate), or --dev");
            }
            char[] pass = passphrase(passphraseFile, Optional.empty());
            java.util.Map<String, String> env = new java.util.HashMap<>(System.getenv());
            if (database != null) {
                env.put("MIDANG_DATABASE_URL", database);
            }
            Optional<ServerConfig.DatabaseSettings> records = ServerConfig.database(data, env);
            Optional<ServerConfig.ObjectStore> store = blobs == null ? Optional.empty() : ServerConfig.objectStore(blobs, env);
            if (store.isPresent()) {
                cn.midang.server.archive.BlobCopy.check(store.get()); // before anything is written
            }
            Deployment.Created c = dev ? Deployment.init(data, true, pass, null, null, Deployment.KeySplit.NONE, records, Clock.systemUTC())
                    : Deployment.init(data, false, pass, ca, admin, new Deployment.KeySplit(keyHolders, threshold, sharesOut), records,
                            Clock.systemUTC());
            System.out.println("Created a Midang deployment in " + data);
            if (store.isPresent()) {
                Path conf = c.dir().config();
                cn.midang.keys.io.SafeFiles.writeAtomically(conf, Migrate.setting(Files.readString(conf, StandardCharsets.UTF_8),
                        "blobs.url", blobs).getBytes(StandardCharsets.UTF_8), false);
            }
            System.out.println("  records: " + records.map(Object::toString).orElse("the embedded database in " + c.dir().database()));
            System.out.println("  sealed packages: " + store.map(Object::toString).orElse("files in " + c.dir().blobs()));
            if (dev) {
                System.out.println("  server signing certificate (give it to verifiers): " + c.dir().signingCertificate());
                System.out.println("  demo identities: " + c.dir().identities() + "/{unit-a, unit-b, inspector-info, "
                        + "inspector-police, inspector-secrecy, tester, approver-info, approver-police, approver-secrecy, leader, admin}.p12");
                System.out.println("  campaign 'demo' is open for submissions from unit-a and unit-b for 7 days");
            } else {
                System.out.println("  first administrator registered: " + Certificate.read(admin).subject());
                if (!keyHolders.isEmpty()) {
                    System.out.println("  the archive key is split among " + keyHolders.size() + " key holders; " + threshold
                            + " of them unseal it. Their shares (deliver each to its holder only; no copy is kept here):");
                    try (var shares = Files.list(sharesOut)) {
                        shares.filter(f -> f.toString().endsWith(".share")).sorted().forEach(f -> System.out.println("    " + f));
                    }
                    System.out.println("  the server will start sealed; each holder then runs: midang unseal --share FILE");
                }
                System.out.println("  the server's keys wait for their certificates. On the CA's computer:");
                System.out.println("    midang ca issue --dir CA --csr " + c.requests().get(0) + " --role server --org Midang --out server-signing.crt");
                System.out.println("    midang ca issue --dir CA --csr " + c.requests().get(1) + " --role server --org Midang --out server-archive.crt");
                System.out.println("  then here:");
                System.out.println("    midang-server certify --data " + data + " --signing server-signing.crt --archive server-archive.crt");
            }
            if (c.generatedPassphrase()) {
                System.out.println("  passphrase of every key file (generated; also in " + c.dir().devPassphrase() + "):");
                System.out.println("    " + Files.readString(c.dir().devPassphrase()).strip());
            }
            return 0;
        }
    }

    @Command(name = "certify", mixinStandardHelpOptions = true,
            description = {"Install the certificates the deployment's CA issued for the server's signing and archive keys",
                "(from requests/*.csr of the data directory). Each must certify that key, come from the CA, be valid and not",
                "revoked, with the role server; nothing is written unless both are. Run again the same way to renew them."},
            footer = {"", "Example:",
                "  MIDANG_PASSPHRASE=... midang-server certify --data /srv/midang --signing server-signing.crt --archive server-archive.crt"})
    static final class Certify implements Callable<Integer> {
        @Option(names = "--data", required = true, description = "The data directory (made by init).")
        Path data;

        @Option(names = "--signing", required = true, paramLabel = "CERT", description = "The certificate for requests/server-signing.csr.")
        Path signing;

        @Option(names = "--archive", required = true, paramLabel = "CERT", description = "The certificate for requests/server-archive.csr.")
        Path archive;

        @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Passphrase of the server's key files.")
        Path passphraseFile;

        @Override
        public Integer call() throws Exception {
            ServerConfig config = ServerConfig.load(data, System.getenv());
            char[] pass = keyPassphrase(data, passphraseFile, config);
            Deployment.certify(data, pass, signing, archive, Clock.systemUTC());
            Certificate s = Certificate.read(new DataDir(data).signingCertificate());
            System.out.println("Installed the server's certificates in " + data);
            System.out.println("  signing certificate (give it to verifiers): " + new DataDir(data).signingCertificate());
            System.out.println("  its SM3 fingerprint, for users to compare with 'midang whoami': " + s.fingerprint());
            return 0;
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Serve a deployment until stopped (SIGTERM stops it cleanly).",
            footer = {"", "Example:", "  midang-server run --data .midang-dev --port 8443"})
    static class Run implements Callable<Integer> {
        @Option(names = "--data", required = true, description = "The data directory (made by init).")
        Path data;

        @Option(names = "--port", description = "TCP port, overriding listen.port (0 picks a free one).")
        Integer port;

        @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Passphrase of the server's key files.")
        Path passphraseFile;

        @Override
        public Integer call() throws Exception {
            ServerConfig config = config(data, port);
            char[] pass = keyPassphrase(data, passphraseFile, config);
            MidangServer server = MidangServer.start(Deployment.open(data, pass, Clock.systemUTC()), config);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    server.close();
                    LOG.info("Midang server stopped");
                } catch (Exception e) {
                    LOG.error("error while stopping", e);
                } finally {
                    stopped.countDown();
                }
            }, "midang-shutdown"));
            LOG.info("Midang server listening on {} (data {}; crypto: {}; {}{})", server.url(config.listenHost()), data,
                    cn.midang.keys.CryptoEngine.inUse() + cn.midang.keys.CryptoEngine.whyNotNative().map(w -> ", " + w).orElse(""),
                    server.ocrState(),
                    server.sealed() ? "; SEALED: waiting for the key holders (midang unseal --share FILE)" : "");
            server.join();
            stopped.await();
            return 0;
        }
    }

    /** The configuration of {@code data}, with {@code port} (when given) overriding listen.port. */
    static ServerConfig config(Path data, Integer port) throws ServerConfig.InvalidConfigException {
        Map<String, String> env = new HashMap<>(System.getenv());
        if (port != null) {
            env.put("MIDANG_LISTEN_PORT", port.toString());
        }
        return ServerConfig.load(data, env);
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"Ask the running server of a data directory how it is (its /healthz, over the address and TLS key of",
                "that directory): ok or a warning, and for an archive split among key holders, sealed or unsealed and how many",
                "shares are in. Exit 0 when it serves, 3 while sealed, 1 when it does not answer."},
            footer = {"", "Example:", "  midang-server status --data /srv/midang --port 8443"})
    static final class Status implements Callable<Integer> {
        @Option(names = "--data", required = true, description = "The data directory of the running server.")
        Path data;

        @Option(names = "--port", description = "The port it was started on, when 'run --port' overrode listen.port.")
        Integer port;

        @Override
        public Integer call() throws Exception {
            ServerConfig config = config(data, port);
            String host = config.listenHost().equals("0.0.0.0") ? "127.0.0.1" : config.listenHost();
            java.net.URI uri = java.net.URI.create((config.tls() ? "https" : "http") + "://" + host + ":" + config.listenPort()
                    + "/healthz");
            java.net.http.HttpClient.Builder b = java.net.http.HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(10));
            if (config.tls()) {
                // The server's own TLS certificate, from its data directory, is the only one trusted.
                java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                try (var in = Files.newInputStream(new DataDir(data).tlsCertificate())) {
                    ks.setCertificateEntry("server", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
                }
                javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
                tmf.init(ks);
                javax.net.ssl.SSLContext tlsContext = javax.net.ssl.SSLContext.getInstance("TLS");
                tlsContext.init(null, tmf.getTrustManagers(), null);
                javax.net.ssl.SSLParameters p = new javax.net.ssl.SSLParameters();
                p.setEndpointIdentificationAlgorithm(null);
                b.sslContext(tlsContext).sslParameters(p);
            }
            java.net.http.HttpResponse<String> r;
            try {
                r = b.build().send(java.net.http.HttpRequest.newBuilder(uri).GET().build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                System.out.println("no server answers on " + uri + " (" + e.getMessage() + ")");
                return 1;
            }
            var health = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
            System.out.println("server " + uri.resolve("/") + ": " + health.path("status").asText());
            health.path("warnings").forEach(w -> System.out.println("  warning: " + w.asText()));
            if (health.has("unseal")) {
                boolean sealed = health.path("sealed").asBoolean();
                System.out.println(sealed ? "  SEALED: " + health.path("unseal").path("shares_in").asInt() + " of "
                        + health.path("unseal").path("threshold").asInt() + " key shares in (midang unseal --share FILE)"
                        : "  unsealed: the archive key is open in the server's memory only");
                var rekey = health.path("unseal").path("rekey");
                if (sealed && !rekey.isMissingNode()) {
                    System.out.println("  this unseal replaces the archive key by " + rekey.path("archive").asText() + ", held by "
                            + rekey.path("holders").size() + " (" + rekey.path("threshold").asInt() + " unseal): each current holder "
                            + "agrees with 'midang unseal --share FILE --agree-rekey " + rekey.path("archive").asText() + "'");
                }
                return sealed ? 3 : 0;
            }
            return 0;
        }
    }

    @Command(name = "rekey", mixinStandardHelpOptions = true,
            description = {"Replace the archive key and its key holders (a holder leaves, a department changes): a new archive key,",
                "every stored package re-addressed to it, the record and index keys sealed to it, new shares for the new holders.",
                "Old shares then open nothing in this data directory (an old backup stays as open to them as it was).",
                "Three steps: 'begin' makes the next key and its certification request; the CA issues it and 'certify'",
                "installs it; at the next start, the current holders unseal agreeing to it (midang unseal --agree-rekey ID),",
                "and the server moves the archive to the next key before it serves."},
            subcommands = {RekeyBegin.class, RekeyCertify.class, RekeyCancel.class},
            footer = {"", "Example (the 保密局's holder is replaced by a new one; 2 of 3 unseal):",
                "  MIDANG_PASSPHRASE=... midang-server rekey begin --data /srv/midang --key-holders info.crt,police.crt,secrecy2.crt \\",
                "      --threshold 2 --shares-out /media/new-shares",
                "  midang ca issue --dir CA --csr /srv/midang/requests/server-archive-next.csr --role server --org Midang --out next.crt",
                "  midang-server rekey certify --data /srv/midang --archive next.crt",
                "  (restart the server; two current holders:) midang unseal --share OLD.share --agree-rekey ID"})
    static final class RekeyCommand {}

    @Command(name = "begin", mixinStandardHelpOptions = true,
            description = {"Begin a rekey: check the new key holders' certificates against the CA, make the next archive key,",
                "protect it with a secret that only the current archive key opens, and write requests/server-archive-next.csr.",
                "Nothing the server uses changes until the current holders agree at an unseal."})
    static final class RekeyBegin implements Callable<Integer> {
        @Option(names = "--data", required = true, description = "The data directory.")
        Path data;

        @Option(names = "--key-holders", split = ",", required = true, paramLabel = "HOLDER.crt", description = "The next key "
                + "holders' certificates (issued by the CA).")
        List<Path> keyHolders;

        @Option(names = "--threshold", paramLabel = "K", defaultValue = "2", description = "How many of them unseal (default 2).")
        int threshold;

        @Option(names = "--shares-out", required = true, paramLabel = "DIR", description = "Where the server writes the new "
                + "holders' shares (COMMON-NAME.share, each sealed to its holder) when the rekey is done.")
        Path sharesOut;

        @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Passphrase of the server's key files.")
        Path passphraseFile;

        @Override
        public Integer call() throws Exception {
            char[] pass = keyPassphrase(data, passphraseFile, ServerConfig.load(data, System.getenv()));
            Rekey.Begun b = Rekey.begin(data, pass, new Deployment.KeySplit(keyHolders, threshold, sharesOut), Clock.systemUTC());
            System.out.println("Began replacing the archive key of " + data);
            System.out.println("  next archive key: " + b.archive());
            System.out.println("  held by " + keyHolders.size() + " key holders, " + threshold + " of whom unseal; their shares will be "
                    + "written to " + sharesOut.toAbsolutePath());
            System.out.println("  on the CA's computer:");
            System.out.println("    midang ca issue --dir CA --csr " + b.request() + " --role server --org Midang --out server-archive-next.crt");
            System.out.println("  then here:");
            System.out.println("    midang-server rekey certify --data " + data + " --archive server-archive-next.crt");
            return 0;
        }
    }

    @Command(name = "certify", mixinStandardHelpOptions = true,
            description = {"Install the CA's certificate for the next archive key (answering requests/server-archive-next.csr).",
                "At the next start, the current key holders' unseal, with their agreement, moves the archive to it."})
    static final class RekeyCertify implements Callable<Integer> {
        @Option(names = "--data", required = true, description = "The data directory.")
        Path data;

        @Option(names = "--archive", required = true, paramLabel = "CERT", description = "The certificate for "
                + "requests/server-archive-next.csr.")
        Path archive;

        @Override
        public Integer call() throws Exception {
            Rekey.Plan p = Rekey.certify(data, archive, Clock.systemUTC());
            System.out.println("Installed the next archive key's certificate in " + data);
            System.out.println("  restart the server; then " + p.next().threshold() + " of the CURRENT key holders unseal with their "
                    + "current shares, agreeing to the next key:");
            System.out.println("    midang unseal --share FILE --agree-rekey " + p.next().archive());
            System.out.println("  the server then re-addresses every stored package and writes the new holders' shares to "
                    + p.sharesOut());
            return 0;
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true,
            description = "Abandon a rekey before its re-addressing began: the next key and its secret are deleted.")
    static final class RekeyCancel implements Callable<Integer> {
        @Option(names = "--data", required = true, description = "The data directory.")
        Path data;

        @Override
        public Integer call() throws Exception {
            Rekey.cancel(data);
            System.out.println("Cancelled the rekey of " + data + "; the archive key and its holders are as they were.");
            return 0;
        }
    }

    @Command(name = "dev", mixinStandardHelpOptions = true,
            description = "Start a development server: init --dev on first use, then run.",
            footer = {"", "Example:", "  midang-server dev --data .midang-dev --port 8443"})
    static final class Dev extends Run {
        @Override
        public Integer call() throws Exception {
            if (!Files.exists(data.resolve("server.conf"))) {
                Init init = new Init();
                init.data = data;
                init.dev = true;
                init.passphraseFile = passphraseFile;
                init.call();
            }
            return super.call();
        }
    }

    @Command(name = "audit", mixinStandardHelpOptions = true, description = "Check the audit log of a stopped server.",
            subcommands = {AuditVerify.class},
            footer = {"", "Example:", "  midang-server audit verify --data .midang-dev"})
    static final class Audit {}

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Check the whole audit log of a (stopped) deployment: every record's hash, the chain between them,",
                "and every checkpoint the server signed (in the database and in audit/checkpoints.jsonl), with the",
                "server's signing certificate. Names the first bad record; exit code 0 when intact, 6 when not."},
            footer = {"", "Example:", "  midang-server audit verify --data .midang-dev"})
    static final class AuditVerify implements Callable<Integer> {
        @Option(names = "--data", required = true, description = "The data directory.")
        Path data;

        @Override
        public Integer call() throws Exception {
            DataDir dir = new DataDir(data);
            if (!Files.exists(dir.signingCertificate())) {
                throw new IllegalArgumentException(data + " is not a Midang data directory (no server-signing.crt)");
            }
            Certificate server = Certificate.read(dir.signingCertificate());
            AuditChain.Result r;
            try (Database db = Deployment.openDatabase(data)) {
                r = AuditLog.verify(db, dir.auditCheckpoints(), server);
            }
            if (r.ok()) {
                System.out.println("Audit log intact: " + r.records() + " records, " + r.checkpoints()
                        + " signed checkpoints; records 1 to " + r.lastSigned() + " are covered by a checkpoint signed by "
                        + server.fingerprint() + (r.lastRecord() > r.lastSigned()
                                ? "; records " + (r.lastSigned() + 1) + " to " + r.lastRecord() + " are chained but not yet signed"
                                : "") + ".");
                return 0;
            }
            System.out.println("Audit log NOT intact: first bad record " + r.firstBad().orElseThrow() + ": " + r.problem());
            return AUDIT_BROKEN;
        }
    }

    @Command(name = "migrate", mixinStandardHelpOptions = true,
            description = {"Move a stopped deployment's records from the embedded database into PostgreSQL, and its sealed packages",
                "from files into an S3-compatible object store: every table and every blob is read back from its new place and",
                "compared (SM3) with the original before server.conf is switched to them. The new database must exist and be",
                "empty; the bucket must exist. The old files stay where they are until you delete them. Nothing is decrypted:",
                "no passphrase is needed. Credentials come from the environment, as for 'run'."},
            footer = {"", "Example:",
                "  MIDANG_DATABASE_USER=midang MIDANG_DATABASE_PASSWORD=... AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... \\",
                "    midang-server migrate --data /srv/midang --to-database jdbc:postgresql://db.example:5432/midang \\",
                "      --to-blobs 's3://midang-archive?endpoint=http://minio.example:9000&region=cn-north-1'"})
    static final class Migrate implements Callable<Integer> {
        @Option(names = "--data", required = true, description = "The data directory of the stopped server.")
        Path data;

        @Option(names = "--to-database", paramLabel = "JDBC_URL", description = "PostgreSQL to move the records to "
                + "(jdbc:postgresql://HOST:5432/DATABASE); user and password from MIDANG_DATABASE_USER and MIDANG_DATABASE_PASSWORD.")
        String toDatabase;

        @Option(names = "--to-blobs", paramLabel = "S3_URL", description = "The object store to move the sealed packages to "
                + "(s3://BUCKET?endpoint=…&region=…); keys from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.")
        String toBlobs;

        @Option(names = "--json", description = "Print what was moved as one JSON object (progress goes to standard error).")
        boolean json;

        @Override
        public Integer call() throws Exception {
            if (toDatabase == null && toBlobs == null) {
                throw new IllegalArgumentException("say where to: --to-database JDBC_URL, --to-blobs S3_URL, or both");
            }
            DataDir dir = new DataDir(data);
            ServerConfig current = ServerConfig.load(data, System.getenv());
            java.util.Map<String, String> env = new java.util.HashMap<>(System.getenv());
            Optional<ServerConfig.DatabaseSettings> records = Optional.empty();
            if (toDatabase != null) {
                if (ServerConfig.database(data, System.getenv()).isPresent()) {
                    throw new IllegalArgumentException("the records are in PostgreSQL already (database.url in " + dir.config()
                            + "); use PostgreSQL's own tools (pg_dump, pg_basebackup) to move them");
                }
                env.put("MIDANG_DATABASE_URL", toDatabase);
                records = ServerConfig.database(data, env);
            }
            Optional<ServerConfig.ObjectStore> blobs = Optional.empty();
            if (toBlobs != null) {
                if (current.blobs().isPresent()) {
                    throw new IllegalArgumentException("the sealed packages are in an object store already (blobs.url in "
                            + dir.config() + ")");
                }
                blobs = ServerConfig.objectStore(toBlobs, env);
            }
            java.io.PrintStream say = json ? System.err : System.out;
            var report = new java.util.LinkedHashMap<String, Object>();
            if (records.isPresent()) {
                Database from;
                try {
                    from = Database.open(dir.database());
                } catch (RuntimeException e) {
                    throw new IllegalStateException("cannot open the embedded database in " + dir.database() + " (is the server "
                            + "still running? stop it first): " + e.getMessage(), e);
                }
                try (from; Database to = Deployment.openDatabase(dir, records)) {
                    say.println("Moving the records to " + records.get() + " …");
                    var tables = cn.midang.server.storage.RecordCopy.copy(from, to, (t, done, of) ->
                            say.println("  " + done + "/" + of + "  " + t.name() + ": " + t.rows() + " row(s), SM3 " + t.sm3()
                                    + " on both"));
                    long rows = tables.stream().mapToLong(cn.midang.server.storage.RecordCopy.Table::rows).sum();
                    say.println("Records moved and verified: " + rows + " rows in " + tables.size() + " tables.");
                    report.put("database", java.util.Map.of("url", toDatabase, "rows", rows, "tables", tables));
                }
            }
            if (blobs.isPresent()) {
                say.println("Moving the sealed packages to " + blobs.get() + " …");
                var copied = cn.midang.server.archive.BlobCopy.toObjectStore(dir.blobs(), blobs.get(), (done, of) -> {
                    if (done == of || done % 100 == 0) {
                        say.println("  " + done + " of " + of);
                    }
                });
                say.println("Sealed packages moved and verified: " + copied.blobs() + " (" + copied.bytes() + " bytes copied).");
                report.put("blobs", java.util.Map.of("url", toBlobs, "count", copied.blobs(), "bytes_copied", copied.bytes()));
            }
            String conf = Files.readString(dir.config(), StandardCharsets.UTF_8);
            if (records.isPresent()) {
                conf = setting(conf, "database.url", toDatabase);
            }
            if (blobs.isPresent()) {
                conf = setting(conf, "blobs.url", toBlobs);
            }
            cn.midang.keys.io.SafeFiles.writeAtomically(dir.config(), conf.getBytes(StandardCharsets.UTF_8), false);
            report.put("config", dir.config().toString());
            report.put("verified", true);
            if (json) {
                System.out.println(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(report));
            }
            say.println("server.conf now points at them; start the server as before. The old copies ("
                    + (records.isPresent() ? dir.database() : "") + (records.isPresent() && blobs.isPresent() ? ", " : "")
                    + (blobs.isPresent() ? dir.blobs() : "") + ") are no longer read: delete them once the new stores are backed up.");
            return 0;
        }

        /** {@code conf} with {@code key} set to {@code value} ({@link ServerConfig#withSetting}). */
        static String setting(String conf, String key, String value) {
            return ServerConfig.withSetting(conf, key, value);
        }
    }

    @Command(name = "join", mixinStandardHelpOptions = true,
            description = {"Make the data directory of another server node of a deployment whose records are in PostgreSQL and",
                "whose sealed packages are in an object store: its configuration (with a node name of its own), certificates",
                "and key files are copied from a node's directory; no index (the new node builds its own from the shared",
                "records, and follows every node's uploads within seconds), no records, no packages. Copy the new directory",
                "to the new host (it holds the key files: as carefully as the original) and start it with 'run'. The",
                "credentials come from the environment, as for 'run'; the database is asked whether the name is free."},
            footer = {"", "Example:",
                "  midang-server join --from /srv/midang --data /srv/midang-b --node node-b --port 8444",
                "  midang-server run --data /srv/midang-b"})
    static final class Join implements Callable<Integer> {
        @Option(names = "--from", required = true, paramLabel = "DATA", description = "A node's data directory.")
        Path from;

        @Option(names = "--data", required = true, paramLabel = "NEW_DATA", description = "The new node's data directory (absent or empty).")
        Path data;

        @Option(names = "--node", paramLabel = "NAME", description = "The new node's name (default: from its directory's name, "
                + "e.g. midang-b); lower-case letters, digits and '-', never used by another node.")
        String node;

        @Option(names = "--port", description = "The new node's listen.port (default: the same as --from's, for another host).")
        Integer port;

        @Override
        public Integer call() throws Exception {
            var joined = cn.midang.server.deploy.NodeJoin.join(from, data, node, port, System.getenv());
            System.out.println("Made node \"" + joined.node() + "\" of the deployment in " + from + ": " + data);
            System.out.println("  copied: " + joined.copied().stream().map(Path::toString).collect(java.util.stream.Collectors.joining(", ")));
            System.out.println("  not copied: the search index (built by the node from the shared records at its first start), "
                    + "audit/checkpoints.jsonl (each node keeps the checkpoints it signs)");
            System.out.println("  start it: midang-server run --data " + data);
            return 0;
        }
    }

    @Command(name = "backup", mixinStandardHelpOptions = true,
            description = {"Back up an embedded deployment (H2 + files) while it serves: the running server makes one consistent copy",
                "of its records (H2's online BACKUP), and the sealed packages those records name, its configuration, certificates,",
                "key files and audit checkpoints are copied beside it, with MANIFEST.json: the cut (submissions, last audit record)",
                "and the SM3 of every file, signed by the server's key. Nothing is decrypted; keep backups as carefully as the",
                "data directory. The server audits each backup. A stopped server's directory is backed up by this command itself",
                "(it needs the key passphrase, as 'run'). The search index is not copied: a restored server rebuilds it.",
                "Schedule it with cron or a systemd timer, a new folder each time; 'backup verify' checks one offline."},
            footer = {"", "Examples:",
                "  midang-server backup --data /srv/midang --to /backup/midang-$(date +%Y%m%d-%H%M)",
                "  midang-server backup --data /srv/midang --to /backup/midang-20261202-0300 --since /backup/midang-20261201-0300",
                "  midang-server backup verify /backup/midang-20261201-0300",
                "  midang-server restore --from /backup/midang-20261201-0300 --data /srv/midang-restored"},
            subcommands = {BackupVerify.class})
    static final class BackupCommand implements Callable<Integer> {
        @Option(names = "--data", paramLabel = "DATA", description = "The data directory of the deployment (running or stopped).")
        Path data;

        @Option(names = "--to", paramLabel = "FOLDER", description = "A new folder for the backup (absent or empty; not inside DATA).")
        Path to;

        @Option(names = "--since", paramLabel = "EARLIER", description = "An earlier backup of this deployment (on the same file "
                + "system): packages unchanged since it began are hard-linked from it, not copied. The new backup is still whole on "
                + "its own; deleting the earlier one takes nothing from it.")
        Path since;

        @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Passphrase of the server's keys (only for a stopped server).")
        Path passphraseFile;

        @Option(names = "--json", description = "Print the result as one JSON object (progress goes to standard error).")
        boolean json;

        @Override
        public Integer call() throws Exception {
            if (data == null || to == null) {
                throw new IllegalArgumentException("say what and where: --data DATA --to FOLDER (or 'backup verify FOLDER')");
            }
            java.io.PrintStream say = json ? System.err : System.out;
            Path folder = to.toAbsolutePath().normalize();
            var result = new java.util.LinkedHashMap<String, Object>();
            com.fasterxml.jackson.databind.JsonNode answer;
            try {
                var request = new java.util.LinkedHashMap<String, String>();
                request.put("op", "backup");
                request.put("to", folder.toString());
                if (since != null) {
                    request.put("since", since.toAbsolutePath().normalize().toString());
                }
                answer = cn.midang.server.backup.ControlSocket.ask(new DataDir(data).controlSocket(), request, line -> say.println(line));
            } catch (java.nio.file.NoSuchFileException | java.net.SocketException e) {
                answer = null; // no server runs on this directory: back it up from here
            }
            if (answer != null) {
                if (!answer.path("ok").asBoolean()) {
                    throw new IllegalStateException("the server refused or failed the backup: " + answer.path("error").asText());
                }
                answer.fields().forEachRemaining(e -> result.put(e.getKey(), e.getValue().isNumber() ? e.getValue().numberValue()
                        : e.getValue().isBoolean() ? e.getValue().asBoolean() : e.getValue().asText()));
                result.put("by", "the running server");
            } else {
                ServerConfig config = config(data, null);
                Deployment d;
                try {
                    d = Deployment.open(data, keyPassphrase(data, passphraseFile, config), Clock.systemUTC());
                } catch (RuntimeException e) {
                    throw new IllegalStateException("no server answers on " + new DataDir(data).controlSocket() + " and the "
                            + "deployment cannot be opened here (" + e.getMessage() + ")", e);
                }
                try (d) {
                    var t = cn.midang.server.backup.Backup.take(d.dir(), d.database(), d.signingIdentity(), folder,
                            since == null ? null : since.toAbsolutePath().normalize(), d.clock(), say::println);
                    result.put("ok", true);
                    result.put("folder", t.folder().toString());
                    result.put("submissions", t.cut().submissions());
                    result.put("audit_seq", t.cut().auditSeq());
                    result.put("files", t.files());
                    result.put("bytes", t.bytes());
                    result.put("linked", t.linked());
                    result.put("by", "this command (the server is stopped)");
                }
            }
            if (json) {
                System.out.println(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(result));
            } else {
                say.println("Backup in " + result.get("folder") + ": " + result.get("submissions") + " submission(s), audit records up to "
                        + result.get("audit_seq") + ", " + result.get("files") + " files, " + result.get("bytes") + " bytes"
                        + (since == null ? "" : ", " + result.get("linked") + " package(s) linked from " + since) + " (taken by "
                        + result.get("by") + ").");
                say.println("  check it: midang-server backup verify " + result.get("folder"));
            }
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Check a backup offline: the manifest's signature (with the server's certificate in the backup, or --cert),",
                "then the size and SM3 of every file, and that none is missing or added. Exit 0 when it checks out, 6 when not.",
                "OpenSSL checks the signature too: openssl x509 -in FOLDER/server-signing.crt -pubkey -noout > pub.pem &&",
                "openssl dgst -sm3 -verify pub.pem -sigopt distid:1234567812345678 -signature FOLDER/MANIFEST.json.sig FOLDER/MANIFEST.json"})
    static final class BackupVerify implements Callable<Integer> {
        @picocli.CommandLine.Parameters(paramLabel = "FOLDER", description = "The backup.")
        Path folder;

        @Option(names = "--cert", paramLabel = "FILE", description = "The server's signing certificate to check the manifest with "
                + "(default: the one in the backup; give your own copy to be sure the backup is your server's).")
        Path cert;

        @Option(names = "--json", description = "Print the result as one JSON object.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            var checked = cn.midang.server.backup.Backup.verify(folder,
                    cert == null ? null : cn.midang.keys.pki.Certificate.read(cert));
            if (json) {
                var m = new java.util.LinkedHashMap<String, Object>();
                m.put("ok", checked.ok());
                m.put("files", checked.files());
                m.put("cut", checked.cut());
                m.put("problems", checked.problems());
                System.out.println(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(m));
            } else if (checked.ok()) {
                System.out.println("Backup " + folder + " checks out: signed manifest, " + checked.files() + " files as listed; "
                        + checked.cut().submissions() + " submission(s), audit records up to " + checked.cut().auditSeq() + ".");
            } else {
                System.out.println("Backup " + folder + " does NOT check out:");
                checked.problems().forEach(p -> System.out.println("  " + p));
            }
            return checked.ok() ? 0 : AUDIT_BROKEN;
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = {"Make a new data directory from a backup, once 'backup verify' finds nothing wrong with it: the records,",
                "the sealed packages, configuration, certificates, key files and audit checkpoints as they were at the cut. Start",
                "it with 'run' (the same key passphrase); it rebuilds its search index at its first start and serves every",
                "submission receipted up to the cut. Nothing is written to --data unless the whole restore succeeds."},
            footer = {"", "Example:", "  midang-server restore --from /backup/midang-20261201-0300 --data /srv/midang-restored"})
    static final class Restore implements Callable<Integer> {
        @Option(names = "--from", required = true, paramLabel = "FOLDER", description = "The backup.")
        Path from;

        @Option(names = "--data", required = true, paramLabel = "NEW_DATA", description = "The new data directory (absent or empty).")
        Path data;

        @Option(names = "--cert", paramLabel = "FILE", description = "The server's signing certificate to check the backup with "
                + "(default: the one in the backup).")
        Path cert;

        @Option(names = "--json", description = "Print the result as one JSON object (progress goes to standard error).")
        boolean json;

        @Override
        public Integer call() throws Exception {
            java.io.PrintStream say = json ? System.err : System.out;
            var r = cn.midang.server.backup.Backup.restore(from, data, cert == null ? null : cn.midang.keys.pki.Certificate.read(cert),
                    say::println);
            if (json) {
                System.out.println(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(java.util.Map.of(
                        "data", r.data().toString(), "submissions", r.cut().submissions(), "audit_seq", r.cut().auditSeq(),
                        "blobs", r.blobs())));
            } else {
                say.println("Restored into " + r.data() + ": " + r.cut().submissions() + " submission(s), audit records up to "
                        + r.cut().auditSeq() + ". Start it: midang-server run --data " + r.data());
            }
            return 0;
        }
    }

    @Command(name = "reindex", mixinStandardHelpOptions = true,
            description = {"Rebuild the search index of a stopped server from the archive: the index and its key are deleted,",
                "a new key is made, and every submission is opened with the archive key, extracted and indexed again.",
                "Nothing is lost: the index is derived data. (Deleting DATA/index and starting the server does the same, in",
                "the background.)"},
            footer = {"", "Example:", "  MIDANG_PASSPHRASE=... midang-server reindex --data /srv/midang"})
    static final class Reindex implements Callable<Integer> {
        @Option(names = "--data", required = true, description = "The data directory.")
        Path data;

        @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Passphrase of the server's key files.")
        Path passphraseFile;

        @Override
        public Integer call() throws Exception {
            ServerConfig config = ServerConfig.load(data, System.getenv());
            char[] pass = keyPassphrase(data, passphraseFile, config);
            try (Deployment d = Deployment.open(data, pass, Clock.systemUTC()); Archive archive = Archive.of(d, config)) {
                Files.deleteIfExists(d.dir().indexKey());
                var submissions = MidangServer.submissions(d, config, MidangServer.recordCipher(d, archive));
                var ocr = MidangServer.ocr(config);
                System.out.println("Text recognition of scans (OCR): " + (ocr.usable() ? "on" : "off") + " (" + ocr.description() + ")");
                try (var index = MidangServer.openIndex(d, config, archive);
                        var indexer = MidangServer.newIndexer(d, config, submissions, archive, index, ocr)) {
                    var status = new IndexStatus(d.database(), config.node());
                    List<String> all = status.pending();
                    all.forEach(indexer::enqueue);
                    while (!indexer.awaitIdle(10, TimeUnit.SECONDS)) {
                        System.out.println("  " + (all.size() - indexer.pending()) + " of " + all.size());
                    }
                    System.out.println("Rebuilt the search index: " + all.size() + " submission(s) processed; see 'midang list' "
                            + "for any marked not indexed.");
                }
            }
            return 0;
        }
    }
}
