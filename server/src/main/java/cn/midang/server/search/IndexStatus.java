package cn.midang.server.search;

import cn.midang.server.extract.IndexNote;
import cn.midang.server.storage.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether each submission is in this node's index, and if not why: the {@code index_status}
 * records of one node ({@code node.name}). Several nodes sharing one database each have their own
 * index and their own statuses; a submission without a status of this node's is one its index has
 * yet to take in ({@link #pending()}).
 */
public final class IndexStatus {

    public static final String INDEXED = "indexed";
    public static final String NOT_INDEXED = "not_indexed";

    private final Database db;
    private final String node;

    /** The statuses of the only server of a deployment (node {@code local}). */
    public IndexStatus(Database db) {
        this(db, cn.midang.server.config.ServerConfig.SOLE_NODE);
    }

    public IndexStatus(Database db, String node) {
        this.db = db;
        this.node = node;
    }

    /** One submission's state; {@code recognisedPages}: the pages its text was recognised from (OCR), 0 for typed text. */
    public record Entry(String submission, String state, String reason, String mediaType, boolean truncated, Instant at,
            int recognisedPages) {

        public Entry(String submission, String state, String reason, String mediaType, boolean truncated, Instant at) {
            this(submission, state, reason, mediaType, truncated, at, 0);
        }
    }

    public void record(String submission, String state, String reason, String mediaType, boolean truncated, Instant now)
            throws SQLException {
        recordAll(List.of(new Entry(submission, state, reason, mediaType, truncated, now)));
    }

    /** Records several states in one transaction. */
    public void recordAll(List<Entry> entries) throws SQLException {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("MERGE INTO index_status t USING (VALUES (?, ?, ?, ?, CAST(? AS BOOLEAN), CAST(? AS TIMESTAMP WITH TIME ZONE), "
                    + "CAST(? AS INT), ?)) "
                    + "AS v (submission_id, state, reason, media_type, truncated, updated_at, recognised_pages, node) "
                    + "ON t.submission_id = v.submission_id AND t.node = v.node "
                    + "WHEN MATCHED THEN UPDATE SET state = v.state, reason = v.reason, media_type = v.media_type, "
                    + "truncated = v.truncated, updated_at = v.updated_at, recognised_pages = v.recognised_pages "
                    + "WHEN NOT MATCHED THEN INSERT (submission_id, state, reason, media_type, truncated, updated_at, recognised_pages, node) "
                    + "VALUES (v.submission_id, v.state, v.reason, v.media_type, v.truncated, v.updated_at, v.recognised_pages, v.node)")) {
                for (Entry e : entries) {
                    ps.setString(1, e.submission());
                    ps.setString(2, e.state());
                    ps.setString(3, e.reason().length() > 512 ? e.reason().substring(0, 511) + "…" : e.reason());
                    ps.setString(4, e.mediaType().length() > 128 ? e.mediaType().substring(0, 128) : e.mediaType());
                    ps.setBoolean(5, e.truncated());
                    ps.setTimestamp(6, Timestamp.from(e.at()));
                    ps.setInt(7, e.recognisedPages());
                    ps.setString(8, node);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    /**
     * Submissions with no status of this node's yet (received while its indexer was stopped, or
     * through another node), oldest first.
     */
    public List<String> pending() throws SQLException {
        return pending(0);
    }

    /**
     * As {@link #pending()}, among the latest {@code window} receipts only (by the receipt
     * sequence, which is indexed): what another node received a moment ago, found without reading
     * every submission.
     */
    public List<String> recentlyPending(int window) throws SQLException {
        return pending(window);
    }

    /** Pending among the latest {@code window} receipts; 0: among all. */
    private List<String> pending(int window) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement("SELECT s.id FROM submissions s LEFT JOIN index_status i "
                        + "ON i.submission_id = s.id AND i.node = ? WHERE i.submission_id IS NULL"
                        + (window > 0 ? " AND s.sequence > (SELECT COALESCE(MAX(sequence), 0) FROM submissions) - ?" : "")
                        + " ORDER BY s.sequence")) {
            ps.setString(1, node);
            if (window > 0) {
                ps.setInt(2, window);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /** Submissions waiting for their pages to be recognised (a restart stopped it), oldest first. */
    public List<String> awaitingRecognition() throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement("SELECT s.id FROM submissions s JOIN index_status i ON i.submission_id = s.id "
                        + "WHERE i.node = ? AND i.reason = ? ORDER BY s.sequence")) {
            ps.setString(1, node);
            ps.setString(2, IndexNote.RECOGNITION_PENDING.code());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /** Forgets every status of this node (before a rebuild of its index). */
    public void clear() throws SQLException {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM index_status WHERE node = ?")) {
                ps.setString(1, node);
                ps.executeUpdate();
            }
            return null;
        });
    }
}
