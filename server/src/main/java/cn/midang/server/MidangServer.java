package cn.midang.server;

import java.util.concurrent.Callable;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The composition root of the Midang server: wires the parts by hand and starts Jetty.
 *
 * <p>So far it serves only {@code GET /healthz}; the archive, the signed API, policy and audit
 * arrive with their issues. Every other path answers 404 (deny by default).
 */
@Command(name = "midang-server", mixinStandardHelpOptions = true,
        description = "The Midang server.",
        subcommands = {MidangServer.Run.class})
public final class MidangServer {

    private static final Logger LOG = LoggerFactory.getLogger(MidangServer.class);

    private final Server jetty;

    private MidangServer(Server jetty) {
        this.jetty = jetty;
    }

    /** Starts a server on {@code host:port} (port 0 picks a free one); tests use this. */
    public static MidangServer start(String host, int port) throws Exception {
        Server server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Routes());
        server.setStopAtShutdown(true);
        server.start();
        return new MidangServer(server);
    }

    public int port() {
        return ((ServerConnector) jetty.getConnectors()[0]).getLocalPort();
    }

    public void stop() throws Exception {
        jetty.stop();
    }

    public void join() throws InterruptedException {
        jetty.join();
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new MidangServer(null)).execute(args));
    }

    /** {@code midang-server run}: serve until stopped (SIGTERM stops it cleanly). */
    @Command(name = "run", mixinStandardHelpOptions = true, description = "Start the server and serve until stopped.")
    static final class Run implements Callable<Integer> {
        @Option(names = "--port", defaultValue = "8443", description = "TCP port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
        int port;

        @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}).")
        String host;

        @Override
        public Integer call() throws Exception {
            MidangServer s = start(host, port);
            LOG.info("Midang server listening on http://{}:{}", host, s.port());
            s.join();
            return 0;
        }
    }

    /** The route table: only the health check so far. */
    static final class Routes extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String path = Request.getPathInContext(request);
            if ("GET".equals(request.getMethod()) && "/healthz".equals(path)) {
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
                Content.Sink.write(response, true, "ok\n", callback);
                return true;
            }
            response.setStatus(404);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            Content.Sink.write(response, true,
                    "{\"code\":\"not_found\",\"message\":\"no such endpoint\",\"message_zh\":\"没有这个接口\"}\n", callback);
            return true;
        }
    }

}
