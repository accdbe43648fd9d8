package cn.midang.server.http;

import cn.midang.server.refusal.ErrorCode;
import cn.midang.server.refusal.ApiException;
import cn.midang.keys.digest.Sm3;
import cn.midang.keys.sign.SignedRequest;
import cn.midang.server.access.Guard;
import cn.midang.server.identity.Caller;
import cn.midang.server.identity.RequestAuthenticator;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The one request pipeline: match a route (deny anything not in the table), authenticate a
 * signed request, build the route's target, have the {@link Guard} decide and record the decision,
 * and only then run the endpoint with the grant ({@link Route}); turn every refusal into
 * {@code {code, message, message_zh}} with the catalogue's status. One log line per request with a request id; the
 * detail of a refusal goes to the log, never to the client.
 */
public final class Api extends Handler.Abstract {

    private static final Logger LOG = LoggerFactory.getLogger(Api.class);
    private static final byte[] EMPTY_SM3 = Sm3.digest(new byte[0]);
    public static final String REQUEST_ID_HEADER = "X-Midang-Request";

    private volatile List<Route> routes;
    private volatile boolean sealed;
    private final RequestAuthenticator authenticator;
    private final Exchange.Limits limits;
    private final Metrics metrics;
    private final Guard guard;

    public Api(List<Route> routes, RequestAuthenticator authenticator, Exchange.Limits limits, Metrics metrics, Guard guard) {
        this.guard = guard;
        this.routes = List.copyOf(routes);
        this.authenticator = authenticator;
        this.limits = limits;
        this.metrics = metrics;
    }

    public List<Route> routes() {
        return routes;
    }

    /**
     * Serves {@code table} from now on. While {@code sealed}, an API path the table does not have is
     * refused {@code sealed} rather than {@code not_found}: the archive's endpoints exist, they wait
     * for the key holders.
     */
    public void serve(List<Route> table, boolean sealed) {
        this.routes = List.copyOf(table);
        this.sealed = sealed;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String requestId = newRequestId();
        MDC.put("request", requestId);
        // The request id names this request in the server log and the audit log.
        response.getHeaders().put(REQUEST_ID_HEADER, requestId);
        String method = request.getMethod();
        String path = Request.getPathInContext(request);
        long start = System.nanoTime();
        String outcome = "200";
        String action = "unrouted";
        int status = 200;
        Caller caller = null;
        Exchange exchange = null;
        try {
            Route route = null;
            Matcher m = null;
            boolean pathKnown = false;
            for (Route r : routes) {
                Matcher candidate = r.match(path);
                if (candidate.matches()) {
                    pathKnown = true;
                    if (r.method().equals(method)) {
                        route = r;
                        m = candidate;
                        break;
                    }
                }
            }
            if (route == null && sealed && path.startsWith("/api/")) {
                throw new ApiException(ErrorCode.SEALED, method + " " + path);
            }
            if (route == null) {
                throw new ApiException(pathKnown ? ErrorCode.METHOD_NOT_ALLOWED : ErrorCode.NOT_FOUND, method + " " + path);
            }
            action = route.action().label();
            if (route.authenticated()) {
                String query = request.getHttpURI().getQuery();
                RequestAuthenticator.Authenticated auth = authenticator.authenticate(method, path, query == null ? "" : query,
                        name -> request.getHeaders().get(name));
                byte[] claimed = auth.request().bodySm3();
                caller = auth.caller();
                if (route.takesPackage() != (claimed == null)) {
                    throw new ApiException(ErrorCode.MALFORMED_SIGNATURE, route.takesPackage()
                            ? "an upload's signature leaves the body out: sign " + SignedRequest.PACKAGE_COMPONENTS
                                    + ", send no Content-Digest, name the content's size in content_size and seal the package for this request's nonce"
                            : "only the upload of a sealed package may leave the body out of the signature: sign "
                                    + SignedRequest.COMPONENTS + " with the body's Content-Digest");
                }
                if (("GET".equals(method) || "DELETE".equals(method)) && !MessageDigest.isEqual(claimed, EMPTY_SM3)) {
                    throw new ApiException(ErrorCode.DIGEST_MISMATCH, "a bodiless request must sign the SM3 of nothing");
                }
                MDC.put("caller", caller.certificate().fingerprint().substring(0, 12));
                exchange = new Exchange(request, response, callback, m, caller, claimed, auth.request().nonce(), limits, requestId, action);
                if (route.takesPackage()) {
                    exchange.namedContent(); // a missing or malformed content_size is refused before the target is built
                }
            } else {
                exchange = new Exchange(request, response, callback, m, null, null, null, limits, requestId, action);
            }
            route.run(exchange, guard); // target, decision (audited), then the endpoint with its grant
            status = response.getStatus();
            outcome = String.valueOf(status);
        } catch (ApiException refusal) {
            ApiException e = refusal;
            if (!e.audited()) {
                try {
                    guard.refused(requestId, caller, e.presentedCertificate(), action, path, e.code(), e.getMessage());
                } catch (ApiException auditDown) {
                    e = auditDown;
                }
            }
            if (exchange != null) {
                exchange.drainAfter(e.code());
            }
            status = e.code().status;
            metrics.refused(e.code());
            outcome = e.code().status + " " + e.code().code();
            if (e.code().status >= 500 && e.code() != ErrorCode.SEALED) {
                LOG.error("{} {} refused {}: {}", method, path, e.code().code(), e.getMessage(), e);
            } else {
                LOG.warn("{} {} refused {}: {}", method, path, e.code().code(), e.getMessage());
            }
            fail(response, callback, e.code(), e.problems());
        } catch (Exception | Error e) {
            if (exchange != null && e instanceof Exception) {
                exchange.drainAfter(ErrorCode.INTERNAL);
            }
            status = 500;
            metrics.refused(ErrorCode.INTERNAL);
            outcome = "500 internal";
            LOG.error("{} {} failed", method, path, e);
            try {
                guard.refused(requestId, caller, action, path, ErrorCode.INTERNAL, String.valueOf(e));
            } catch (ApiException auditDown) {
                LOG.error("the failure of request {} could not be audited either", requestId);
            }
            fail(response, callback, ErrorCode.INTERNAL, List.of());
        } finally {
            long nanos = System.nanoTime() - start;
            metrics.observe(action, status, nanos / 1e9, request.getLength());
            LOG.info("{} {} -> {} in {} ms", method, path, outcome, nanos / 1_000_000);
            MDC.clear();
        }
        return true;
    }

    /** A fresh request id: 64 random bits, hex. */
    public static String newRequestId() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    /** Answers a refusal: the catalogue's JSON (code, message in English and Chinese, the caller's problems). */
    static void fail(Response response, Callback callback, ErrorCode code, List<String> problems) {
        if (response.isCommitted()) {
            // Part of a body was sent: the only honest signal left is to abort the response.
            callback.failed(new IllegalStateException(code.code()));
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", code.code());
        body.put("message", code.message);
        body.put("message_zh", code.messageZh);
        if (!problems.isEmpty()) {
            body.put("problems", problems);
        }
        try {
            response.setStatus(code.status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
            Content.Sink.write(response, true, Exchange.JSON.writeValueAsString(body) + "\n", callback);
        } catch (Exception e) {
            callback.failed(e);
        }
    }
}
