package cn.midang.server.campaign;

import cn.midang.server.storage.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The campaign records. */
public final class Campaigns {

    private final Database db;

    public Campaigns(Database db) {
        this.db = db;
    }

    public void create(Campaign c) throws SQLException {
        db.inTransaction(conn -> {
            try (PreparedStatement ps = conn.prepareStatement(
                    "INSERT INTO campaigns (id, title, state, submissions_open_at, submission_deadline, late_accepted) VALUES (?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, c.id());
                ps.setString(2, c.title());
                ps.setString(3, c.state().name().toLowerCase(Locale.ROOT));
                ps.setTimestamp(4, Timestamp.from(c.submissionsOpenAt()));
                ps.setTimestamp(5, Timestamp.from(c.submissionDeadline()));
                ps.setBoolean(6, c.lateAccepted());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = conn.prepareStatement(
                    "INSERT INTO campaign_units (campaign_id, unit_id, name, level, key_spot_check) VALUES (?, ?, ?, ?, ?)")) {
                for (Campaign.Unit u : c.units()) {
                    ps.setString(1, c.id());
                    ps.setString(2, u.id());
                    ps.setString(3, u.name());
                    ps.setString(4, u.level());
                    ps.setBoolean(5, u.keySpotCheck());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            try (PreparedStatement ps = conn.prepareStatement(
                    "INSERT INTO campaign_areas (campaign_id, area_id, position, name) VALUES (?, ?, ?, ?)")) {
                int position = 0;
                for (Campaign.Area a : c.areas()) {
                    ps.setString(1, c.id());
                    ps.setString(2, a.id());
                    ps.setInt(3, position++);
                    ps.setString(4, a.name());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    public Optional<Campaign> byId(String id) throws SQLException {
        try (Connection c = db.connection()) {
            Campaign found = null;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, title, state, submissions_open_at, submission_deadline, late_accepted FROM campaigns WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    found = new Campaign(rs.getString(1), rs.getString(2),
                            CampaignState.valueOf(rs.getString(3).toUpperCase(Locale.ROOT)),
                            rs.getTimestamp(4).toInstant(), rs.getTimestamp(5).toInstant(), rs.getBoolean(6), List.of());
                }
            }
            List<Campaign.Unit> units = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT unit_id, name, level, key_spot_check FROM campaign_units WHERE campaign_id = ? ORDER BY unit_id")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        units.add(new Campaign.Unit(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4)));
                    }
                }
            }
            List<Campaign.Area> areas = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT area_id, name FROM campaign_areas WHERE campaign_id = ? ORDER BY position")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        areas.add(new Campaign.Area(rs.getString(1), rs.getString(2)));
                    }
                }
            }
            return Optional.of(new Campaign(found.id(), found.title(), found.state(), found.submissionsOpenAt(),
                    found.submissionDeadline(), found.lateAccepted(), List.copyOf(units), List.copyOf(areas)));
        }
    }

    /** Every campaign, by id. */
    public List<Campaign> all() throws SQLException {
        List<String> ids = new ArrayList<>();
        try (Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement("SELECT id FROM campaigns ORDER BY id");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        List<Campaign> out = new ArrayList<>();
        for (String id : ids) {
            byId(id).ifPresent(out::add);
        }
        return out;
    }
}
