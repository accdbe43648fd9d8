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

    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");

    static ChildServer start(Path data, Path passFile, Path log, String... jvmArgs) throws Exception {
        Path jar = Path.of(System.getProperty("user.dir"), "target", "midang-server.jar");
        List<String> cmd = new ArrayList<>(List.of(Processes.javaExecutable()));
        cmd.addAll(List.of(jvmArgs));
        cmd.addAll(List.of("-jar", jar.toString(), "run", "--data", data.toString(), "--port", "0",
                "--passphrase-file", passFile.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Matcher m = LISTENING.matcher(Files.exists(log) ? Files.readString(log) : "");
            if (m.find()) {
                return new ChildServer(p, URI.create("http://127.0.0.1:" + m.group(1) + "/"), log);
            }
            if (!p.isAlive()) {
                throw new AssertionError("server exited: " + Files.readString(log));
            }
            Thread.sleep(50);
        }
        p.destroyForcibly();
        throw new AssertionError("server did not start: " + Files.readString(log));
    }

    /** SIGTERM, and wait for the clean stop. */
    boolean stop() throws InterruptedException {
        process.destroy();
        return process.waitFor(30, TimeUnit.SECONDS);
    }
}
