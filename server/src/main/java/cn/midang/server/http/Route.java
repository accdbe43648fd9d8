package cn.midang.server.http;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One endpoint: method, path pattern, what it does (named for the policy and the audit log),
 * whether the caller must be authenticated, and its handler. Routes are data: {@code Api} keeps
 * them in one table that tests can enumerate.
 */
public record Route(String method, Pattern path, String action, boolean authenticated, Endpoint endpoint) {

    /** Handles one matched request. */
    @FunctionalInterface
    public interface Endpoint {
        void handle(Exchange exchange) throws Exception;
    }

    public static Route publicRoute(String method, String path, String action, Endpoint e) {
        return new Route(method, Pattern.compile(path), action, false, e);
    }

    public static Route signed(String method, String path, String action, Endpoint e) {
        return new Route(method, Pattern.compile(path), action, true, e);
    }

    Matcher match(String p) {
        return path.matcher(p);
    }
}
