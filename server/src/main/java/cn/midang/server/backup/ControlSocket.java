package cn.midang.server.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running server's channel to its operator on the same machine: a Unix socket in the data
 * directory ({@code run/control.sock}, in a folder only the server's user may enter, the socket
 * itself 0600), so whoever may read the data directory may ask, and nobody over the network can.
 * No HTTP route, no port. One request at a time, one JSON line each way plus progress lines:
 * {@code {"progress": "…"}} while working, then {@code {"ok": true, …}} or
 * {@code {"ok": false, "error": "…"}}. The server audits what it is asked (as the operator whose
 * Unix user the socket names).
 */
public final class ControlSocket implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ControlSocket.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_REQUEST = 64 * 1024;

    /** Does what a request asks (its {@code op}), saying progress; returns what to answer, or throws to refuse. */
    @FunctionalInterface
    public interface Handler {
        Map<String, Object> handle(JsonNode request, String operator, Backup.Progress progress) throws Exception;
    }

    private final Path file;
    private final ServerSocketChannel server;
    private final Thread thread;

    private ControlSocket(Path file, ServerSocketChannel server, Handler handler) {
        this.file = file;
        this.server = server;
        this.thread = Thread.ofPlatform().name("midang-control").daemon().start(() -> serve(handler));
    }

    /** Listens on {@code file}, replacing a socket a stopped server left (the database lock says none is running). */
    public static ControlSocket open(Path file, Handler handler) throws IOException {
        Files.createDirectories(file.getParent());
        Files.setPosixFilePermissions(file.getParent(), PosixFilePermissions.fromString("rwx------"));
        Files.deleteIfExists(file);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(file));
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return new ControlSocket(file, server, handler);
    }

    private void serve(Handler handler) {
        while (server.isOpen()) {
            try (SocketChannel ch = server.accept()) {
                String operator = operator(ch);
                OutputStream out = Channels.newOutputStream(ch);
                Consumer<Map<String, Object>> reply = m -> {
                    try {
                        out.write(JSON.writeValueAsBytes(m));
                        out.write('\n');
                        out.flush();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                };
                try {
                    String line = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8),
                            MAX_REQUEST).readLine();
                    if (line == null || line.length() > MAX_REQUEST) {
                        continue;
                    }
                    Map<String, Object> done = new java.util.LinkedHashMap<>();
                    done.put("ok", true);
                    done.putAll(handler.handle(JSON.readTree(line), operator, p -> reply.accept(Map.of("progress", p))));
                    reply.accept(done);
                } catch (Exception e) {
                    LOG.warn("operator request refused or failed: {}", e.toString());
                    try {
                        reply.accept(Map.of("ok", false, "error", String.valueOf(e.getMessage())));
                    } catch (RuntimeException gone) {
                        // the operator's command went away
                    }
                }
            } catch (IOException e) {
                if (server.isOpen()) {
                    LOG.warn("control socket: {}", e.toString());
                }
            }
        }
    }

    private static String operator(SocketChannel ch) {
        try {
            return ch.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED).user().getName();
        } catch (IOException | UnsupportedOperationException e) {
            return "unknown";
        }
    }

    /**
     * Sends {@code request} to the server listening on {@code file}, passing its progress lines to
     * {@code progress}; returns its final answer. Throws {@link java.net.SocketException} (or
     * {@link java.nio.file.NoSuchFileException}) when no server listens there.
     */
    public static JsonNode ask(Path file, Map<String, ?> request, Consumer<String> progress) throws IOException {
        if (!Files.exists(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString(), null, "no running server made its control socket");
        }
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(file))) {
            OutputStream out = Channels.newOutputStream(ch);
            out.write(JSON.writeValueAsBytes(request));
            out.write('\n');
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                JsonNode n = JSON.readTree(line);
                if (n.has("progress")) {
                    progress.accept(n.path("progress").asText());
                } else {
                    return n;
                }
            }
            throw new IOException("the server closed its control socket without an answer (did it stop?)");
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(file);
        try {
            thread.join(java.time.Duration.ofMinutes(10).toMillis()); // a backup in hand finishes first
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
