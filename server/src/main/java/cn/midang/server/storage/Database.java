package cn.midang.server.storage;

import cn.midang.server.config.Faults;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * The record store behind a connection pool, migrated to the current schema with Flyway every
 * time it opens. Two engines, one schema: the embedded H2 database (file mode, the default;
 * migrations in {@code db/migration}) and PostgreSQL ({@code database.url}; the same migrations
 * in PostgreSQL's types in {@code db/postgresql}). Every statement the repositories run is standard
 * SQL that both engines take.
 *
 * <p>H2 with {@code WRITE_DELAY=0}: H2's default acknowledges commits up to a second before they
 * are on disk (seen losing acknowledged commits on kill -9); with 0 a commit is durable when it
 * returns. PostgreSQL's commits are durable when they return by default ({@code synchronous_commit}).
 */
public final class Database implements AutoCloseable {

    /** Which engine holds the records. */
    public enum Engine {
        H2, POSTGRESQL
    }

    private final Engine engine;
    private final String url;
    private volatile DataSource pool;

    private Database(Engine engine, String url, DataSource pool) {
        this.engine = engine;
        this.url = url;
        this.pool = pool;
    }

    private static JdbcConnectionPool h2Pool(String url) {
        JdbcConnectionPool pool = JdbcConnectionPool.create(url, "midang", "");
        pool.setMaxConnections(32);
        return pool;
    }

    /** Opens (creating if needed) the embedded database in {@code dir} and migrates it. */
    public static Database open(Path dir) {
        String url = "jdbc:h2:file:" + dir.toAbsolutePath().resolve("midang") + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
        Database db = new Database(Engine.H2, url, h2Pool(url));
        Flyway.configure().dataSource(db.pool).locations("classpath:db/migration").load().migrate();
        return db;
    }

    /**
     * Opens the PostgreSQL database at {@code url} (it must exist; its tables are made by the
     * migrations) and migrates it.
     */
    public static Database postgres(String url, String user, String password) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(32);
        config.setPoolName("midang-records");
        // A database that cannot be reached fails the start at once, with the driver's reason.
        config.setInitializationFailTimeout(1);
        HikariDataSource pool = new HikariDataSource(config);
        try {
            Flyway.configure().dataSource(pool).locations("classpath:db/postgresql").load().migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return new Database(Engine.POSTGRESQL, url, pool);
    }

    public Engine engine() {
        return engine;
    }

    /**
     * Rewrites the stored tables with their live rows only, so that values overwritten or deleted
     * are gone from the files as well: H2's {@code SHUTDOWN COMPACT} (then reopened), PostgreSQL's
     * {@code VACUUM FULL}. For start-up work, before anything else holds a connection.
     */
    public synchronized void compact() throws SQLException {
        if (engine == Engine.POSTGRESQL) {
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                c.setAutoCommit(true); // VACUUM runs outside a transaction
                s.execute("VACUUM FULL");
            }
            return;
        }
        ((JdbcConnectionPool) pool).dispose();
        try (Connection c = DriverManager.getConnection(url, "midang", ""); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN COMPACT");
        }
        pool = h2Pool(url);
    }

    public Connection connection() throws SQLException {
        return Faults.watched(pool.getConnection());
    }

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    public <T> T inTransaction(Work<T> work) throws SQLException {
        try (Connection c = connection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** True when {@code e} is a unique-key violation (SQLSTATE 23505), on either engine. */
    public static boolean isUniqueViolation(SQLException e) {
        return "23505".equals(e.getSQLState());
    }

    /** The next value of sequence {@code name} (a constant of ours, never user input), on {@code c}'s engine. */
    public static long nextValue(Connection c, String name) throws SQLException {
        String sql = "PostgreSQL".equals(c.getMetaData().getDatabaseProductName()) ? "SELECT nextval('" + name + "')"
                : "SELECT NEXT VALUE FOR " + name;
        try (Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * What several server nodes sharing one PostgreSQL database must do one at a time (SPEC §6: the
     * database provides the ordering, not a consensus of our own). Each is a transaction-scoped
     * advisory lock; its number is fixed here and never reused.
     */
    public enum Lock {
        /** Appending to the audit chain and signing its checkpoints: one head across nodes. */
        AUDIT_CHAIN(0x4d49_4441_0001L),
        /** A round of the transparency log: one tree across nodes. */
        TRANSPARENCY_LOG(0x4d49_4441_0002L);

        private final long key;

        Lock(long key) {
            this.key = key;
        }
    }

    /**
     * Takes {@code lock} until {@code c}'s transaction ends (PostgreSQL's
     * {@code pg_advisory_xact_lock}), so that no other node does the same work in between. The
     * embedded database serves one server only, whose callers already hold a lock in memory; there
     * it does nothing.
     */
    public static void lock(Connection c, Lock lock) throws SQLException {
        if (!"PostgreSQL".equals(c.getMetaData().getDatabaseProductName())) {
            return;
        }
        try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            ps.setLong(1, lock.key);
            ps.executeQuery().close();
        }
    }

    /** Work inside a transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    @Override
    public void close() {
        switch (pool) {
            case JdbcConnectionPool h2 -> h2.dispose();
            case HikariDataSource hikari -> hikari.close();
            default -> { }
        }
    }
}
