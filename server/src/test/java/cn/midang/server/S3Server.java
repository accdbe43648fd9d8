package cn.midang.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real S3-compatible server for the tests: s3proxy (Maven Central) with its file-system
 * backend, in a process of its own on a free loopback port, one per test JVM, stopped when the
 * JVM exits. Each caller gets a bucket of its own ({@link #newBucket}), so tests never see each
 * other's objects.
 */
public final class S3Server {

    public static final String ACCESS_KEY_ID = "midang-test";
    public static final String SECRET_ACCESS_KEY = "midang-test-secret";

    private static S3Server shared;

    private final Path base;
    private final int port;
    private final Process process;
    private final AtomicInteger buckets = new AtomicInteger();

    private S3Server(Path base, int port, Process process) {
        this.base = base;
        this.port = port;
        this.process = process;
    }

    /** The test JVM's S3 server, started on first use. */
    public static synchronized S3Server shared() {
        if (shared == null) {
            try {
                shared = start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the tests' S3 server (s3proxy)", e);
            }
            S3Server started = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                started.process.destroyForcibly();
                try {
                    started.process.waitFor();
                    org.apache.commons.io.file.PathUtils.deleteDirectory(started.base);
                } catch (IOException | InterruptedException e) {
                    // a temporary folder left behind
                }
            }));
        }
        return shared;
    }

    private static S3Server start() throws IOException {
        Path jar = Paths.get("target", "s3proxy", "s3proxy.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IOException(jar.toAbsolutePath() + " is missing: the build copies it (mvn generate-test-resources)");
        }
        Path base = Files.createTempDirectory("midang-s3");
        Files.createDirectories(base.resolve("data"));
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path conf = base.resolve("s3proxy.conf");
        Files.write(conf, List.of(
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY_ID,
                "s3proxy.credential=" + SECRET_ACCESS_KEY,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + base.resolve("data")));
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-Xmx256m", "-jar", jar.toAbsolutePath().toString(), "--properties", conf.toString())
                .redirectErrorStream(true).redirectOutput(base.resolve("s3proxy.log").toFile()).start();
        // Ready when it accepts a connection; no deadline but the process's own death (a busy machine only makes it slower).
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return new S3Server(base, port, p);
            } catch (IOException notYet) {
                if (!p.isAlive()) {
                    throw new IOException("s3proxy exited with " + p.exitValue() + ": " + Files.readString(base.resolve("s3proxy.log")));
                }
                try {
                    p.waitFor(50, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while s3proxy started", e);
                }
            }
        }
    }

    /** A new empty bucket's name. */
    public String newBucket() {
        String name = "midang-" + ProcessHandle.current().pid() + "-" + buckets.incrementAndGet();
        try {
            Files.createDirectories(base.resolve("data").resolve(name)); // the file-system backend's bucket is a folder
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return name;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** The {@code blobs.url} of {@code bucket}. */
    public String url(String bucket) {
        return "s3://" + bucket + "?endpoint=" + endpoint() + "&region=us-east-1";
    }

    /** The store's keys, as an operator puts them in the environment. */
    public static Map<String, String> keys() {
        return Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID, "AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY);
    }

    /** The environment a server needs for {@code bucket}: its {@code blobs.url} and the keys. */
    public Map<String, String> environment(String bucket) {
        return Map.of("MIDANG_BLOBS_URL", url(bucket), "AWS_ACCESS_KEY_ID", ACCESS_KEY_ID, "AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY);
    }

    /** The folder holding {@code bucket}'s objects (to look at what the store really holds). */
    public Path folder(String bucket) {
        return base.resolve("data").resolve(bucket);
    }
}
