package cn.midang.keys.sign;

import cn.midang.keys.KeysException.Reason;
import cn.midang.keys.KeysException;
import cn.midang.keys.pki.Certificate;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a Midang API request signature covers, in the manner of HTTP Message Signatures
 * (RFC 9421): method, path, query, date, a nonce and the body's SM3 digest, signed with the
 * caller's SM2 key (raw signature, standard ID). Client and server build the same signature base
 * from this one class.
 *
 * <p>Headers: {@code Date}, {@code X-Midang-Nonce}, {@code Content-Digest: sm3=:BASE64:} (RFC
 * 9530 syntax; "sm3" is not in its registry), {@code X-Midang-Certificate} (base64 DER),
 * {@code Signature-Input: midang=(...);created=…;keyid="<SM3 fingerprint>";alg="sm2-sm3"} and
 * {@code Signature: midang=:BASE64:}. The signature base is:
 *
 * <pre>
 * "@method": POST
 * "@path": /api/v1/submissions
 * "@query": ?campaign=demo
 * "date": Wed, 25 Nov 2026 02:00:00 GMT
 * "x-midang-nonce": 9f…(32 hex)
 * "content-digest": sm3=:…:
 * "@signature-params": ("@method" "@path" "@query" "date" "x-midang-nonce" "content-digest");created=1795572000;keyid="…";alg="sm2-sm3"
 * </pre>
 *
 * <p>An upload's body is a sealed package, which carries its own signature over its content; its
 * request signs {@link #PACKAGE_COMPONENTS} — no {@code content-digest}, no {@code Content-Digest}
 * header — and names the content's size in its query, which is signed; the package signs the
 * request's nonce ({@code Sealer.Builder.forRequest}). The client can then seal as it sends (it cannot
 * know the package's digest before sealing ends), and the server checks that the opened package was
 * sealed for this request, with content of the size named. Which routes take such a body is the
 * server's to decide; every other request must digest its body.
 */
public record SignedRequest(String method, String path, String query, Instant date, String nonce, byte[] bodySm3,
        String keyId) {

    public static final String COMPONENTS = "(\"@method\" \"@path\" \"@query\" \"date\" \"x-midang-nonce\" \"content-digest\")";
    /** What the request for a sealed package covers: everything but its body, which signs the request's nonce. */
    public static final String PACKAGE_COMPONENTS = "(\"@method\" \"@path\" \"@query\" \"date\" \"x-midang-nonce\")";
    public static final String ALGORITHM = "sm2-sm3";
    public static final String LABEL = "midang";

    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    private static final Pattern NONCE = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern METHOD = Pattern.compile("[A-Z]{1,10}");
    private static final Pattern INPUT = Pattern.compile(
            "midang=(\\([^)]*\\));created=(\\d{1,12});keyid=\"([0-9a-f]{64})\";alg=\"([a-z0-9-]{1,20})\"");
    private static final Pattern SIGNATURE = Pattern.compile("midang=:([A-Za-z0-9+/=]{1,200}):");
    private static final Pattern DIGEST = Pattern.compile("sm3=:([A-Za-z0-9+/=]{44}):");

    public SignedRequest {
        Objects.requireNonNull(method);
        Objects.requireNonNull(path);
        query = query == null ? "" : query;
        date = date.truncatedTo(ChronoUnit.SECONDS);
        bodySm3 = bodySm3 == null ? null : bodySm3.clone();
    }

    /** The SM3 of the body, as signed; null when the signature leaves the body out (a sealed package). */
    @Override
    public byte[] bodySm3() {
        return bodySm3 == null ? null : bodySm3.clone();
    }

    /** True when the signature covers the body's digest; false for a sealed package's upload. */
    public boolean digestsBody() {
        return bodySm3 != null;
    }

    /**
     * The request to sign: {@code signer}'s certificate fingerprint is the key id. {@code bodySm3}
     * null: the body is a sealed package, left out of the signature ({@link #PACKAGE_COMPONENTS}).
     */
    public static SignedRequest of(String method, String path, String query, Instant date, String nonce, byte[] bodySm3,
            Certificate signer) {
        return new SignedRequest(method, path, query, date, nonce, bodySm3, signer.fingerprint());
    }

    public String dateHeader() {
        return HTTP_DATE.format(date);
    }

    /** The {@code Content-Digest} header; null when the body is not digested (then none is sent). */
    public String contentDigestHeader() {
        return bodySm3 == null ? null : "sm3=:" + Base64.getEncoder().encodeToString(bodySm3) + ":";
    }

    public String signatureInputHeader() {
        return LABEL + "=" + params();
    }

    private String params() {
        return (bodySm3 == null ? PACKAGE_COMPONENTS : COMPONENTS) + ";created=" + date.getEpochSecond() + ";keyid=\"" + keyId + "\";alg=\"" + ALGORITHM + "\"";
    }

    /** The exact bytes that are signed. */
    public byte[] signatureBase() {
        String base = "\"@method\": " + method + "\n"
                + "\"@path\": " + path + "\n"
                + "\"@query\": ?" + query + "\n"
                + "\"date\": " + dateHeader() + "\n"
                + "\"x-midang-nonce\": " + nonce + "\n"
                + (bodySm3 == null ? "" : "\"content-digest\": " + contentDigestHeader() + "\n")
                + "\"@signature-params\": " + params();
        return base.getBytes(StandardCharsets.UTF_8);
    }

    public static String signatureHeader(byte[] signature) {
        return LABEL + "=:" + Base64.getEncoder().encodeToString(signature) + ":";
    }

    /**
     * Rebuilds what a client signed from the headers it sent, refusing anything that is not
     * exactly Midang's form. The body digest is the one the client claims; the server compares it
     * with the body it actually received. A request signed over {@link #PACKAGE_COMPONENTS} must
     * send no {@code Content-Digest}; its body digest is null.
     */
    public static SignedRequest fromHeaders(String method, String path, String query, String date, String nonce,
            String contentDigest, String signatureInput) throws KeysException {
        if (method == null || !METHOD.matcher(method).matches()) {
            throw new KeysException(Reason.MALFORMED, "the request method is not valid");
        }
        if (date == null || nonce == null || signatureInput == null) {
            throw new KeysException(Reason.MALFORMED, "the request is not signed: it needs Date, X-Midang-Nonce, "
                    + "Content-Digest (but for a sealed package), Signature-Input, Signature and X-Midang-Certificate headers");
        }
        Instant when;
        try {
            when = Instant.from(HTTP_DATE.parse(date));
        } catch (DateTimeParseException e) {
            throw new KeysException(Reason.MALFORMED, "the Date header is not an HTTP date", e);
        }
        if (!NONCE.matcher(nonce).matches()) {
            throw new KeysException(Reason.MALFORMED, "X-Midang-Nonce must be 32 lower-case hex digits");
        }
        Matcher in = INPUT.matcher(signatureInput);
        if (!in.matches() || !(in.group(1).equals(COMPONENTS) || in.group(1).equals(PACKAGE_COMPONENTS))
                || !in.group(4).equals(ALGORITHM)) {
            throw new KeysException(Reason.MALFORMED, "Signature-Input must cover " + COMPONENTS + " (or, for a sealed package, "
                    + PACKAGE_COMPONENTS + ") with alg \"" + ALGORITHM + "\"");
        }
        if (Long.parseLong(in.group(2)) != when.getEpochSecond()) {
            throw new KeysException(Reason.MALFORMED, "Signature-Input's created does not match the Date header");
        }
        byte[] bodySm3 = null;
        if (in.group(1).equals(COMPONENTS)) {
            Matcher d = contentDigest == null ? null : DIGEST.matcher(contentDigest);
            if (d == null || !d.matches()) {
                throw new KeysException(Reason.MALFORMED, "Content-Digest must be sm3=:BASE64: of the body");
            }
            bodySm3 = Base64.getDecoder().decode(d.group(1));
        } else if (contentDigest != null) {
            throw new KeysException(Reason.MALFORMED, "a Content-Digest the signature does not cover: sign "
                    + COMPONENTS + " or send no Content-Digest");
        }
        return new SignedRequest(method, path, query, when, nonce, bodySm3, in.group(3));
    }

    /** The raw signature carried in a {@code Signature} header. */
    public static byte[] parseSignatureHeader(String header) throws KeysException {
        Matcher m = header == null ? null : SIGNATURE.matcher(header);
        if (m == null || !m.matches()) {
            throw new KeysException(Reason.MALFORMED, "the Signature header must be midang=:BASE64:");
        }
        return Base64.getDecoder().decode(m.group(1));
    }

    /** Checks the signature against {@code signer}, whose fingerprint must be the key id. */
    public void verify(Certificate signer, byte[] signature) throws KeysException {
        if (!signer.fingerprint().equals(keyId)) {
            throw new KeysException(Reason.MISMATCH, "the Signature-Input key id is not the fingerprint of the certificate sent");
        }
        RawSignatures.verify(signer, signature, signatureBase());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SignedRequest r && method.equals(r.method) && path.equals(r.path) && query.equals(r.query)
                && date.equals(r.date) && nonce.equals(r.nonce) && Arrays.equals(bodySm3, r.bodySm3)
                && keyId.equals(r.keyId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(method, path, query, date, nonce, Arrays.hashCode(bodySm3), keyId);
    }

    @Override
    public String toString() {
        return method + " " + path + (query.isEmpty() ? "" : "?" + query) + " by " + keyId.substring(0, 12).toLowerCase(Locale.ROOT);
    }
}
