package cn.midang.server;

import cn.midang.keys.testkit.Processes;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A server in its own JVM (the real jar), for crash and memory tests. */
record ChildServer(Process process, URI uri, Path log) {

    /**
     * A dev deployment made for a child server: its folder, passphrase and a file holding it, and
     * the environment its server runs with (a bucket of its own under {@code -Dmidang.it.blobs=s3}).
     */
    record Deployed(Path data, char[] pass, Path passFile, java.util.Map<String, String> env) {

        /** The blob store the server of this deployment uses, opened as it opens it. */
        cn.midang.server.archive.BlobStore blobs() throws Exception {
            return cn.midang.server.archive.BlobStore.open(cn.midang.server.config.ServerConfig.load(data, env), data.resolve("blobs"));
        }

        /** The demo identity {@code who} (unit-a, inspector-info, …). */
        cn.midang.keys.pki.Identity identity(String who) throws cn.midang.keys.KeysException, java.io.IOException {
            return cn.midang.keys.pki.Identity.load(data.resolve("identities/" + who + ".p12"), pass);
        }
    }

    /** Makes a dev deployment in {@code tmp}/data with a random passphrase, written to {@code tmp}/pass. */
    static Deployed deployDev(Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        char[] pass = cn.midang.keys.testkit.TestPki.randomPassphrase();
        if (DevServer.BACKEND_POSTGRESQL) {
            PostgresServer pg = PostgresServer.shared();
            cn.midang.server.deploy.Deployment.initDev(data, pass, pg.settings(pg.newDatabase(java.util.Optional.empty()), data),
                    java.time.Clock.systemUTC());
        } else {
            cn.midang.server.deploy.Deployment.initDev(data, pass, java.time.Clock.systemUTC());
        }
        Path passFile = tmp.resolve("pass");
        Files.writeString(passFile, new String(pass) + "\n");
        java.util.Map<String, String> env = java.util.Map.of();
        if (DevServer.BACKEND_S3) {
            S3Server s3 = S3Server.shared();
            env = s3.environment(s3.newBucket());
        }
        return new Deployed(data, pass, passFile, env);
    }

    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");

    static ChildServer start(Deployed dev, Path log, String... jvmArgs) throws Exception {
        Path jar = Path.of(System.getProperty("user.dir"), "target", "midang-server.jar");
        List<String> cmd = new ArrayList<>(List.of(Processes.javaExecutable()));
        cmd.addAll(List.of(jvmArgs));
        cmd.addAll(List.of("-jar", jar.toString(), "run", "--data", dev.data().toString(), "--port", "0",
                "--passphrase-file", dev.passFile().toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(dev.env());
        Process p = pb.start();
        // Bounded by minutes only to stop a test whose server hangs; a busy machine just takes longer (TESTING.md).
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (System.nanoTime() < deadline) {
            Matcher m = LISTENING.matcher(Files.exists(log) ? Files.readString(log) : "");
            if (m.find()) {
                return new ChildServer(p, URI.create("http://127.0.0.1:" + m.group(1) + "/"), log);
            }
            if (!p.isAlive()) {
                throw new AssertionError("server exited: " + Files.readString(log));
            }
            p.waitFor(50, TimeUnit.MILLISECONDS);
        }
        p.destroyForcibly();
        throw new AssertionError("server did not start: " + Files.readString(log));
    }

    /** What one {@code midang-server} command run in its own JVM printed, and its exit code. */
    record Command(int exit, String out) {}

    /**
     * Runs {@code midang-server ARGS} (the real jar) with {@code env} added to the environment, as an
     * operator would; standard output to {@code out}, standard error to {@code err} (the same file: both).
     */
    static Command command(java.util.Map<String, String> env, Path out, Path err, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Processes.javaExecutable(), "-jar",
                Path.of(System.getProperty("user.dir"), "target", "midang-server.jar").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile());
        if (out.equals(err)) {
            pb.redirectErrorStream(true);
        } else {
            pb.redirectError(err.toFile());
        }
        pb.environment().putAll(env);
        int exit = pb.start().waitFor();
        return new Command(exit, Files.readString(out));
    }

    /** SIGTERM, and wait for the clean stop. */
    boolean stop() throws InterruptedException {
        process.destroy();
        return process.waitFor(30, TimeUnit.SECONDS);
    }
}
