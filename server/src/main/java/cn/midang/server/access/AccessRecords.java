package cn.midang.server.access;

import cn.midang.server.storage.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The records the policy reads: inspector assignments, engagements with their attestations, retention permits. */
public final class AccessRecords {

    private final Database db;

    public AccessRecords(Database db) {
        this.db = db;
    }

    public void assign(String campaign, String inspectorFingerprint, Instant now) throws SQLException {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "MERGE INTO campaign_inspectors t USING (VALUES (?, ?, CAST(? AS TIMESTAMP WITH TIME ZONE))) "
                    + "AS v (campaign_id, fingerprint, assigned_at) ON t.campaign_id = v.campaign_id AND t.fingerprint = v.fingerprint "
                    + "WHEN MATCHED THEN UPDATE SET assigned_at = v.assigned_at "
                    + "WHEN NOT MATCHED THEN INSERT (campaign_id, fingerprint, assigned_at) VALUES (v.campaign_id, v.fingerprint, v.assigned_at)")) {
                ps.setString(1, campaign);
                ps.setString(2, inspectorFingerprint);
                ps.setTimestamp(3, Timestamp.from(now));
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** The campaigns inspector {@code fingerprint} is assigned to. */
    public Set<String> assignedCampaigns(String fingerprint) throws SQLException {
        Set<String> out = new HashSet<>();
        try (Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement("SELECT campaign_id FROM campaign_inspectors WHERE fingerprint = ?")) {
            ps.setString(1, fingerprint);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /**
     * The campaigns past their draft that name unit id {@code unit} in their scope: none means a
     * unit account bound to that id can do nothing yet (SPEC §4: a draft is unseen by units).
     */
    public Set<String> campaignsNaming(String unit) throws SQLException {
        Set<String> out = new HashSet<>();
        try (Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement("SELECT u.campaign_id FROM campaign_units u JOIN campaigns k "
                        + "ON k.id = u.campaign_id WHERE u.unit_id = ? AND k.state <> 'draft'")) {
            ps.setString(1, unit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    public void createEngagement(Engagement e, String createdBy, Instant now) throws SQLException {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO engagements (id, tester_org, campaign_id, starts_at, ends_at, "
                    + "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, e.id());
                ps.setString(2, e.testerOrg());
                ps.setString(3, e.campaign());
                ps.setTimestamp(4, Timestamp.from(e.startsAt()));
                ps.setTimestamp(5, Timestamp.from(e.endsAt()));
                ps.setString(6, createdBy);
                ps.setTimestamp(7, Timestamp.from(now));
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO engagement_units (engagement_id, unit_id) VALUES (?, ?)")) {
                for (String u : e.units()) {
                    ps.setString(1, e.id());
                    ps.setString(2, u);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    /** Engagements, all ({@code testerOrg} null) or of one organisation, oldest first. */
    public List<Engagement> engagements(String testerOrg) throws SQLException {
        List<Engagement> out = new ArrayList<>();
        try (Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement("SELECT e.id, e.tester_org, e.campaign_id, e.starts_at, e.ends_at, a.received_at "
                        + "FROM engagements e LEFT JOIN attestations a ON a.engagement_id = e.id "
                        + (testerOrg == null ? "" : "WHERE e.tester_org = ? ") + "ORDER BY e.starts_at, e.id");
                PreparedStatement units = c.prepareStatement("SELECT unit_id FROM engagement_units WHERE engagement_id = ? ORDER BY unit_id")) {
            if (testerOrg != null) {
                ps.setString(1, testerOrg);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<String> us = new ArrayList<>();
                    units.setString(1, rs.getString(1));
                    try (ResultSet u = units.executeQuery()) {
                        while (u.next()) {
                            us.add(u.getString(1));
                        }
                    }
                    Timestamp attested = rs.getTimestamp(6);
                    out.add(new Engagement(rs.getString(1), rs.getString(2), rs.getString(3), List.copyOf(us),
                            rs.getTimestamp(4).toInstant(), rs.getTimestamp(5).toInstant(),
                            attested == null ? null : attested.toInstant()));
                }
            }
        }
        return out;
    }

    public Optional<Engagement> engagement(String id) throws SQLException {
        return engagements(null).stream().filter(e -> e.id().equals(id)).findFirst();
    }

    /** Records a destruction attestation; false if one already exists. */
    public boolean attest(String engagementId, String signer, byte[] statement, byte[] signature, Instant now) throws SQLException {
        return db.inTransaction(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM attestations WHERE engagement_id = ?")) {
                q.setString(1, engagementId);
                try (ResultSet rs = q.executeQuery()) {
                    if (rs.next()) {
                        return false;
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO attestations (engagement_id, signer, statement, signature, received_at) VALUES (?, ?, ?, ?, ?)")) {
                ps.setString(1, engagementId);
                ps.setString(2, signer);
                ps.setBytes(3, statement);
                ps.setBytes(4, signature);
                ps.setTimestamp(5, Timestamp.from(now));
                ps.executeUpdate();
            }
            return true;
        });
    }

    public void issuePermit(String id, String testerOrg, List<String> submissionIds, Instant expiresAt, String issuedBy, Instant now)
            throws SQLException {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO permits (id, tester_org, expires_at, issued_by, issued_at) VALUES (?, ?, ?, ?, ?)")) {
                ps.setString(1, id);
                ps.setString(2, testerOrg);
                ps.setTimestamp(3, Timestamp.from(expiresAt));
                ps.setString(4, issuedBy);
                ps.setTimestamp(5, Timestamp.from(now));
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO permit_submissions (permit_id, submission_id) VALUES (?, ?)")) {
                for (String s : submissionIds) {
                    ps.setString(1, id);
                    ps.setString(2, s);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    /** The submissions {@code testerOrg} holds a permit for that is valid at {@code now}. */
    public Set<String> permitted(String testerOrg, Instant now) throws SQLException {
        Set<String> out = new HashSet<>();
        try (Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement("SELECT ps.submission_id FROM permits p JOIN permit_submissions ps "
                        + "ON ps.permit_id = p.id WHERE p.tester_org = ? AND p.expires_at > ?")) {
            ps.setString(1, testerOrg);
            ps.setTimestamp(2, Timestamp.from(now));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }
}
