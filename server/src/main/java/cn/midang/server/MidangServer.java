package cn.midang.server;

import cn.midang.server.access.AccessRecords;
import cn.midang.server.access.AccessService;
import cn.midang.server.access.Action;
import cn.midang.server.access.Grant;
import cn.midang.server.access.Guard;
import cn.midang.server.access.Policy;
import cn.midang.server.access.Target;
import cn.midang.server.archive.FileBlobStore;
import cn.midang.server.audit.AuditLog;
import cn.midang.server.extract.ForkedExtractor;
import cn.midang.server.identity.Account;
import cn.midang.server.search.EncryptedDirectory;
import cn.midang.server.search.IndexKey;
import cn.midang.server.search.IndexStatus;
import cn.midang.server.search.Indexer;
import cn.midang.server.search.SearchIndex;
import cn.midang.server.search.SearchService;
import org.apache.lucene.store.FSDirectory;
import cn.midang.server.campaign.Campaign;
import cn.midang.server.campaign.CampaignService;
import cn.midang.server.campaign.Campaigns;
import cn.midang.server.campaign.FindingService;
import cn.midang.server.campaign.Overviews;
import cn.midang.server.summary.ResultNotices;
import cn.midang.server.summary.Summaries;
import cn.midang.server.summary.SummaryService;
import cn.midang.server.config.ServerConfig;
import cn.midang.server.deploy.Deployment;
import cn.midang.server.deploy.SealedKeyFile;
import cn.midang.keys.seal.RecordCipher;
import cn.midang.server.http.Api;
import cn.midang.server.http.Exchange;
import cn.midang.server.http.Metrics;
import cn.midang.server.http.MetricsListener;
import cn.midang.server.http.Route;
import cn.midang.server.identity.Accounts;
import cn.midang.server.identity.RequestAuthenticator;
import cn.midang.server.submission.StoredSubmission;
import cn.midang.server.submission.SubmissionService;
import cn.midang.server.submission.Submissions;
import cn.midang.server.http.ApiException;
import cn.midang.server.http.ErrorCode;
import java.net.InetAddress;
import java.time.Instant;
import java.nio.file.Files;
import java.sql.SQLException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
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

    private final Server jetty;
    private final Deployment deployment;
    private final Api api;

    private final boolean tls;

    private final AuditLog audit;
    private final Indexer indexer;
    private final SearchIndex searchIndex;

    private final MetricsListener metricsListener;

    private MidangServer(Server jetty, Deployment deployment, Api api, boolean tls, AuditLog audit, Indexer indexer,
            SearchIndex searchIndex, MetricsListener metricsListener) {
        this.metricsListener = metricsListener;
        this.audit = audit;
        this.indexer = indexer;
        this.searchIndex = searchIndex;
        this.tls = tls;
        this.jetty = jetty;
        this.deployment = deployment;
        this.api = api;
    }

    /**
     * Starts a server for {@code deployment} as configured. Plain HTTP is served only for a dev
     * deployment bound to a loopback address; anything else is refused (HTTPS comes with the TLS
     * work, see docs/ARCHITECTURE.md).
     */
    public static MidangServer start(Deployment deployment, ServerConfig config) throws Exception {
        if (!config.tls() && !(config.dev() && InetAddress.getByName(config.listenHost()).isLoopbackAddress())) {
            throw new IllegalStateException("plain HTTP (listen.tls = false) is allowed only for a dev deployment on a loopback "
                    + "address; listen.host = " + config.listenHost() + ", dev = " + config.dev());
        }
        RecordCipher records = recordCipher(deployment);
        Submissions submissions = submissions(deployment, records); // first: it may compact the database
        Accounts accounts = new Accounts(deployment.database());
        Campaigns campaigns = new Campaigns(deployment.database());
        FileBlobStore blobs = new FileBlobStore(deployment.dir().blobs());
        RequestAuthenticator authenticator = new RequestAuthenticator(deployment.database(), accounts,
                deployment::validator, deployment.clock(), config.maxRequestSkew());
        AuditLog audit = AuditLog.open(deployment.database(), deployment.dir().auditCheckpoints(), deployment.signingIdentity(),
                records, deployment.clock(), config.auditCheckpointRecords(), config.auditCheckpointPeriod());
        AccessRecords accessRecords = new AccessRecords(deployment.database());
        Guard guard = new Guard(new Policy(accessRecords), audit, deployment.clock());
        cn.midang.server.campaign.Findings findings = new cn.midang.server.campaign.Findings(deployment.database(), records);
        SubmissionService service = new SubmissionService(campaigns, submissions, blobs, deployment.archiveIdentity(),
                deployment.signingIdentity(), deployment::validator, deployment.clock(), config.maxUploadBytes(), guard, findings);
        AccessService access = new AccessService(accessRecords, accounts, campaigns, submissions, guard, deployment.clock());
        int swept = service.sweep(blobs);
        if (swept > 0) {
            LOG.warn("start-up sweep removed {} staged or unrecorded blob(s) left by an interrupted upload", swept);
        }
        Metrics metrics = new Metrics();
        Overviews overviews = new Overviews(submissions, findings, service::content);
        SummaryService summaries = new SummaryService(campaigns, new Summaries(deployment.database()),
                new ResultNotices(deployment.database(), records), overviews, service, submissions, guard, deployment.clock(),
                deployment.signingIdentity());
        CampaignService campaignService = new CampaignService(campaigns, overviews, accessRecords, guard, summaries, summaries,
                config.reviewDepartments());
        FindingService findingService = new FindingService(campaigns, findings, submissions, guard, deployment.clock());
        int stale = ForkedExtractor.sweepStale();
        if (stale > 0) {
            LOG.info("removed {} temporary folder(s) of text extractors of a server that stopped abruptly", stale);
        }
        SearchIndex searchIndex = openIndex(deployment);
        Indexer indexer = newIndexer(deployment, config, submissions, blobs, searchIndex);
        service.onRecorded(indexer::enqueue);
        int behind = indexer.catchUp();
        if (behind > 0) {
            LOG.info("{} submission(s) queued for the search index", behind);
        }
        SearchService search = new SearchService(searchIndex, submissions, guard);
        Api api = new Api(routes(deployment, service, campaignService, findingService, summaries, access, search, audit, guard, metrics),
                authenticator,
                new Exchange.Limits(config.maxUploadBytes(), config.minDataRate()), metrics, guard);

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
        ServerConnector connector;
        if (config.tls()) {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStore(deployment.transportKey().keyStore());
            ssl.setKeyStorePassword(new String(deployment.transportKey().passphrase()));
            ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
            SecureRequestCustomizer secure = new SecureRequestCustomizer();
            secure.setSniHostCheck(false); // clients reach the server by address; they pin its certificate
            http.addCustomizer(secure);
            connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(http));
        } else {
            connector = new ServerConnector(server, new HttpConnectionFactory(http));
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
        server.setErrorHandler(new cn.midang.server.http.CatalogueErrorHandler(guard, metrics));
        server.start();
        MetricsListener operator = null;
        if (config.metricsListen().isPresent()) {
            operator = MetricsListener.start(config.metricsListen().get(), metrics);
            LOG.info("metrics for the operator on http://{}:{}/metrics", config.metricsListen().get().getHostString(), operator.port());
        }
        return new MidangServer(server, deployment, api, config.tls(), audit, indexer, searchIndex, operator);
    }

    /**
     * The deployment's record key, made at the first start: file names, receipts, findings and
     * result notices are kept encrypted in H2 with it (SM4-GCM); it is kept sealed to the archive key.
     */
    public static RecordCipher recordCipher(Deployment d) throws Exception {
        return SealedKeyFile.loadOrCreate(d.dir().recordKey(),
                sealed -> RecordCipher.openKey(sealed, d.archiveIdentity(), d.validator()), RecordCipher.generate(),
                key -> key.sealKey(d.archiveIdentity(), d.clock()));
    }

    /**
     * The submission records, with any row an earlier version stored in plaintext sealed first and
     * the database file rewritten, so that the old values are not left in its free pages. Runs
     * before anything else of the server uses the database.
     */
    static Submissions submissions(Deployment d, RecordCipher records) throws SQLException {
        Submissions submissions = new Submissions(d.database(), records);
        int sealed = submissions.sealPlaintextRows();
        if (sealed > 0) {
            d.database().compact();
            LOG.info("sealed the file names and receipts of {} submission(s) stored in plaintext by an earlier version "
                    + "and compacted the database", sealed);
        }
        return submissions;
    }

    /**
     * Opens the search index, or starts a new one (with a new key) when it was deleted: the
     * index is derived data, so deleting {@code DATA/index} and restarting rebuilds it.
     */
    static SearchIndex openIndex(Deployment d) throws Exception {
        if (!Files.exists(d.dir().indexKey())) {
            deleteTree(d.dir().index());
            new IndexStatus(d.database()).clear();
        }
        return new SearchIndex(new EncryptedDirectory(FSDirectory.open(d.dir().index()),
                IndexKey.loadOrCreate(d.dir().indexKey(), d.archiveIdentity(), d.validator(), d.clock())));
    }

    static Indexer newIndexer(Deployment d, ServerConfig config, Submissions submissions, FileBlobStore blobs, SearchIndex index) {
        return new Indexer(submissions, blobs, d.archiveIdentity(), d::validator,
                new ForkedExtractor(ForkedExtractor.Limits.DEFAULT.withTimeout(config.extractTimeout())), index,
                new IndexStatus(d.database()), d.clock(), config.maxIndexBytes(), config.extractors());
    }

    /** The narrowing a listing or a search asks for: campaign, unit, kind, area, late=true|false. */
    static Submissions.Filter filter(Exchange ex) throws ApiException {
        String late = ex.query("late");
        if (late != null && !late.equals("true") && !late.equals("false")) {
            throw new ApiException(ErrorCode.MALFORMED_REQUEST, "late must be true or false");
        }
        return new Submissions.Filter(ex.query("campaign"), ex.query("unit"), ex.query("kind"), ex.query("area"),
                late == null ? null : Boolean.valueOf(late));
    }

    /** Deletes a folder and everything in it, if it exists. */
    static void deleteTree(java.nio.file.Path dir) throws java.io.IOException {
        if (Files.exists(dir)) {
            org.apache.commons.io.file.PathUtils.deleteDirectory(dir);
        }
    }

    static List<Route> routes(Deployment d, SubmissionService service, CampaignService campaigns, FindingService findings,
            SummaryService summaries, AccessService access, SearchService search, AuditLog audit, Guard guard, Metrics metrics) {
        return List.of(
                Route.publicRoute("GET", "/healthz", Action.HEALTH, ex -> ex.json(200, Map.of("status", "ok"))),
                Route.publicRoute("GET", "/openapi.json", Action.OPENAPI, ex -> ex.stream("application/json", -1, out -> {
                    try (var in = MidangServer.class.getResourceAsStream("/cn/midang/server/openapi.json")) {
                        in.transferTo(out);
                    }
                })),
                Route.publicRoute("GET", "/api/v1/server", Action.SERVER_INFO, ex -> ex.json(200, Map.of(
                        "signing_certificate", Files.readString(d.dir().signingCertificate()),
                        "archive_certificate", Files.readString(d.dir().archiveCertificate()),
                        "ca_certificate", Files.readString(d.dir().caCertificate()),
                        "crl", Files.readString(d.dir().crl()),
                        "tls_certificate_sha256", d.transportKey().certificateSha256(),
                        "tls_binding", Base64.getEncoder().encodeToString(d.transportBinding())))),
                Route.signed("GET", "/api/v1/me", Action.WHOAMI, ex -> {
                    guard.check(ex, Action.WHOAMI, Target.NONE);
                    ex.json(200, Views.caller(ex.caller()));
                }),
                Route.signed("POST", "/api/v1/campaigns", Action.CREATE_CAMPAIGN,
                        ex -> ex.json(201, Views.campaign(campaigns.create(ex)))),
                Route.signed("POST", "/api/v1/campaigns/{id}/transitions", Action.ADVANCE_CAMPAIGN, ex -> {
                    Campaign c = campaigns.advance(ex, ex.pathParam(1), d.clock());
                    ex.json(200, Views.campaign(c, campaigns.transitions(c.id())));
                }),
                Route.signed("GET", "/api/v1/campaigns", Action.LIST_CAMPAIGNS, ex -> {
                    List<Map<String, Object>> shown = new java.util.ArrayList<>();
                    for (Campaign c : campaigns.visible(ex)) {
                        shown.add(Views.campaign(c, campaigns.transitions(c.id())));
                    }
                    ex.json(200, Map.of("campaigns", shown));
                }),
                Route.signed("GET", "/api/v1/campaigns/{id}/status", Action.CAMPAIGN_STATUS, ex -> {
                    CampaignService.Status s = campaigns.status(ex, ex.pathParam(1));
                    ex.json(200, Views.status(s, d.clock().instant()));
                }),
                Route.signed("POST", "/api/v1/campaigns/{id}/findings", Action.RECORD_FINDING, ex -> ex.json(201,
                        Views.finding(findings.record(ex, ex.pathParam(1)), d.clock().instant()))),
                Route.signed("GET", "/api/v1/campaigns/{id}/findings", Action.LIST_FINDINGS, ex -> {
                    Instant now = d.clock().instant();
                    ex.json(200, Map.of("findings", findings.list(ex, ex.pathParam(1), ex.query("unit")).stream()
                            .map(f -> Views.finding(f, now)).toList()));
                }),
                Route.signed("POST", "/api/v1/campaigns/{id}/summary", Action.GENERATE_SUMMARY, ex -> ex.json(201,
                        Views.summary(summaries.generate(ex, ex.pathParam(1))))),
                Route.signed("GET", "/api/v1/campaigns/{id}/summary", Action.READ_SUMMARY, ex -> ex.json(200,
                        Views.summary(summaries.view(ex, ex.pathParam(1))))),
                Route.signed("POST", "/api/v1/campaigns/{id}/summary/signatures", Action.SIGN_SUMMARY, ex -> ex.json(201,
                        Views.summary(summaries.sign(ex, ex.pathParam(1))))),
                Route.signed("GET", "/api/v1/campaigns/{id}/results", Action.READ_RESULTS, ex -> ex.json(200,
                        Views.results(ex.pathParam(1), summaries.results(ex, ex.pathParam(1))))),
                Route.signed("POST", "/api/v1/campaigns/{id}/inspectors", Action.ASSIGN_INSPECTOR, ex -> {
                    Account a = access.assign(ex, ex.pathParam(1));
                    ex.json(200, Map.of("campaign", ex.pathParam(1), "inspector", a.commonName(), "fingerprint", a.fingerprint()));
                }),
                Route.signed("GET", "/api/v1/submissions", Action.LIST_SUBMISSIONS, ex -> ex.json(200, Map.of("submissions",
                        service.list(ex, filter(ex), ex.queryInt("limit", 100), ex.queryInt("offset", 0)).stream()
                                .map(Views::listed).toList()))),
                Route.signed("GET", "/api/v1/search", Action.SEARCH, ex -> {
                    String since = ex.query("since");
                    Instant from;
                    try {
                        from = since == null ? null : Instant.parse(since);
                    } catch (java.time.format.DateTimeParseException e) {
                        throw new ApiException(ErrorCode.MALFORMED_REQUEST, "since is not an ISO-8601 instant");
                    }
                    String q = ex.query("q");
                    ex.json(200, Views.search(q, search.search(ex, q, filter(ex), from, ex.query("sort"), ex.queryInt("limit", 20),
                            ex.queryInt("offset", 0))));
                }),
                Route.signed("POST", "/api/v1/submissions", Action.SUBMIT, ex -> {
                    String kind = ex.query("kind");
                    StoredSubmission s = service.submit(ex, ex.query("campaign"), kind, ex.query("unit"), ex.query("area"),
                            ex.query("finding"), ex.declaredLength(), ex.body(service.bodyLimit(kind)), ex.signedBodySm3());
                    ex.json(201, receiptJson(s));
                }),
                Route.signed("GET", "/api/v1/submissions/{id}/receipt", Action.READ_RECEIPT, ex -> ex.json(200,
                        receiptJson(SubmissionService.granted(service.readable(ex, ex.pathParam(1), Action.READ_RECEIPT))))),
                Route.signed("GET", "/api/v1/submissions/{id}", Action.DOWNLOAD, ex -> {
                    Grant g = service.readable(ex, ex.pathParam(1), Action.DOWNLOAD);
                    ex.stream("application/cms", -1, out -> service.download(g, out));
                }),
                Route.signed("GET", "/api/v1/engagements", Action.LIST_ENGAGEMENTS, ex -> ex.json(200, Map.of("engagements",
                        access.engagements(ex).stream().map(e -> Views.engagement(e, d.clock().instant())).toList()))),
                Route.signed("POST", "/api/v1/engagements", Action.CREATE_ENGAGEMENT, ex -> ex.json(201,
                        Views.engagement(access.createEngagement(ex), d.clock().instant()))),
                Route.signed("POST", "/api/v1/engagements/{id}/attestation", Action.ATTEST_DESTRUCTION, ex -> ex.json(201,
                        Views.engagement(access.attest(ex, ex.pathParam(1)), d.clock().instant()))),
                Route.signed("POST", "/api/v1/permits", Action.ISSUE_PERMIT, ex -> ex.json(201, Map.of("permit", access.issuePermit(ex)))),
                Route.signed("GET", "/api/v1/audit", Action.AUDIT_EXPORT, ex -> {
                    long from = Math.max(1, ex.queryInt("from", 1));
                    guard.check(ex, Action.AUDIT_EXPORT, new Target.Named("audit:" + from + "-"));
                    ex.json(200, Views.auditExport(audit, from, Files.readString(d.dir().signingCertificate())));
                }));
    }

    private static Map<String, Object> receiptJson(StoredSubmission s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("receipt", Base64.getEncoder().encodeToString(s.receipt()));
        m.put("receipt_signature", Base64.getEncoder().encodeToString(s.receiptSignature()));
        return m;
    }

    /** The URL clients use, e.g. {@code https://127.0.0.1:8443/}. */
    public String url(String host) {
        return (tls ? "https" : "http") + "://" + host + ":" + port() + "/";
    }

    public int port() {
        return ((ServerConnector) jetty.getConnectors()[0]).getLocalPort();
    }

    /** The port of the operator's metrics listener, if {@code metrics.listen} is set. */
    public java.util.OptionalInt metricsPort() {
        return metricsListener == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(metricsListener.port());
    }

    public List<Route> routes() {
        return api.routes();
    }

    @Override
    public void close() throws Exception {
        // Each part is closed even if one before it fails: the audit log's final checkpoint and
        // the database must never be skipped because the index could not be closed.
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
                indexer.close();
                searchIndex.close();
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

    /** Waits until every queued submission has been indexed (tests). */
    public void awaitIndexed() throws InterruptedException {
        indexer.awaitIdle(5, java.util.concurrent.TimeUnit.MINUTES);
    }

    public void join() throws InterruptedException {
        jetty.join();
    }

    public static void main(String[] args) {
        System.exit(ServerCommand.run(args));
    }

}
