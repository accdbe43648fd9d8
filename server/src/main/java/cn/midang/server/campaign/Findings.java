package cn.midang.server.campaign;

import cn.midang.keys.KeysException;
import cn.midang.keys.seal.RecordCipher;
import cn.midang.server.storage.Database;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Findings of the on-site inspection (检查发现的问题) and the rectification reports that answer
 * them. A finding's id is its unit's id and a number ({@code yx-gaj-2}), drawn per unit.
 */
public final class Findings {

    /** How serious a finding is; the label is what the API and the CLI write. */
    public enum Severity {
        HIGH("高"), MEDIUM("中"), LOW("低");

        private final String zh;

        Severity(String zh) {
            this.zh = zh;
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public String zh() {
            return zh;
        }

        /** The severity written as high|medium|low or 高|中|低, if it is one. */
        public static Optional<Severity> parse(String s) {
            for (Severity v : values()) {
                if (v.label().equals(s) || v.zh.equals(s)) {
                    return Optional.of(v);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * One finding, with the latest rectification report that answers it ({@code rectificationId}
     * and {@code rectifiedAt} null while none has come in).
     */
    public record Finding(String campaign, String id, String unit, String area, Severity severity, String description,
            String rectification, Instant deadline, String recordId, String recordedBy, Instant recordedAt,
            String rectificationId, Instant rectifiedAt) {

        /** Past its deadline with no rectification report. */
        public boolean overdueAt(Instant now) {
            return rectificationId == null && now.isAfter(deadline);
        }
    }

    private final Database db;
    private final RecordCipher cipher;

    /** Descriptions and rectifications are kept encrypted with {@code cipher} (SM4-GCM, bound to their row and column). */
    public Findings(Database db, RecordCipher cipher) {
        this.db = db;
        this.cipher = cipher;
    }

    private static String context(String campaign, String id, String column) {
        return "findings/" + campaign + "/" + id + "/" + column;
    }

    private String open(byte[] value, String campaign, String id, String column) throws SQLException {
        try {
            return new String(cipher.decrypt(value, context(campaign, id, column)), StandardCharsets.UTF_8);
        } catch (KeysException e) {
            throw new SQLException("finding " + id + " of " + campaign + " does not decrypt with this deployment's record key", e);
        }
    }

    /** Records a finding (its id and number are drawn here) and returns it as stored. */
    public Finding add(Finding f) throws SQLException {
        return db.inTransaction(c -> {
            int number;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT COALESCE(MAX(number), 0) + 1 FROM findings WHERE campaign_id = ? AND unit_id = ?")) {
                ps.setString(1, f.campaign());
                ps.setString(2, f.unit());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    number = rs.getInt(1);
                }
            }
            String id = f.unit() + "-" + number;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO findings (campaign_id, finding_id, unit_id, number, area_id, "
                    + "severity, description, rectification, deadline, record_id, recorded_by, recorded_at) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, f.campaign());
                ps.setString(2, id);
                ps.setString(3, f.unit());
                ps.setInt(4, number);
                ps.setString(5, f.area());
                ps.setString(6, f.severity().label());
                ps.setBytes(7, cipher.encrypt(f.description().getBytes(StandardCharsets.UTF_8),
                        context(f.campaign(), id, "description")));
                ps.setBytes(8, cipher.encrypt(f.rectification().getBytes(StandardCharsets.UTF_8),
                        context(f.campaign(), id, "rectification")));
                ps.setTimestamp(9, Timestamp.from(f.deadline()));
                ps.setString(10, f.recordId());
                ps.setString(11, f.recordedBy());
                ps.setTimestamp(12, Timestamp.from(f.recordedAt()));
                ps.executeUpdate();
            }
            return new Finding(f.campaign(), id, f.unit(), f.area(), f.severity(), f.description(), f.rectification(), f.deadline(),
                    f.recordId(), f.recordedBy(), f.recordedAt(), null, null);
        });
    }

    /** The findings of {@code campaign} (of {@code unit} only, unless null), by unit and number. */
    public List<Finding> of(String campaign, String unit) throws SQLException {
        return select(campaign, unit, null);
    }

    /** Finding {@code id} of {@code campaign}, if there is one. */
    public Optional<Finding> byId(String campaign, String id) throws SQLException {
        return select(campaign, null, id).stream().findFirst();
    }

    /** The findings of {@code campaign}, of {@code unit} and with {@code id} unless those are null. */
    private List<Finding> select(String campaign, String unit, String id) throws SQLException {
        List<Finding> out = new ArrayList<>();
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("SELECT f.finding_id, f.unit_id, f.area_id, f.severity, f.description, "
                + "f.rectification, f.deadline, f.record_id, f.recorded_by, f.recorded_at, "
                + "(SELECT s.id FROM submissions s WHERE s.campaign_id = f.campaign_id AND s.finding_id = f.finding_id "
                + "  AND s.kind = 'rectification' ORDER BY s.sequence DESC LIMIT 1), "
                + "(SELECT MAX(s.received_at) FROM submissions s WHERE s.campaign_id = f.campaign_id AND s.finding_id = f.finding_id "
                + "  AND s.kind = 'rectification') "
                + "FROM findings f WHERE f.campaign_id = ? AND (? IS NULL OR f.unit_id = ?) AND (? IS NULL OR f.finding_id = ?) "
                + "ORDER BY f.unit_id, f.number")) {
            ps.setString(1, campaign);
            ps.setString(2, unit);
            ps.setString(3, unit);
            ps.setString(4, id);
            ps.setString(5, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Timestamp rectified = rs.getTimestamp(12);
                    String fid = rs.getString(1);
                    out.add(new Finding(campaign, fid, rs.getString(2), rs.getString(3), Severity.parse(rs.getString(4)).orElseThrow(),
                            open(rs.getBytes(5), campaign, fid, "description"), open(rs.getBytes(6), campaign, fid, "rectification"),
                            rs.getTimestamp(7).toInstant(), rs.getString(8), rs.getString(9), rs.getTimestamp(10).toInstant(),
                            rs.getString(11), rectified == null ? null : rectified.toInstant()));
                }
            }
        }
        return out;
    }
}
