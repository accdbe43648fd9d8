package cn.midang.server.config;

import java.io.IOException;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;

/**
 * The server's configuration: one typed record, loaded from {@code DATA/server.conf} (a copy of
 * {@code config/server.conf}) and the environment, validated at start-up with messages that name
 * the key. {@link #KEYS} lists every key with its default and help line.
 */
public record ServerConfig(
        String listenHost,
        int listenPort,
        boolean tls,
        boolean dev,
        Optional<Path> passphraseFile,
        Duration maxRequestSkew,
        long maxUploadBytes,
        int maxConnections,
        long minDataRate,
        Duration idleTimeout,
        int auditCheckpointRecords,
        Duration auditCheckpointPeriod,
        long maxIndexBytes,
        Duration extractTimeout,
        int extractors,
        boolean ocr,
        int ocrMaxPages,
        Duration ocrTimeout,
        Optional<Long> pageCacheBytes,
        Optional<InetSocketAddress> metricsListen,
        List<String> reviewDepartments,
        Duration logRoundPeriod,
        int logRoundSize,
        Optional<ObjectStore> blobs,
        String node,
        Optional<Duration> sweepGrace,
        long minFreeBytes) {

    /** The name of a server that is the only node of its deployment ({@code node.name} unset). */
    public static final String SOLE_NODE = "local";

    /**
     * An S3-compatible object store for the sealed blobs ({@code blobs.url}); the keys come from
     * the environment ({@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}), never the file.
     */
    public record ObjectStore(String bucket, String prefix, Optional<java.net.URI> endpoint, String region, String accessKeyId,
            String secretAccessKey) {
        @Override
        public String toString() {
            return "s3://" + bucket + "/" + prefix + endpoint.map(e -> " at " + e).orElse("") + " (" + region + ")";
        }
    }

    /** One configuration key. */
    public record Key(String name, String defaultValue, String help) {
        /** The environment variable that overrides it. */
        public String environmentVariable() {
            return "MIDANG_" + name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
        }
    }

    public static final List<Key> KEYS = List.of(
            new Key("listen.host", "127.0.0.1", "Address to listen on."),
            new Key("listen.port", "8443", "TCP port (0 picks a free one)."),
            new Key("listen.tls", "true", "Serve HTTPS (false is allowed only for dev on a loopback address)."),
            new Key("dev", "false", "A development deployment: demo identities, plain HTTP on loopback."),
            new Key("passphrase.file", "", "File (relative to the data directory) whose first line is the key passphrase."),
            new Key("request.max-skew-seconds", "300", "How far a signed request's Date may be from the server clock."),
            new Key("upload.max-bytes", "2151677952", "The largest upload body accepted, in bytes."),
            new Key("http.max-connections", "256", "Connections held open at once; more wait in the accept queue."),
            new Key("http.min-data-rate", "16384", "Bytes per second a request body or response must at least move (slowloris guard)."),
            new Key("http.idle-timeout-seconds", "30", "A connection with no traffic at all for this long is closed."),
            new Key("audit.checkpoint-records", "1000", "Sign an audit checkpoint after this many records."),
            new Key("audit.checkpoint-seconds", "60", "Sign an audit checkpoint this often when records were added."),
            new Key("search.max-index-bytes", "268435456", "Documents larger than this are archived but not indexed."),
            new Key("search.extract-timeout-seconds", "60", "The text extractor is killed after this long on one document."),
            new Key("search.extractors", "2", "Documents extracted at the same time, each in its own child JVM (256 MiB heap)."),
            new Key("search.ocr", "true", "Recognise the text of scans and pictures (Tesseract, Simplified Chinese and English) when "
                    + "Tesseract is installed; false: never."),
            new Key("search.ocr-max-pages", "50", "Pages of one scan recognised at most; the rest is archived but not searchable."),
            new Key("search.ocr-timeout-seconds", "600", "Time budget of one scan: recognition stops after the page in hand."),
            new Key("search.page-cache-mib", "", "Decrypted pages of the encrypted index kept in memory, MiB; empty: an eighth of "
                    + "the heap (32 to 1024). A query that misses them decrypts its pages again."),
            new Key("review.departments", "市信息产业办,市公安局,市保密局",
                    "The joint-review departments (共同审定) every campaign names, by organisation, comma-separated."),
            new Key("log.round-seconds", "60", "How often the transparency log takes in what the archive attested and signs a "
                    + "checkpoint; a receipt's inclusion proof is ready within this time."),
            new Key("log.round-size", "8", "Entries the log grows by each round whatever happened (random padding), so its "
                    + "size tells no one how busy other units were; a multiple of it when more came in."),
            new Key("database.url", "", "The record store: empty for the embedded H2 database under the data directory, or "
                    + "PostgreSQL, jdbc:postgresql://HOST:5432/DATABASE (the user and password from MIDANG_DATABASE_USER and "
                    + "MIDANG_DATABASE_PASSWORD, or from database.credentials-file; never from this file)."),
            new Key("database.credentials-file", "", "With database.url: a file (relative to the data directory, readable by the "
                    + "server's user only) holding the lines 'user = NAME' and 'password = SECRET'."),
            new Key("blobs.url", "", "Where sealed packages are kept: empty for files under the data directory, or an "
                    + "S3-compatible object store, s3://BUCKET[/PREFIX]?endpoint=http://HOST:PORT&region=REGION (the bucket must "
                    + "exist; keys from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)."),
            new Key("node.name", SOLE_NODE, "This node's name among the servers sharing one PostgreSQL database and bucket "
                    + "(lower-case letters, digits and '-'; each node its own, 'midang-server join' sets it): its search index "
                    + "keeps track of what it has taken in under this name."),
            new Key("blobs.sweep-grace-seconds", "", "At start, a stored package no record points to (an upload a crash cut off) is "
                    + "deleted only if it is older than this: empty means 0 with the embedded database (one server) and 3600 with "
                    + "PostgreSQL, where another node's upload may be between storing its package and committing its record."),
            new Key("storage.min-free-mib", "256", "Room kept free on the data directory's file system (MiB): an upload that "
                    + "would leave less is refused with insufficient_storage (507), so that the records, the audit log and the "
                    + "index always have room to write, and the server goes on when space returns."),
            new Key("metrics.listen", "", "HOST:PORT of the operator's metrics listener (plain HTTP, GET /metrics); empty: none."));

    /** A configuration that cannot be used; the message names the key and the fix. */
    public static final class InvalidConfigException extends Exception {
        private static final long serialVersionUID = 1L;

        public InvalidConfigException(String message) {
            super(message);
        }
    }

    /**
     * Where the records are kept ({@code database.url}): PostgreSQL, with the user and password
     * from the environment or the credentials file. Never printed with its password.
     */
    public record DatabaseSettings(String url, String user, String password, Optional<String> credentialsFile) {
        @Override
        public String toString() {
            return url + " as " + user;
        }
    }

    /**
     * The record store of the deployment in {@code dataDir}: empty for the embedded H2 database
     * (the default). Read from {@code server.conf} when it exists and from {@code env}
     * ({@code MIDANG_DATABASE_URL} overrides the file), so that {@code init} can be pointed at a
     * database before the file is written.
     */
    public static Optional<DatabaseSettings> database(Path dataDir, Map<String, String> env) throws InvalidConfigException {
        Properties p = new Properties();
        Path file = dataDir.resolve("server.conf");
        if (Files.exists(file)) {
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new InvalidConfigException("cannot read " + file + ": " + e.getMessage());
            }
        }
        return database(dataDir, p, env);
    }

    /** As {@link #database(Path, Map)}, with {@code server.conf} already read into {@code p}. */
    private static Optional<DatabaseSettings> database(Path dataDir, Properties p, Map<String, String> env)
            throws InvalidConfigException {
        String url = env.getOrDefault("MIDANG_DATABASE_URL", p.getProperty("database.url", "")).strip();
        if (url.isEmpty()) {
            return Optional.empty();
        }
        if (!url.startsWith("jdbc:postgresql://")) {
            throw new InvalidConfigException("database.url = \"" + url + "\" must be empty (the embedded database) or "
                    + "jdbc:postgresql://HOST:PORT/DATABASE");
        }
        if (url.toLowerCase(Locale.ROOT).contains("password=")) {
            throw new InvalidConfigException("database.url carries a password: take it out of the address and set "
                    + "MIDANG_DATABASE_PASSWORD (or database.credentials-file) instead, so that it is never written or shown");
        }
        String credentials = env.getOrDefault("MIDANG_DATABASE_CREDENTIALS_FILE", p.getProperty("database.credentials-file", "")).strip();
        String user = env.getOrDefault("MIDANG_DATABASE_USER", "");
        String password = env.getOrDefault("MIDANG_DATABASE_PASSWORD", "");
        if (!credentials.isEmpty() && (user.isEmpty() || password.isEmpty())) {
            Path f = dataDir.resolve(credentials);
            Properties c = new Properties();
            try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                c.load(r);
            } catch (IOException e) {
                throw new InvalidConfigException("database.credentials-file: cannot read " + f + ": " + e.getMessage());
            }
            user = user.isEmpty() ? c.getProperty("user", "").strip() : user;
            password = password.isEmpty() ? c.getProperty("password", "").strip() : password;
        }
        if (user.isEmpty() || password.isEmpty()) {
            throw new InvalidConfigException("database.url names PostgreSQL: set MIDANG_DATABASE_USER and MIDANG_DATABASE_PASSWORD "
                    + "in the server's environment, or name a file holding 'user = …' and 'password = …' in "
                    + "database.credentials-file (never in server.conf itself)");
        }
        return Optional.of(new DatabaseSettings(url, user, password, credentials.isEmpty() ? Optional.empty() : Optional.of(credentials)));
    }

    /** Loads {@code dataDir/server.conf}, then applies {@code env} overrides. */
    public static ServerConfig load(Path dataDir, Map<String, String> env) throws InvalidConfigException {
        Path file = dataDir.resolve("server.conf");
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (NoSuchFileException e) {
            throw new InvalidConfigException(file + " does not exist: is " + dataDir
                    + " a Midang data directory? Create one with 'midang-server init --data " + dataDir + "'");
        } catch (IOException e) {
            throw new InvalidConfigException("cannot read " + file + ": " + e.getMessage());
        }
        for (Object k : p.keySet()) {
            if (KEYS.stream().noneMatch(key -> key.name().equals(k))) {
                throw new InvalidConfigException(file + ": unknown key \"" + k + "\"; known keys: "
                        + KEYS.stream().map(Key::name).toList());
            }
        }
        Function<String, String> get = name -> {
            Key key = KEYS.stream().filter(k -> k.name().equals(name)).findFirst().orElseThrow();
            String v = env.get(key.environmentVariable());
            if (v == null) {
                v = p.getProperty(name, key.defaultValue());
            }
            return v.strip();
        };
        database(dataDir, p, env); // refused here too, naming the key, before anything starts
        String host = get.apply("listen.host");
        if (host.isEmpty()) {
            throw new InvalidConfigException("listen.host is empty: give an address such as 127.0.0.1");
        }
        int port = (int) number(get, "listen.port", 0, 65535);
        boolean tls = bool(get, "listen.tls");
        boolean dev = bool(get, "dev");
        String pf = get.apply("passphrase.file");
        Optional<Path> passphraseFile = pf.isEmpty() ? Optional.empty() : Optional.of(dataDir.resolve(pf));
        Duration skew = Duration.ofSeconds(number(get, "request.max-skew-seconds", 1, 3600));
        long maxUpload = number(get, "upload.max-bytes", 1, Long.MAX_VALUE);
        int maxConnections = (int) number(get, "http.max-connections", 1, 100_000);
        long minRate = number(get, "http.min-data-rate", 0, 1L << 30);
        Duration idle = Duration.ofSeconds(number(get, "http.idle-timeout-seconds", 1, 3600));
        int cpRecords = (int) number(get, "audit.checkpoint-records", 1, 1_000_000);
        Duration cpPeriod = Duration.ofSeconds(number(get, "audit.checkpoint-seconds", 1, 86_400));
        long maxIndex = number(get, "search.max-index-bytes", 0, Long.MAX_VALUE);
        Duration extractTimeout = Duration.ofSeconds(number(get, "search.extract-timeout-seconds", 1, 3600));
        int extractors = (int) number(get, "search.extractors", 1, 64);
        boolean ocr = bool(get, "search.ocr");
        int ocrMaxPages = (int) number(get, "search.ocr-max-pages", 1, 10_000);
        Duration ocrTimeout = Duration.ofSeconds(number(get, "search.ocr-timeout-seconds", 10, 86_400));
        Optional<Long> pageCache = get.apply("search.page-cache-mib").isEmpty() ? Optional.empty()
                : Optional.of(number(get, "search.page-cache-mib", 1, 1L << 20) << 20);
        return new ServerConfig(host, port, tls, dev, passphraseFile, skew, maxUpload, maxConnections, minRate, idle, cpRecords,
                cpPeriod, maxIndex, extractTimeout, extractors, ocr, ocrMaxPages, ocrTimeout, pageCache, address(get, "metrics.listen"),
                departments(get, "review.departments"), Duration.ofSeconds(number(get, "log.round-seconds", 1, 3600)),
                (int) number(get, "log.round-size", 1, 4096), objectStore(get, "blobs.url", env), node(get, "node.name"),
                get.apply("blobs.sweep-grace-seconds").isEmpty() ? Optional.empty()
                        : Optional.of(Duration.ofSeconds(number(get, "blobs.sweep-grace-seconds", 0, 366L * 86_400))),
                number(get, "storage.min-free-mib", 0, 1L << 30) << 20);
    }

    private static final java.util.regex.Pattern BUCKET = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    private static Optional<ObjectStore> objectStore(Function<String, String> get, String key, Map<String, String> env)
            throws InvalidConfigException {
        return objectStore(get.apply(key), env);
    }

    /**
     * A {@code blobs.url} ({@code s3://BUCKET[/PREFIX][?endpoint=URL&region=R]}) with its keys from
     * {@code env}, or empty for local files.
     */
    public static Optional<ObjectStore> objectStore(String v, Map<String, String> env) throws InvalidConfigException {
        String key = "blobs.url";
        v = v.strip();
        if (v.isEmpty()) {
            return Optional.empty();
        }
        String form = key + " = \"" + v + "\" must be s3://BUCKET[/PREFIX]?endpoint=http://HOST:PORT&region=REGION "
                + "(endpoint and region may be left out for AWS itself)";
        java.net.URI uri;
        try {
            uri = new java.net.URI(v);
        } catch (java.net.URISyntaxException e) {
            throw new InvalidConfigException(form);
        }
        if (!"s3".equals(uri.getScheme()) || uri.getHost() == null || !BUCKET.matcher(uri.getHost()).matches()) {
            throw new InvalidConfigException(form);
        }
        String prefix = uri.getPath() == null || uri.getPath().length() <= 1 ? "" : uri.getPath().substring(1);
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            prefix += "/";
        }
        Optional<java.net.URI> endpoint = Optional.empty();
        String region = "us-east-1";
        if (uri.getQuery() != null) {
            for (String pair : uri.getQuery().split("&")) {
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0 ? "" : pair.substring(eq + 1);
                switch (name) {
                    case "endpoint" -> {
                        try {
                            java.net.URI e = new java.net.URI(value);
                            if (!("http".equals(e.getScheme()) || "https".equals(e.getScheme())) || e.getHost() == null) {
                                throw new java.net.URISyntaxException(value, "not an http(s) address");
                            }
                            endpoint = Optional.of(e);
                        } catch (java.net.URISyntaxException e) {
                            throw new InvalidConfigException(key + ": endpoint \"" + value + "\" must be an http:// or https:// address");
                        }
                    }
                    case "region" -> {
                        if (value.isEmpty()) {
                            throw new InvalidConfigException(form);
                        }
                        region = value;
                    }
                    default -> throw new InvalidConfigException(key + ": unknown setting \"" + name + "\"; known: endpoint, region");
                }
            }
        }
        String id = env.getOrDefault("AWS_ACCESS_KEY_ID", "");
        String secret = env.getOrDefault("AWS_SECRET_ACCESS_KEY", "");
        if (id.isEmpty() || secret.isEmpty()) {
            throw new InvalidConfigException(key + " names an object store: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in "
                    + "the server's environment (keys are never read from server.conf)");
        }
        return Optional.of(new ObjectStore(uri.getHost(), prefix, endpoint, region, id, secret));
    }

    /** The text of a server.conf, {@code conf}, with {@code key} set to {@code value}: its line replaced, or added at the end. */
    public static String withSetting(String conf, String key, String value) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + java.util.regex.Pattern.quote(key) + "\\s*=.*$").matcher(conf);
        String line = key + " = " + value;
        return m.find() ? m.replaceFirst(java.util.regex.Matcher.quoteReplacement(line))
                : conf + (conf.endsWith("\n") ? "" : "\n") + line + "\n";
    }

    /** Whether {@code name} may be a {@code node.name}. */
    public static boolean isNodeName(String name) {
        return NODE.matcher(name).matches();
    }

    private static final java.util.regex.Pattern NODE = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private static String node(Function<String, String> get, String key) throws InvalidConfigException {
        String v = get.apply(key);
        if (!NODE.matcher(v).matches()) {
            throw new InvalidConfigException(key + " = \"" + v + "\" is not a node name: 1 to 63 lower-case letters, digits and '-', "
                    + "starting with a letter or digit (e.g. node-b)");
        }
        return v;
    }

    /**
     * How old an unreferenced stored package must be before the start-up sweep deletes it
     * ({@code blobs.sweep-grace-seconds}): as configured, else none for the embedded database (no
     * other server can be uploading) and an hour for PostgreSQL (another node may be).
     */
    public Duration sweepGrace(boolean sharedRecords) {
        return sweepGrace.orElse(sharedRecords ? Duration.ofHours(1) : Duration.ZERO);
    }

    private static long number(Function<String, String> get, String key, long min, long max) throws InvalidConfigException {
        String v = get.apply(key);
        try {
            long n = Long.parseLong(v);
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new InvalidConfigException(key + " = \"" + v + "\" is not a whole number from " + min + " to " + max);
        }
    }

    /** A list of distinct organisation names, at least one. */
    private static List<String> departments(Function<String, String> get, String key) throws InvalidConfigException {
        List<String> names = Arrays.stream(get.apply(key).split("[,，]")).map(String::strip).filter(n -> !n.isEmpty()).toList();
        if (names.isEmpty() || names.stream().distinct().count() != names.size()) {
            throw new InvalidConfigException(key + " = \"" + get.apply(key) + "\" must name one or more departments, each once, "
                    + "separated by commas (the organisations in the approvers' certificates)");
        }
        return names;
    }

    /** An optional HOST:PORT (port 0 picks a free one); empty means none. */
    private static Optional<InetSocketAddress> address(Function<String, String> get, String key)
            throws InvalidConfigException {
        String v = get.apply(key);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        int colon = v.lastIndexOf(':');
        try {
            if (colon <= 0) {
                throw new NumberFormatException();
            }
            int port = Integer.parseInt(v.substring(colon + 1));
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return Optional.of(InetSocketAddress.createUnresolved(v.substring(0, colon).replaceAll("^\\[|\\]$", ""), port));
        } catch (NumberFormatException e) {
            throw new InvalidConfigException(key + " = \"" + v + "\" must be HOST:PORT, such as 127.0.0.1:9464, or empty");
        }
    }

    private static boolean bool(Function<String, String> get, String key) throws InvalidConfigException {
        String v = get.apply(key);
        return switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new InvalidConfigException(key + " = \"" + v + "\" must be true or false");
        };
    }
}
