package cn.midang.server.search;

import cn.midang.forms.Receipt;
import cn.midang.keys.KeysException;
import cn.midang.server.archive.Archive;
import cn.midang.server.extract.Extraction;
import cn.midang.server.extract.IndexNote;
import cn.midang.server.extract.Ocr;
import cn.midang.server.extract.TextExtractor;
import cn.midang.server.submission.Submissions;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings receipted submissions into the index, one at a time, off the request path: the stored
 * package is opened with the archive key and streamed into the extractor (a child JVM), and the
 * text goes into the encrypted index; several documents at a time (config {@code search.extractors}). A document that cannot be parsed, or is larger than
 * {@code maxBytes}, is marked "not indexed" with the reason; it stays archived and receipted. A
 * hostile file therefore never stops the server or slows other uploads beyond the one core the
 * extractor uses.
 *
 * <p>A PDF or picture without typed text (a scan, a photo) goes on to a second, single lane: its
 * pages are recognised (OCR, {@code recogniser}) one document at a time, so a 30-page scan never
 * holds up the typed documents received after it. Until then it is marked "being recognised"
 * ({@link IndexNote#RECOGNITION_PENDING}); a restart picks those up again.
 */
public final class Indexer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Indexer.class);

    private final Submissions submissions;
    private final Archive archive;
    private final TextExtractor extractor;
    private final TextExtractor recogniser;
    private final ExecutorService recognising;
    private final SearchIndex index;
    private final IndexStatus status;
    private final Clock clock;
    private final long maxBytes;
    private final ExecutorService worker;
    private final Object idle = new Object();
    private int pending; // guarded by idle
    private final List<IndexStatus.Entry> uncommitted = new ArrayList<>();
    /** Submissions queued or being indexed whose status is not yet recorded; one that failed stays here until the next start. */
    private final java.util.Set<String> inHand = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService committer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "midang-index-commit");
        t.setDaemon(true);
        return t;
    });

    /** {@code workers} documents are extracted at the same time (each needs its own child JVM); no recognition of scans. */
    public Indexer(Submissions submissions, Archive archive, TextExtractor extractor,
            SearchIndex index, IndexStatus status, Clock clock, long maxBytes, int workers) {
        this(submissions, archive, extractor, null, index, status, clock, maxBytes, workers);
    }

    /**
     * {@code workers} documents are extracted at the same time (each needs its own child JVM);
     * scans and pictures without typed text are recognised by {@code recogniser}, one at a time
     * (null: they are marked "no text").
     */
    public Indexer(Submissions submissions, Archive archive, TextExtractor extractor, TextExtractor recogniser,
            SearchIndex index, IndexStatus status, Clock clock, long maxBytes, int workers) {
        AtomicInteger n = new AtomicInteger();
        this.worker = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "midang-indexer-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.submissions = submissions;
        this.archive = archive;
        this.extractor = extractor;
        this.recogniser = recogniser;
        this.recognising = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "midang-recogniser");
            t.setDaemon(true);
            return t;
        });
        this.index = index;
        this.status = status;
        this.clock = clock;
        this.maxBytes = maxBytes;
        committer.scheduleWithFixedDelay(this::refresh, REFRESH_MILLIS, REFRESH_MILLIS, TimeUnit.MILLISECONDS);
        committer.scheduleWithFixedDelay(this::flush, 1, 1, TimeUnit.SECONDS);
    }

    /**
     * Queues every submission that has no index status yet (after a restart or a rebuild), and
     * every scan whose recognition a stop interrupted.
     */
    public int catchUp() throws SQLException {
        int n = 0;
        for (String id : status.pending()) {
            enqueue(id);
            n++;
        }
        for (String id : status.awaitingRecognition()) {
            if (recogniser != null && inHand.add(id)) {
                enqueue(id, recognising, () -> recogniseNow(id));
            } else if (recogniser == null) {
                // Recognition was switched off (search.ocr = false) since: what it would have found stays unknown.
                status.record(id, IndexStatus.NOT_INDEXED, IndexNote.NO_TEXT.code(), "", false, clock.instant());
            }
            n++;
        }
        return n;
    }

    private volatile boolean stopping;

    /** Queues submission {@code id} for indexing, unless it is queued or in hand already. */
    public void enqueue(String id) {
        if (inHand.add(id)) {
            enqueue(id, worker, () -> indexNow(id));
        }
    }

    /**
     * Follows what other nodes receive: every {@code every}, the submissions this node's index has
     * no status for (another node's uploads, SPEC §5: searchable within 2 s of the receipt) are
     * queued. For nodes sharing one PostgreSQL database; a single server learns of every upload
     * from its own requests ({@link #enqueue}) and needs none of this.
     */
    public void follow(java.time.Duration every) {
        committer.scheduleWithFixedDelay(this::followOnce, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A look at the latest receipts only, so that a follow costs the same at 1,000 submissions as at 1,000,000. */
    static final int FOLLOW_WINDOW = 1000;
    /** Every this many looks, all submissions (what fell out of the window while this node was slow). */
    static final int FOLLOW_FULL_EVERY = 120;
    private int follows;

    /** One look for submissions other nodes received; returns how many were queued. */
    int followOnce() {
        int n = 0;
        try {
            boolean full = follows++ % FOLLOW_FULL_EVERY == 0;
            for (String id : full ? status.pending() : status.recentlyPending(FOLLOW_WINDOW)) {
                if (!inHand.contains(id)) {
                    enqueue(id);
                    n++;
                }
            }
        } catch (SQLException | RuntimeException e) {
            LOG.error("could not look for submissions other nodes received; trying again shortly", e);
        }
        return n;
    }

    private void enqueue(String id, ExecutorService lane, Runnable job) {
        if (stopping) {
            return;
        }
        synchronized (idle) {
            pending++;
        }
        try {
            lane.execute(() -> {
                try {
                    if (!stopping) {
                        job.run();
                    }
                } finally {
                    done();
                }
            });
        } catch (RejectedExecutionException e) {
            done(); // stopping: the next start's catch-up takes it
        }
    }

    private void done() {
        synchronized (idle) {
            pending--;
            idle.notifyAll();
        }
    }

    /** Indexes submission {@code id} on the calling thread (reindexing); a scan goes on to the recognition lane. */
    public void indexNow(String id) {
        index(id, extractor);
    }

    /** Recognises the pages of scan {@code id} on the calling thread and indexes what they say. */
    void recogniseNow(String id) {
        index(id, recogniser);
    }

    /** Media types whose pages can be recognised: PDF and pictures. */
    static boolean recognisable(String mediaType) {
        String t = mediaType == null ? "" : mediaType.toLowerCase(java.util.Locale.ROOT);
        return t.startsWith("application/pdf") || t.startsWith("image/");
    }

    private void index(String id, TextExtractor with) {
        boolean recognition = with == recogniser;
        try {
            Optional<Submissions.Found> found = submissions.find(id);
            if (found.isEmpty()) {
                return;
            }
            Submissions.Found f = found.get();
            Receipt receipt = Receipt.parse(f.stored().receipt());
            String fileName = receipt.fileName();
            long size = receipt.size();
            Instant receivedAt = receipt.receivedAt();
            if (size > maxBytes) {
                settle(new IndexStatus.Entry(id, IndexStatus.NOT_INDEXED, IndexNote.TOO_LARGE.code(), "", false, clock.instant()));
                LOG.info("submission {} not indexed: {} bytes, the limit is {}", id, size, maxBytes);
                return;
            }
            Extraction e = with.extract(fileName, out -> {
                try {
                    // What the extractor got is indexed only if this returns: the package was authentic.
                    archive.streamUnverified(f.stored().blobName(), out);
                } catch (KeysException x) {
                    throw new IOException(x.getMessage(), x);
                }
            });
            if (e.note() == IndexNote.UNAVAILABLE) {
                // Not the document's fault: no status is kept, so the next start's catch-up indexes it.
                LOG.error("submission {} could not be indexed now and will be at the next start: {}", id, e.reason());
                return;
            }
            if (!recognition && recogniser != null && recognisable(e.mediaType())
                    && (e.note() == IndexNote.NO_TEXT
                            || (e.extracted() && e.mediaType().startsWith("application/pdf") && Ocr.hardlyAnyText(e.text())))) {
                // Made durable at once (not with the next commit): a restart must find it and recognise it.
                status.record(id, IndexStatus.NOT_INDEXED, IndexNote.RECOGNITION_PENDING.code(), e.mediaType(), false, clock.instant());
                enqueue(id, recognising, () -> recogniseNow(id));
                return;
            }
            if (!e.extracted()) {
                // Only the catalogue's code is kept; what the parser said may quote the file and goes to the log.
                settle(new IndexStatus.Entry(id, IndexStatus.NOT_INDEXED, e.note().code(), e.mediaType(), false, clock.instant()));
                if (e.note() == IndexNote.UNREADABLE) {
                    LOG.error("submission {} not indexed, its archived package could not be read: {}", id, e.reason());
                } else {
                    LOG.info("submission {} not indexed: {}", id, e.reason());
                }
                return;
            }
            index.add(new SearchIndex.Doc(id, f.stored().campaign(), f.stored().unit(), f.stored().kind(), f.submitterRole(),
                    receivedAt, fileName, e.text(), receipt.area(), receipt.late(), e.recognisedPages()));
            settle(new IndexStatus.Entry(id, IndexStatus.INDEXED, e.note() == null ? "" : e.note().code(), e.mediaType(), e.truncated(),
                    clock.instant(), e.recognisedPages()));
            if (recognition) {
                LOG.info("submission {}: {}", id, e.detail());
            }
        } catch (IOException | SQLException | RuntimeException e) {
            LOG.error("indexing submission {} failed; it stays archived and will be retried at the next start", id, e);
        }
    }

    /** How often new documents become searchable: well inside the 2 s from receipt (SPEC §5). */
    static final long REFRESH_MILLIS = 250;

    private void refresh() {
        try {
            index.refresh();
        } catch (IOException | RuntimeException e) {
            LOG.error("could not refresh the search index", e);
        }
    }

    private void settle(IndexStatus.Entry e) {
        synchronized (uncommitted) {
            uncommitted.add(e);
        }
    }

    /**
     * Commits the index, then records the states of the documents it now holds durably: a
     * submission is marked indexed only once a crash can no longer take it out of the index.
     * Runs every second and whenever the queue empties.
     */
    void flush() {
        synchronized (uncommitted) {
            if (uncommitted.isEmpty()) {
                return;
            }
            try {
                index.commit();
                status.recordAll(List.copyOf(uncommitted));
                uncommitted.forEach(e -> inHand.remove(e.submission()));
                uncommitted.clear();
            } catch (IOException | SQLException | RuntimeException e) {
                LOG.error("could not commit the search index; trying again in a second", e);
            }
        }
    }

    /** Documents queued or in hand. */
    public int pending() {
        synchronized (idle) {
            return pending;
        }
    }

    /** Waits until every queued document is done (tests, reindex); false if {@code timeout} passed first. */
    public boolean awaitIdle(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (idle) {
            while (pending > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(idle, left);
            }
        }
        flush();
        return true;
    }

    /**
     * Stops after the document in hand (queued ones are left for the next start's catch-up). The
     * worker is not interrupted: an interrupt during Lucene's file I/O closes its channels and
     * leaves the index writer unusable.
     */
    @Override
    public void close() {
        stopping = true;
        committer.shutdown();
        worker.shutdown();
        recognising.shutdown();
        if (recogniser instanceof AutoCloseable c) {
            // A scan being recognised is given up (its status says so, and the next start takes it again): its
            // child is stopped, not waited for.
            close(c);
        }
        try {
            if (!worker.awaitTermination(2 * 60, TimeUnit.SECONDS)) {
                LOG.warn("the indexer did not stop within 2 minutes; stopping it hard");
                worker.shutdownNow();
            }
            recognising.awaitTermination(2 * 60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flush();
        if (extractor instanceof AutoCloseable c) {
            close(c);
        }
    }

    private static void close(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("could not stop the extractor: {}", e.getMessage());
        }
    }
}
