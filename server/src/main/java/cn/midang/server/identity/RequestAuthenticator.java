package cn.midang.server.identity;

import cn.midang.keys.KeysException;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.ChainValidator;
import cn.midang.keys.sign.SignedRequest;
import cn.midang.server.refusal.ApiException;
import cn.midang.server.refusal.ErrorCode;
import cn.midang.server.storage.Database;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.function.Function;

/**
 * Authenticates a signed request from its headers: the signature over method, path, query,
 * date, nonce and claimed body digest; the certificate's chain, validity and revocation now;
 * freshness; a nonce never seen before; and an account for the certificate. No sessions.
 *
 * <p>The body digest is only claimed here; the caller of this class compares it with the body
 * actually received before anything is kept.
 */
public final class RequestAuthenticator {

    private final Database db;
    private final Accounts accounts;
    private final ValidatorSource validators;
    private final Clock clock;
    private final Duration maxSkew;

    /** Supplies the current validator (CA + CRL as on disk now). */
    @FunctionalInterface
    public interface ValidatorSource {
        ChainValidator get() throws KeysException;
    }

    public RequestAuthenticator(Database db, Accounts accounts, ValidatorSource validators, Clock clock, Duration maxSkew) {
        this.db = db;
        this.accounts = accounts;
        this.validators = validators;
        this.clock = clock;
        this.maxSkew = maxSkew;
    }

    /** What was authenticated, with the body digest the caller signed. */
    public record Authenticated(Caller caller, SignedRequest request) {}

    /**
     * Authenticates the request; a refusal names the certificate the request presented (if it
     * parses), for the audit record of a request that was not authenticated.
     */
    public Authenticated authenticate(String method, String path, String query, Function<String, String> header)
            throws ApiException {
        try {
            return check(method, path, query, header);
        } catch (ApiException e) {
            throw e.presentedBy(presentedFingerprint(header.apply("X-Midang-Certificate")));
        }
    }

    private Authenticated check(String method, String path, String query, Function<String, String> header)
            throws ApiException {
        String certHeader = header.apply("X-Midang-Certificate");
        String signatureHeader = header.apply("Signature");
        if (certHeader == null && signatureHeader == null && header.apply("Signature-Input") == null) {
            throw new ApiException(ErrorCode.UNSIGNED_REQUEST, "no signature headers");
        }
        SignedRequest request;
        byte[] signature;
        Certificate cert;
        try {
            request = SignedRequest.fromHeaders(method, path, query, header.apply("Date"), header.apply("X-Midang-Nonce"),
                    header.apply("Content-Digest"), header.apply("Signature-Input"));
            signature = SignedRequest.parseSignatureHeader(signatureHeader);
            if (certHeader == null || certHeader.length() > 8192) {
                throw new ApiException(ErrorCode.MALFORMED_SIGNATURE, "missing or oversized X-Midang-Certificate");
            }
            cert = Certificate.parse(Base64.getDecoder().decode(certHeader));
        } catch (KeysException | IllegalArgumentException e) {
            throw new ApiException(ErrorCode.MALFORMED_SIGNATURE, e.getMessage(), e);
        }
        return authenticated(request, signature, cert);
    }

    /** The checks after the certificate was read. */
    private Authenticated authenticated(SignedRequest request, byte[] signature, Certificate cert) throws ApiException {
        try {
            request.verify(cert, signature);
        } catch (KeysException e) {
            throw new ApiException(ErrorCode.BAD_SIGNATURE, e.getMessage(), e);
        }
        Instant now = clock.instant();
        if (Duration.between(request.date(), now).abs().compareTo(maxSkew) > 0) {
            throw new ApiException(ErrorCode.STALE_REQUEST, "request date " + request.date() + ", server time " + now);
        }
        try {
            validators.get().validateAt(cert, now);
        } catch (KeysException e) {
            throw new ApiException(switch (e.reason()) {
                case EXPIRED, NOT_YET_VALID -> ErrorCode.CERTIFICATE_EXPIRED;
                case REVOKED -> ErrorCode.CERTIFICATE_REVOKED;
                default -> ErrorCode.UNTRUSTED_CERTIFICATE;
            }, e.getMessage(), e);
        }
        Account account;
        try {
            Accounts.Enrolment e = accounts.byCertificate(cert.fingerprint())
                    .orElseThrow(() -> new ApiException(ErrorCode.UNKNOWN_ACCOUNT, "no account for " + cert.subject()));
            if (e.disabled()) {
                throw new ApiException(ErrorCode.ACCOUNT_DISABLED, "account " + e.account().fingerprint() + " disabled at " + e.disabledAt());
            }
            if (e.replaced()) {
                throw new ApiException(ErrorCode.CERTIFICATE_REPLACED, "certificate " + cert.serialHex() + " replaced at " + e.replacedAt());
            }
            account = e.account();
            rememberNonce(request.nonce(), now);
        } catch (SQLException e) {
            throw new ApiException(ErrorCode.INTERNAL, "account or nonce lookup failed", e);
        }
        return new Authenticated(new Caller(account, cert), request);
    }

    /**
     * The SM3 fingerprint of the certificate a request presents in {@code X-Midang-Certificate}, or
     * null when there is none that parses: only for the audit record of a request refused before
     * it was authenticated.
     */
    public static String presentedFingerprint(String certificateHeader) {
        if (certificateHeader == null || certificateHeader.length() > 8192) {
            return null;
        }
        try {
            return Certificate.parse(Base64.getDecoder().decode(certificateHeader.strip())).fingerprint();
        } catch (KeysException | IllegalArgumentException e) {
            return null;
        }
    }

    private void rememberNonce(String nonce, Instant now) throws SQLException, ApiException {
        try {
            db.inTransaction(c -> {
                try (PreparedStatement del = c.prepareStatement("DELETE FROM request_nonces WHERE seen_at < ?")) {
                    del.setTimestamp(1, Timestamp.from(now.minus(maxSkew.multipliedBy(2))));
                    del.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO request_nonces (nonce, seen_at) VALUES (?, ?)")) {
                    ps.setString(1, nonce);
                    ps.setTimestamp(2, Timestamp.from(now));
                    ps.executeUpdate();
                }
                return null;
            });
        } catch (SQLException e) {
            if (!cn.midang.server.storage.Database.isUniqueViolation(e)) {
                throw e;
            }
            throw new ApiException(ErrorCode.REPLAYED_REQUEST, "nonce " + nonce + " seen before", e);
        }
    }
}
