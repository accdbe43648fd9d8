package cn.midang.server.extract;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Extracts text with Tika in a child JVM per document ({@link ExtractMain}): heap capped, killed
 * after a timeout, fed through a pipe, its temporary folder private and removed afterwards, core
 * dumps off. Whatever the document does — loop, exhaust memory, crash the parser — the server
 * gets an {@link Extraction} with a reason and goes on.
 *
 * <p>Security guarantees: untrusted bytes are parsed only in the child; the server never writes
 * the plaintext to a file (Tika may spool inside the child's temporary folder, which is on
 * {@code /dev/shm} when available and deleted when the child ends).
 */
public final class ForkedExtractor implements TextExtractor {

    private static final Logger LOG = LoggerFactory.getLogger(ForkedExtractor.class);

    /** Limits for one document. */
    public record Limits(int heapMiB, Duration timeout, int maxChars, int maxEmbedded, int maxDepth) {
        /** 256 MiB heap, 60 s, one million characters, 100 embedded documents, 4 levels. */
        public static final Limits DEFAULT = new Limits(256, Duration.ofSeconds(60), 1_000_000, 100, 4);
    }

    private final Limits limits;
    private final String java;
    private final String classPath;

    public ForkedExtractor(Limits limits) {
        this.limits = limits;
        this.java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        this.classPath = System.getProperty("java.class.path");
    }

    @Override
    public Extraction extract(String fileName, Content content) {
        Path tmp = null;
        Process child = null;
        try {
            tmp = privateTempDir();
            List<String> cmd = new ArrayList<>(List.of(java, "-Xmx" + limits.heapMiB() + "m", "-Xss1m",
                    "-XX:+ExitOnOutOfMemoryError", "-XX:-CreateCoredumpOnCrash", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-Djava.awt.headless=true", "-Djava.io.tmpdir=" + tmp, "-cp", classPath, ExtractMain.class.getName(),
                    fileName, String.valueOf(limits.maxChars()), String.valueOf(limits.maxEmbedded()),
                    String.valueOf(limits.maxDepth())));
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().keySet().removeIf(k -> k.startsWith("MIDANG_"));
            child = pb.start();
            Process p = child;
            Thread feeder = Thread.ofVirtual().name("extract-feed").start(() -> feed(content, p.getOutputStream()));
            StringBuilder text = new StringBuilder();
            Thread reader = Thread.ofVirtual().name("extract-read").start(() -> readText(p.getInputStream(), text));
            StringBuilder errTail = new StringBuilder();
            Thread errors = Thread.ofVirtual().name("extract-err").start(() -> readStatus(p.getErrorStream(), errTail));
            if (!p.waitFor(limits.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                return Extraction.failed("timed out: parsing took longer than " + limits.timeout().toSeconds() + " s");
            }
            reader.join(10_000);
            errors.join(10_000);
            feeder.join(10_000);
            String status = statusLine(errTail.toString());
            if (status == null) {
                return Extraction.failed(p.exitValue() == 3 || errTail.indexOf("OutOfMemoryError") >= 0
                        ? "the parser ran out of its " + limits.heapMiB() + " MiB of memory"
                        : "the parser stopped unexpectedly (exit code " + p.exitValue() + ")");
            }
            String[] f = status.split(" ", 4);
            if ("ok".equals(f[1])) {
                boolean truncated = f.length > 3 && Boolean.parseBoolean(f[3]);
                synchronized (text) {
                    return new Extraction(true, text.toString(), f.length > 2 ? f[2] : "unknown", truncated, truncated
                            ? "text cut at " + limits.maxChars() + " characters" : "");
                }
            }
            return Extraction.failed("the file could not be parsed: " + (f.length > 2 ? status.substring(status.indexOf(f[2])) : "?"));
        } catch (IOException e) {
            LOG.error("could not run the extractor", e);
            return Extraction.failed("the extractor could not be started");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Extraction.failed("interrupted");
        } finally {
            if (child != null && child.isAlive()) {
                child.destroyForcibly();
            }
            deleteTree(tmp);
        }
    }

    private static void feed(Content content, OutputStream stdin) {
        try (OutputStream out = stdin) {
            content.writeTo(out);
        } catch (IOException | RuntimeException e) {
            // The child stopped reading (done, failed or killed): nothing more to send.
        }
    }

    private void readText(InputStream stdout, StringBuilder text) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(stdout, StandardCharsets.UTF_8))) {
            char[] buf = new char[8192];
            int n;
            while ((n = r.read(buf)) > 0) {
                synchronized (text) {
                    int room = limits.maxChars() - text.length();
                    if (room > 0) {
                        text.append(buf, 0, Math.min(n, room));
                    }
                }
            }
        } catch (IOException e) {
            // The child was killed; what was read stays unused.
        }
    }

    private static void readStatus(InputStream stderr, StringBuilder tail) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(stderr, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (tail) {
                    tail.append(line).append('\n');
                    if (tail.length() > 16_384) {
                        tail.delete(0, tail.length() - 8_192);
                    }
                }
            }
        } catch (IOException e) {
            // killed
        }
    }

    private static String statusLine(String err) {
        String found = null;
        for (String line : err.split("\n")) {
            if (line.startsWith(ExtractMain.STATUS + " ")) {
                found = line;
            }
        }
        return found;
    }

    private static Path privateTempDir() throws IOException {
        Path shm = Path.of("/dev/shm");
        Path base = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
        return Files.createTempDirectory(base, "midang-extract-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try {
            org.apache.commons.io.file.PathUtils.deleteDirectory(dir);
        } catch (IOException e) {
            LOG.warn("could not remove the extractor's temporary folder {}", dir);
        }
    }
}
