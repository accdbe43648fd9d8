package cn.midang.keys.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs an outside program (openssl, bin/midang, a child JVM) and captures what it said. */
public final class Processes {

    /** What a finished process said. */
    public record Result(int exit, String out, String err) {
        public String all() {
            return out + err;
        }
    }

    private Processes() {}

    public static Result run(Path dir, Map<String, String> env, List<String> command) {
        return run(dir, env, command, 600);
    }

    public static Result run(Path dir, Map<String, String> env, List<String> command, long timeoutSeconds) {
        try {
            Path out = Files.createTempFile("proc", ".out");
            Path err = Files.createTempFile("proc", ".err");
            try {
                ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                        .redirectOutput(out.toFile()).redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                pb.environment().putAll(env);
                Process p = pb.start();
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError("timed out after " + timeoutSeconds + " s: " + command);
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Runs {@code command} and fails the test unless it exits 0. */
    public static Result ok(Path dir, Map<String, String> env, String... command) {
        Result r = run(dir, env, List.of(command));
        if (r.exit() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + r.exit() + "\n" + r.all());
        }
        return r;
    }

    /** The java launcher of the running JVM, for child JVMs. */
    public static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
