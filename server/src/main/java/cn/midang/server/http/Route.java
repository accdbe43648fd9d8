package cn.midang.server.http;

import cn.midang.server.access.Action;
import cn.midang.server.access.Grant;
import cn.midang.server.access.Guard;
import cn.midang.server.access.Target;
import cn.midang.server.refusal.ApiException;
import cn.midang.server.refusal.ErrorCode;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One endpoint: method, path pattern, the {@link Action} it performs, how to name its
 * {@link Target} from the request, and the endpoint itself. Routes are data: {@link Api} keeps them
 * in one table that tests enumerate.
 *
 * <p>The pipeline decides, the endpoint only acts (Vault's request handling is the model):
 * {@link Api} authenticates the caller, builds the target, asks the {@link Guard} (which records the
 * decision), and only then calls the endpoint with the {@link Grant}. An endpoint's type takes that
 * grant, and only the guard makes one, so no endpoint can run undecided. A route whose target does
 * not match its action's, or that has no action, cannot be made: the route table is built at start
 * and the server does not start.
 */
public final class Route {

    /** Handles one request that the guard allowed. */
    @FunctionalInterface
    public interface Endpoint<T extends Target> {
        void handle(Exchange exchange, Grant<T> grant) throws Exception;
    }

    /** Builds a target of {@code type} from a request (looking up what it names, checking its parameters). */
    public record Targeting<T extends Target>(Class<T> type, Builder<T> builder) {
        public Targeting {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(builder, "builder");
        }

        /** The step that reads the request. */
        @FunctionalInterface
        public interface Builder<T extends Target> {
            T target(Exchange exchange) throws Exception;
        }

        public static <T extends Target> Targeting<T> of(Class<T> type, Builder<T> builder) {
            return new Targeting<>(type, builder);
        }
    }

    /** The target of actions about nothing in particular (health, whoami, listings scoped by the policy). */
    public static final Targeting<Target.None> NO_TARGET = Targeting.of(Target.None.class, ex -> Target.NONE);

    private final String method;
    private final String template;
    private final Pattern path;
    private final Action action;
    private final boolean authenticated;
    private final boolean takesPackage;
    private final Bound<?> bound;

    private Route(String method, String template, Action action, boolean authenticated, Bound<?> bound) {
        this(method, template, action, authenticated, false, bound);
    }

    private Route(String method, String template, Action action, boolean authenticated, boolean takesPackage, Bound<?> bound) {
        this.method = Objects.requireNonNull(method, "method");
        this.template = Objects.requireNonNull(template, "template");
        this.action = Objects.requireNonNull(action, "every route names its action");
        this.path = compile(template);
        this.authenticated = authenticated;
        this.takesPackage = takesPackage;
        this.bound = bound;
        if (bound.targeting().type() != action.target()) {
            throw new IllegalArgumentException(method + " " + template + ": " + action.label() + " is decided on a "
                    + action.target().getSimpleName() + ", the route builds a " + bound.targeting().type().getSimpleName());
        }
    }

    /** A route anyone may call; its action must be about nothing in particular. {@code template} is the OpenAPI path. */
    public static Route publicRoute(String method, String template, Action action, Endpoint<Target.None> e) {
        return new Route(method, template, action, false, new Bound<>(NO_TARGET, Objects.requireNonNull(e)));
    }

    /** A route for signed requests about nothing in particular. {@code {name}} in the template matches one path segment, {@code {name*}} at its end the rest of the path. */
    public static Route signed(String method, String template, Action action, Endpoint<Target.None> e) {
        return signed(method, template, action, NO_TARGET, e);
    }

    /** A route for signed requests about the target {@code targeting} builds. */
    public static <T extends Target> Route signed(String method, String template, Action action, Targeting<T> targeting,
            Endpoint<T> e) {
        return new Route(method, template, action, true, new Bound<>(Objects.requireNonNull(targeting, "targeting"),
                Objects.requireNonNull(e, "endpoint")));
    }

    /**
     * A route for signed uploads of a sealed package about the target {@code targeting} builds. Its
     * request leaves the body out of its signature and names the content's size ({@code content_size});
     * the package, which authenticates itself, signs the request's nonce. {@link Exchange#namedContent()}
     * is what the request named, and the endpoint accepts only a package sealed for this request with
     * content of that size. Every other route refuses a request that leaves its body out of the signature.
     */
    public static <T extends Target> Route signedPackage(String method, String template, Action action, Targeting<T> targeting,
            Endpoint<T> e) {
        return new Route(method, template, action, true, true, new Bound<>(Objects.requireNonNull(targeting, "targeting"),
                Objects.requireNonNull(e, "endpoint")));
    }

    public String method() {
        return method;
    }

    /** The OpenAPI path, e.g. {@code /api/v1/submissions/{id}}. */
    public String template() {
        return template;
    }

    public Action action() {
        return action;
    }

    public boolean authenticated() {
        return authenticated;
    }

    /** True when the body is a sealed package whose content the signed query names ({@link #signedPackage}). */
    public boolean takesPackage() {
        return takesPackage;
    }

    Matcher match(String p) {
        return path.matcher(p);
    }

    /** Builds the target, has the guard decide, and runs the endpoint with the grant. */
    void run(Exchange exchange, Guard guard) throws Exception {
        bound.run(exchange, guard, action);
    }

    private record Bound<T extends Target>(Targeting<T> targeting, Endpoint<T> endpoint) {
        void run(Exchange exchange, Guard guard, Action action) throws Exception {
            T target = targeting.builder().target(exchange);
            if (!targeting.type().isInstance(target)) {
                throw new ApiException(ErrorCode.INTERNAL, "route built no " + targeting.type().getSimpleName());
            }
            Grant<T> grant = guard.check(exchange.requestId(), exchange.callerOrNull(), action, target);
            endpoint.handle(exchange, grant);
        }
    }

    private static Pattern compile(String template) {
        // {name} matches one path segment; {name*}, last in a template, the rest of the path (a tile's C2SP path)
        return Pattern.compile(Pattern.quote(template).replaceAll("\\{[a-z_]+\\*\\}", "\\\\E([^?]+)\\\\Q")
                .replaceAll("\\{[a-z_]+\\}", "\\\\E([^/]+)\\\\Q"));
    }

    @Override
    public String toString() {
        return method + " " + template + " (" + action.label() + ")";
    }
}
