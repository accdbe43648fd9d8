package cn.midang.server.http;

import cn.midang.server.access.Action;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One endpoint: method, path pattern, what it does (named for the policy and the audit log),
 * whether the caller must be authenticated, and its handler. Routes are data: {@code Api} keeps
 * them in one table that tests can enumerate.
 */
public record Route(String method, String template, Pattern path, Action action, boolean authenticated, Endpoint endpoint) {

    /** Handles one matched request. */
    @FunctionalInterface
    public interface Endpoint {
        void handle(Exchange exchange) throws Exception;
    }

    /** A route anyone may call. {@code template} is the OpenAPI path, e.g. {@code /healthz}. */
    public static Route publicRoute(String method, String template, Action action, Endpoint e) {
        return new Route(method, template, compile(template), action, false, e);
    }

    /** A route for signed requests only. {@code {name}} in the template matches one path segment. */
    public static Route signed(String method, String template, Action action, Endpoint e) {
        return new Route(method, template, compile(template), action, true, e);
    }

    private static Pattern compile(String template) {
        return Pattern.compile(Pattern.quote(template).replaceAll("\\{[a-z_]+\\}", "\\\\E([^/]+)\\\\Q"));
    }

    Matcher match(String p) {
        return path.matcher(p);
    }
}
