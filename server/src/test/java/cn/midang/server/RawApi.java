package cn.midang.server;

import cn.midang.keys.digest.Sm3;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.seal.Opened;
import cn.midang.keys.seal.Opener;
import cn.midang.keys.sign.RawSignatures;
import cn.midang.keys.sign.SignedRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Hand-made signed requests for attack tests: everything the real client does, with a hook to
 * break one piece (a header, the date, the digest, the body).
 */
public final class RawApi {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private RawApi() {}

    /**
     * The signed headers for a request, in order; {@code signedBodySm3} null signs it as a sealed
     * package's upload (no Content-Digest: the query names the content's size, see {@link #naming},
     * and the package must have been sealed for {@code nonce}, see {@link #nonceOf}).
     */
    public static Map<String, String> headers(Identity id, Instant date, String method, String path, String query, byte[] signedBodySm3,
            String nonce) throws Exception {
        SignedRequest req = SignedRequest.of(method, path, query, date, nonce, signedBodySm3, id.certificate());
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Date", req.dateHeader());
        h.put("X-Midang-Nonce", req.nonce());
        if (req.digestsBody()) {
            h.put("Content-Digest", req.contentDigestHeader());
        }
        h.put("X-Midang-Certificate", Base64.getEncoder().encodeToString(id.certificate().der()));
        h.put("Signature-Input", req.signatureInputHeader());
        h.put("Signature", SignedRequest.signatureHeader(RawSignatures.sign(id, req.signatureBase())));
        return h;
    }

    static String nonce() {
        byte[] b = new byte[16];
        new java.security.SecureRandom().nextBytes(b);
        return java.util.HexFormat.of().formatHex(b);
    }

    static HttpResponse<String> send(URI base, String method, String path, String query, byte[] body, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path + (query.isEmpty() ? "" : "?" + query)));
        headers.forEach(b::header);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        // As the real client: a refusal on the headers is answered before the body is sent.
        b.expectContinue(body != null && body.length > 0);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A correctly signed upload of {@code body}, with {@code tamper} applied to the headers before sending. */
    static HttpResponse<String> upload(DevServer s, Identity id, String query, byte[] body, Consumer<Map<String, String>> tamper)
            throws Exception {
        Naming named = namingOf(s, query, body);
        Map<String, String> h = headers(id, s.clock.instant(), "POST", "/api/v1/submissions", named.query(), null, named.nonce());
        tamper.accept(h);
        return send(s.uri(), "POST", "/api/v1/submissions", named.query(), body, h);
    }

    /** What the upload of a package names: {@code query} with its content's size, and the nonce it was sealed for. */
    record Naming(String query, String nonce) {}

    /** {@link #naming} and {@link #nonceOf} of {@code body}, the package opened once. */
    static Naming namingOf(DevServer s, String query, byte[] body) {
        Optional<Opened> o = opened(s, body);
        return new Naming(naming(query, o.map(Opened::contentSize).orElse((long) body.length)),
                o.flatMap(Opened::request).orElseGet(RawApi::nonce));
    }

    /**
     * {@code query} with the size of the content the package {@code body} holds named in it, as the
     * real client names it ({@code content_size}): read with the archive's key, the signer not
     * checked. A body that does not open (garbage, another recipient's, tampered) names its own length,
     * so that what the test means it to fail on is what fails.
     */
    static String naming(DevServer s, String query, byte[] body) {
        return namingOf(s, query, body).query();
    }

    /** {@code query} naming {@code contentSize} bytes of content. */
    static String naming(String query, long contentSize) {
        return query + "&content_size=" + contentSize;
    }

    /**
     * The nonce the package {@code body} was sealed for ({@code Sealer.Builder.forRequest}), the one
     * its upload request must carry; a fresh one when it names none or does not open.
     */
    static String nonceOf(DevServer s, byte[] body) {
        return namingOf(s, "", body).nonce();
    }

    private static Optional<Opened> opened(DevServer s, byte[] body) {
        try {
            return Optional.of(Opener.forRecipient(s.deployment.archiveIdentity(), signer -> { })
                    .streamUnverified(new java.io.ByteArrayInputStream(body), java.io.OutputStream.nullOutputStream()));
        } catch (Exception doesNotOpen) {
            return Optional.empty();
        }
    }

    /** A correctly signed request as {@code id} (body null for GET), answered as bytes. */
    static HttpResponse<byte[]> signed(DevServer s, Identity id, String method, String path, String query, byte[] body)
            throws Exception {
        return signedAs(s, id, method, path, query, body);
    }

    /**
     * A request signed as {@code id}, or unsigned when {@code id} is null; a body to
     * /api/v1/submissions is sent as a CMS package, any other body as JSON.
     */
    static HttpResponse<byte[]> signedAs(DevServer s, Identity id, String method, String path, String query, byte[] body)
            throws Exception {
        byte[] payload = body == null ? new byte[0] : body;
        boolean upload = body != null && path.equals("/api/v1/submissions");
        Naming named = upload ? namingOf(s, query, body) : new Naming(query, nonce());
        query = named.query();
        Map<String, String> h = id == null ? new LinkedHashMap<>()
                : headers(id, s.clock.instant(), method, path, query, upload ? null : Sm3.digest(payload), named.nonce());
        if (body != null) {
            h.put("Content-Type", path.equals("/api/v1/submissions") ? "application/cms" : "application/json");
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(s.uri().resolve(path + (query.isEmpty() ? "" : "?" + query)));
        h.forEach(b::header);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        b.expectContinue(body != null && body.length > 0);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /**
     * The JSON body of a signed statement (destruction attestation, lifecycle step): {@code fields}
     * with {@code signer} = {@code id}'s fingerprint, as canonical JSON, raw SM2 by {@code signer}.
     */
    static byte[] signedStatement(Identity id, Map<String, Object> fields) throws Exception {
        Map<String, Object> m = new LinkedHashMap<>(fields);
        m.put("signer", id.certificate().fingerprint());
        byte[] statement = cn.midang.keys.sign.CanonicalJson.encode(m);
        return statementBody(statement, cn.midang.keys.sign.RawSignatures.sign(id, statement));
    }

    /** A statement body from its parts as given (for tampering tests). */
    static byte[] statementBody(byte[] statement, byte[] signature) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(Map.of(
                "statement", java.util.Base64.getEncoder().encodeToString(statement),
                "signature", java.util.Base64.getEncoder().encodeToString(signature)));
    }
}
