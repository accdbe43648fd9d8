package cn.midang.server.submission;

import cn.midang.forms.Receipt;
import cn.midang.keys.KeysException;
import cn.midang.keys.seal.RecordCipher;
import cn.midang.server.storage.Database;
import java.nio.charset.StandardCharsets;
import cn.midang.keys.tlog.LogEntry;
import cn.midang.server.tlog.TransparencyLog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The submission records. The file name and the receipt (which carries it) are kept encrypted
 * with the deployment's record key, bound to the submission id and column (D38); the rest of a
 * record (ids, unit, kind, sizes, digests, times) is what the access checks and listings query.
 */
public final class Submissions {

    private final Database db;
    private final String indexNode;
    private final RecordCipher cipher;

    /** The records of the only server of a deployment (its index statuses are node {@code local}'s). */
    public Submissions(Database db, RecordCipher cipher) {
        this(db, cipher, cn.midang.server.config.ServerConfig.SOLE_NODE);
    }

    /** The records as node {@code indexNode} lists them: with the index statuses of its own search index. */
    public Submissions(Database db, RecordCipher cipher, String indexNode) {
        this.db = db;
        this.cipher = cipher;
        this.indexNode = indexNode;
    }

    private static String context(String id, String column) {
        return "submissions/" + id + "/" + column;
    }

    private byte[] seal(String id, String column, byte[] value) {
        return cipher.encrypt(value, context(id, column));
    }

    private byte[] open(String id, String column, byte[] value) throws SQLException {
        try {
            return cipher.decrypt(value, context(id, column));
        } catch (KeysException e) {
            throw new SQLException("the " + column + " of submission " + id + " does not decrypt with this deployment's record key", e);
        }
    }

    private StoredSubmission stored(ResultSet rs) throws SQLException {
        String id = rs.getString(1);
        return new StoredSubmission(id, rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                rs.getLong(7), open(id, "receipt", rs.getBytes(8)), rs.getBytes(9));
    }

    /**
     * Seals the file names and receipts of rows written before they were kept encrypted (V8) and
     * clears their plaintext columns, a thousand rows per transaction (an interrupted run goes on
     * where it stopped at the next start); returns how many rows it sealed.
     */
    /** Whether any submission's values are sealed with a record key already. */
    public static boolean anySealed(Database db) throws SQLException {
        try (Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement("SELECT 1 FROM submissions WHERE sealed_receipt IS NOT NULL LIMIT 1");
                ResultSet rs = ps.executeQuery()) {
            return rs.next();
        }
    }

    public int sealPlaintextRows() throws SQLException {
        record Plain(String id, String fileName, byte[] receipt) {}
        int total = 0;
        while (true) {
            int sealed = db.inTransaction(c -> {
                List<Plain> rows = new ArrayList<>();
                try (PreparedStatement sel = c.prepareStatement("SELECT id, file_name, receipt FROM submissions "
                        + "WHERE file_name IS NOT NULL OR receipt IS NOT NULL ORDER BY sequence LIMIT 1000");
                        ResultSet rs = sel.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new Plain(rs.getString(1), rs.getString(2), rs.getBytes(3)));
                    }
                }
                try (PreparedStatement upd = c.prepareStatement("UPDATE submissions SET sealed_file_name = ?, sealed_receipt = ?, "
                        + "file_name = NULL, receipt = NULL WHERE id = ?")) {
                    for (Plain p : rows) {
                        upd.setBytes(1, seal(p.id(), "file_name", p.fileName().getBytes(StandardCharsets.UTF_8)));
                        upd.setBytes(2, seal(p.id(), "receipt", p.receipt()));
                        upd.setString(3, p.id());
                        upd.executeUpdate();
                    }
                }
                return rows.size();
            });
            if (sealed == 0) {
                return total;
            }
            total += sealed;
        }
    }

    /** Signs receipts inside the recording transaction. */
    @FunctionalInterface
    public interface ReceiptSigner {
        byte[] sign(byte[] canonical);
    }

    /** What {@link #record} needs besides the sequence number, which it draws. */
    /** Where a submission belongs: campaign, unit ("" for the server's own documents), kind, and optionally an area and the finding it answers. */
    public record Placement(String campaign, String unit, Kind kind, String area, String finding) {}

    /** What is stored: the file as its package names it, and the package in the archive. */
    public record Content(String fileName, long size, String contentSm3, long packageSize, String blobName) {}

    /** A submission about to be recorded (its receipt is made and signed when it is). */
    public record Pending(String id, Placement placement, Content content, String submitterFingerprint,
            String serverFingerprint, Instant receivedAt, boolean late) {
        String campaign() {
            return placement.campaign();
        }

        String unit() {
            return placement.unit();
        }

        String kind() {
            return placement.kind().label();
        }

        String area() {
            return placement.area();
        }

        String finding() {
            return placement.finding();
        }

        String fileName() {
            return content.fileName();
        }

        long size() {
            return content.size();
        }

        String contentSm3() {
            return content.contentSm3();
        }

        long packageSize() {
            return content.packageSize();
        }

        String blobName() {
            return content.blobName();
        }
    }

    /** Draws the next sequence number, builds and signs the receipt, and records it, in one transaction. */
    public StoredSubmission record(Pending p, ReceiptSigner signer) throws SQLException {
        return db.inTransaction(c -> record(c, p, signer));
    }

    /** Records several submissions and does {@code also}, all in one transaction (nothing of it if any part fails). */
    public List<StoredSubmission> recordAll(List<Pending> all, ReceiptSigner signer, Database.Work<?> also) throws SQLException {
        return db.inTransaction(c -> {
            List<StoredSubmission> out = new ArrayList<>();
            for (Pending p : all) {
                out.add(record(c, p, signer));
            }
            also.run(c);
            return out;
        });
    }

    private StoredSubmission record(Connection c, Pending p, ReceiptSigner signer) throws SQLException {
        {
            long seq = Database.nextValue(c, "receipt_sequence");
            long number = nextReceiptNumber(c, receiptStream(c, p));
            Receipt r = new Receipt(p.id(), number, p.campaign(), p.unit(), p.kind(), p.fileName(), p.size(), p.contentSm3(),
                    p.submitterFingerprint(), p.serverFingerprint(), p.receivedAt(), p.late(), p.area(), p.finding());
            byte[] bytes = r.canonicalBytes();
            byte[] sig = signer.sign(bytes);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO submissions (id, sequence, campaign_id, unit_id, kind, "
                    + "sealed_file_name, content_size, content_sm3, package_size, submitter_fingerprint, received_at, late, blob_name, "
                    + "sealed_receipt, receipt_signature, area_id, finding_id, receipt_number) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, p.id());
                ps.setLong(2, seq);
                ps.setString(3, p.campaign());
                ps.setString(4, p.unit());
                ps.setString(5, p.kind());
                ps.setBytes(6, seal(p.id(), "file_name", p.fileName().getBytes(StandardCharsets.UTF_8)));
                ps.setLong(7, p.size());
                ps.setString(8, p.contentSm3());
                ps.setLong(9, p.packageSize());
                ps.setString(10, p.submitterFingerprint());
                ps.setTimestamp(11, Timestamp.from(p.receivedAt()));
                ps.setBoolean(12, p.late());
                ps.setString(13, p.blobName());
                ps.setBytes(14, seal(p.id(), "receipt", bytes));
                ps.setBytes(15, sig);
                ps.setString(16, p.area());
                ps.setString(17, p.finding());
                ps.setLong(18, number);
                ps.executeUpdate();
            }
            TransparencyLog.add(c, LogEntry.of(LogEntry.Kind.RECEIPT, bytes, sig));
            return new StoredSubmission(p.id(), p.campaign(), p.unit(), p.kind(), p.submitterFingerprint(), p.blobName(),
                    p.packageSize(), bytes, sig);
        }
    }

    /** The stream of receipt numbers the documents the server makes itself (summaries) are counted in. */
    static final String SERVER_STREAM = "~server";

    /**
     * Whose receipts a new one is counted with: the submitter's organisation, or the server's own
     * stream for documents it made (no unit). A receipt's number then depends only on what that
     * organisation handed in, never on other units' traffic (SPEC C2).
     */
    private static String receiptStream(Connection c, Pending p) throws SQLException {
        if (p.unit().isEmpty()) {
            return SERVER_STREAM;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT a.organisation FROM account_certificates k "
                + "JOIN accounts a ON a.fingerprint = k.account WHERE k.fingerprint = ?")) {
            ps.setString(1, p.submitterFingerprint());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("no account for submitter " + p.submitterFingerprint());
                }
                return rs.getString(1);
            }
        }
    }

    /**
     * The next receipt number of {@code stream}, drawn inside the caller's transaction: the counter's
     * row stays locked until it commits, so two concurrent uploads of one organisation get n and n+1
     * and a rolled-back upload leaves no gap. The first receipt of a stream creates its row (a
     * concurrent first insert loses on the primary key and takes the update path).
     */
    static long nextReceiptNumber(Connection c, String stream) throws SQLException {
        for (int attempt = 0; ; attempt++) {
            try (PreparedStatement up = c.prepareStatement("UPDATE receipt_counters SET last = last + 1 WHERE stream = ?")) {
                up.setString(1, stream);
                if (up.executeUpdate() == 1) {
                    try (PreparedStatement q = c.prepareStatement("SELECT last FROM receipt_counters WHERE stream = ?")) {
                        q.setString(1, stream);
                        try (ResultSet rs = q.executeQuery()) {
                            rs.next();
                            return rs.getLong(1);
                        }
                    }
                }
            }
            Savepoint before = c.setSavepoint();
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO receipt_counters (stream, last) VALUES (?, 1)")) {
                ins.setString(1, stream);
                ins.executeUpdate();
                c.releaseSavepoint(before);
                return 1;
            } catch (SQLException e) {
                c.rollback(before);
                if (attempt > 0 || !Database.isUniqueViolation(e)) {
                    throw e;
                }
            }
        }
    }

    /** A stored submission with its submitter's role and organisation (from the accounts table). */
    public record Found(StoredSubmission stored, String submitterRole, String submitterOrg) {}

    /**
     * The submission {@code id} with its submitter, in one query whether or not it exists, so
     * that "absent" and "present but not yours" cost the same (SPEC C2).
     */
    public Optional<Found> find(String id) throws SQLException {
        try (Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement("SELECT s.id, s.campaign_id, s.unit_id, s.kind, s.submitter_fingerprint, "
                        + "s.blob_name, s.package_size, s.sealed_receipt, s.receipt_signature, a.role, a.organisation FROM submissions s "
                        + "JOIN accounts a ON a.fingerprint = s.submitter_fingerprint WHERE s.id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Found(stored(rs), rs.getString(10), rs.getString(11)));
            }
        }
    }

    public Optional<StoredSubmission> byId(String id) throws SQLException {
        try (Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement("SELECT id, campaign_id, unit_id, kind, submitter_fingerprint, "
                        + "blob_name, package_size, sealed_receipt, receipt_signature FROM submissions WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(stored(rs));
            }
        }
    }

    /** One line of a listing: the receipt's fields (its number among its organisation's) and the submitter's name. */
    public record Listed(String id, long sequence, String campaign, String unit, String kind, String fileName, long size,
            String contentSm3, String submitterName, Instant receivedAt, boolean late, String indexState,
            String indexReason, String area, int recognisedPages) {}

    /** What a listing may be narrowed to (null = any). */
    public record Filter(String campaign, String unit, String kind, String area, Boolean late) {
        public static final Filter NONE = new Filter(null, null, null, null, null);
    }

    /**
     * Submissions within {@code scope} (a unit's: only those its unit submitted) matching the
     * filters (null = any), newest first.
     */
    public List<Listed> list(ListScope scope, String campaign, String unit, String kind, int limit, int offset)
            throws SQLException {
        return list(scope, new Filter(campaign, unit, kind, null, null), limit, offset);
    }

    public List<Listed> list(ListScope scope, Filter filter, int limit, int offset) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT s.id, s.receipt_number, s.campaign_id, s.unit_id, s.kind, s.sealed_file_name, "
                + "s.content_size, s.content_sm3, a.common_name, s.received_at, s.late, i.state, i.reason, s.area_id, "
                + "i.recognised_pages FROM submissions s "
                + "JOIN accounts a ON a.fingerprint = s.submitter_fingerprint "
                + "LEFT JOIN index_status i ON i.submission_id = s.id AND i.node = ? WHERE 1 = 1");
        List<String> args = new ArrayList<>();
        args.add(indexNode);
        if (scope.unit() != null) {
            sql.append(" AND s.unit_id = ? AND a.role = 'unit'");
            args.add(scope.unit());
        }
        for (Set<String> set : Arrays.asList(scope.campaigns(), scope.ids())) {
            if (set != null) {
                String column = set == scope.campaigns() ? "s.campaign_id" : "s.id";
                if (set.isEmpty()) {
                    sql.append(" AND 1 = 0");
                } else {
                    sql.append(" AND ").append(column).append(" IN (").append("?, ".repeat(set.size() - 1)).append("?)");
                    args.addAll(new TreeSet<>(set));
                }
            }
        }
        for (String[] f : new String[][] {{"s.campaign_id", filter.campaign()}, {"s.unit_id", filter.unit()},
                {"s.kind", filter.kind()}, {"s.area_id", filter.area()}}) {
            if (f[1] != null) {
                sql.append(" AND ").append(f[0]).append(" = ?");
                args.add(f[1]);
            }
        }
        if (filter.late() != null) {
            sql.append(filter.late() ? " AND s.late" : " AND NOT s.late");
        }
        sql.append(" ORDER BY s.sequence DESC LIMIT ? OFFSET ?");
        List<Listed> out = new ArrayList<>();
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int i = 1;
            for (String a : args) {
                ps.setString(i++, a);
            }
            ps.setInt(i++, limit);
            ps.setInt(i, offset);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String id = rs.getString(1);
                    out.add(new Listed(id, rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            new String(open(id, "file_name", rs.getBytes(6)), StandardCharsets.UTF_8), rs.getLong(7), rs.getString(8),
                            rs.getString(9),
                            rs.getTimestamp(10).toInstant(), rs.getBoolean(11),
                            rs.getString(12) == null ? "pending" : rs.getString(12), rs.getString(13) == null ? "" : rs.getString(13),
                            rs.getString(14), rs.getInt(15)));
                }
            }
        }
        return out;
    }

    /** Per unit and kind of one campaign: how many, the first arrival, and whether any was late. */
    public record Tally(String unit, String kind, long count, Instant first, Instant last,
            boolean anyLate, boolean anyOnTime) {}

    /**
     * The count behind a campaign's status; answered from index {@code submissions_tally} alone
     * (V16), which holds every column it reads: the status of a campaign of 100,000 reports must not
     * read 100,000 rows.
     */
    static String tallyQuery(boolean unitsOnly) {
        return "SELECT s.unit_id, s.kind, COUNT(*), MIN(s.received_at), MAX(s.received_at), "
                + "BOOL_OR(s.late), BOOL_OR(NOT s.late) FROM submissions s JOIN accounts a ON a.fingerprint = s.submitter_fingerprint "
                + "WHERE s.campaign_id = ?" + (unitsOnly ? " AND a.role = 'unit'" : "")
                + " GROUP BY s.unit_id, s.kind ORDER BY s.unit_id, s.kind";
    }

    /** A campaign's submissions of one kind in order, found through index {@code submissions_campaign_kind} (V16). */
    static final String LATEST_QUERY = "SELECT id, campaign_id, unit_id, kind, submitter_fingerprint, "
            + "blob_name, package_size, sealed_receipt, receipt_signature FROM submissions WHERE campaign_id = ? AND kind = ? "
            + "ORDER BY sequence";

    /**
     * Per unit and kind of {@code campaign}; with {@code unitsOnly}, only what units submitted (what
     * a unit may list of its own: not what testers and inspectors filed about it).
     */
    public List<Tally> tally(String campaign, boolean unitsOnly) throws SQLException {
        List<Tally> out = new ArrayList<>();
        try (Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement(tallyQuery(unitsOnly))) {
            ps.setString(1, campaign);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Tally(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getTimestamp(4).toInstant(),
                            rs.getTimestamp(5).toInstant(), rs.getBoolean(6), rs.getBoolean(7)));
                }
            }
        }
        return out;
    }

    /** The latest submission of {@code kind} per unit of {@code campaign} (unit → submission). */
    public Map<String, StoredSubmission> latest(String campaign, String kind) throws SQLException {
        Map<String, StoredSubmission> out = new LinkedHashMap<>();
        try (Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement(LATEST_QUERY)) {
            ps.setString(1, campaign);
            ps.setString(2, kind);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(3), stored(rs));
                }
            }
        }
        return out;
    }

    /** Every blob a record points to (for the start-up sweep). */
    public Set<String> blobNames() throws SQLException {
        Set<String> names = new HashSet<>();
        try (Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement("SELECT blob_name FROM submissions");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    public long count() throws SQLException {
        try (Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM submissions");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
