package cn.midang.server.summary;

import cn.midang.server.storage.Database;
import cn.midang.keys.tlog.LogEntry;
import cn.midang.server.tlog.TransparencyLog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The summary versions of campaigns and the departments' signatures on them. */
public final class Summaries {

    /** One generated version: its three archived documents and the SM3 of the JSON the departments sign. */
    public record Summary(String campaign, int version, Instant generatedAt, String generatedBy, String jsonId, String xlsxId,
            String docxId, String jsonSm3) {}

    /** One department's signature over a version's JSON bytes, with the signer's name and certificate. */
    public record Signature(String department, String signerFingerprint, String signerName, String signerCertificatePem,
            byte[] signature, Instant signedAt) {}

    private final Database db;

    public Summaries(Database db) {
        this.db = db;
    }

    /** The latest version of {@code campaign}'s summary, if one was generated. */
    public Optional<Summary> current(String campaign) throws SQLException {
        try (Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement("SELECT version, generated_at, generated_by, json_id, xlsx_id, docx_id, json_sm3 "
                        + "FROM summaries WHERE campaign_id = ? ORDER BY version DESC LIMIT 1")) {
            ps.setString(1, campaign);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Summary(campaign, rs.getInt(1), rs.getTimestamp(2).toInstant(), rs.getString(3),
                        rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7))) : Optional.empty();
            }
        }
    }

    /** Records a version, on a connection inside the transaction that archives its documents. */
    public static void add(Connection c, Summary s) throws SQLException {
        {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO summaries (campaign_id, version, generated_at, generated_by, "
                    + "json_id, xlsx_id, docx_id, json_sm3) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, s.campaign());
                ps.setInt(2, s.version());
                ps.setTimestamp(3, Timestamp.from(s.generatedAt()));
                ps.setString(4, s.generatedBy());
                ps.setString(5, s.jsonId());
                ps.setString(6, s.xlsxId());
                ps.setString(7, s.docxId());
                ps.setString(8, s.jsonSm3());
                ps.executeUpdate();
            }
        }
    }

    /** The signatures on version {@code version} of {@code campaign}'s summary, in the order given. */
    public List<Signature> signatures(String campaign, int version) throws SQLException {
        List<Signature> out = new ArrayList<>();
        try (Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement("SELECT s.department_id, s.signer_fingerprint, a.common_name, a.certificate_pem, "
                        + "s.signature, s.signed_at FROM summary_signatures s JOIN accounts a ON a.fingerprint = s.signer_fingerprint "
                        + "WHERE s.campaign_id = ? AND s.version = ? ORDER BY s.signed_at")) {
            ps.setString(1, campaign);
            ps.setInt(2, version);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Signature(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getBytes(5),
                            rs.getTimestamp(6).toInstant()));
                }
            }
        }
        return out;
    }

    /**
     * Records a department's signature over the summary's exact bytes {@code signed}, and commits
     * to it in the transparency log, in one transaction; false when the department has signed
     * this version already.
     */
    public boolean sign(String campaign, int version, String department, String signer, byte[] signed, byte[] signature,
            Instant at) throws SQLException {
        // The primary key (campaign, version, department) decides, so two approvers of one
        // department signing at the same moment get one signature and one "already signed".
        try {
            return db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO summary_signatures (campaign_id, version, department_id, "
                        + "signer_fingerprint, signature, signed_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                    ps.setString(1, campaign);
                    ps.setInt(2, version);
                    ps.setString(3, department);
                    ps.setString(4, signer);
                    ps.setBytes(5, signature);
                    ps.setTimestamp(6, Timestamp.from(at));
                    ps.executeUpdate();
                }
                TransparencyLog.add(c, LogEntry.of(LogEntry.Kind.SIGN_OFF, signed, signature));
                return true;
            });
        } catch (SQLException e) {
            if (Database.isUniqueViolation(e)) { // this department has signed
                return false;
            }
            throw e;
        }
    }
}
