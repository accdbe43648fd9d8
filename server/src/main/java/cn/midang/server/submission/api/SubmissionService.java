package cn.midang.server.submission.api;

import cn.midang.forms.SafeText;
import cn.midang.keys.KeysException;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.seal.Opened;
import cn.midang.keys.sign.RawSignatures;
import cn.midang.server.access.Grant;
import cn.midang.server.access.Target;
import cn.midang.server.archive.Archive;
import cn.midang.server.archive.StorageFailure;
import cn.midang.server.campaign.Campaign;
import cn.midang.server.campaign.Campaigns;
import cn.midang.server.campaign.Findings;
import cn.midang.server.config.CrashPoint;
import cn.midang.server.http.Exchange;
import cn.midang.server.identity.Caller;
import cn.midang.server.identity.Role;
import cn.midang.server.refusal.ApiException;
import cn.midang.server.refusal.BodyRefusedException;
import cn.midang.server.refusal.ErrorCode;
import cn.midang.server.storage.Database;
import cn.midang.server.submission.Kind;
import cn.midang.server.submission.StoredSubmission;
import cn.midang.server.submission.Submissions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepting and serving submissions.
 *
 * <p>Upload, in one streaming pass: the {@link Archive} stages the body while its key opens it to
 * check the tag, the submitter's signature and certificate (no plaintext is kept); the content's SM3
 * and size must be the ones the signed request named (the request's signature leaves the body out,
 * so the client can seal while it sends); the signer must be the caller. Only then is the blob
 * forced to disk and named, the record committed (with the signed receipt), and the receipt
 * returned. Any failure leaves nothing: the staged blob is deleted.
 *
 * <p>Download: the stored package (the uploader's bytes) is re-addressed to the reader's own
 * certificate by the archive; the content is never re-encrypted and never decrypted here.
 */
public final class SubmissionService {

    private static final Logger LOG = LoggerFactory.getLogger(SubmissionService.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The largest page a listing returns. */
    public static final int MAX_PAGE = 500;

    private final Campaigns campaigns;
    private final Submissions submissions;
    private final Findings findings;
    private final Archive archive;
    private final Identity signing;
    private final RawSignatures.Signer receiptSigner;
    private final String serverFingerprint;
    private final Clock clock;
    private final long minFreeBytes;
    private final long maxUploadBytes;
    private volatile Consumer<String> onRecorded = id -> { };

    public SubmissionService(Campaigns campaigns, Submissions submissions, Findings findings, Archive archive, Identity signing,
            Clock clock, long maxUploadBytes, long minFreeBytes) {
        this.minFreeBytes = minFreeBytes;
        this.campaigns = campaigns;
        this.submissions = submissions;
        this.findings = findings;
        this.archive = archive;
        this.signing = signing;
        this.receiptSigner = RawSignatures.newSigner(signing);
        this.serverFingerprint = signing.certificate().fingerprint();
        this.clock = clock;
        this.maxUploadBytes = maxUploadBytes;
    }

    /** Told the id of every submission just recorded (the search indexer). */
    public void onRecorded(Consumer<String> listener) {
        this.onRecorded = listener;
    }

    /**
     * What an upload asks for, as its signed request says: where it goes, and what the package must
     * be ({@code named}: the content's size, sealed for this request); {@code declaredLength} is the body's Content-Length (negative
     * when sent in chunks, as the client does while it seals).
     */
    public record UploadRequest(String campaign, String kind, String unit, String area, String finding, Exchange.NamedUpload named,
            long declaredLength) {}

    /**
     * The target of an upload by {@code caller}: the request's kind, campaign and unit checked (a
     * unit uploads for itself when it names none), the campaign looked up; refused before anything
     * is read when the declared length is above the kind's limit.
     */
    public Target.Upload uploadTarget(Caller caller, UploadRequest r) throws ApiException {
        Kind kind = Kind.fromLabel(r.kind()).filter(k -> !k.generated())
                .orElseThrow(() -> new ApiException(ErrorCode.UNKNOWN_KIND, "kind " + r.kind()));
        if (r.campaign() == null || r.campaign().isBlank()) {
            throw new ApiException(ErrorCode.MALFORMED_REQUEST, "no campaign");
        }
        String unit = r.unit() != null ? r.unit() : caller.account().role() == Role.UNIT ? caller.account().organisation() : null;
        if (unit == null || unit.isBlank()) {
            throw new ApiException(ErrorCode.MALFORMED_REQUEST, "name the unit the document is about (unit=...)");
        }
        if (r.named().contentSize() > kind.maxContentBytes()) {
            throw new ApiException(ErrorCode.BODY_TOO_LARGE, "a " + kind + " of " + r.named().contentSize()
                    + " bytes named; the limit is " + kind.maxContentBytes());
        }
        if (r.declaredLength() > bodyLimit(kind, r.named())) {
            throw new ApiException(ErrorCode.BODY_TOO_LARGE, r.declaredLength() + " bytes declared for a " + kind + " of "
                    + r.named().contentSize() + " bytes");
        }
        Campaign campaign;
        try {
            campaign = campaigns.byId(r.campaign()).orElseThrow(() -> new ApiException(ErrorCode.UNKNOWN_CAMPAIGN, r.campaign()));
        } catch (SQLException e) {
            throw new ApiException(ErrorCode.INTERNAL, "campaign lookup", e);
        }
        return new Target.Upload(campaign, unit, kind);
    }

    /**
     * Accepts the granted upload: the area and finding it names are checked, then the package is
     * streamed into the archive and verified — its content must be the one the request named — and
     * recorded with its signed receipt.
     */
    public StoredSubmission submit(Grant<Target.Upload> grant, UploadRequest r, InputStream body) throws ApiException {
        Target.Upload t = grant.target();
        Campaign campaign = t.campaign();
        String area = null;
        if (r.area() != null && !r.area().isBlank()) {
            area = campaign.area(r.area()).orElseThrow(() -> new ApiException(ErrorCode.UNKNOWN_AREA,
                    "area " + r.area() + " not among " + campaign.areas().stream().map(Campaign.Area::id).toList())).id();
        }
        Findings.Finding finding = null;
        if (t.kind() == Kind.RECTIFICATION || (r.finding() != null && !r.finding().isBlank())) {
            finding = answeredFinding(campaign, t.unit(), t.kind(), r.finding());
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        requireRoom(r.declaredLength() >= 0 ? r.declaredLength() : packageSizeFor(r.named().contentSize()));
        try (Archive.Upload upload = accept(keepingTheReserve(body))) {
            CrashPoint.UPLOAD_STAGED.reach();
            Opened opened = upload.opened();
            // The request's signature leaves the body out (the client seals as it sends and hashes as it
            // seals); the package's own signature — the caller's, checked below — names the request instead.
            if (!opened.request().equals(Optional.of(r.named().request()))) {
                throw new ApiException(ErrorCode.DIGEST_MISMATCH, opened.request().isEmpty()
                        ? "the package was sealed for no request: a client this old cannot upload to this server; update it"
                        : "the package was sealed for another request, not this one");
            }
            if (opened.contentSize() != r.named().contentSize()) {
                throw new ApiException(ErrorCode.DIGEST_MISMATCH, "the package's content is " + opened.contentSize()
                        + " bytes, not the " + r.named().contentSize() + " bytes the request named");
            }
            if (opened.contentSize() > t.kind().maxContentBytes()) {
                // The package's own overhead is allowed for in the body limit; the file must fit the kind's limit.
                throw new ApiException(ErrorCode.BODY_TOO_LARGE, "a " + t.kind() + " of " + opened.contentSize()
                        + " bytes; the limit is " + t.kind().maxContentBytes());
            }
            Caller caller = grant.caller();
            if (!opened.signer().fingerprint().equals(caller.certificate().fingerprint())) {
                throw new ApiException(ErrorCode.SIGNER_NOT_CALLER, "package signed by " + opened.signer().subject());
            }
            String fileName = opened.description().orElse("");
            Optional<String> badName = SafeText.fileNameProblem(fileName);
            if (badName.isPresent()) {
                throw new ApiException(ErrorCode.BAD_FILE_NAME, "the signed file name: " + badName.get())
                        .withProblems(List.of(badName.get()));
            }
            String blobName = upload.commit();
            CrashPoint.BLOB_COMMITTED.reach();
            boolean late = finding == null ? campaign.timelinessAt(now) == Campaign.Timeliness.LATE : now.isAfter(finding.deadline());
            Submissions.Pending p = new Submissions.Pending(newId(),
                    new Submissions.Placement(campaign.id(), t.unit(), t.kind(), area, finding == null ? null : finding.id()),
                    new Submissions.Content(fileName, opened.contentSize(), opened.contentSm3Hex(), upload.bodyBytes(), blobName),
                    caller.certificate().fingerprint(), serverFingerprint, now, late);
            try {
                StoredSubmission s = submissions.record(p, this::signReceipt);
                CrashPoint.RECORD_COMMITTED.reach();
                LOG.info("submission {} accepted: campaign {} unit {} kind {} {} bytes", s.id(), campaign.id(), t.unit(), t.kind(),
                        opened.contentSize());
                onRecorded.accept(s.id());
                return s;
            } catch (SQLException | RuntimeException e) {
                discardQuietly(blobName);
                throw new ApiException(ErrorCode.INTERNAL, "recording the submission", e);
            }
        } catch (IOException e) {
            throw new ApiException(noSpace(e) ? ErrorCode.INSUFFICIENT_STORAGE : ErrorCode.INTERNAL, "staging the upload", e);
        }
    }

    /**
     * Refuses an upload of {@code declared} bytes (negative: not declared) that would leave less than
     * the reserve free where it is staged: the records, the audit log and the index keep room to
     * write, so the refusal itself is recorded and the server goes on when space returns.
     */
    private void requireRoom(long declared) throws ApiException {
        long free;
        try {
            free = archive.usableSpace();
        } catch (IOException e) {
            throw new ApiException(ErrorCode.INTERNAL, "reading the free space of the archive's file system", e);
        }
        if (free - Math.max(declared, 0) < minFreeBytes) {
            throw new ApiException(ErrorCode.INSUFFICIENT_STORAGE, free + " bytes free, an upload of " + declared
                    + " bytes would leave less than the reserve of " + minFreeBytes + " (storage.min-free-mib)");
        }
    }

    /** How often, in bytes received, an upload being staged looks at the free space again. */
    static final long ROOM_CHECK_BYTES = 1 << 20;

    /**
     * {@code body}, refused ({@code insufficient_storage}) as soon as staging it has brought the free
     * space below the reserve: an upload whose length was not declared passes {@link #requireRoom}
     * and must not fill the disk either — with no room left, the database's own next write fails,
     * and then the audit log cannot record even the refusal (DiskFullIT saw exactly that).
     */
    private InputStream keepingTheReserve(InputStream body) {
        return new java.io.FilterInputStream(body) {
            private long sinceCheck;

            @Override
            public int read() throws IOException {
                int b = super.read();
                counted(b < 0 ? 0 : 1);
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                counted(Math.max(n, 0));
                return n;
            }

            private void counted(int n) throws IOException {
                sinceCheck += n;
                if (sinceCheck >= ROOM_CHECK_BYTES) {
                    sinceCheck = 0;
                    long free = archive.usableSpace();
                    if (free < minFreeBytes) {
                        throw new BodyRefusedException(ErrorCode.INSUFFICIENT_STORAGE, "staging the upload left " + free
                                + " bytes free, less than the reserve of " + minFreeBytes + " (storage.min-free-mib)");
                    }
                }
            }
        };
    }

    /** Whether {@code e} (or a cause) is the file system's "no space left" (ENOSPC): the disk filled up while writing. */
    static boolean noSpace(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("No space left on device")) {
                return true;
            }
        }
        return false;
    }

    /** Streams {@code body} into the archive; a package the archive will not take is refused with the catalogue's code. */
    private Archive.Upload accept(InputStream body) throws ApiException {
        try {
            return archive.accept(body);
        } catch (KeysException e) {
            Optional<BodyRefusedException> stopped = BodyRefusedException.in(e);
            if (stopped.isPresent()) {
                throw new ApiException(stopped.get().code(), stopped.get().getMessage(), e);
            }
            if (noSpace(e)) { // the staging write failed under the parser: the disk, not the package
                throw new ApiException(ErrorCode.INSUFFICIENT_STORAGE, "staging the upload: " + e.getMessage(), e);
            }
            if (StorageFailure.in(e)) { // the disk failed otherwise: the server's failure, not the package's
                throw new ApiException(ErrorCode.INTERNAL, "staging the upload: " + e.getMessage(), e);
            }
            throw new ApiException(switch (e.reason()) {
                case NOT_A_RECIPIENT -> ErrorCode.NOT_SEALED_TO_ARCHIVE;
                case UNTRUSTED_ISSUER, EXPIRED, NOT_YET_VALID, REVOKED, CRL_INVALID, WRONG_KEY_USAGE -> ErrorCode.UNTRUSTED_SIGNER;
                default -> ErrorCode.TAMPERED_PACKAGE;
            }, e.getMessage(), e);
        } catch (IOException e) {
            Optional<BodyRefusedException> stopped = BodyRefusedException.in(e);
            throw new ApiException(stopped.map(BodyRefusedException::code)
                    .orElse(noSpace(e) ? ErrorCode.INSUFFICIENT_STORAGE
                            : StorageFailure.in(e) ? ErrorCode.INTERNAL : ErrorCode.TAMPERED_PACKAGE),
                    "reading the upload: " + e.getMessage(), e);
        }
    }

    /**
     * The finding a rectification report answers: it must be named, and be one of the unit's
     * findings in the campaign; another unit's finding is refused exactly like one that does not
     * exist (C2). Only rectification reports name a finding. A report after the finding's deadline
     * is late.
     */
    private Findings.Finding answeredFinding(Campaign campaign, String unit, Kind kind, String findingParam) throws ApiException {
        if (kind != Kind.RECTIFICATION) {
            throw new ApiException(ErrorCode.MALFORMED_REQUEST, "only a rectification report names a finding (kind " + kind + ")");
        }
        if (findingParam == null || findingParam.isBlank()) {
            throw new ApiException(ErrorCode.UNKNOWN_FINDING, "a rectification report names the finding it answers (finding=...)");
        }
        try {
            return findings.byId(campaign.id(), findingParam).filter(f -> f.unit().equals(unit))
                    .orElseThrow(() -> new ApiException(ErrorCode.UNKNOWN_FINDING, "finding " + findingParam + " of unit " + unit));
        } catch (SQLException e) {
            throw new ApiException(ErrorCode.INTERNAL, "finding lookup", e);
        }
    }

    /** A document the server made, to archive under {@code id} (drawn by {@link #newId()}). */
    public record Generated(String id, String fileName, byte[] content) {}

    /** A fresh submission id: 128 random bits, hex. */
    public static String newId() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /**
     * Archives documents the server made (a summary's three files) like any submission: each sealed
     * to the archive key and signed by the server's signing key, stored, receipted with
     * {@code requester} as the submitter, and handed to the search index; all of them and
     * {@code also} are recorded in one transaction, so a failure anywhere leaves no record and no
     * blob behind.
     */
    public List<StoredSubmission> archiveGenerated(String campaignId, Kind kind, List<Generated> docs, String requester,
            Database.Work<?> also) throws ApiException {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        List<String> blobNames = new ArrayList<>();
        List<Submissions.Pending> pending = new ArrayList<>();
        try {
            for (Generated d : docs) {
                Archive.Stored stored = archive.sealGenerated(signing, d.fileName(), d.content());
                blobNames.add(stored.blobName());
                pending.add(new Submissions.Pending(d.id(), new Submissions.Placement(campaignId, "", kind, null, null),
                        new Submissions.Content(d.fileName(), stored.sealed().contentSize(), stored.sealed().contentSm3Hex(),
                                stored.packageBytes(), stored.blobName()),
                        requester, serverFingerprint, now, false));
            }
            List<StoredSubmission> stored = submissions.recordAll(pending, this::signReceipt, also);
            stored.forEach(s -> onRecorded.accept(s.id()));
            return stored;
        } catch (IOException | KeysException | SQLException | RuntimeException e) {
            blobNames.forEach(this::discardQuietly);
            throw new ApiException(ErrorCode.INTERNAL, "archiving " + docs.stream().map(Generated::fileName).toList(), e);
        }
    }

    /**
     * The content of stored submission {@code s}, opened by the archive, for the server's own use
     * (reading report forms, checking summary signatures); refused above {@code maxBytes}.
     */
    public byte[] content(StoredSubmission s, int maxBytes) throws ApiException {
        try {
            return archive.content(s.blobName(), maxBytes);
        } catch (IOException | KeysException e) {
            throw new ApiException(ErrorCode.INTERNAL, "opening stored submission " + s.id() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The most a sealed package can exceed its file: 64 KiB of headers, certificates, signature
     * and tag, plus the BER chunk headers of the two streamed layers (about 10 bytes per 64 KiB,
     * so 1/1024 of the size is ample: 2 GiB gains ~330 KiB).
     */
    static long packageSizeFor(long fileSize) {
        return fileSize + fileSize / 1024 + 64 * 1024;
    }

    /** The largest request body accepted for {@code kind}: a package for the kind's largest file, never above {@code upload.max-bytes}. */
    public long bodyLimit(Kind kind) {
        return Math.min(maxUploadBytes, packageSizeFor(kind.maxContentBytes()));
    }

    /** The largest body accepted for an upload of {@code kind} that names the content {@code named}: a package for that content. */
    public long bodyLimit(Kind kind, Exchange.NamedUpload named) {
        return Math.min(bodyLimit(kind), packageSizeFor(named.contentSize()));
    }

    private byte[] signReceipt(byte[] canonical) {
        try {
            return receiptSigner.sign(canonical);
        } catch (KeysException e) {
            throw new IllegalStateException("receipt signing failed", e);
        }
    }

    /**
     * The target of a read of submission {@code id}: the lookup is one query whether or not the id
     * exists, and the policy refuses whatever the caller may not see exactly like an id that does not exist.
     */
    public Target.OfSubmission find(String id) throws ApiException {
        Optional<Submissions.Found> found;
        try {
            found = submissions.find(id == null ? "" : id);
        } catch (SQLException e) {
            throw new ApiException(ErrorCode.INTERNAL, "submission lookup", e);
        }
        return new Target.OfSubmission(String.valueOf(id), found.map(Submissions.Found::stored).orElse(null),
                found.flatMap(f -> Role.fromLabel(f.submitterRole())).orElse(null), found.map(Submissions.Found::submitterOrg).orElse(null));
    }

    /** A page of a listing, checked: 1..{@value #MAX_PAGE} rows from {@code offset} ≥ 0. */
    public static void checkPage(int limit, int offset) throws ApiException {
        if (limit < 1 || limit > MAX_PAGE || offset < 0) {
            throw new ApiException(ErrorCode.MALFORMED_REQUEST, "limit must be 1.." + MAX_PAGE + " and offset >= 0");
        }
    }

    /**
     * The submissions the granted caller may read that match the filters (null = any), newest
     * first. A caller who may read none was refused rather than shown an empty list that looks like one.
     */
    public List<Submissions.Listed> list(Grant<Target.None> grant, Submissions.Filter filter, int limit, int offset)
            throws ApiException {
        try {
            return submissions.list(grant.scope(), filter, limit, offset);
        } catch (SQLException e) {
            throw new ApiException(ErrorCode.INTERNAL, "listing submissions", e);
        }
    }

    /** Writes the granted submission's stored package re-addressed to the caller's certificate. */
    public void download(Grant<Target.OfSubmission> grant, OutputStream out) throws IOException, ApiException {
        StoredSubmission s = grant.target().stored();
        try {
            archive.readdress(s.blobName(), grant.caller().certificate(), out);
        } catch (KeysException e) {
            throw new ApiException(ErrorCode.INTERNAL, "re-addressing stored package " + s.id(), e);
        }
    }

    /**
     * Start-up sweep: staged blobs and blobs no record points to (a crash between storing and
     * recording) older than {@code grace} (another node's upload may be between the two).
     */
    public int sweep(java.time.Duration grace) throws IOException, SQLException {
        java.util.Set<String> referenced = submissions.blobNames(); // first: see Archive.sweep
        // The store's clock stamps the blobs, so the bound is the wall clock's, not the deployment's (a test's may be fixed).
        return archive.sweep(referenced, grace.isZero() ? java.time.Instant.MAX : java.time.Instant.now().minus(grace));
    }

    private void discardQuietly(String blobName) {
        try {
            archive.discard(blobName);
        } catch (IOException e) {
            LOG.warn("could not delete unrecorded blob {}; the next start removes it", blobName);
        }
    }
}
