package cn.midang.server.extract;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.commons.io.file.PathUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Extracts text with Tika in child JVMs ({@link ExtractMain}): heap capped, killed after a
 * timeout, fed through a pipe, their temporary folder private and removed when they end, core
 * dumps off. A child parses documents one after another (no JVM start per document) and is
 * replaced after {@code documentsPerChild} documents, after any document that kills or stalls it,
 * and when it has been idle for a while. Whatever a document does — loop, exhaust memory, crash
 * the parser — the server gets an {@link Extraction} with a reason and goes on.
 *
 * <p>Security guarantees: untrusted bytes are parsed only in a child; the server never writes
 * the plaintext to a file (Tika may spool a container into the child's temporary folder, which is
 * on {@code /dev/shm} when available and deleted when the child ends).
 */
public final class ForkedExtractor implements TextExtractor, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ForkedExtractor.class);
    private static final String TMP_PREFIX = "midang-extract-";

    /** Limits for one document, and how many documents one child parses before it is replaced. */
    public record Limits(int heapMiB, Duration timeout, int maxChars, int maxEmbedded, int maxDepth, int documentsPerChild,
            Duration idleTimeout) {
        /**
         * 256 MiB heap, 60 s, one million characters, 100 embedded documents, 4 levels, 10,000 documents
         * (Tika Pipes' own default; at 500, small documents spent most of the indexing time starting
         * and warming up children: D54), 5 minutes idle.
         */
        public static final Limits DEFAULT = new Limits(256, Duration.ofSeconds(60), 1_000_000, 100, 4, 10_000, Duration.ofMinutes(5));

        public Limits withTimeout(Duration t) {
            return new Limits(heapMiB, t, maxChars, maxEmbedded, maxDepth, documentsPerChild, idleTimeout);
        }
    }

    private final Limits limits;
    private final Ocr ocr;
    private final List<String> command;
    private final Deque<Child> idle = new ArrayDeque<>();

    /**
     * The threads that move a child's pipes (its stderr, the document in, the text out): platform
     * threads, not virtual ones. A read from a process pipe blocks in native code and holds its
     * carrier; with one child per core, the children's idle stderr readers held every carrier, and
     * the next document's feeder and reader, runnable but never run, waited out the 60 s timeout
     * (seen in a thread dump on 2 cores: the first report after a quiet minute took 60 s). Kept
     * in a pool: a thread started per document and per direction cost more than Tika's parse of a
     * small one. Each takes the name of what it moves while it moves it.
     */
    private static final ExecutorService PIPES = Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name("extract-pipe").factory());

    private static Future<?> pipe(String name, Runnable work) {
        return PIPES.submit(() -> {
            Thread.currentThread().setName(name);
            try {
                work.run();
            } finally {
                Thread.currentThread().setName("extract-pipe");
            }
        });
    }

    /** Waits for a pipe's work to end; false if it did not end in time. */
    private static boolean finished(Future<?> work, Duration timeout) throws InterruptedException {
        try {
            work.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true; // the feed records its own failures
        }
    }

    private static final Duration AFTER_KILL = Duration.ofSeconds(10);
    private final java.util.Set<Child> busy = new java.util.HashSet<>();
    private boolean closed;
    private int started;

    public ForkedExtractor(Limits limits) {
        this(limits, null);
    }

    /**
     * An extractor that recognises scans and pictures: 512 MiB (a page rendered at 300 dpi is about
     * 9 million grey pixels), killed only when the document's budget and one more page's time are
     * spent (recognition itself stops at the budget and keeps what it read).
     */
    public static ForkedExtractor recognising(Ocr ocr) {
        Duration kill = ocr.budget().plusSeconds(Recognition.PAGE_TIMEOUT_SECONDS + 60);
        return new ForkedExtractor(new Limits(512, kill, Limits.DEFAULT.maxChars(), Limits.DEFAULT.maxEmbedded(),
                Limits.DEFAULT.maxDepth(), 50, Duration.ofMinutes(5)), ocr);
    }

    /**
     * An extractor whose children recognise scans and pictures ({@code ocr}, see {@link Recognition})
     * instead of reading typed text; null for one that reads typed text.
     */
    public ForkedExtractor(Limits limits, Ocr ocr) {
        this.limits = limits;
        this.ocr = ocr;
        this.command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + limits.heapMiB() + "m", "-Xss1m", "-XX:+ExitOnOutOfMemoryError", "-XX:-CreateCoredumpOnCrash",
                "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Djava.awt.headless=true");
    }

    /**
     * Extracts one document. A document whose child timed out or stopped is tried once more in a
     * fresh child (a child that a busy machine starved, or that died of something else, must not
     * leave a document unsearchable); a second failure is the document's.
     */
    @Override
    public Extraction extract(String fileName, Content content) {
        Extraction first = extractOnce(fileName, content);
        if (first.note() != IndexNote.TIMED_OUT && first.note() != IndexNote.CRASHED) {
            return first;
        }
        LOG.warn("extraction of a document failed ({}); trying it once more in a fresh extractor", first.reason());
        Extraction second = extractOnce(fileName, content);
        return second.extracted() || second.note() != first.note() ? second
                : Extraction.failed(second.note(), second.detail() + " (twice)");
    }

    private Extraction extractOnce(String fileName, Content content) {
        Child child;
        try {
            child = take();
        } catch (IOException e) {
            LOG.error("could not start the extractor", e);
            return Extraction.failed(IndexNote.UNAVAILABLE, "the extractor could not be started: " + e);
        }
        Outcome o = null;
        try {
            o = child.run(fileName, content, limits);
            return o.extraction();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Extraction.failed(IndexNote.UNAVAILABLE, "interrupted");
        } finally {
            give(child, o != null && o.reusable());
        }
    }

    private synchronized Child take() throws IOException {
        if (closed) {
            throw new IOException("the extractor is stopping");
        }
        long now = System.nanoTime();
        while (!idle.isEmpty()) {
            Child c = idle.pop();
            if (now - c.idleSince < limits.idleTimeout().toNanos() && c.process.isAlive()) {
                busy.add(c);
                return c;
            }
            c.stop();
        }
        started++;
        Child c = Child.start(command, limits, ocr);
        busy.add(c);
        return c;
    }

    /** How many child JVMs this extractor has started. */
    synchronized int childrenStarted() {
        return started;
    }

    private void give(Child child, boolean reusable) {
        synchronized (this) {
            busy.remove(child);
            if (reusable && !closed && child.documents < limits.documentsPerChild() && child.process.isAlive()) {
                child.idleSince = System.nanoTime();
                idle.push(child);
                return;
            }
        }
        child.stop();
    }

    /**
     * Stops the idle children and kills those still at work (with what they started: Tesseract);
     * their documents come back as not extracted now ({@link IndexNote#UNAVAILABLE}).
     */
    @Override
    public void close() {
        List<Child> stopping;
        List<Child> working;
        synchronized (this) {
            closed = true;
            stopping = new ArrayList<>(idle);
            idle.clear();
            working = new ArrayList<>(busy);
        }
        stopping.forEach(Child::stop);
        working.forEach(Child::kill);
    }

    /**
     * Removes temporary folders left by children of servers that are no longer running (a kill -9
     * skips the clean-up). A folder's name carries its server's process id.
     */
    public static int sweepStale() {
        int removed = 0;
        for (Path base : List.of(Path.of("/dev/shm"), Path.of(System.getProperty("java.io.tmpdir")))) {
            if (!Files.isDirectory(base)) {
                continue;
            }
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(base, TMP_PREFIX + "*")) {
                for (Path d : dirs) {
                    String[] parts = d.getFileName().toString().substring(TMP_PREFIX.length()).split("-", 2);
                    boolean alive;
                    try {
                        alive = ProcessHandle.of(Long.parseLong(parts[0])).map(ProcessHandle::isAlive).orElse(false);
                    } catch (NumberFormatException e) {
                        alive = false; // a folder from an older version
                    }
                    if (!alive) {
                        PathUtils.deleteDirectory(d);
                        removed++;
                    }
                }
            } catch (IOException e) {
                LOG.warn("could not sweep old extractor folders in {}: {}", base, e.getMessage());
            }
        }
        return removed;
    }

    record Outcome(Extraction extraction, boolean reusable) {}

    /** One child JVM and its pipes. */
    private static final class Child {
        final Process process;
        final Path tmp;
        final DataOutputStream stdin;
        final DataInputStream stdout;
        final StringBuilder errTail = new StringBuilder();
        int documents;
        long idleSince;

        private Child(Process process, Path tmp) {
            this.process = process;
            this.tmp = tmp;
            this.stdin = new DataOutputStream(new BufferedOutputStream(process.getOutputStream(), Frames.CHUNK + 8));
            this.stdout = new DataInputStream(new BufferedInputStream(process.getInputStream(), Frames.CHUNK));
            pipe("extract-stderr", this::drainErrors);
        }

        static Child start(List<String> base, Limits limits, Ocr ocr) throws IOException {
            Path tmp = privateTempDir();
            List<String> cmd = new ArrayList<>(base);
            cmd.addAll(List.of("-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"), ExtractMain.class.getName(),
                    String.valueOf(limits.maxChars()), String.valueOf(limits.maxEmbedded()), String.valueOf(limits.maxDepth())));
            if (ocr != null) {
                cmd.addAll(ocr.arguments());
            }
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().keySet().removeIf(k -> k.startsWith("MIDANG_"));
            // Tesseract on one core: the other stays free for the server and for typed documents (issue 20).
            pb.environment().put("OMP_THREAD_LIMIT", "1");
            Child child;
            try {
                child = new Child(pb.start(), tmp);
            } catch (IOException e) {
                PathUtils.deleteDirectory(tmp);
                throw e;
            }
            child.awaitReady();
            return child;
        }

        /** How long a child may take to start (JVM, Tika's parsers) before it is given up; not a document's time. */
        static final Duration START_TIMEOUT = Duration.ofMinutes(3);

        /** Waits for the child's "ready"; a child that does not say it in time is stopped. */
        private void awaitReady() throws IOException {
            FutureTask<String> ready = new FutureTask<>(stdout::readUTF);
            pipe("extract-ready", ready);
            try {
                String said = ready.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                if (!ExtractMain.READY.equals(said)) {
                    throw new IOException("the extractor said '" + said + "' instead of ready");
                }
            } catch (TimeoutException | ExecutionException | IOException e) {
                process.destroyForcibly();
                stop();
                throw new IOException("the extractor did not start: " + e + "; " + tail(), e);
            } catch (InterruptedException e) {
                process.destroyForcibly();
                stop();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the extractor started", e);
            }
        }

        Outcome run(String fileName, Content content, Limits limits) throws InterruptedException {
            documents++;
            AtomicReference<Exception> feedError = new AtomicReference<>();
            // Set when the child has answered without text: the rest of the document is of no use
            // (nothing of it is indexed), so the feed stops instead of decrypting and piping it all.
            AtomicBoolean unwanted = new AtomicBoolean();
            Future<?> feeder = pipe("extract-feed", () -> {
                try {
                    stdin.writeUTF(fileName);
                    try (Frames.ChunkOutput out = new Frames.ChunkOutput(stdin)) {
                        content.writeTo(new Frames.Stoppable(out, unwanted));
                    }
                } catch (IOException | RuntimeException e) {
                    // After the stop, a failure (the stop's own, or the package's) concerns bytes no one needs.
                    if (!unwanted.get()) {
                        feedError.set(e);
                    }
                }
            });
            FutureTask<Reply> reading = new FutureTask<>(() -> readReply(limits.maxChars(), unwanted));
            pipe("extract-read", reading);
            Reply r;
            try {
                r = reading.get(limits.timeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                kill(); // with Tesseract, which runs in a process of the child's
                stop();
                finished(feeder, AFTER_KILL);
                return new Outcome(Extraction.failed(IndexNote.TIMED_OUT, "parsing took longer than " + limits.timeout().toSeconds()
                        + " s"), false);
            } catch (ExecutionException e) {
                // The child is gone (its output ended): it ran out of memory or crashed.
                finished(feeder, AFTER_KILL);
                process.waitFor(5, TimeUnit.SECONDS);
                boolean oom = (!process.isAlive() && process.exitValue() == 3) || tail().contains("OutOfMemoryError");
                return new Outcome(oom ? Extraction.failed(IndexNote.OUT_OF_MEMORY, "the parser ran out of its " + limits.heapMiB()
                        + " MiB of memory") : Extraction.failed(IndexNote.CRASHED, "the parser stopped unexpectedly"
                        + (process.isAlive() ? "" : " (exit code " + process.exitValue() + ")")), false);
            }
            // The child answers before it reads the rest of the document; a document with text is
            // indexed only once all of it came through (the package's tag is checked at its end).
            if (!finished(feeder, limits.timeout())) {
                kill();
                stop();
                finished(feeder, AFTER_KILL);
                return new Outcome(Extraction.failed(IndexNote.TIMED_OUT, "reading the document took longer than "
                        + limits.timeout().toSeconds() + " s"), false);
            }
            if (feedError.get() != null) {
                return new Outcome(Extraction.failed(IndexNote.UNREADABLE, "the archived package could not be read for indexing: "
                        + feedError.get()), false);
            }
            String[] f = r.status().split(" ", 3);
            if (!"ok".equals(f[0])) {
                String said = r.status().substring(r.status().indexOf(' ') + 1);
                return new Outcome(Extraction.failed("the file is empty".equals(said) ? IndexNote.EMPTY : IndexNote.PARSE_FAILED,
                        "the file could not be parsed: " + said), true);
            }
            boolean truncated = (f.length > 2 && f[2].startsWith("true")) || r.text().length() > limits.maxChars();
            String text = r.text().length() > limits.maxChars() ? r.text().substring(0, limits.maxChars()) : r.text();
            String type = f.length > 1 ? f[1] : "unknown";
            if (text.isBlank()) {
                // With its media type: a PDF or a picture without text goes on to be recognised.
                return new Outcome(new Extraction(false, "", type, false, IndexNote.NO_TEXT, "no text found in the file"), true);
            }
            String[] recognised = f.length > 2 ? f[2].split(" ") : new String[0];
            if (recognised.length == 4) {
                // A child that recognises: "<truncated> <pages read> <pages in the file> <stopped early>".
                int pages = Integer.parseInt(recognised[1]);
                boolean stopped = Boolean.parseBoolean(recognised[3]);
                if (pages == 0 && !stopped) {
                    // Every page had text of its own: typed after all.
                    return new Outcome(new Extraction(true, text, type, truncated, truncated ? IndexNote.TRUNCATED : null, "typed"), true);
                }
                return new Outcome(new Extraction(true, text, type, truncated, stopped ? IndexNote.RECOGNISED_IN_PART : IndexNote.RECOGNISED,
                        pages + " of " + recognised[2] + " page(s) recognised", pages), true);
            }
            return new Outcome(new Extraction(true, text, type, truncated,
                    truncated ? IndexNote.TRUNCATED : null, truncated ? "text cut at " + limits.maxChars() + " characters" : ""), true);
        }

        /** What the child answered for one document. */
        private record Reply(String text, String status) {}

        /** Reads one document's text (at most about {@code maxChars}) and its status; sets {@code unwanted} when there is no text. */
        private Reply readReply(int maxChars, AtomicBoolean unwanted) throws IOException {
            Frames.ChunkInput text = new Frames.ChunkInput(stdout);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            long cap = 4L * maxChars;
            byte[] buf = new byte[Frames.CHUNK];
            int n;
            while ((n = text.read(buf, 0, buf.length)) > 0) {
                if (bytes.size() < cap) {
                    bytes.write(buf, 0, (int) Math.min(n, cap - bytes.size()));
                }
            }
            Reply r = new Reply(bytes.toString(StandardCharsets.UTF_8), stdout.readUTF());
            if (r.text().isBlank()) {
                unwanted.set(true); // here, on the reading thread: the feed stops as soon as it can
            }
            return r;
        }

        private void drainErrors() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (errTail) {
                        errTail.append(line).append('\n');
                        if (errTail.length() > 16_384) {
                            errTail.delete(0, errTail.length() - 8_192);
                        }
                    }
                }
            } catch (IOException e) {
                // the child ended
            }
        }

        private String tail() {
            synchronized (errTail) {
                return errTail.toString();
            }
        }

        private boolean stopped;

        /** Ends the child at once, and what it started. */
        void kill() {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }

        synchronized void stop() {
            if (stopped) {
                return;
            }
            stopped = true;
            try {
                stdin.close(); // a child at rest ends by itself when its input ends
            } catch (IOException e) {
                // already gone
            }
            try {
                if (!process.waitFor(2, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            try {
                PathUtils.deleteDirectory(tmp);
            } catch (IOException e) {
                LOG.warn("could not remove the extractor's temporary folder {}: {}", tmp, e.toString());
            }
        }

        private static Path privateTempDir() throws IOException {
            Path shm = Path.of("/dev/shm");
            Path base = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
            return Files.createTempDirectory(base, TMP_PREFIX + ProcessHandle.current().pid() + "-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
    }
}
