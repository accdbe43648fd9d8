package cn.midang.server.http;

import java.net.InetSocketAddress;
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
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The operator's metrics ({@code GET /metrics}, Prometheus text) on a listener of their own
 * ({@code metrics.listen}), never on the API's: request counts, sizes and latencies by action tell
 * when and how large each upload was, which no unit may learn of another (SPEC C2). Plain HTTP,
 * meant for loopback or the operators' own network; it answers nothing else.
 */
public final class MetricsListener implements AutoCloseable {

    private final Server jetty;

    private MetricsListener(Server jetty) {
        this.jetty = jetty;
    }

    /** Starts serving {@code metrics} on {@code address} (port 0 picks a free one). */
    public static MetricsListener start(InetSocketAddress address, Metrics metrics) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(8, 2);
        threads.setName("midang-metrics");
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(address.getHostString());
        connector.setPort(address.getPort());
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                if (!"GET".equals(request.getMethod()) || !"/metrics".equals(Request.getPathInContext(request))) {
                    response.setStatus(404);
                    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
                    Content.Sink.write(response, true, "only GET /metrics is served here\n", callback);
                    return true;
                }
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, metrics.contentType());
                try (var out = Content.Sink.asOutputStream(response)) {
                    metrics.write(out);
                }
                callback.succeeded();
                return true;
            }
        });
        server.start();
        return new MetricsListener(server);
    }

    /** The port it listens on. */
    public int port() {
        return ((ServerConnector) jetty.getConnectors()[0]).getLocalPort();
    }

    @Override
    public void close() throws Exception {
        jetty.stop();
    }
}
