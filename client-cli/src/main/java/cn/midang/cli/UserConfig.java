package cn.midang.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where an option's default comes from when it is not typed: first the environment
 * ({@code MIDANG_SERVER}, {@code MIDANG_IDENTITY}, {@code MIDANG_LANG}), then the user's
 * {@code ~/.midang/config} ({@code MIDANG_CONFIG} names another file), a UTF-8 file of
 * {@code key = value} lines with the keys {@code server}, {@code identity} and {@code lang}.
 * A typed option always wins.
 */
public final class UserConfig implements CommandLine.IDefaultValueProvider {

    /** Option name -> (environment variable, config key). */
    private static final Map<String, String[]> SOURCES = Map.of(
            "--server", new String[] {"MIDANG_SERVER", "server"},
            "--identity", new String[] {"MIDANG_IDENTITY", "identity"},
            "--lang", new String[] {"MIDANG_LANG", "lang"});

    static final Set<String> KEYS = Set.of("server", "identity", "lang");

    private final Map<String, String> env;
    private Properties file;

    public UserConfig(Map<String, String> env) {
        this.env = env;
    }

    /** The config file: {@code MIDANG_CONFIG}, else {@code ~/.midang/config}. */
    public Path path() {
        String named = env.get("MIDANG_CONFIG");
        return named != null && !named.isBlank() ? Path.of(named) : CliFiles.userHome(env).resolve(".midang").resolve("config");
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec o)) {
            return null;
        }
        String[] source = SOURCES.get(o.longestName());
        if (source == null) {
            return null;
        }
        String fromEnv = env.get(source[0]);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        String v = file().getProperty(source[1]);
        return v != null && v.startsWith("~/") ? CliFiles.userHome(env).resolve(v.substring(2)).toString() : v;
    }

    /** The language from the environment or the config file (for messages printed before parsing). */
    public String language() {
        String fromEnv = env.get("MIDANG_LANG");
        return fromEnv != null && !fromEnv.isBlank() ? fromEnv : file().getProperty("lang");
    }

    private synchronized Properties file() {
        if (file == null) {
            file = new Properties();
            Path p = path();
            if (Files.isRegularFile(p)) {
                try (Reader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
                    file.load(r);
                } catch (IOException | IllegalArgumentException e) {
                    throw new CliFailure(e, ExitCode.USAGE, "error.config.read", p, e.getMessage());
                }
                for (String k : file.stringPropertyNames()) {
                    if (!KEYS.contains(k)) {
                        throw new CliFailure(ExitCode.USAGE, "error.config.key", p, k);
                    }
                }
            }
        }
        return file;
    }
}
