package cn.midang.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who may use a console listening on this computer's loopback address: only the browser of the
 * person who started it. The console's address is printed with a token made for this run; the
 * first request that carries it gets a session cookie (HttpOnly, SameSite=Strict), and every
 * request after needs that cookie. A request naming another host (DNS rebinding: a web page on
 * {@code evil.example} whose name now resolves to 127.0.0.1) or, when it changes anything, coming
 * from another origin (CSRF) is refused before the cookie is even looked at. Another local user who
 * finds the port has neither the token nor a cookie, and gets nothing.
 */
final class LocalAccess {

    /** The session cookie's name. */
    static final String COOKIE = "midang_console";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final int port;
    private final String token;
    private final Set<String> sessions = ConcurrentHashMap.newKeySet();

    LocalAccess(int port, String token) {
        this.port = port;
        this.token = token;
    }

    /** A new random secret of 32 bytes, hex. */
    static String secret() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    String token() {
        return token;
    }

    /** Whether {@code host} (the Host header) names this console: 127.0.0.1, [::1] or localhost with its port. */
    boolean hostAllowed(String host) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("127.0.0.1:" + port) || h.equals("localhost:" + port) || h.equals("[::1]:" + port);
    }

    /**
     * Whether a request with this method may come from {@code origin} (the Origin header, or null):
     * a request that changes something must name this console's own origin; a reading one may have
     * none (a typed address, a bookmark) but not another.
     */
    boolean originAllowed(String method, String origin) {
        boolean changes = !("GET".equals(method) || "HEAD".equals(method));
        if (origin == null) {
            return !changes;
        }
        String o = origin.toLowerCase(Locale.ROOT);
        return o.equals("http://127.0.0.1:" + port) || o.equals("http://localhost:" + port) || o.equals("http://[::1]:" + port);
    }

    /** Whether {@code presented} is this run's token (compared in constant time). */
    boolean tokenMatches(String presented) {
        return presented != null && MessageDigest.isEqual(presented.getBytes(StandardCharsets.US_ASCII),
                token.getBytes(StandardCharsets.US_ASCII));
    }

    /** A new session, for the browser that presented the token. */
    String openSession() {
        String s = secret();
        sessions.add(s);
        return s;
    }

    /** Whether {@code cookie} (the session cookie's value, or null) is one this console gave out. */
    boolean session(String cookie) {
        if (cookie == null) {
            return false;
        }
        for (String s : sessions) {
            if (MessageDigest.isEqual(s.getBytes(StandardCharsets.US_ASCII), cookie.getBytes(StandardCharsets.US_ASCII))) {
                return true;
            }
        }
        return false;
    }

    /** The Set-Cookie value of a session: only this console, never sent by a request that another site starts. */
    static String cookie(String session) {
        return COOKIE + "=" + session + "; Path=/; HttpOnly; SameSite=Strict";
    }
}
