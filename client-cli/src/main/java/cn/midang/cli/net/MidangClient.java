package cn.midang.cli.net;

import cn.midang.cli.CliFiles;
import cn.midang.forms.SafeText;
import cn.midang.keys.KeysException;
import cn.midang.keys.audit.AuditChain;
import cn.midang.keys.audit.AuditRecord;
import cn.midang.keys.audit.Checkpoint;
import cn.midang.keys.digest.Sm3;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.ChainValidator;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.pki.RevocationList;
import cn.midang.keys.seal.Opened;
import cn.midang.keys.seal.Opener;
import cn.midang.keys.seal.Sealed;
import cn.midang.keys.seal.Sealer;
import cn.midang.keys.sign.CanonicalJson;
import cn.midang.keys.sign.RawSignatures;
import cn.midang.keys.sign.SignedRequest;
import cn.midang.keys.tls.TransportKey;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;


/**
 * The client side of the Midang API: every request signed with the user's key, every answer
 * checked. The server's certificates are trusted only through the CA carried in the user's own
 * identity file (no trust on first use); every receipt is verified before it is reported.
 */
public final class MidangClient implements AutoCloseable {

    /** The JDK HTTP client's buffer size (java.net.http's networking properties). */
    static final String BUFFER_PROPERTY = "jdk.httpclient.bufsize";

    static {
        // The JDK HTTP client reads and writes in buffers of 16 KiB by default, each handed between its
        // selector thread and ours: a 1 GiB download was 100,000 reads, 200,000 futex calls and 3.5 s of
        // system time (issue 17; `midang get` 12 s -> 8 s with 256 KiB). Read once, when the client's
        // classes load, so it is set before the first client is built; a value given on the command line wins.
        if (System.getProperty(BUFFER_PROPERTY) == null) {
            System.setProperty(BUFFER_PROPERTY, Integer.toString(256 * 1024));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final URI server;
    private final Identity me;
    private final Clock clock;
    private final HttpClient http;
    private ServerInfo info;

    /** The server's certificates, checked against the user's CA. */
    public record ServerInfo(Certificate signing, Certificate archive, ChainValidator trust) {}

    /** A submission the server receipted, with the receipt verified. */
    public record Submitted(Receipt receipt, Sealed sealed) {}

    private final PinningTrustManager pinning = new PinningTrustManager();

    /**
     * Whether requests may go to {@code server}: HTTPS (the server's TLS key is pinned through a
     * binding its SM2 key signs) anywhere, plain HTTP only to this computer (a dev server on
     * loopback), where no one is in between.
     */
    public static boolean transportAllowed(URI server) {
        if ("https".equals(server.getScheme())) {
            return true;
        }
        if (!"http".equals(server.getScheme()) || server.getHost() == null) {
            return false;
        }
        String host = server.getHost().replaceAll("^\\[|\\]$", "");
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        try {
            // Only an address literal is taken as one: a name is never looked up to decide this.
            return host.matches("[0-9.]+|[0-9a-fA-F:]+") && InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private volatile Path stateHome;
    private volatile LogWatch.Seen logSeen;

    /** What this contact's first request showed of the log, checked against what was remembered before it (empty without a memory). */
    public java.util.Optional<LogWatch.Seen> logSeen() {
        return java.util.Optional.ofNullable(logSeen);
    }

    /**
     * Keeps this user's memory of what the client has checked (the highest CRL number seen per CA)
     * under {@code home}/.midang; without it nothing is remembered (tests, library use).
     */
    public MidangClient rememberingIn(Path home) {
        this.stateHome = home;
        return this;
    }

    public MidangClient(URI server, Identity me, Clock clock) {
        if (!transportAllowed(server)) {
            throw new IllegalArgumentException("plain HTTP is allowed only to this computer (loopback); use https:// for " + server);
        }
        this.server = Objects.requireNonNull(server);
        this.me = me;
        this.clock = clock;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        // Given even for http://: without one the client builds the JDK's default context, which
        // reads the JDK's trust store (about 0.05 s of every command), and would never use it.
        try {
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, new TrustManager[] {pinning}, null);
            b.sslContext(tls);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS is unavailable in this JDK", e);
        }
        this.http = b.build();
    }

    /** Fetches and checks the server's certificates against the CA in the user's identity. */
    public synchronized ServerInfo serverInfo() throws IOException, InterruptedException, KeysException, ServerRefusal {
        if (info != null) {
            return info;
        }
        Certificate ca = me.ca().orElseThrow(() -> new KeysException(KeysException.Reason.UNTRUSTED_ISSUER,
                "your identity file carries no CA certificate; install your certificate with 'midang key install'"));
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(server.resolve("/api/v1/server")).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        JsonNode n = json(r);
        byte[] presentedTls = null;
        if ("https".equals(server.getScheme())) {
            SSLSession session = r.sslSession().orElseThrow(() -> new IOException("no TLS session"));
            try {
                presentedTls = session.getPeerCertificates()[0].getEncoded();
            } catch (CertificateEncodingException e) {
                throw new IOException(e);
            }
        }
        Certificate serverCa = Certificate.parse(n.path("ca_certificate").asText().getBytes(StandardCharsets.US_ASCII));
        if (!serverCa.equals(ca)) {
            throw new KeysException(KeysException.Reason.UNTRUSTED_ISSUER,
                    "the server at " + server + " belongs to another deployment (its CA is " + serverCa.subject() + ")");
        }
        RevocationList crl = RevocationList.parse(n.path("crl").asText().getBytes(StandardCharsets.US_ASCII));
        ChainValidator trust = ChainValidator.of(ca, crl, clock);
        if (stateHome != null) {
            ServerKeys.requireNotOlder(stateHome, ca, crl.number());
        }
        Certificate signing = Certificate.parse(n.path("signing_certificate").asText().getBytes(StandardCharsets.US_ASCII));
        Certificate archive = Certificate.parse(n.path("archive_certificate").asText().getBytes(StandardCharsets.US_ASCII));
        ServerKeys.requireServer(signing, trust);
        ServerKeys.requireServer(archive, trust);
        if (presentedTls != null) {
            pinning.pin(checkTransportBinding(presentedTls, n.path("tls_certificate_sha256").asText(),
                    Base64.getDecoder().decode(n.path("tls_binding").asText()), signing));
        }
        info = new ServerInfo(signing, archive, trust);
        String checkpoint = n.path("log_checkpoint").asText("");
        if (stateHome != null && !checkpoint.isEmpty()) {
            try {
                logSeen = LogWatch.observe(LogWatch.clientState(stateHome), signing, checkpoint, this::logConsistency);
            } catch (IOException | KeysException | ServerRefusal | RuntimeException e) {
                info = null;
                throw e;
            }
        }
        return info;
    }

    /** The transparency log's newest checkpoint (a signed note), or the newest with at least {@code cosigned} cosignatures. */
    public String logCheckpoint(int cosigned) throws IOException, InterruptedException, KeysException, ServerRefusal {
        return new String(getBytes("/api/v1/log/checkpoint", cosigned == 0 ? "" : "cosigned=" + cosigned), StandardCharsets.UTF_8);
    }

    /** The inclusion proof of log entry {@code entry} (hex): index, size, proof, checkpoint. */
    public JsonNode logProof(String entryHex) throws IOException, InterruptedException, KeysException, ServerRefusal {
        return getJson("/api/v1/log/proof", "entry=" + entryHex);
    }

    /** The consistency proof between two checkpoints of the log. */
    public List<byte[]> logConsistency(long from, long to) throws IOException, InterruptedException, KeysException, ServerRefusal {
        JsonNode n = getJson("/api/v1/log/consistency", "from=" + from + "&to=" + to);
        List<byte[]> proof = new ArrayList<>();
        for (JsonNode h : n.path("proof")) {
            proof.add(Base64.getDecoder().decode(h.asText()));
        }
        return proof;
    }

    /** Whether the archive is sealed, how many shares are in, and this start's one-time key ({@code GET /api/v1/unseal}, unsigned). */
    public JsonNode unsealStatus() throws IOException, InterruptedException, KeysException, ServerRefusal {
        serverInfo();
        return json(http.send(HttpRequest.newBuilder(server.resolve("/api/v1/unseal")).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray()));
    }

    /** Delivers a key share (sealed to the start key, signed by its holder); the body carries its own signature. */
    public JsonNode unseal(byte[] delivery) throws IOException, InterruptedException, KeysException, ServerRefusal {
        serverInfo();
        byte[] body = JSON.writeValueAsBytes(Map.of("share", Base64.getEncoder().encodeToString(delivery)));
        return json(http.send(HttpRequest.newBuilder(server.resolve("/api/v1/unseal")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray()));
    }

    /** Sends a witness's cosignature line of the checkpoint of {@code size}. */
    public JsonNode cosign(long size, String line) throws IOException, InterruptedException, KeysException, ServerRefusal {
        return postJson("/api/v1/log/cosignatures", Map.of("size", size, "line", line));
    }

    /** A package sealed for the archive, staged in a file, with what the receipt must echo. */
    public record SealedUpload(Path file, Sealed sealed, String fileName, String request) {}

    /**
     * Checks that the TLS certificate presented on the connection is the one the server's SM2
     * signing key (already validated against the user's CA) vouched for; returns the pin.
     */
    static String checkTransportBinding(byte[] presentedTlsDer, String claimedSha256, byte[] binding, Certificate signing)
            throws KeysException {
        String presented = TransportKey.sha256Hex(presentedTlsDer);
        if (!presented.equals(claimedSha256)) {
            throw new KeysException(KeysException.Reason.MISMATCH, "the server's TLS certificate (SHA-256 " + presented
                    + ") is not the one it claims (" + claimedSha256 + "): someone may be in between");
        }
        RawSignatures.verify(signing, binding, TransportKey.bindingStatement(claimedSha256, signing.fingerprint()));
        return presented;
    }

    /**
     * Seals {@code file} to the archive (signed by the user; the description is the file's
     * name), uploads it, and verifies the receipt. The file is read twice: once to name its
     * content (SM3 and size) in the signed request, then to seal it as it is sent — the package
     * never touches this computer's disk, and the server checks it as it arrives.
     */
    public Submitted submit(Path file, String campaign, String kind, String unit)
            throws IOException, InterruptedException, KeysException, ServerRefusal {
        return submit(file, campaign, kind, unit, Progress.NONE);
    }

    /** As {@link #submit(Path, String, String, String)}, reporting each phase to {@code progress}. */
    public Submitted submit(Path file, String campaign, String kind, String unit, Progress progress)
            throws IOException, InterruptedException, KeysException, ServerRefusal {
        return submit(file, campaign, kind, unit, null, progress);
    }

    /** As above, about check area {@code area} (its id or name; null = none). */
    public Submitted submit(Path file, String campaign, String kind, String unit, String area, Progress progress)
            throws IOException, InterruptedException, KeysException, ServerRefusal {
        return submit(file, campaign, kind, unit, area, null, progress);
    }

    /** As above, a rectification report answering finding {@code finding} (null = none). */
    public Submitted submit(Path file, String campaign, String kind, String unit, String area, String finding, Progress progress)
            throws IOException, InterruptedException, KeysException, ServerRefusal {
        String name = submittableName(file);
        long size = Files.size(file);
        Placement where = new Placement(campaign, kind, unit, area, finding);
        try {
            return sealAndSend(file, name, size, where, progress);
        } catch (ServerRefusal r) {
            if (!"not_sealed_to_archive".equals(r.code()) || !archiveReplaced()) {
                throw r;
            }
        }
        // The archive key was replaced (midang-server rekey) since this client last asked: sealed again to the new one.
        return sealAndSend(file, name, size, where, progress);
    }

    /** Where an upload goes, as its query says. */
    private record Placement(String campaign, String kind, String unit, String area, String finding) {}

    /** Asks the server again for its certificates: true if its archive certificate is not the one this client sealed to. */
    private synchronized boolean archiveReplaced() throws IOException, InterruptedException, KeysException, ServerRefusal {
        Certificate before = info == null ? null : info.archive();
        info = null;
        return !serverInfo().archive().equals(before);
    }

    private static String submittableName(Path file) throws KeysException {
        Optional<String> badName = SafeText.fileNameProblem(file.getFileName().toString());
        if (badName.isPresent()) {
            throw new KeysException(KeysException.Reason.MALFORMED, "cannot submit " + file + ": " + badName.get());
        }
        return file.getFileName().toString();
    }

    /**
     * Seals {@code file} as it is sent, reading it once: the request names the content's {@code size};
     * the package is sealed for the request (its nonce, signed with the content), which is how the
     * server knows the body is the one this request meant.
     */
    private Submitted sealAndSend(Path file, String name, long size, Placement where, Progress progress)
            throws IOException, InterruptedException, KeysException, ServerRefusal {
        ServerInfo si = serverInfo();
        String nonce = nonce();
        Sealer sealer = Sealer.signedBy(me).to(si.archive()).describedAs(name).clock(clock).forRequest(nonce).ofSize(size).build();
        SealingBody body = new SealingBody(file, sealer, progress);
        progress.start(size);
        HttpResponse<byte[]> answer;
        try {
            answer = http.send(uploadRequest(where, size, nonce).POST(HttpRequest.BodyPublishers.fromPublisher(body)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw sealingFailure(body).orElseThrow(() -> e);
        } finally {
            body.stop();
            progress.finish();
        }
        JsonNode n = json(answer);
        Sealed sealed = body.sealed();
        if (sealed == null) {
            throw new KeysException(KeysException.Reason.MISMATCH, "the server answered " + answer.statusCode()
                    + " before the whole package was sent; nothing of it was kept here");
        }
        Receipt receipt = verifyReceipt(n, si);
        checkReceipt(receipt, sealed, name, where);
        return new Submitted(receipt, sealed);
    }

    /** Why the body failed on this side (the file could not be read, or changed), as the user should hear it. */
    private static Optional<KeysException> sealingFailure(SealingBody body) {
        Throwable t = body.failure();
        if (t instanceof KeysException k) {
            return Optional.of(k);
        }
        if (t instanceof IOException io) {
            return Optional.of(new KeysException(KeysException.Reason.IO, "reading the file to seal it: " + io.getMessage(), io));
        }
        return Optional.empty();
    }

    /**
     * The signed request, with nonce {@code nonce}, of an upload of {@code size} bytes of content.
     * {@code Expect: 100-continue}: the
     * server refuses on the headers alone (rights, campaign state, the content's size) before a byte
     * of the package is sealed or sent. Without it a refused upload is answered while the package is
     * still being sent, and the connection closed under it can lose the answer (the user saw
     * "connection reset" instead of why).
     */
    private HttpRequest.Builder uploadRequest(Placement where, long size, String nonce) throws KeysException {
        StringBuilder q = new StringBuilder("campaign=").append(enc(where.campaign())).append("&kind=").append(enc(where.kind()));
        if (where.unit() != null) {
            q.append("&unit=").append(enc(where.unit()));
        }
        if (where.area() != null) {
            q.append("&area=").append(enc(where.area()));
        }
        if (where.finding() != null) {
            q.append("&finding=").append(enc(where.finding()));
        }
        q.append("&content_size=").append(size);
        return signed("POST", "/api/v1/submissions", q.toString(), null, nonce)
                .expectContinue(true)
                .header("Content-Type", "application/cms");
    }

    /**
     * Seals {@code file} for the archive into a private temp file, for one upload request to come (its
     * nonce is {@link SealedUpload#request}); the caller deletes it (tests upload what they made).
     */
    public SealedUpload seal(Path file) throws IOException, InterruptedException, KeysException, ServerRefusal {
        String name = submittableName(file);
        ServerInfo si = serverInfo();
        Path sealedFile = Files.createTempFile("midang-upload-", ".cms",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (InputStream in = Files.newInputStream(file);
                BufferedOutputStream out = new BufferedOutputStream(Files.newOutputStream(sealedFile), 1 << 16)) {
            String request = nonce();
            Sealed sealed = Sealer.signedBy(me).to(si.archive()).describedAs(name).clock(clock).forRequest(request).build().seal(in, out);
            out.flush();
            return new SealedUpload(sealedFile, sealed, name, request);
        } catch (IOException | KeysException | RuntimeException e) {
            Files.deleteIfExists(sealedFile);
            throw e;
        }
    }

    /**
     * Uploads a package already sealed (by {@link #seal(Path)}) in the request it was sealed for — so
     * once: the server spends a request's nonce when it sees it — and verifies that the receipt
     * describes exactly it.
     */
    public Submitted upload(SealedUpload staged, String campaign, String kind, String unit)
            throws IOException, InterruptedException, KeysException, ServerRefusal {
        ServerInfo si = serverInfo();
        Placement where = new Placement(campaign, kind, unit, null, null);
        JsonNode n = json(http.send(uploadRequest(where, staged.sealed().contentSize(), staged.request()).POST(HttpRequest.BodyPublishers.ofFile(staged.file())).build(),
                HttpResponse.BodyHandlers.ofByteArray()));
        Receipt receipt = verifyReceipt(n, si);
        checkReceipt(receipt, staged.sealed(), staged.fileName(), where);
        return new Submitted(receipt, staged.sealed());
    }

    /**
     * How far a receipt's time may be from this computer's clock: wide enough for any clock the
     * server accepts requests from (its skew is 5 minutes by default) and a long upload, narrow
     * enough that an old receipt replayed as new is refused.
     */
    static final Duration MAX_RECEIPT_CLOCK_GAP = Duration.ofMinutes(15);

    /**
     * Checks that a verified receipt describes exactly what was just sent, field by field: content,
     * size, name, submitter, campaign, kind, unit, check area, finding, a time close to now, and —
     * where this user can see the campaign — whether it is late. A receipt that is genuine but for
     * something else (an earlier submission's, another unit's, a re-dated one) is refused.
     */
    private void checkReceipt(Receipt r, Sealed sealed, String fileName, Placement where)
            throws IOException, InterruptedException, KeysException, ServerRefusal {
        String campaign = where.campaign();
        String kind = where.kind();
        String unit = where.unit();
        String area = where.area();
        String finding = where.finding();
        String expectedUnit = unit != null ? unit : me.certificate().organisation();
        List<String> wrong = new ArrayList<>();
        if (!r.contentSm3().equals(sealed.contentSm3Hex()) || r.size() != sealed.contentSize()) {
            wrong.add("content");
        }
        if (!r.fileName().equals(fileName)) {
            wrong.add("file name");
        }
        if (!r.submitter().equals(me.certificate().fingerprint())) {
            wrong.add("submitter");
        }
        if (!r.campaign().equals(campaign) || !r.kind().equals(kind) || !r.unit().equals(expectedUnit)) {
            wrong.add("campaign, kind or unit");
        }
        if (!Objects.equals(finding, r.finding())) {
            wrong.add("finding");
        }
        Instant received = r.received();
        if (Duration.between(received, clock.instant()).abs().compareTo(MAX_RECEIPT_CLOCK_GAP) > 0) {
            wrong.add("time (" + r.receivedAt() + ", this computer says " + clock.instant() + ")");
        }
        Optional<JsonNode> c = (area != null || !"rectification".equals(kind)) ? seenCampaign(campaign)
                : Optional.empty();
        if (area == null ? r.area() != null : !area.equals(r.area()) && c.map(x -> !areaNamed(x, r.area(), area)).orElse(true)) {
            wrong.add("check area");
        }
        if (c.isPresent() && !"rectification".equals(kind)) {
            boolean late = received.isAfter(Instant.parse(c.get().path("submission_deadline").asText()));
            if (late != r.late()) {
                wrong.add("late");
            }
        }
        if (!wrong.isEmpty()) {
            throw new KeysException(KeysException.Reason.MISMATCH, "the server's receipt does not describe what was sent: "
                    + String.join(", ", wrong) + " differ; it was not kept");
        }
    }

    /** Campaigns as this client saw them, asked once per campaign (a submit of many files checks each receipt). */
    private final Map<String, Optional<JsonNode>> campaignsSeen = new ConcurrentHashMap<>();

    private Optional<JsonNode> seenCampaign(String id) throws IOException, InterruptedException, KeysException, ServerRefusal {
        Optional<JsonNode> c = campaignsSeen.get(id);
        if (c == null) {
            c = campaign(id);
            campaignsSeen.put(id, c);
        }
        return c;
    }

    /** Whether campaign {@code c} has an area with id {@code id} named {@code name}. */
    private static boolean areaNamed(JsonNode c, String id, String name) {
        for (JsonNode a : c.path("areas")) {
            if (a.path("id").asText().equals(id) && a.path("name").asText().equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** Fetches the receipt of submission {@code id}, verified. */
    public Receipt receipt(String id) throws IOException, InterruptedException, KeysException, ServerRefusal {
        ServerInfo si = serverInfo();
        HttpResponse<byte[]> r = http.send(signed("GET", "/api/v1/submissions/" + enc(id) + "/receipt", "", Sm3.digest(new byte[0]))
                .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        Receipt receipt = verifyReceipt(json(r), si);
        if (!receipt.id().equals(id)) {
            throw new KeysException(KeysException.Reason.MISMATCH, "asked for the receipt of " + id + ", the server sent one for "
                    + receipt.id());
        }
        return receipt;
    }

    /** Who the server takes this client's key to be ({@code GET /api/v1/me}). */
    public JsonNode me() throws IOException, InterruptedException, KeysException, ServerRefusal {
        return getJson("/api/v1/me", "");
    }

    /** The campaigns that concern the user. */
    public JsonNode campaigns() throws IOException, InterruptedException, KeysException, ServerRefusal {
        return getJson("/api/v1/campaigns", "");
    }

    /** Campaign {@code id} as the user sees it, if it concerns them. */
    public Optional<JsonNode> campaign(String id) throws IOException, InterruptedException, KeysException, ServerRefusal {
        for (JsonNode c : campaigns().path("campaigns")) {
            if (c.path("id").asText().equals(id)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** Per-unit progress of one campaign, as far as the user may see it. */
    public JsonNode status(String campaign) throws IOException, InterruptedException, KeysException, ServerRefusal {
        return getJson("/api/v1/campaigns/" + enc(campaign) + "/status", "");
    }

    /** What a listing or a search is narrowed to; nulls mean any. */
    public record Filter(String campaign, String unit, String kind, String area, Boolean late) {
        public static final Filter NONE = new Filter(null, null, null, null, null);

        /** The filter as query parameters, each followed by '&'. */
        String query() {
            StringBuilder q = new StringBuilder();
            for (String[] p : new String[][] {{"campaign", campaign}, {"unit", unit}, {"kind", kind}, {"area", area},
                    {"late", late == null ? null : late.toString()}}) {
                if (p[1] != null) {
                    q.append(p[0]).append('=').append(enc(p[1])).append('&');
                }
            }
            return q.toString();
        }
    }

    /** Submissions the user may read; null filters mean any. */
    public JsonNode list(String campaign, String unit, String kind, int limit, int offset)
            throws IOException, InterruptedException, KeysException, ServerRefusal {
        return list(new Filter(campaign, unit, kind, null, null), limit, offset);
    }

    public JsonNode list(Filter filter, int limit, int offset) throws IOException, InterruptedException, KeysException, ServerRefusal {
        return getJson("/api/v1/submissions", filter.query() + "limit=" + limit + "&offset=" + offset);
    }

    /**
     * The text the server extracted from submission {@code id} for its search index ({@code id},
     * {@code indexed}, {@code text}), under the same rule as its download. It is the server's
     * reading of the document, not the signed original: {@link #fetch} gives that.
     */
    public JsonNode text(String id) throws IOException, InterruptedException, KeysException, ServerRefusal {
        return getJson("/api/v1/submissions/" + enc(id) + "/text", "");
    }

    /** Searches what the user may read; null filters mean any. */
    public JsonNode search(String q, String campaign, String unit, String kind, String since, int limit, int offset)
            throws IOException, InterruptedException, KeysException, ServerRefusal {
        return search(q, new Filter(campaign, unit, kind, null, null), since, null, limit, offset);
    }

    /** As above, ordered by {@code sort} ("relevance" or "date"; null = relevance). */
    public JsonNode search(String q, Filter filter, String since, String sort, int limit, int offset)
            throws IOException, InterruptedException, KeysException, ServerRefusal {
        StringBuilder query = new StringBuilder("q=").append(enc(q)).append('&').append(filter.query());
        for (String[] p : new String[][] {{"since", since}, {"sort", sort}}) {
            if (p[1] != null) {
                query.append(p[0]).append('=').append(enc(p[1])).append('&');
            }
        }
        query.append("limit=").append(limit).append("&offset=").append(offset);
        return getJson("/api/v1/search", query.toString());
    }

    /** The accounts (administrator only), all or those of {@code role}. */
    public JsonNode accounts(String role) throws IOException, InterruptedException, KeysException, ServerRefusal {
        return getJson("/api/v1/accounts", role == null ? "" : "role=" + java.net.URLEncoder.encode(role, StandardCharsets.UTF_8));
    }

    /** The server's health ({@code GET /healthz}, unsigned): {@code status} and the operator's {@code warnings}. */
    public JsonNode health() throws IOException, InterruptedException, KeysException, ServerRefusal {
        serverInfo(); // over HTTPS, pins the transport first
        return json(http.send(HttpRequest.newBuilder(server.resolve("/healthz")).GET().build(), HttpResponse.BodyHandlers.ofByteArray()));
    }

    /** Engagements: all (administrator) or the caller's organisation's (tester). */
    public JsonNode engagements() throws IOException, InterruptedException, KeysException, ServerRefusal {
        return getJson("/api/v1/engagements", "");
    }

    /**
     * Checks an audit export ({@code midang-audit-export/1}) against the server's signing
     * certificate: every record's hash, the chain from the export's anchor, every checkpoint's
     * signature. What the result says is all a reader may rely on; the caller decides what an
     * unsigned tail means for it.
     */
    public static AuditChain.Result verifyAuditExport(JsonNode export, Certificate server) throws KeysException {
        List<AuditRecord> records = new ArrayList<>();
        for (JsonNode r : export.path("records")) {
            records.add(new AuditRecord(r.path("seq").asLong(), r.path("at").asText(), r.path("request").asText(),
                    r.path("actor").asText(), r.path("role").asText(), r.path("organisation").asText(), r.path("action").asText(),
                    r.path("object").asText(), r.path("decision").asText(), r.path("reason").asText(), r.path("prev").asText(),
                    r.path("hash").asText()));
        }
        List<Checkpoint> checkpoints = new ArrayList<>();
        for (JsonNode c : export.path("checkpoints")) {
            try {
                checkpoints.add(Checkpoint.parse(Base64.getDecoder().decode(c.path("bytes").asText()),
                        Base64.getDecoder().decode(c.path("signature").asText())));
            } catch (IllegalArgumentException e) { // found by fuzzing (ParsersFuzzTest): a 1 (internal), not a 6 (integrity)
                throw new cn.midang.keys.KeysException(cn.midang.keys.KeysException.Reason.MALFORMED,
                        "checkpoint " + checkpoints.size() + " of the export is not base64", e);
            }
        }
        return AuditChain.verify(records.iterator(), export.path("from").asLong(1), export.path("anchor").asText(), checkpoints, server);
    }

    /** The audit log from record {@code from} as the server sent it, and what checking it against the server's key found. */
    public record VerifiedAudit(JsonNode export, AuditChain.Result result) {}

    /** Fetches the audit log from record {@code from} and checks it with the server's signing key (checked against the CA). */
    public VerifiedAudit verifiedAudit(long from) throws IOException, InterruptedException, KeysException, ServerRefusal {
        JsonNode n = JSON.readTree(auditExport(from));
        return new VerifiedAudit(n, verifyAuditExport(n, serverInfo().signing()));
    }

    /** The audit log from record {@code from}, with checkpoints and the server certificate, as the server sent it. */
    public byte[] auditExport(long from) throws IOException, InterruptedException, KeysException, ServerRefusal {
        serverInfo();
        HttpResponse<byte[]> r = http.send(signed("GET", "/api/v1/audit", "from=" + from, Sm3.digest(new byte[0])).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        json(r);
        return r.body();
    }

    /** A signed POST of a JSON object; returns the server's JSON answer. */
    public JsonNode postJson(String path, Map<String, ?> body)
            throws IOException, InterruptedException, KeysException, ServerRefusal {
        serverInfo();
        byte[] bytes = JSON.writeValueAsBytes(body);
        return json(http.send(signed("POST", path, "", Sm3.digest(bytes)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofByteArray()));
    }

    /**
     * Signs and files a destruction attestation for {@code engagement}: canonical JSON naming the
     * engagement, the signer and the time, with the statement {@code text}, raw SM2 signature.
     */
    public JsonNode attestDestruction(String engagement, String text)
            throws IOException, InterruptedException, KeysException, ServerRefusal {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "midang-destruction-attestation/1");
        m.put("engagement", engagement);
        m.put("text", text);
        return postSigned("/api/v1/engagements/" + enc(engagement) + "/attestation", m);
    }

    /**
     * Signs a statement with the user's key and posts it: {@code fields} plus the signer's
     * fingerprint and organisation and the time, as canonical JSON with a raw SM2 signature.
     */
    public JsonNode postSigned(String path, Map<String, Object> fields)
            throws IOException, InterruptedException, KeysException, ServerRefusal {
        Map<String, Object> m = new LinkedHashMap<>(fields);
        m.put("signer", me.certificate().fingerprint());
        m.put("organisation", me.certificate().organisation());
        m.put("signed_at", clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
        byte[] statement = CanonicalJson.encode(m);
        byte[] sig = RawSignatures.sign(me, statement);
        return postJson(path, Map.of("statement", Base64.getEncoder().encodeToString(statement),
                "signature", Base64.getEncoder().encodeToString(sig)));
    }

    /** Takes the next lifecycle step of {@code campaign}, from {@code from} into {@code to}, signed. */
    public JsonNode advance(String campaign, String from, String to)
            throws IOException, InterruptedException, KeysException, ServerRefusal {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "midang-transition/1");
        m.put("campaign", campaign);
        m.put("from", from);
        m.put("to", to);
        return postSigned("/api/v1/campaigns/" + enc(campaign) + "/transitions", m);
    }

    /** Moves {@code campaign}'s dates ({@code submission_deadline}, {@code on_site_start}, {@code on_site_end}: ISO-8601 or now). */
    public JsonNode reschedule(String campaign, Map<String, String> dates)
            throws IOException, InterruptedException, KeysException, ServerRefusal {
        return postJson("/api/v1/campaigns/" + enc(campaign) + "/dates", dates);
    }

    /**
     * Downloads submission {@code id}, opens it in memory (at most {@code maxBytes} of content)
     * and verifies the author's signature; nothing touches the disk. For testers (SPEC C3).
     */
    /** Records a finding in {@code campaign} (fields as the API takes them) and returns it as stored. */
    public JsonNode addFinding(String campaign, Map<String, ?> fields)
            throws IOException, InterruptedException, KeysException, ServerRefusal {
        return postJson("/api/v1/campaigns/" + enc(campaign) + "/findings", fields);
    }

    /** The findings of {@code campaign} the user may see (of {@code unit} only, unless null). */
    public JsonNode findings(String campaign, String unit) throws IOException, InterruptedException, KeysException, ServerRefusal {
        return getJson("/api/v1/campaigns/" + enc(campaign) + "/findings", unit == null ? "" : "unit=" + enc(unit));
    }

    /** Generates the next version of {@code campaign}'s summary. */
    public JsonNode generateSummary(String campaign) throws IOException, InterruptedException, KeysException, ServerRefusal {
        return postJson("/api/v1/campaigns/" + enc(campaign) + "/summary", Map.of());
    }

    /** The current summary of {@code campaign}: version, documents, JSON SM3 and signatures. */
    public JsonNode summary(String campaign) throws IOException, InterruptedException, KeysException, ServerRefusal {
        return getJson("/api/v1/campaigns/" + enc(campaign) + "/summary", "");
    }

    /** The current summary: what the server says of it, and its JSON, whose SM3 was checked against what the server says. */
    public record CurrentSummary(JsonNode meta, byte[] json) {
        public String sm3() {
            return meta.path("json_sm3").asText();
        }

        public int version() {
            return meta.path("version").asInt();
        }
    }

    /** The largest summary JSON this client reads. */
    public static final int MAX_SUMMARY_JSON = 64 << 20;

    /** The current summary of {@code campaign}, its JSON downloaded and checked ({@code MISMATCH} when its SM3 differs). */
    public CurrentSummary currentSummary(String campaign) throws IOException, InterruptedException, KeysException, ServerRefusal {
        JsonNode meta = summary(campaign);
        byte[] json = getInMemory(meta.path("documents").path("json").asText(), MAX_SUMMARY_JSON);
        if (!Sm3.hex(json).equals(meta.path("json_sm3").asText())) {
            throw new KeysException(KeysException.Reason.MISMATCH, "the summary of " + campaign + " has SM3 " + Sm3.hex(json)
                    + ", not the " + meta.path("json_sm3").asText() + " the server gave");
        }
        return new CurrentSummary(meta, json);
    }

    /** Signs {@code s}'s exact JSON bytes with the user's key (raw SM2) and sends the signature; returns the server's answer. */
    public JsonNode signSummary(String campaign, CurrentSummary s) throws IOException, InterruptedException, KeysException, ServerRefusal {
        return signSummary(campaign, s.version(), s.sm3(), RawSignatures.sign(me, s.json()));
    }

    /** Sends the user's signature over the exact JSON bytes of version {@code version} of the summary. */
    public JsonNode signSummary(String campaign, int version, String jsonSm3, byte[] signature)
            throws IOException, InterruptedException, KeysException, ServerRefusal {
        return postJson("/api/v1/campaigns/" + enc(campaign) + "/summary/signatures", Map.of("version", version,
                "json_sm3", jsonSm3, "signature", Base64.getEncoder().encodeToString(signature)));
    }

    /** The published result notices of {@code campaign} the user may see. */
    public JsonNode results(String campaign) throws IOException, InterruptedException, KeysException, ServerRefusal {
        return getJson("/api/v1/campaigns/" + enc(campaign) + "/results", "");
    }

    /** One published result notice: its JSON, the exact bytes the server signed, and the signature. */
    public record Notice(JsonNode content, byte[] bytes, byte[] signature) {}

    /** The server sent a notice of another campaign among {@code campaign}'s results: nothing of it is used. */
    public static final class ForeignNotice extends IOException {
        public final String campaign;
        public final String found;

        ForeignNotice(String campaign, String found) {
            super("the server sent a notice of campaign " + found + " with the results of " + campaign);
            this.campaign = campaign;
            this.found = found;
        }
    }

    /**
     * The published results of {@code campaign}, each notice's signature checked with the server's
     * signing key (itself checked against the CA) and its campaign checked: a notice that does not
     * verify, or belongs elsewhere, fails the whole answer, so nothing unverified is ever shown.
     */
    public List<Notice> verifiedResults(String campaign) throws IOException, InterruptedException, KeysException, ServerRefusal {
        JsonNode n = results(campaign);
        ServerInfo si = serverInfo();
        List<Notice> out = new ArrayList<>();
        for (JsonNode x : n.path("notices")) {
            byte[] bytes = Base64.getDecoder().decode(x.path("notice").asText());
            byte[] sig = Base64.getDecoder().decode(x.path("signature").asText());
            RawSignatures.verify(si.signing(), sig, bytes);
            JsonNode notice = JSON.readTree(bytes);
            if (!campaign.equals(notice.path("campaign").asText())) {
                throw new ForeignNotice(campaign, notice.path("campaign").asText());
            }
            out.add(new Notice(notice, bytes, sig));
        }
        return out;
    }

    /**
     * Submission {@code id} opened in memory (at most {@code maxBytes}), after the same checks as
     * {@link #fetch}: it must be the document that {@code id}'s signed receipt describes.
     */
    public byte[] getInMemory(String id, int maxBytes) throws IOException, InterruptedException, KeysException, ServerRefusal {
        return openInMemory(id, maxBytes).content();
    }

    /** A document opened in memory, with the signed receipt it was checked against. */
    public record InMemory(Receipt receipt, byte[] content) {}

    /** As {@link #getInMemory}, returning the receipt too (one request for it, not two). */
    public InMemory openInMemory(String id, int maxBytes) throws IOException, InterruptedException, KeysException, ServerRefusal {
        return openInMemory(receipt(id), maxBytes);
    }

    /** The document {@code receipt} (as {@link #receipt} verified it) describes, opened in memory and checked against it. */
    public InMemory openInMemory(Receipt receipt, int maxBytes) throws IOException, InterruptedException, KeysException, ServerRefusal {
        ServerInfo si = serverInfo();
        String id = receipt.id();
        try (InputStream body = download(id)) {
            return new InMemory(receipt, Opener.forRecipient(me, si.trust()).openToMemory(body, maxBytes,
                    opened -> requireDescribed(receipt, opened, si)));
        }
    }

    private InputStream download(String id) throws IOException, InterruptedException, KeysException, ServerRefusal {
        HttpResponse<InputStream> r = http.send(signed("GET", "/api/v1/submissions/" + enc(id), "", Sm3.digest(new byte[0]))
                .GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            try (InputStream body = r.body()) {
                throw refusal(r.statusCode(), body.readAllBytes());
            }
        }
        return r.body();
    }

    /** Kinds of documents the server makes and signs itself. */
    static final Set<String> SERVER_MADE = Set.of("summary");

    /**
     * The document opened for {@code receipt} must be the one it describes: the same content (SM3
     * and size) and file name, signed by its submitter — or, for the documents the server makes, by
     * the server's signing key. Any other validly signed package is refused, never written.
     */
    static void requireDescribed(Receipt receipt, Opened opened, ServerInfo si) throws KeysException {
        String signer = SERVER_MADE.contains(receipt.kind()) ? si.signing().fingerprint() : receipt.submitter();
        List<String> wrong = new ArrayList<>();
        if (!opened.contentSm3Hex().equals(receipt.contentSm3()) || opened.contentSize() != receipt.size()) {
            wrong.add("content (SM3 or size)");
        }
        if (!opened.signer().fingerprint().equals(signer)) {
            wrong.add("signer (" + opened.signer().subject() + ")");
        }
        if (!opened.description().orElse("").equals(receipt.fileName())) {
            wrong.add("file name");
        }
        if (!wrong.isEmpty()) {
            throw new KeysException(KeysException.Reason.MISMATCH, "the document the server sent for " + receipt.id()
                    + " is not the one its receipt describes: " + String.join(", ", wrong) + " differ; nothing was kept");
        }
    }

    /** The TLS certificate the connection is pinned to (SHA-256 hex), or empty over plain HTTP (dev only). */
    public Optional<String> transportPin() {
        return Optional.ofNullable(pinning.pin());
    }

    public URI server() {
        return server;
    }

    public Identity identity() {
        return me;
    }

    private byte[] getBytes(String path, String query) throws IOException, InterruptedException, KeysException, ServerRefusal {
        serverInfo();
        HttpResponse<byte[]> r = http.send(signed("GET", path, query, Sm3.digest(new byte[0])).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() / 100 != 2) {
            throw refusal(r.statusCode(), r.body());
        }
        return r.body();
    }

    private JsonNode getJson(String path, String query) throws IOException, InterruptedException, KeysException, ServerRefusal {
        serverInfo();
        return json(http.send(signed("GET", path, query, Sm3.digest(new byte[0])).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray()));
    }

    /** Downloads submission {@code id}, opens it with the user's key and writes it to {@code out} atomically. */
    public Opened get(String id, Path out) throws IOException, InterruptedException, KeysException, ServerRefusal {
        return fetch(id, out).opened();
    }

    /** A document fetched: the signed receipt of its id, and what was opened (which the receipt describes). */
    public record Fetched(Receipt receipt, Opened opened) {}

    /**
     * Fetches submission {@code id}'s signed receipt, then the document, opens it with the user's
     * key and writes it to {@code out} atomically — only if it is the document that receipt describes
     * (content, size, name, signer). A tester's identity never writes a decrypted document to disk
     * (SPEC C3): it may only view it in memory ({@link #getInMemory}).
     */
    public Fetched fetch(String id, Path out) throws IOException, InterruptedException, KeysException, ServerRefusal {
        return fetch(id, out, opened -> { });
    }

    /** As {@link #fetch(String, Path)}, and {@code also} must accept what was opened before the file gets its name. */
    public Fetched fetch(String id, Path out, Opener.Acceptance also)
            throws IOException, InterruptedException, KeysException, ServerRefusal {
        if ("tester".equals(me.certificate().role())) {
            throw new KeysException(KeysException.Reason.WRONG_KEY_USAGE, "a testing body's key may not write a decrypted document "
                    + "to disk; view it in memory (midang get ID -o -)");
        }
        ServerInfo si = serverInfo();
        Receipt receipt = receipt(id);
        try (InputStream body = download(id)) {
            Opened o = Opener.forRecipient(me, si.trust()).openToFile(body, out, opened -> {
                requireDescribed(receipt, opened, si);
                also.accept(opened);
            });
            return new Fetched(receipt, o);
        }
    }

    private Receipt verifyReceipt(JsonNode n, ServerInfo si) throws IOException, KeysException {
        byte[] bytes = Base64.getDecoder().decode(n.path("receipt").asText());
        byte[] sig = Base64.getDecoder().decode(n.path("receipt_signature").asText());
        RawSignatures.verify(si.signing(), sig, bytes);
        Receipt receipt;
        try {
            receipt = Receipt.parse(bytes, sig);
        } catch (IOException e) {
            throw new KeysException(KeysException.Reason.MALFORMED, "the server's receipt is not a well-formed receipt: " + e.getMessage(), e);
        }
        if (!receipt.server().equals(si.signing().fingerprint())) {
            throw new KeysException(KeysException.Reason.MISMATCH, "the receipt names another server key");
        }
        return receipt;
    }

    private HttpRequest.Builder signed(String method, String path, String query, byte[] bodySm3) throws KeysException {
        return signed(method, path, query, bodySm3, nonce());
    }

    /** A fresh request nonce: 128 random bits in hex. */
    private static String nonce() {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        return HexFormat.of().formatHex(nonce);
    }

    private HttpRequest.Builder signed(String method, String path, String query, byte[] bodySm3, String nonce) throws KeysException {
        SignedRequest req = SignedRequest.of(method, path, query, clock.instant(), nonce, bodySm3, me.certificate());
        byte[] sig = RawSignatures.sign(me, req.signatureBase());
        URI uri = server.resolve(path + (query.isEmpty() ? "" : "?" + query));
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofMinutes(30))
                .header("Date", req.dateHeader())
                .header("X-Midang-Nonce", req.nonce())
                .header("X-Midang-Certificate", Base64.getEncoder().encodeToString(me.certificate().der()))
                .header("Signature-Input", req.signatureInputHeader())
                .header("Signature", SignedRequest.signatureHeader(sig));
        if (req.digestsBody()) {
            b.header("Content-Digest", req.contentDigestHeader());
        }
        return b;
    }

    private static JsonNode json(HttpResponse<byte[]> r) throws IOException, ServerRefusal {
        if (r.statusCode() / 100 != 2) {
            throw refusal(r.statusCode(), r.body());
        }
        return JSON.readTree(r.body());
    }

    private static ServerRefusal refusal(int status, byte[] body) {
        try {
            JsonNode n = JSON.readTree(body);
            List<String> problems = new ArrayList<>();
            n.path("problems").forEach(p -> problems.add(p.asText()));
            return new ServerRefusal(status, n.path("code").asText("unknown"), n.path("message").asText(""),
                    n.path("message_zh").asText(""), problems);
        } catch (IOException e) {
            return new ServerRefusal(status, "unknown", "the server answered HTTP " + status, "服务器返回 HTTP " + status);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /**
     * Writes a verified receipt as DIR/ID.receipt (the signed bytes) and DIR/ID.receipt.sig (DER),
     * and, once per server key, the server's signing certificate as DIR/server-FINGERPRINT.pem,
     * so the receipt can be checked offline later ({@code midang verify DIR/ID.receipt}).
     */
    public static Path[] writeReceipt(Receipt r, Path dir, Certificate serverSigning) throws IOException {
        if (!Receipt.ID.matcher(r.id()).matches()) {
            throw new IOException("a receipt id is 32 hex digits, not " + SafeText.printable(r.id()));
        }
        Files.createDirectories(dir);
        Path bytes = dir.resolve(r.id() + ".receipt");
        Path sig = dir.resolve(r.id() + ".receipt.sig");
        Path cert = dir.resolve(serverCertificateName(serverSigning.fingerprint()));
        if (!Files.exists(cert)) {
            CliFiles.writeNew(cert, serverSigning.toPem().getBytes(StandardCharsets.US_ASCII));
        }
        // A receipt is never replaced: a second one for an id already kept is refused, whoever signed it.
        CliFiles.writeNew(bytes, r.bytes());
        CliFiles.writeNew(sig, r.signature());
        return new Path[] {bytes, sig, cert};
    }

    /** The file name under which a receipt folder keeps the server signing certificate {@code fingerprint}. */
    public static String serverCertificateName(String fingerprint) {
        return "server-" + fingerprint + ".pem";
    }


    /**
     * Stops the HTTP client's selector thread. A JVM that exits while that thread waits in native code
     * waits up to 0.3 s for it first (HotSpot's exit waits for user threads in native), so a short
     * command closes its client before it exits.
     */
    @Override
    public void close() {
        http.shutdownNow();
        try {
            http.awaitTermination(Duration.ofSeconds(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
