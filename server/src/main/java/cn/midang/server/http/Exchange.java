package cn.midang.server.http;

import cn.midang.keys.digest.Sm3;
import cn.midang.server.identity.Caller;
import cn.midang.server.refusal.ApiException;
import cn.midang.server.refusal.BodyRefusedException;
import cn.midang.server.refusal.ErrorCode;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/** One request being handled: its caller (if signed), path parameters, body and response. */
public final class Exchange {

    static final ObjectMapper JSON = new ObjectMapper();

    private final Request request;
    private final Response response;
    private final Callback callback;
    private final Matcher path;
    private final Caller caller;
    private final byte[] signedBodySm3;
    private final String nonce;
    private final Fields query;

    private final Limits limits;
    private final String requestId;
    private final String action;
    private JsonNode json;
    private GuardedBody opened;

    /** Body limits from the configuration. */
    public record Limits(long maxBodyBytes, long minDataRate) {}

    Exchange(Request request, Response response, Callback callback, Matcher path, Caller caller, byte[] signedBodySm3,
            String nonce, Limits limits, String requestId, String action) {
        this.nonce = nonce;
        this.limits = limits;
        this.requestId = requestId;
        this.action = action;
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.path = path;
        this.caller = caller;
        this.signedBodySm3 = signedBodySm3;
        this.query = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
    }

    /** The authenticated caller; only on signed routes. */
    public Caller caller() {
        if (caller == null) {
            throw new IllegalStateException("not an authenticated route");
        }
        return caller;
    }

    /** The authenticated caller, or null on a public route. */
    public Caller callerOrNull() {
        return caller;
    }

    /** The id of this request (in the server log and the audit log). */
    public String requestId() {
        return requestId;
    }

    /** The route's action, e.g. {@code download}. */
    public String action() {
        return action;
    }

    /** The largest content an upload may name: far above any kind's limit, far below a long's overflow. */
    static final long MAX_NAMED_CONTENT = 1L << 50;
    private static final Pattern SIZE = Pattern.compile("0|[1-9][0-9]{0,15}");

    /**
     * What an upload's signed request says of the package it carries: the content's size ({@code
     * content_size}, bytes in decimal, in the signed query) and the request itself (its nonce), which
     * the package's own signature must name ({@code Sealer.Builder.forRequest}).
     */
    public record NamedUpload(long contentSize, String request) {}

    /**
     * What this upload's request names ({@link NamedUpload}). Only for a request signed without its
     * body ({@link Route#signedPackage}); the pipeline asks first, so a missing or malformed {@code
     * content_size} is refused before the route's target is built.
     */
    public NamedUpload namedContent() throws ApiException {
        if (caller == null || signedBodySm3 != null) {
            throw new IllegalStateException("only an upload's request names its content");
        }
        String size = query("content_size");
        if (size == null) {
            throw new ApiException(ErrorCode.MALFORMED_REQUEST, "an upload names the size of its content: content_size");
        }
        if (!SIZE.matcher(size).matches() || Long.parseLong(size) > MAX_NAMED_CONTENT) {
            throw new ApiException(ErrorCode.MALFORMED_REQUEST, "content_size must be a number of bytes");
        }
        return new NamedUpload(Long.parseLong(size), nonce);
    }

    public String pathParam(int group) {
        return path.group(group);
    }

    public String query(String name) {
        return query.getValue(name);
    }

    /** An integer query parameter, or {@code fallback} when absent; a malformed one is refused. */
    public int queryInt(String name, int fallback) throws ApiException {
        String v = query(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new ApiException(ErrorCode.MALFORMED_REQUEST, name + " is not a number");
        }
    }

    public long declaredLength() {
        return request.getLength();
    }

    /**
     * The body, guarded: more than {@code maxBytes} (never above the configured maximum) or too
     * slow ends in a {@link BodyRefusedException}.
     */
    public InputStream body(long maxBytes) {
        opened = new GuardedBody(Content.Source.asInputStream(request), Math.min(maxBytes, limits.maxBodyBytes()),
                limits.minDataRate(), System::nanoTime);
        return opened;
    }

    /**
     * Before a refusal is answered: what is left of a body the endpoint had begun to read is read and
     * dropped — within the body's own limits (its size, the minimum rate) — so that the client, still
     * sending, finishes and reads the answer; answered while it sends, a client library meets the
     * closed connection on its next write and never reads why (the user saw "connection reset").
     * Not for a body refused as too large or too slow, nor one never begun (an {@code Expect:
     * 100-continue} client has not sent it, and must not be asked to).
     */
    void drainAfter(ErrorCode refusal) {
        if (opened == null || refusal == ErrorCode.BODY_TOO_LARGE || refusal == ErrorCode.REQUEST_TOO_SLOW) {
            return;
        }
        opened.drain();
    }

    /** The largest JSON request body (management requests are small). */
    public static final int MAX_JSON_BODY = 64 * 1024;

    /**
     * The body as a JSON object, after checking that it is exactly what the caller signed
     * (its SM3 equals the signed Content-Digest).
     */
    public JsonNode jsonBody() throws ApiException {
        return jsonBody(MAX_JSON_BODY);
    }

    /** As {@link #jsonBody()}, for a route that takes larger bodies (a campaign file). */
    public JsonNode jsonBody(int maxBytes) throws ApiException {
        if (json == null) {
            json = readJson(maxBytes);
        }
        return json;
    }

    /**
     * The body of a public route as a JSON object, with no request signature to check it against:
     * only for a body that carries its own signature (a key holder's delivered share).
     */
    public JsonNode selfSignedJsonBody() throws ApiException {
        if (caller != null) {
            throw new IllegalStateException("a signed request's body is read with jsonBody()");
        }
        if (json == null) {
            json = readJson(MAX_JSON_BODY, false);
        }
        return json;
    }

    /** Reads the body once: a route's target and its endpoint may both look at it. */
    private JsonNode readJson(int maxBytes) throws ApiException {
        return readJson(maxBytes, true);
    }

    private JsonNode readJson(int maxBytes, boolean signed) throws ApiException {
        byte[] bytes;
        try (InputStream in = body(maxBytes)) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new ApiException(BodyRefusedException.in(e).map(BodyRefusedException::code).orElse(ErrorCode.MALFORMED_REQUEST),
                    "reading a JSON body: " + e.getMessage(), e);
        }
        if (signed && (signedBodySm3 == null || !MessageDigest.isEqual(Sm3.digest(bytes), signedBodySm3))) {
            throw new ApiException(ErrorCode.DIGEST_MISMATCH, "JSON body differs from the signed Content-Digest");
        }
        try {
            JsonNode n = JSON.readTree(bytes);
            if (n == null || !n.isObject()) {
                throw new ApiException(ErrorCode.MALFORMED_REQUEST, "the body is not a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new ApiException(ErrorCode.MALFORMED_REQUEST, "the body is not JSON", e);
        }
    }

    public void json(int status, Map<String, ?> body) throws Exception {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
        Content.Sink.write(response, true, JSON.writeValueAsString(body) + "\n", callback);
    }

    /** Streams a binary body; the callback completes when {@code writer} returns. */
    public void stream(String contentType, long length, BodyWriter writer) throws Exception {
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        if (length >= 0) {
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, length);
        }
        try (OutputStream out = Content.Sink.asOutputStream(response)) {
            writer.write(out);
        }
        callback.succeeded();
    }

    /** Writes a streamed body. */
    @FunctionalInterface
    public interface BodyWriter {
        void write(OutputStream out) throws Exception;
    }

}
