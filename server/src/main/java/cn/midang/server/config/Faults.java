package cn.midang.server.config;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;

/**
 * Injected I/O faults for the fault campaign ({@code FaultInjectionIT}, issue 19): every write the
 * server makes on the path of a request — a file write, an fsync, a rename, a folder's fsync, a
 * database statement or commit, an audit append, an index commit — first passes
 * {@link #before(Op)}, where a test's {@link Injector} may fail it with an {@link IOException}, as
 * the disk or the database would. SQLite's fault injection at every I/O call is the model.
 *
 * <p>Only a JVM started with {@code -Dmidang.fault-injection=true} takes an injector; a deployment
 * never sets it, so the check is a constant {@code false} the JIT removes, database connections are
 * not wrapped, and {@link #inject} refuses (like {@link CrashPoint}).
 */
public final class Faults {

    /** The kinds of I/O operation a fault can be injected into. */
    public enum Op {
        FILE_WRITE, FSYNC, RENAME, DIRECTORY_FSYNC, DB_STATEMENT, AUDIT_APPEND, INDEX_COMMIT
    }

    /** Decides, before each operation, whether it fails. */
    @FunctionalInterface
    public interface Injector {
        void before(Op op) throws IOException;
    }

    private static final boolean ARMED = Boolean.getBoolean("midang.fault-injection");
    private static volatile Injector injector;

    private Faults() {}

    /** Installs {@code i} (null: none) for this JVM; refused unless it runs with {@code -Dmidang.fault-injection=true}. */
    public static void inject(Injector i) {
        if (!ARMED) {
            throw new IllegalStateException("faults are injected only in a JVM started with -Dmidang.fault-injection=true");
        }
        injector = i;
    }

    /** Called before each operation of kind {@code op}: throws when the injector fails it. */
    public static void before(Op op) throws IOException {
        if (ARMED) {
            Injector i = injector;
            if (i != null) {
                i.before(op);
            }
        }
    }

    /** {@code out}, whose every write first passes {@link #before(Op) before(FILE_WRITE)}. */
    public static OutputStream watched(OutputStream out) {
        if (!ARMED) {
            return out;
        }
        return new FilterOutputStream(out) {
            @Override
            public void write(int b) throws IOException {
                before(Op.FILE_WRITE);
                out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                before(Op.FILE_WRITE);
                out.write(b, off, len);
            }
        };
    }

    private static final Set<String> EXECUTES = Set.of("execute", "executeQuery", "executeUpdate", "executeBatch",
            "executeLargeUpdate", "executeLargeBatch");

    /** {@code c}, whose statements' executions and commits first pass {@link #before(Op) before(DB_STATEMENT)}. */
    public static Connection watched(Connection c) {
        if (!ARMED) {
            return c;
        }
        return proxy(Connection.class, c, (m, args) -> {
            if (m.getName().equals("commit")) {
                fail();
            }
        });
    }

    private static void fail() throws SQLException {
        try {
            before(Op.DB_STATEMENT);
        } catch (IOException e) {
            throw new SQLException("injected fault: " + e.getMessage(), "08006", e);
        }
    }

    @FunctionalInterface
    private interface Check {
        void run(Method m, Object[] args) throws SQLException;
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, T target, Check check) {
        InvocationHandler h = (p, m, args) -> {
            check.run(m, args);
            Object result;
            try {
                result = m.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            // Statements made by a watched connection are watched too.
            if (result instanceof Statement s && !(result instanceof Proxy)) {
                Class<? extends Statement> kind = m.getReturnType().asSubclass(Statement.class);
                return proxy((Class<Statement>) kind, s, (sm, sargs) -> {
                    if (EXECUTES.contains(sm.getName())) {
                        fail();
                    }
                });
            }
            return result;
        };
        return (T) Proxy.newProxyInstance(Faults.class.getClassLoader(), new Class<?>[] {type}, h);
    }
}
