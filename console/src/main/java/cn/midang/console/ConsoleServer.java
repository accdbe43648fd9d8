package cn.midang.console;

import cn.midang.cli.net.ServerRefusal;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's HTTP front, on a loopback address only: every request is checked by
 * {@link LocalAccess} (Host, Origin, the token exchanged for the session cookie) before anything
 * else, every answer carries a strict Content-Security-Policy, refuses framing and is never stored
 * by the browser; then the request goes to {@link Pages}. Nothing is decided here about documents:
 * the server decides every read, the pages show its answer.
 */
public final class ConsoleServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleServer.class);

    /** No script but the console's own files; no framing; nothing sent elsewhere. */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            + "connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private final Server jetty;
    private final LocalAccess access;
    private final AtomicLong lastRequest;
    private final Clock clock;

    private ConsoleServer(Server jetty, LocalAccess access, AtomicLong lastRequest, Clock clock) {
        this.jetty = jetty;
        this.access = access;
        this.lastRequest = lastRequest;
        this.clock = clock;
    }

    /** Starts the console for {@code pages} on 127.0.0.1:{@code port} (0: a free port). */
    public static ConsoleServer start(Pages pages, int port, Clock clock) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(16, 2);
        threads.setName("midang-console");
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(InetAddress.getLoopbackAddress().getHostAddress());
        connector.setPort(port);
        server.addConnector(connector);
        connector.open(); // bound now: the port the checks name is known before the first request
        AtomicLong last = new AtomicLong(clock.millis());
        LocalAccess access = new LocalAccess(connector.getLocalPort(), LocalAccess.secret());
        server.setHandler(new Front(access, pages, last, clock));
        server.start();
        return new ConsoleServer(server, access, last, clock);
    }

    public int port() {
        return ((ServerConnector) jetty.getConnectors()[0]).getLocalPort();
    }

    /** The address to open: this run's token included. */
    public String url() {
        return "http://127.0.0.1:" + port() + "/?token=" + access.token();
    }

    /**
     * Stops the console when no request it admitted (token or session) came for {@code idle}:
     * a refused request — another local user trying the port — does not keep it running.
     * Returns whether it stopped.
     */
    public boolean stopIfIdle(Duration idle) throws Exception {
        if (clock.millis() - lastRequest.get() < idle.toMillis()) {
            return false;
        }
        close();
        return true;
    }

    public void join() throws InterruptedException {
        jetty.join();
    }

    @Override
    public void close() throws Exception {
        jetty.stop();
    }

    /** The Jetty handler: checks, then a page. */
    static final class Front extends Handler.Abstract {
        private final LocalAccess access;
        private final Pages pages;
        private final AtomicLong last;
        private final Clock clock;
        private final Map<String, String> assets;

        Front(LocalAccess access, Pages pages, AtomicLong last, Clock clock) {
            this.access = access;
            this.pages = pages;
            this.last = last;
            this.clock = clock;
            this.assets = Map.of(
                    "/static/console.css", "cn/midang/console/static/console.css",
                    "/static/console.js", "cn/midang/console/static/console.js",
                    "/static/htmx.min.js", webjar("htmx.org", "dist/htmx.min.js"),
                    "/static/echarts.min.js", webjar("echarts", "dist/echarts.common.min.js"));
        }

        private static String webjar(String name, String file) {
            Properties p = new Properties();
            try (InputStream in = ConsoleServer.class.getClassLoader()
                    .getResourceAsStream("META-INF/maven/org.webjars.npm/" + name + "/pom.properties")) {
                if (in == null) {
                    throw new IllegalStateException("the WebJar " + name + " is not on the class path");
                }
                p.load(in);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return "META-INF/resources/webjars/" + name + "/" + p.getProperty("version") + "/" + file;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            var h = response.getHeaders();
            h.put("Content-Security-Policy", CSP);
            h.put("X-Frame-Options", "DENY");
            h.put("X-Content-Type-Options", "nosniff");
            // same-origin, not no-referrer: under no-referrer a browser sends "Origin: null" with a form, and the form would be refused.
            h.put("Referrer-Policy", "same-origin");
            h.put("Cross-Origin-Opener-Policy", "same-origin");
            h.put("Cross-Origin-Resource-Policy", "same-origin");
            h.put(HttpHeader.CACHE_CONTROL, "no-store");
            LocalAccess a = access;
            String method = request.getMethod();
            String path = Request.getPathInContext(request);
            Text t = textOf(request);
            if (!a.hostAllowed(request.getHeaders().get(HttpHeader.HOST))) {
                return refuse(response, callback, 421, "foreign_host");
            }
            if (!a.originAllowed(method, request.getHeaders().get(HttpHeader.ORIGIN))) {
                return refuse(response, callback, 403, "foreign_origin");
            }
            Fields query = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
            String token = query.getValue("token");
            if (token != null) {
                if (!a.tokenMatches(token)) {
                    return refuse(response, callback, 403, "bad_token");
                }
                last.set(clock.millis());
                h.add(HttpHeader.SET_COOKIE, LocalAccess.cookie(a.openSession()));
                // The token leaves the address bar (and the history) at once.
                StringBuilder rest = new StringBuilder();
                for (Fields.Field f : query) {
                    if (!f.getName().equals("token")) {
                        for (String v : f.getValues()) {
                            rest.append(rest.isEmpty() ? "?" : "&").append(enc(f.getName())).append('=').append(enc(v));
                        }
                    }
                }
                Response.sendRedirect(request, response, callback, 303, path + rest, true);
                return true;
            }
            if (!a.session(cookie(request, LocalAccess.COOKIE))) {
                return refuse(response, callback, 403, "no_session");
            }
            last.set(clock.millis());
            String asset = assets.get(path);
            if (asset != null && "GET".equals(method)) {
                return asset(response, callback, asset);
            }
            String lang = query.getValue("lang");
            if (lang != null && (lang.equals("zh") || lang.equals("en"))) {
                h.add(HttpHeader.SET_COOKIE, "midang_lang=" + lang + "; Path=/; SameSite=Strict");
                t = new Text(lang.equals("zh"));
            }
            try {
                Pages.Answer answer = pages.answer(method, path, query, request, t);
                if (answer == null) {
                    return refuse(response, callback, 404, "no_page");
                }
                answer.write(response, callback);
            } catch (ServerRefusal r) {
                pages.refusal(r, t).write(response, callback);
            } catch (Exception e) {
                LOG.warn("{} {} failed: {}", method, path, e.toString());
                pages.failure(e, t).write(response, callback);
            }
            return true;
        }

        private static Text textOf(Request request) {
            return new Text(!"en".equals(cookie(request, "midang_lang")));
        }

        static String cookie(Request request, String name) {
            for (HttpCookie c : Request.getCookies(request)) {
                if (c.getName().equals(name)) {
                    return c.getValue();
                }
            }
            return null;
        }

        private static String enc(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8);
        }

        private boolean asset(Response response, Callback callback, String resource) throws IOException {
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "private, max-age=3600"); // code, never content
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, resource.endsWith(".css") ? "text/css; charset=utf-8"
                    : "text/javascript; charset=utf-8");
            try (InputStream in = ConsoleServer.class.getClassLoader().getResourceAsStream(resource);
                    OutputStream out = Content.Sink.asOutputStream(response)) {
                in.transferTo(out);
            }
            callback.succeeded();
            return true;
        }

        /** A refusal before any page: plain text, both languages, the reason's code. */
        private static boolean refuse(Response response, Callback callback, int status, String code) {
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
            Text zh = new Text(true);
            Text en = new Text(false);
            Content.Sink.write(response, true, zh.get("refused." + code) + "\n" + en.get("refused." + code) + "\n(" + code + ")\n",
                    callback);
            return true;
        }
    }
}
