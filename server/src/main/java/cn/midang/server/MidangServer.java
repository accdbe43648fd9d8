package cn.midang.server;

import cn.midang.keys.seal.RecordCipher;
import cn.midang.server.access.AccessRecords;
import cn.midang.server.access.Guard;
import cn.midang.server.access.api.AccessRoutes;
import cn.midang.server.access.api.AccessService;
import cn.midang.server.archive.Archive;
import cn.midang.server.audit.AuditLog;
import cn.midang.server.audit.api.AuditRoutes;
import cn.midang.server.backup.Backup;
import cn.midang.server.backup.ControlSocket;
import cn.midang.server.identity.api.EnrolmentRoutes;
import cn.midang.server.identity.api.EnrolmentService;
import cn.midang.server.campaign.Campaigns;
import cn.midang.server.campaign.Findings;
import cn.midang.server.campaign.Overviews;
import cn.midang.server.campaign.api.CampaignRoutes;
import cn.midang.server.campaign.api.CampaignService;
import cn.midang.server.campaign.api.FindingService;
import cn.midang.server.config.ServerConfig;
import cn.midang.server.deploy.Deployment;
import cn.midang.server.deploy.Rekey;
import cn.midang.server.tlog.TransparencyLog;
import cn.midang.server.tlog.api.LogRoutes;
import cn.midang.server.unseal.Unsealing;
import cn.midang.server.unseal.api.UnsealRoutes;
import cn.midang.server.extract.ForkedExtractor;
import cn.midang.server.extract.Ocr;
import cn.midang.server.http.Api;
import cn.midang.server.http.CatalogueErrorHandler;
import cn.midang.server.http.Exchange;
import cn.midang.server.http.Metrics;
import cn.midang.server.http.MetricsListener;
import cn.midang.server.http.Route;
import cn.midang.server.identity.Accounts;
import cn.midang.server.identity.RequestAuthenticator;
import cn.midang.server.search.EncryptedDirectory;
import cn.midang.server.search.IndexKey;
import cn.midang.server.search.IndexStatus;
import cn.midang.server.search.Indexer;
import cn.midang.server.search.SearchIndex;
import cn.midang.server.search.api.SearchRoutes;
import cn.midang.server.search.api.SearchService;
import cn.midang.server.storage.Database;
import cn.midang.server.submission.Submissions;
import cn.midang.server.submission.api.SubmissionRoutes;
import cn.midang.server.submission.api.SubmissionService;
import cn.midang.server.summary.ResultNotices;
import cn.midang.server.summary.Summaries;
import cn.midang.server.summary.api.SummaryRoutes;
import cn.midang.server.summary.api.SummaryService;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.commons.io.file.PathUtils;
import org.apache.lucene.store.FSDirectory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: wires every part of the server by hand (a reader can follow every
 * {@code new}) and starts Jetty. {@link #start} is separate from the command line so tests
 * start a real server on port 0.
 */
public final class MidangServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MidangServer.class);

    /**
     * How much of a request Jetty reads from the socket at once (its default is 16 KiB): an upload's
     * body reaches the handler in pieces of this size, each a read, a parse and a hand-over.
     */
    static final int UPLOAD_READ_BUFFER = 256 * 1024;

    private final Server jetty;
    private final Deployment deployment;
    private final Api api;

    private final boolean tls;

    private final AuditLog audit;
    /** What needs the archive key: started at once, or when the key holders unseal the archive. */
    private volatile Unsealed unsealed;

    private final MetricsListener metricsListener;
    private final ScheduledExecutorService crlWatch;
    private final TransparencyLog log;
    private final ScheduledExecutorService logRounds;
    private final Ocr.Found ocr;
    /** The operator's channel (backup) on an embedded deployment; null on PostgreSQL or when it could not be made. */
    private volatile ControlSocket control;

    private MidangServer(Server jetty, Deployment deployment, Api api, boolean tls, AuditLog audit, Unsealed unsealed,
            MetricsListener metricsListener, ScheduledExecutorService crlWatch, Ocr.Found ocr, TransparencyLog log,
            ScheduledExecutorService logRounds) {
        this.log = log;
        this.logRounds = logRounds;
        this.ocr = ocr;
        this.unsealed = unsealed;
        this.metricsListener = metricsListener;
        this.crlWatch = crlWatch;
        this.audit = audit;
        this.tls = tls;
        this.jetty = jetty;
        this.deployment = deployment;
        this.api = api;
    }

    /**
     * Starts a server for {@code deployment} as configured. Plain HTTP is served only for a dev
     * deployment bound to a loopback address; anything else is served over TLS with the
     * deployment's transport key.
     */
    public static MidangServer start(Deployment deployment, ServerConfig config) throws Exception {
        if (!config.tls() && !(config.dev() && InetAddress.getByName(config.listenHost()).isLoopbackAddress())) {
            throw new IllegalStateException("plain HTTP (listen.tls = false) is allowed only for a dev deployment on a loopback "
                    + "address; listen.host = " + config.listenHost() + ", dev = " + config.dev());
        }
        Accounts accounts = new Accounts(deployment.database());
        RequestAuthenticator authenticator = new RequestAuthenticator(deployment.database(), accounts,
                deployment::validator, deployment.clock(), config.maxRequestSkew());
        // Opened without the record key while the archive is sealed (nothing with a sealed part is served then).
        AuditLog audit = AuditLog.open(deployment.database(), deployment.dir().auditCheckpoints(), deployment.signingIdentity(),
                null, deployment.clock(), config.auditCheckpointRecords(), config.auditCheckpointPeriod());
        TransparencyLog log = new TransparencyLog(deployment.database(), deployment.signingIdentity(), deployment.clock(),
                config.logRoundSize());
        // A checkpoint at once: it takes in what the last run committed to after its last round.
        LOG.info("transparency log: checkpoint of size {}", log.integrate().head().size());
        AccessRecords accessRecords = new AccessRecords(deployment.database());
        Guard guard = new Guard(accessRecords, audit, deployment.clock());
        Metrics metrics = new Metrics();
        Unsealing unsealing = new Unsealing(deployment, audit);
        LOG.info("sealed packages are kept in {}", config.blobs().map(Object::toString).orElse(deployment.dir().blobs().toString()));
        Shared shared = new Shared(deployment, config, accounts, accessRecords, audit, log, unsealing);
        Unsealed unsealed = deployment.sealed() ? null : Unsealed.start(shared);
        Api api = new Api(unsealed == null ? shared.sealedRoutes() : unsealed.routes(), authenticator,
                new Exchange.Limits(config.maxUploadBytes(), config.minDataRate()), metrics, guard);
        if (unsealed == null) {
            api.serve(api.routes(), true);
            LOG.warn("the archive is SEALED: {} of the key holders must run 'midang unseal --share FILE'",
                    deployment.holders().orElseThrow().threshold());
        }

        // Platform threads, not virtual threads: an upload handler is CPU-bound (SM4, SM3, GHASH)
        // and a virtual thread is not time-sliced, so with more uploads than cores some
        // connections went unread for 30 s and hit the idle timeout (upload benchmark, 8 x 200 MiB).
        QueuedThreadPool threads = new QueuedThreadPool(200, 8);
        threads.setName("midang-http");
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(true);
        http.setRequestHeaderSize(16 * 1024);
        HttpConnectionFactory httpFactory = new HttpConnectionFactory(http);
        httpFactory.setInputBufferSize(UPLOAD_READ_BUFFER);
        ServerConnector connector;
        if (config.tls()) {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStore(deployment.transportKey().keyStore());
            ssl.setKeyStorePassword(new String(deployment.transportKey().passphrase()));
            ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
            SecureRequestCustomizer secure = new SecureRequestCustomizer();
            secure.setSniHostCheck(false); // clients reach the server by address; they pin its certificate
            http.addCustomizer(secure);
            connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"), httpFactory);
        } else {
            connector = new ServerConnector(server, httpFactory);
        }
        connector.setHost(config.listenHost());
        connector.setPort(config.listenPort());
        connector.setIdleTimeout(config.idleTimeout().toMillis());
        server.addConnector(connector);
        server.addBean(new NetworkConnectionLimit(config.maxConnections(), server));
        // Body size and minimum rate are enforced per request by Exchange's GuardedBody (refusals
        // from the error catalogue). Jetty's SizeLimitHandler would answer 413 outside the
        // catalogue; its MinimumDataRateHandler measures all requests together (12.1.13).
        server.setHandler(api);
        server.setErrorHandler(new CatalogueErrorHandler(guard, metrics));
        server.start();
        MetricsListener operator = null;
        if (config.metricsListen().isPresent()) {
            operator = MetricsListener.start(config.metricsListen().get(), metrics);
            LOG.info("metrics for the operator on http://{}:{}/metrics", config.metricsListen().get().getHostString(), operator.port());
        }
        ScheduledExecutorService crlWatch = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "midang-crl-watch");
            t.setDaemon(true);
            return t;
        });
        // A stale revocation list refuses everyone: say so at start and twice a day from a week before.
        crlWatch.scheduleAtFixedRate(() -> deployment.crlWarning(deployment.clock().instant())
                .ifPresent(w -> LOG.warn("REVOCATION LIST: {}", w)), 0, 12, TimeUnit.HOURS);
        ScheduledExecutorService logRounds = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "midang-log-rounds");
            t.setDaemon(true);
            return t;
        });
        long period = config.logRoundPeriod().toMillis();
        logRounds.scheduleWithFixedDelay(() -> round(log), period, period, TimeUnit.MILLISECONDS);
        MidangServer midang = new MidangServer(server, deployment, api, config.tls(), audit, unsealed, operator, crlWatch,
                shared.ocr(), log, logRounds);
        unsealing.onSecret(secret -> midang.unsealWith(secret, shared));
        midang.control = control(deployment, audit);
        return midang;
    }

    /**
     * The control socket of an embedded deployment (H2 + files), through which
     * {@code midang-server backup} asks the running server for a consistent copy. Each request is
     * audited before it is carried out, as the operator's Unix user.
     */
    private static String clip(String s, int max) {
        return s.length() > max ? s.substring(0, max) : s;
    }

    static ControlSocket control(Deployment d, AuditLog audit) {
        if (d.database().engine() != Database.Engine.H2) {
            return null;
        }
        try {
            return ControlSocket.open(d.dir().controlSocket(), (request, operator, progress) -> {
                String op = request.path("op").asText();
                String to = request.path("to").asText();
                String since = request.path("since").asText("");
                boolean understood = "backup".equals(op) && request.path("to").isTextual() && !to.isEmpty() && !to.contains("\0")
                        && Path.of(to).isAbsolute() && !since.contains("\0") && (since.isEmpty() || Path.of(since).isAbsolute());
                // Audited before anything is done, a refusal too.
                audit.append(new AuditLog.Entry(cn.midang.server.http.Api.newRequestId(), operator, "operator", "",
                        clip(op, 32), clip(to, 200),
                        understood ? "allow" : "deny", understood ? "backup through the control socket"
                                + (since.isEmpty() ? "" : ", linking unchanged packages from " + clip(since, 200))
                                : "refused: only {\"op\": \"backup\", \"to\": ABSOLUTE_FOLDER[, \"since\": ABSOLUTE_FOLDER]} is understood"));
                if (!understood) {
                    throw new IllegalArgumentException("unknown request: only {\"op\": \"backup\", \"to\": ABSOLUTE_FOLDER[, \"since\": "
                            + "ABSOLUTE_FOLDER]} is understood");
                }
                Backup.Taken t = Backup.take(d.dir(), d.database(), d.signingIdentity(), Path.of(to),
                        since.isEmpty() ? null : Path.of(since), d.clock(), progress);
                return Map.of("folder", t.folder().toString(), "submissions", t.cut().submissions(), "audit_seq", t.cut().auditSeq(),
                        "files", t.files(), "bytes", t.bytes(), "linked", t.linked());
            });
        } catch (IOException | RuntimeException e) {
            LOG.warn("no control socket at {} ({}): 'midang-server backup' cannot reach this server", d.dir().controlSocket(),
                    e.toString());
            return null;
        }
    }


    /**
     * The submission records, with any row an earlier version stored in plaintext sealed first and
     * the database file rewritten, so that the old values are not left in its free pages. Runs
     * before anything else of the server uses the database.
     */
    static Submissions submissions(Deployment d, ServerConfig config, RecordCipher records) throws SQLException {
        Submissions submissions = new Submissions(d.database(), records, config.node());
        int sealed = submissions.sealPlaintextRows();
        if (sealed > 0) {
            d.database().compact();
            LOG.info("sealed the file names and receipts of {} submission(s) stored in plaintext by an earlier version "
                    + "and compacted the database", sealed);
        }
        return submissions;
    }

    /**
     * The record key (keys/record-key.cms), made at the first start. Never made anew for records
     * that already hold values sealed with one: a node whose directory lacks the file (joined before
     * the first node ever started, or restored without it) would otherwise seal with a key no other
     * node has, and what it wrote would be unreadable to them.
     */
    static RecordCipher recordCipher(Deployment d, Archive archive) throws Exception {
        if (!Files.exists(d.dir().recordKey()) && Submissions.anySealed(d.database())) {
            throw new IllegalStateException(d.dir().recordKey() + " is missing, but the records hold values sealed with a record "
                    + "key: copy the file from the node (or the backup) this directory came from; a new key would make them unreadable");
        }
        return archive.recordCipher(d.dir().recordKey());
    }

    /**
     * Opens the search index, or starts a new one (with a new key) when it was deleted: the
     * index is derived data, so deleting {@code DATA/index} and restarting rebuilds it.
     */
    static SearchIndex openIndex(Deployment d, ServerConfig config, Archive archive) throws Exception {
        if (!Files.exists(d.dir().indexKey())) {
            deleteTree(d.dir().index());
            new IndexStatus(d.database(), config.node()).clear();
        }
        return new SearchIndex(new EncryptedDirectory(FSDirectory.open(d.dir().index()), IndexKey.loadOrCreate(d.dir().indexKey(), archive),
                config.pageCacheBytes().orElse(EncryptedDirectory.DEFAULT_CACHE_BYTES)));
    }

    static Indexer newIndexer(Deployment d, ServerConfig config, Submissions submissions, Archive archive, SearchIndex index,
            Ocr.Found ocr) {
        return new Indexer(submissions, archive,
                new ForkedExtractor(ForkedExtractor.Limits.DEFAULT.withTimeout(config.extractTimeout())),
                ocr.usable() ? ForkedExtractor.recognising(new Ocr(Ocr.LANGUAGES, config.ocrMaxPages(), config.ocrTimeout(), Ocr.DPI))
                        : null,
                index, new IndexStatus(d.database(), config.node()), d.clock(), config.maxIndexBytes(), config.extractors());
    }

    /** Whether scans and pictures are recognised: asked for ({@code search.ocr}) and Tesseract with its languages found. */
    static Ocr.Found ocr(ServerConfig config) {
        return config.ocr() ? Ocr.probe(Ocr.LANGUAGES) : new Ocr.Found(false, "search.ocr = false");
    }

    /** For the start line: "OCR on (tesseract 5.3.0, chi_sim+eng)", or off and why. */
    public String ocrState() {
        return "OCR " + (ocr.usable() ? "on" : "off") + " (" + ocr.description() + ")";
    }


    /** How often a node sharing PostgreSQL looks for submissions other nodes received (searchable within 2 s, SPEC §5). */
    static final java.time.Duration FOLLOW_EVERY = java.time.Duration.ofMillis(500);

    /** Deletes a folder and everything in it, if it exists. */
    static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            PathUtils.deleteDirectory(dir);
        }
    }

    /** The URL clients use, e.g. {@code https://127.0.0.1:8443/}. */
    public String url(String host) {
        return (tls ? "https" : "http") + "://" + host + ":" + port() + "/";
    }

    public int port() {
        return ((ServerConnector) jetty.getConnectors()[0]).getLocalPort();
    }

    /** The port of the operator's metrics listener, if {@code metrics.listen} is set. */
    public OptionalInt metricsPort() {
        return metricsListener == null ? OptionalInt.empty() : OptionalInt.of(metricsListener.port());
    }

    public List<Route> routes() {
        return api.routes();
    }

    /** The transparency log (tests run a round at once with {@code log().integrate()} instead of waiting for the timer). */
    public TransparencyLog log() {
        return log;
    }

    /** One timed round of the log; a failure is logged and the next round takes in what this one left pending. */
    private static void round(TransparencyLog log) {
        try {
            log.integrate();
        } catch (Exception e) {
            LOG.error("transparency log round failed; its entries stay pending for the next one", e);
        }
    }

    @Override
    public void close() throws Exception {
        // Each part is closed even if one before it fails: the audit log's final checkpoint and
        // the database must never be skipped because the index could not be closed.
        ControlSocket c = control;
        if (c != null) {
            c.close(); // first: a backup in hand finishes while the database is still open
        }
        crlWatch.shutdownNow();
        // Not shutdownNow: an interrupt inside a round would close H2's file channel under it.
        logRounds.shutdown();
        if (!logRounds.awaitTermination(5, TimeUnit.MINUTES)) {
            LOG.warn("the transparency log's round did not finish; what it had pending is taken in at the next start");
        }
        try {
            try {
                jetty.stop();
            } finally {
                if (metricsListener != null) {
                    metricsListener.close();
                }
            }
        } finally {
            try {
                Unsealed u = unsealed;
                if (u != null) {
                    try {
                        u.indexer().close();
                        u.searchIndex().close();
                    } finally {
                        u.archive().close(); // the object store's connections, whatever the index did
                    }
                }
            } catch (Exception e) {
                LOG.error("closing the search index failed; it will be rebuilt if damaged (midang-server reindex)", e);
            } finally {
                try {
                    audit.close();
                } finally {
                    deployment.close();
                }
            }
        }
    }

    /**
     * Waits until every queued submission has been indexed or recognised (tests). No deadline of its
     * own: each document is bounded by its extractor's kill timeout, and a busy machine only makes
     * the wait longer (scans are recognised one after another).
     */
    public void awaitIndexed() throws InterruptedException {
        Unsealed u = unsealed;
        if (u == null) {
            return; // sealed: nothing is indexed
        }
        while (!u.indexer().awaitIdle(1, TimeUnit.MINUTES)) {
            LOG.info("still indexing: {} submission(s) queued or in hand", u.indexer().pending());
        }
    }

    /** True while the archive waits for its key holders. */
    public boolean sealed() {
        return unsealed == null;
    }

    /** The key holders rebuilt the secret: open the archive key, start what needs it, serve every route. */
    private synchronized void unsealWith(byte[] secret, Shared shared) throws Exception {
        if (unsealed != null) {
            return;
        }
        deployment.unseal(secret);
        java.util.Optional<Rekey.Plan> rekey = deployment.rekeyPlan().filter(Rekey.Plan::ready);
        if (rekey.isPresent()) {
            try {
                LOG.info("the key holders agreed to move the archive to its next key: re-addressing every stored package");
                try (Archive archive = Archive.of(deployment, shared.config())) {
                    archive.rekey(deployment, rekey.get(), (done, of) -> {
                        if (done == of || done % 1000 == 0) {
                            LOG.info("re-addressed {} of {} stored package(s) to the next archive key", done, of);
                        }
                    });
                }
                LOG.info("the archive key is replaced; the new key holders' shares are in {}", rekey.get().sharesOut());
            } catch (Exception e) {
                deployment.reseal(); // the next unseal resumes where this one stopped
                throw e;
            }
        }
        Unsealed u = Unsealed.start(shared);
        unsealed = u;
        api.serve(u.routes(), false);
        LOG.info("the archive is unsealed: every endpoint is served");
    }

    /** What every phase of the server shares: made at start, sealed or not. */
    private record Shared(Deployment deployment, ServerConfig config, Accounts accounts, AccessRecords accessRecords, AuditLog audit,
            TransparencyLog log, Unsealing unsealing, Ocr.Found ocr) {

        Shared(Deployment deployment, ServerConfig config, Accounts accounts, AccessRecords accessRecords, AuditLog audit,
                TransparencyLog log, Unsealing unsealing) {
            this(deployment, config, accounts, accessRecords, audit, log, unsealing, MidangServer.ocr(config));
        }

        /** What a sealed server serves: health, the API description, its certificates, who you are, the log, unsealing. */
        List<Route> sealedRoutes() {
            List<Route> routes = new ArrayList<>();
            routes.addAll(ServerRoutes.routes(deployment, accessRecords, log, unsealing));
            routes.addAll(new LogRoutes(log, deployment.clock()).routes());
            routes.addAll(new UnsealRoutes(unsealing).routes());
            return routes;
        }
    }

    /** Everything that needs the archive key, started together once it is open. */
    private record Unsealed(List<Route> routes, Indexer indexer, SearchIndex searchIndex, Archive archive) {

        static Unsealed start(Shared s) throws Exception {
            Deployment deployment = s.deployment();
            ServerConfig config = s.config();
            Archive archive = Archive.of(deployment, config);
            RecordCipher records = recordCipher(deployment, archive);
            Submissions submissions = submissions(deployment, config, records); // first: it may compact the database
            s.audit().useRecordCipher(records);
            Campaigns campaigns = new Campaigns(deployment.database());
            Findings findings = new Findings(deployment.database(), records);
            SubmissionService service = new SubmissionService(campaigns, submissions, findings, archive, deployment.signingIdentity(),
                    deployment.clock(), config.maxUploadBytes(), config.minFreeBytes());
            AccessService access = new AccessService(s.accessRecords(), s.accounts(), campaigns, submissions, deployment.clock());
            boolean shared = deployment.database().engine() == Database.Engine.POSTGRESQL;
            int swept = service.sweep(config.sweepGrace(shared));
            if (swept > 0) {
                LOG.warn("start-up sweep removed {} staged or unrecorded blob(s) left by an interrupted upload", swept);
            }
            Overviews overviews = new Overviews(submissions, findings, service::content);
            SummaryService summaries = new SummaryService(new Summaries(deployment.database()),
                    new ResultNotices(deployment.database(), records), overviews, service, submissions, deployment.clock(),
                    deployment.signingIdentity());
            CampaignService campaignService = new CampaignService(campaigns, overviews, s.accessRecords(), summaries, summaries,
                    config.reviewDepartments());
            FindingService findingService = new FindingService(findings, submissions, deployment.clock());
            int stale = ForkedExtractor.sweepStale();
            if (stale > 0) {
                LOG.info("removed {} temporary folder(s) of text extractors of a server that stopped abruptly", stale);
            }
            SearchIndex searchIndex = openIndex(deployment, config, archive);
            Indexer indexer = newIndexer(deployment, config, submissions, archive, searchIndex, s.ocr());
            service.onRecorded(indexer::enqueue);
            int behind = indexer.catchUp();
            if (shared) {
                // Other nodes may receive uploads too: this node's index follows the shared records.
                indexer.follow(FOLLOW_EVERY);
                LOG.info("node {}: the search index follows what every node sharing {} receives", config.node(),
                        deployment.database().engine());
            }
            if (behind > 0) {
                LOG.info("{} submission(s) queued for the search index", behind);
            }
            List<Route> routes = new ArrayList<>(s.sealedRoutes());
            routes.addAll(new CampaignRoutes(campaignService, findingService, deployment.clock()).routes());
            routes.addAll(new SummaryRoutes(summaries, campaignService).routes());
            routes.addAll(new AccessRoutes(access, deployment.clock()).routes());
            routes.addAll(new SubmissionRoutes(service).routes());
            routes.addAll(new SearchRoutes(new SearchService(searchIndex, submissions), SubmissionRoutes.named(service)).routes());
            routes.addAll(new AuditRoutes(s.audit(), deployment.dir().signingCertificate()).routes());
            routes.addAll(new EnrolmentRoutes(new EnrolmentService(s.accounts(), s.accessRecords(), deployment, deployment.clock()))
                    .routes());
            return new Unsealed(routes, indexer, searchIndex, archive);
        }
    }

    public void join() throws InterruptedException {
        jetty.join();
    }

    public static void main(String[] args) {
        System.exit(ServerCommand.run(args));
    }

}
