package cn.midang.server.submission;

import cn.midang.forms.ReportForm;
import cn.midang.forms.SafeText;
import cn.midang.keys.KeysException;
import cn.midang.keys.digest.Sm3;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.seal.Opened;
import cn.midang.keys.seal.Opener;
import cn.midang.keys.seal.Rewrapper;
import cn.midang.keys.sign.RawSignatures;
import cn.midang.server.access.Action;
import cn.midang.server.access.Grant;
import cn.midang.server.access.Guard;
import cn.midang.server.access.Target;
import cn.midang.server.archive.BlobStore;
import cn.midang.server.campaign.Campaign;
import cn.midang.server.campaign.Campaigns;
import cn.midang.server.http.ApiException;
import cn.midang.server.http.BodyRefusedException;
import cn.midang.server.http.ErrorCode;
import cn.midang.server.http.Exchange;
import cn.midang.server.identity.Caller;
import cn.midang.server.identity.RequestAuthenticator.ValidatorSource;
import cn.midang.server.identity.Role;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.commons.io.input.TeeInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepting and serving submissions.
 *
 * <p>Upload, in one streaming pass: the body goes to a staged blob while the archive key opens
 * it to check the tag, the submitter's signature and certificate (no plaintext is kept); the
 * body's SM3 must equal the digest the caller signed; the signer must be the caller. Only then
 * is the blob forced to disk and renamed, the record committed (with the signed receipt), and
 * the receipt returned. Any failure leaves nothing: the staged blob is deleted.
 *
 * <p>Download: the stored package (the uploader's bytes) is re-addressed to the reader's own
 * certificate; the content is never re-encrypted and never decrypted here.
 */
public final class SubmissionService {

    private static final Logger LOG = LoggerFactory.getLogger(SubmissionService.class);

    /**
     * Kinds of documents (SPEC §1) and the largest package accepted for each (the global
     * {@code upload.max-bytes} caps them all). A report form (报告表) is structured text the server
     * reads itself (status, summary), so it is capped at what the server reads
     * ({@link ReportForm#MAX_BYTES}, 4 MiB): a larger form is refused at upload, never accepted and
     * then left unreadable; written reports, test results, inspection records and rectification
     * reports may carry scans and attachments.
     */
    public static final Map<String, Long> KIND_LIMITS = Map.of(
            "report", 2L << 30,
            "form", (long) ReportForm.MAX_BYTES,
            "test-result", 2L << 30,
            "inspection-record", 2L << 30,
            "rectification", 2L << 30,
            "summary", 64L << 20);

    /** Kinds the server writes itself and no one uploads. */
    public static final Set<String> GENERATED_KINDS = Set.of("summary");

    private static final Pattern ID = Pattern.compile("[0-9a-f]{32}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Campaigns campaigns;
    private final Submissions submissions;
    private final BlobStore blobs;
    private final Identity archive;
    private final RawSignatures.Signer receiptSigner;
    private final Identity signing;
    private final cn.midang.server.campaign.Findings findings;
    private final String serverFingerprint;
    private final ValidatorSource validators;
    private final Clock clock;
    private final long maxUploadBytes;
    private final Guard guard;
    private volatile java.util.function.Consumer<String> onRecorded = id -> { };

    /** Told the id of every submission just recorded (the search indexer). */
    public void onRecorded(java.util.function.Consumer<String> listener) {
        this.onRecorded = listener;
    }

    public SubmissionService(Campaigns campaigns, Submissions submissions, BlobStore blobs, Identity archive,
            Identity signing, ValidatorSource validators, Clock clock, long maxUploadBytes, Guard guard,
            cn.midang.server.campaign.Findings findings) {
        this.guard = guard;
        this.signing = signing;
        this.findings = findings;
        this.campaigns = campaigns;
        this.submissions = submissions;
        this.blobs = blobs;
        this.archive = archive;
        this.receiptSigner = RawSignatures.newSigner(signing);
        this.serverFingerprint = signing.certificate().fingerprint();
        this.validators = validators;
        this.clock = clock;
        this.maxUploadBytes = maxUploadBytes;
    }

    /**
     * Accepts one upload from the exchange's caller: checks the request, asks the guard (role,
     * unit, kind, campaign window or engagement), then streams and verifies the package.
     */
    public StoredSubmission submit(Exchange ex, String campaignId, String kind, String unitParam, String areaParam,
            String findingParam, long declaredLength, InputStream body, byte[] signedBodySm3) throws ApiException {
        Caller caller = ex.caller();
        if (kind == null || !KIND_LIMITS.containsKey(kind) || GENERATED_KINDS.contains(kind)) {
            throw new ApiException(ErrorCode.UNKNOWN_KIND, "kind " + kind);
        }
        long limit = bodyLimit(kind);
        if (campaignId == null || campaignId.isBlank()) {
            throw new ApiException(ErrorCode.MALFORMED_REQUEST, "no campaign");
        }
        String unit = unitParam != null ? unitParam
                : caller.account().role() == Role.UNIT ? caller.account().organisation() : null;
        if (unit == null || unit.isBlank()) {
            throw new ApiException(ErrorCode.MALFORMED_REQUEST, "name the unit the document is about (unit=...)");
        }
        if (declaredLength > limit) {
            throw new ApiException(ErrorCode.BODY_TOO_LARGE, declaredLength + " bytes declared for a " + kind);
        }
        Campaign campaign;
        try {
            campaign = campaigns.byId(campaignId).orElseThrow(() -> new ApiException(ErrorCode.UNKNOWN_CAMPAIGN, campaignId));
        } catch (SQLException e) {
            throw new ApiException(ErrorCode.INTERNAL, "campaign lookup", e);
        }
        guard.check(ex, Action.SUBMIT, new Target.Upload(campaign, unit, kind));
        String area = null;
        if (areaParam != null && !areaParam.isBlank()) {
            area = campaign.area(areaParam).orElseThrow(() -> new ApiException(ErrorCode.UNKNOWN_AREA,
                    "area " + areaParam + " not among " + campaign.areas().stream().map(Campaign.Area::id).toList())).id();
        }
        cn.midang.server.campaign.Findings.Finding finding = null;
        if ("rectification".equals(kind) || (findingParam != null && !findingParam.isBlank())) {
            finding = answeredFinding(campaign, unit, kind, findingParam);
        }
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);

        Sm3.DigestingInputStream digesting = Sm3.digesting(body);
        try (BlobStore.Staged staged = blobs.stage()) {
            Opened opened;
            try (InputStream tee = new TeeInputStream(digesting, staged.stream())) {
                opened = Opener.forRecipient(archive, validators.get()).check(tee);
            } catch (KeysException e) {
                Optional<BodyRefusedException> stopped = BodyRefusedException.in(e);
                if (stopped.isPresent()) {
                    throw new ApiException(stopped.get().code(), stopped.get().getMessage(), e);
                }
                throw new ApiException(switch (e.reason()) {
                    case NOT_A_RECIPIENT -> ErrorCode.NOT_SEALED_TO_ARCHIVE;
                    case UNTRUSTED_ISSUER, EXPIRED, NOT_YET_VALID, REVOKED, CRL_INVALID, WRONG_KEY_USAGE -> ErrorCode.UNTRUSTED_SIGNER;
                    default -> ErrorCode.TAMPERED_PACKAGE;
                }, e.getMessage(), e);
            } catch (IOException e) {
                Optional<BodyRefusedException> stopped = BodyRefusedException.in(e);
                throw new ApiException(stopped.map(BodyRefusedException::code).orElse(ErrorCode.TAMPERED_PACKAGE),
                        "reading the upload: " + e.getMessage(), e);
            }
            if (!MessageDigest.isEqual(digesting.digest(), signedBodySm3)) {
                throw new ApiException(ErrorCode.DIGEST_MISMATCH, "body SM3 differs from the signed Content-Digest");
            }
            if (opened.contentSize() > KIND_LIMITS.get(kind)) {
                // The package's own overhead is allowed for in the body limit; the file must fit the kind's limit.
                throw new ApiException(ErrorCode.BODY_TOO_LARGE, "a " + kind + " of " + opened.contentSize() + " bytes; the limit is "
                        + KIND_LIMITS.get(kind));
            }
            if (!opened.signer().fingerprint().equals(caller.certificate().fingerprint())) {
                throw new ApiException(ErrorCode.SIGNER_NOT_CALLER, "package signed by " + opened.signer().subject());
            }
            String fileName = opened.description().orElse("");
            Optional<String> badName = SafeText.fileNameProblem(fileName);
            if (badName.isPresent()) {
                throw new ApiException(ErrorCode.BAD_FILE_NAME, "the signed file name: " + badName.get())
                        .withProblems(List.of(badName.get()));
            }
            String blobName = staged.commit();
            Submissions.Pending p = new Submissions.Pending(newId(), campaignId, unit, kind,
                    fileName, opened.contentSize(), opened.contentSm3Hex(), digesting.count(),
                    caller.certificate().fingerprint(), serverFingerprint, now,
                    finding == null ? campaign.timelinessAt(now) == Campaign.Timeliness.LATE : now.isAfter(finding.deadline()),
                    blobName, area, finding == null ? null : finding.id());
            try {
                StoredSubmission s = submissions.record(p, this::signReceipt);
                LOG.info("submission {} accepted: campaign {} unit {} kind {} {} bytes", s.id(), campaignId, unit, kind,
                        opened.contentSize());
                onRecorded.accept(s.id());
                return s;
            } catch (SQLException | RuntimeException e) {
                deleteQuietly(blobName);
                throw new ApiException(ErrorCode.INTERNAL, "recording the submission", e);
            }
        } catch (IOException e) {
            throw new ApiException(ErrorCode.INTERNAL, "staging the upload", e);
        }
    }

    /**
     * The finding a rectification report answers: it must be named, and be one of the unit's
     * findings in the campaign; another unit's finding is refused exactly like one that does not
     * exist (C2). Only rectification reports name a finding. A report after the finding's deadline
     * is late.
     */
    private cn.midang.server.campaign.Findings.Finding answeredFinding(Campaign campaign, String unit, String kind, String findingParam)
            throws ApiException {
        if (!"rectification".equals(kind)) {
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
    public List<StoredSubmission> archiveGenerated(String campaignId, String kind, List<Generated> docs, String requester,
            cn.midang.server.storage.Database.Work<?> also) throws ApiException {
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        List<String> blobNames = new java.util.ArrayList<>();
        List<Submissions.Pending> pending = new java.util.ArrayList<>();
        try {
            for (Generated d : docs) {
                try (BlobStore.Staged staged = blobs.stage()) {
                    cn.midang.keys.seal.Sealed sealed;
                    long packageSize;
                    // The staged stream stays open: committing it forces it to disk.
                    try (var counting = new org.apache.commons.io.output.CountingOutputStream(
                            org.apache.commons.io.output.CloseShieldOutputStream.wrap(staged.stream()))) {
                        sealed = cn.midang.keys.seal.Sealer.signedBy(signing).to(archive.certificate()).describedAs(d.fileName())
                                .clock(clock).build().seal(new java.io.ByteArrayInputStream(d.content()), counting);
                        counting.flush();
                        packageSize = counting.getByteCount();
                    }
                    String blobName = staged.commit();
                    blobNames.add(blobName);
                    pending.add(new Submissions.Pending(d.id(), campaignId, "", kind, d.fileName(), sealed.contentSize(),
                            sealed.contentSm3Hex(), packageSize, requester, serverFingerprint, now, false, blobName, null, null));
                }
            }
            List<StoredSubmission> stored = submissions.recordAll(pending, this::signReceipt, also);
            stored.forEach(s -> onRecorded.accept(s.id()));
            return stored;
        } catch (IOException | KeysException | SQLException | RuntimeException e) {
            blobNames.forEach(this::deleteQuietly);
            throw new ApiException(ErrorCode.INTERNAL, "archiving " + docs.stream().map(Generated::fileName).toList(), e);
        }
    }

    /**
     * The content of stored submission {@code s}, opened with the archive key, for the server's own
     * use (reading report forms, checking summary signatures); refused above {@code maxBytes}.
     */
    public byte[] content(StoredSubmission s, int maxBytes) throws ApiException {
        try (InputStream in = blobs.open(s.blobName())) {
            return Opener.forRecipient(archive, validators.get()).openToMemory(in, maxBytes);
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

    /**
     * The largest request body accepted for {@code kind}: a package for the kind's largest file,
     * never above {@code upload.max-bytes}. The caller reads the body under this limit.
     */
    public long bodyLimit(String kind) {
        Long perKind = kind == null ? null : KIND_LIMITS.get(kind);
        return perKind == null ? maxUploadBytes : Math.min(maxUploadBytes, packageSizeFor(perKind));
    }

    private byte[] signReceipt(byte[] canonical) {
        try {
            return receiptSigner.sign(canonical);
        } catch (KeysException e) {
            throw new IllegalStateException("receipt signing failed", e);
        }
    }

    /**
     * Asks the guard whether the exchange's caller may do {@code action} (read the receipt or
     * download) on submission {@code id}. The lookup is one query whether or not the id exists,
     * and whatever the caller may not see is refused exactly like an id that does not exist.
     */
    public Grant readable(Exchange ex, String id, Action action) throws ApiException {
        Optional<Submissions.Found> found;
        try {
            found = submissions.find(id == null ? "" : id);
        } catch (SQLException e) {
            throw new ApiException(ErrorCode.INTERNAL, "submission lookup", e);
        }
        return guard.check(ex, action, new Target.OfSubmission(String.valueOf(id), found.map(Submissions.Found::stored).orElse(null),
                found.flatMap(f -> Role.fromLabel(f.submitterRole())).orElse(null), found.map(Submissions.Found::submitterOrg).orElse(null)));
    }

    /** The submission a grant covers. */
    public static StoredSubmission granted(Grant g) {
        if (g.target() instanceof Target.OfSubmission s && s.stored() != null) {
            return s.stored();
        }
        throw new IllegalArgumentException("the grant does not cover a stored submission");
    }

    /** The largest page a listing returns. */
    public static final int MAX_PAGE = 500;

    /**
     * The submissions the exchange's caller may read that match the filters (null = any), newest
     * first. A caller who may read none is refused rather than shown an empty list that looks like one.
     */
    public List<Submissions.Listed> list(Exchange ex, Submissions.Filter filter, int limit, int offset) throws ApiException {
        if (limit < 1 || limit > MAX_PAGE || offset < 0) {
            throw new ApiException(ErrorCode.MALFORMED_REQUEST, "limit must be 1.." + MAX_PAGE + " and offset >= 0");
        }
        Grant g = guard.check(ex, Action.LIST_SUBMISSIONS, Target.NONE);
        try {
            return submissions.list(g.scope(), filter, limit, offset);
        } catch (SQLException e) {
            throw new ApiException(ErrorCode.INTERNAL, "listing submissions", e);
        }
    }

    /** Writes the granted submission's stored package re-addressed to the caller's certificate. */
    public void download(Grant grant, OutputStream out) throws IOException, ApiException {
        if (grant.action() != Action.DOWNLOAD) {
            throw new IllegalArgumentException("not a download grant");
        }
        StoredSubmission s = granted(grant);
        try (InputStream in = blobs.open(s.blobName())) {
            Rewrapper.holding(archive).rewrap(in, List.of(grant.caller().certificate()), out);
        } catch (KeysException e) {
            throw new ApiException(ErrorCode.INTERNAL, "re-addressing stored package " + s.id(), e);
        }
    }

    /** Start-up sweep: staged files and blobs no record points to (a crash between rename and commit). */
    public int sweep(cn.midang.server.archive.FileBlobStore store) throws IOException, SQLException {
        int removed = store.sweepStaged();
        Set<String> referenced = submissions.blobNames();
        for (String name : store.names()) {
            if (!referenced.contains(name)) {
                store.delete(name);
                removed++;
            }
        }
        return removed;
    }

    private void deleteQuietly(String blobName) {
        try {
            blobs.delete(blobName);
        } catch (IOException e) {
            LOG.warn("could not delete unrecorded blob {}; the next start removes it", blobName);
        }
    }
}
