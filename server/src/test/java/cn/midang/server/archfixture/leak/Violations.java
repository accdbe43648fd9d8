package cn.midang.server.archfixture.leak;

import cn.midang.server.access.Action;
import cn.midang.server.access.Guard;
import cn.midang.server.access.Target;
import cn.midang.server.archive.FileBlobStore;
import cn.midang.server.deploy.Deployment;
import cn.midang.server.http.Exchange;
import java.nio.file.Path;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Deliberate violations, one per architecture rule, that {@code ArchitectureTest} must find: never
 * called, only read as class files. Each shows what a careless change would look like.
 */
public final class Violations {

    private Violations() {}

    /** Uses the archive's private key outside the barrier. */
    static Object archiveKey(Deployment d) {
        return d.archiveIdentity();
    }

    /** Reads the blob store outside the barrier. */
    static Object blobs(Path p) throws Exception {
        return new FileBlobStore(p).names();
    }

    /** Reaches into the crypto library's internals. */
    static Object internals() {
        return cn.midang.keys.internal.Access.pki();
    }

    /** Decides outside the pipeline: an endpoint asking the guard itself. */
    static Object decidesItself(Guard guard) throws Exception {
        return guard.check("request", null, Action.HEALTH, Target.NONE);
    }

    /** A policy that looks at the transport. */
    public static final class TransportPolicy {
        static boolean decide(Exchange ex) {
            return ex.query("admin") != null;
        }
    }

    /** A service reading the request itself instead of taking a typed command. */
    public static final class RequestReadingService {
        static String unit(Exchange ex) {
            return ex.query("unit");
        }
    }

    /** An endpoint served beside the pipeline: no route, no action, no decision. */
    public static final class SideDoor extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            callback.succeeded();
            return true;
        }
    }
}
