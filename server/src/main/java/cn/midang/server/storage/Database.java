package cn.midang.server.storage;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * The embedded H2 database (file mode) behind a connection pool, migrated to the current schema
 * with Flyway ({@code db/migration/V*.sql}) every time it opens.
 *
 * <p>{@code WRITE_DELAY=0}: H2's default acknowledges commits up to a second before they are on
 * disk (seen losing acknowledged commits on kill -9); with 0 a commit is durable when it returns.
 * The record store is behind this class and the repositories, so PostgreSQL can replace it.
 */
public final class Database implements AutoCloseable {

    private final String url;
    private volatile JdbcConnectionPool pool;

    private Database(String url) {
        this.url = url;
        this.pool = pool(url);
    }

    private static JdbcConnectionPool pool(String url) {
        JdbcConnectionPool pool = JdbcConnectionPool.create(url, "midang", "");
        pool.setMaxConnections(32);
        return pool;
    }

    /** Opens (creating if needed) the database in {@code dir} and migrates it. */
    public static Database open(Path dir) {
        Database db = new Database("jdbc:h2:file:" + dir.toAbsolutePath().resolve("midang") + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE");
        Flyway.configure().dataSource(db.pool).locations("classpath:db/migration").load().migrate();
        return db;
    }

    /**
     * Rewrites the database file with its live data only (H2's {@code SHUTDOWN COMPACT}), so that
     * values overwritten or deleted are gone from the file as well, and reopens it. For start-up
     * work, before anything else holds a connection.
     */
    public synchronized void compact() throws SQLException {
        pool.dispose();
        try (Connection c = DriverManager.getConnection(url, "midang", ""); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN COMPACT");
        }
        pool = pool(url);
    }

    public Connection connection() throws SQLException {
        return pool.getConnection();
    }

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    public <T> T inTransaction(Work<T> work) throws SQLException {
        try (Connection c = pool.getConnection()) {
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

    /** Work inside a transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    @Override
    public void close() {
        pool.dispose();
    }
}
