package cn.midang.server.http;

import cn.midang.server.refusal.ErrorCode;
import cn.midang.server.refusal.ApiException;
import cn.midang.server.access.Guard;
import cn.midang.server.identity.RequestAuthenticator;
import java.util.List;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Requests that Jetty refuses before {@link Api} sees them — not valid HTTP, an ambiguous path
 * ({@code //}, an encoded {@code ..} or {@code /}, {@code %00}), headers over 16 KiB, both
 * Content-Length and chunked, a duplicate Host, an unknown HTTP version — are answered like every
 * other refusal: the catalogue's JSON in both languages, a request id, and an audit record (SPEC
 * C5). Jetty keeps only the Host header of a request it refused while parsing, so such a record has
 * no actor, even when the request carried a certificate; a request that reaches {@link Api} and is
 * refused there names the certificate it presented. Jetty's own HTML error page, which echoes the
 * request, is never sent.
 */
public final class CatalogueErrorHandler extends ErrorHandler {

    private static final Logger LOG = LoggerFactory.getLogger(CatalogueErrorHandler.class);

    private final Guard guard;
    private final Metrics metrics;

    public CatalogueErrorHandler(Guard guard, Metrics metrics) {
        this.guard = guard;
        this.metrics = metrics;
    }

    /** The catalogue's code for a status Jetty chose. */
    static ErrorCode codeFor(int status) {
        return switch (status) {
            case 404 -> ErrorCode.NOT_FOUND;
            case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
            case 408 -> ErrorCode.REQUEST_TOO_SLOW;
            case 413 -> ErrorCode.BODY_TOO_LARGE;
            case 414, 431 -> ErrorCode.HEADERS_TOO_LARGE;
            case 505 -> ErrorCode.HTTP_VERSION_NOT_SUPPORTED;
            case 503 -> ErrorCode.UNAVAILABLE;
            default -> status >= 500 ? ErrorCode.INTERNAL : ErrorCode.MALFORMED_HTTP;
        };
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String requestId = Api.newRequestId();
        Object attribute = request.getAttribute(ERROR_STATUS);
        int status = attribute instanceof Integer i ? i : response.getStatus();
        ErrorCode code = codeFor(status);
        Object message = request.getAttribute(ERROR_MESSAGE);
        String path;
        try {
            path = request.getHttpURI() == null ? "-" : String.valueOf(request.getHttpURI().getPath());
        } catch (RuntimeException e) {
            path = "-";
        }
        MDC.put("request", requestId);
        try {
            response.getHeaders().put(Api.REQUEST_ID_HEADER, requestId);
            String presented = RequestAuthenticator.presentedFingerprint(request.getHeaders().get("X-Midang-Certificate"));
            String detail = "refused by the HTTP layer (" + status + "): " + message;
            LOG.warn("{} {} refused {}: {}", request.getMethod(), path, code.code(), detail);
            metrics.refused(code);
            ErrorCode answer = code;
            try {
                guard.refused(requestId, null, presented, "unrouted", path, code, detail);
            } catch (ApiException auditDown) {
                answer = auditDown.code();
            }
            if (response.isCommitted()) {
                callback.failed(new IllegalStateException(answer.code()));
            } else {
                Api.fail(response, callback, answer, List.of());
            }
        } finally {
            MDC.clear();
        }
        return true;
    }
}
