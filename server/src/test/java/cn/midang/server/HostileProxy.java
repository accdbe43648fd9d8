package cn.midang.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A compromised server, as a client meets it: a proxy on loopback in front of a real dev server
 * that forwards every request and passes every answer back — except those a test tells it to
 * replace. Tests that forge answers sign them with the deployment's own keys, as an attacker who
 * took the server would.
 */
final class HostileProxy implements AutoCloseable {

    /** An answer to send instead of the real one. */
    record Answer(int status, String contentType, byte[] body) {}

    /** Decides the answer for a request, given the real server's answer. */
    @FunctionalInterface
    interface Rewrite {
        Answer rewrite(String method, String path, Answer real) throws Exception;
    }

    private static final Set<String> NOT_FORWARDED = Set.of("host", "connection", "content-length", "expect", "upgrade",
            "transfer-encoding", "keep-alive");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final HttpServer server;
    private final URI upstream;
    private final Map<String, Rewrite> rewrites = new ConcurrentHashMap<>();

    private HostileProxy(HttpServer server, URI upstream) {
        this.server = server;
        this.upstream = upstream;
    }

    static HostileProxy in(DevServer dev) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        HostileProxy p = new HostileProxy(s, dev.uri());
        s.createContext("/", p::handle);
        s.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        s.start();
        return p;
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    /** Answers requests whose path matches {@code regex} (method and path, e.g. {@code GET /api/v1/me}) through {@code r}. */
    HostileProxy when(String regex, Rewrite r) {
        rewrites.put(regex, r);
        return this;
    }

    void clear() {
        rewrites.clear();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            String raw = ex.getRequestURI().getRawPath() + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery());
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            HttpRequest.Builder b = HttpRequest.newBuilder(upstream.resolve(raw));
            ex.getRequestHeaders().forEach((k, vs) -> {
                if (!NOT_FORWARDED.contains(k.toLowerCase())) {
                    vs.forEach(v -> b.header(k, v));
                }
            });
            b.method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            HttpResponse<byte[]> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            Answer answer = new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse("application/json"), r.body());
            String line = method + " " + ex.getRequestURI().getPath();
            for (var e : rewrites.entrySet()) {
                if (line.matches(e.getKey())) {
                    answer = e.getValue().rewrite(method, ex.getRequestURI().getPath(), answer);
                }
            }
            ex.getResponseHeaders().put("Content-Type", List.of(answer.contentType()));
            ex.sendResponseHeaders(answer.status(), answer.body().length == 0 ? -1 : answer.body().length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(answer.body());
            }
        } catch (Exception e) {
            throw new IOException("the hostile proxy failed", e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
