package cn.midang.server.campaign;

import cn.midang.server.storage.Database;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.Locale;
import java.util.Optional;

/** The campaign records. */
public final class Campaigns {

    private final Database db;

    public Campaigns(Database db) {
        this.db = db;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    public void create(Campaign c) throws SQLException {
        create(c, null);
    }

    /** Records a campaign, with the file that defined it (null when made in code). */
    public void create(Campaign c, String definition) throws SQLException {
        db.inTransaction(conn -> {
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO campaigns (id, title, state, submissions_open_at, "
                    + "submission_deadline, late_accepted, details, definition) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, c.id());
                ps.setString(2, c.title());
                ps.setString(3, c.state().name().toLowerCase(Locale.ROOT));
                ps.setTimestamp(4, Timestamp.from(c.submissionsOpenAt()));
                ps.setTimestamp(5, Timestamp.from(c.submissionDeadline()));
                ps.setBoolean(6, c.lateAccepted());
                ps.setString(7, json(c.details().fields()));
                ps.setString(8, definition);
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
                    "INSERT INTO campaign_areas (campaign_id, area_id, position, name, items) VALUES (?, ?, ?, ?, ?)")) {
                int position = 0;
                for (Campaign.Area a : c.areas()) {
                    ps.setString(1, c.id());
                    ps.setString(2, a.id());
                    ps.setInt(3, position++);
                    ps.setString(4, a.name());
                    ps.setString(5, json(a.items().stream().map(Campaign.Item::fields).toList()));
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
                    "SELECT id, title, state, submissions_open_at, submission_deadline, late_accepted, details FROM campaigns "
                    + "WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    found = new Campaign(rs.getString(1), rs.getString(2),
                            CampaignState.valueOf(rs.getString(3).toUpperCase(Locale.ROOT)),
                            rs.getTimestamp(4).toInstant(), rs.getTimestamp(5).toInstant(), rs.getBoolean(6), List.of(), List.of(),
                            details(rs.getString(7)));
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
                    "SELECT area_id, name, items FROM campaign_areas WHERE campaign_id = ? ORDER BY position")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        List<Campaign.Item> items = new ArrayList<>();
                        for (JsonNode i : readTree(rs.getString(3))) {
                            items.add(new Campaign.Item(i.path("id").asText(), i.path("text").asText()));
                        }
                        areas.add(new Campaign.Area(rs.getString(1), rs.getString(2), List.copyOf(items)));
                    }
                }
            }
            return Optional.of(new Campaign(found.id(), found.title(), found.state(), found.submissionsOpenAt(),
                    found.submissionDeadline(), found.lateAccepted(), List.copyOf(units), List.copyOf(areas), found.details()));
        }
    }

    /**
     * Sets campaign {@code id}'s submission deadline and on-site dates to those of {@code changed}
     * (rescheduled by the administrator), if it is still in {@code changed}'s state and its
     * deadline and details are still {@code before}'s; false (nothing changed) otherwise.
     */
    public boolean reschedule(Campaign before, Campaign changed) throws SQLException {
        return rescheduled(before, changed).isPresent();
    }

    /** As {@link #reschedule}; returns the campaign's steps read in the same transaction (empty: it changed meanwhile). */
    public Optional<List<Transition>> rescheduled(Campaign before, Campaign changed) throws SQLException {
        return db.inTransaction(conn -> {
            try (PreparedStatement ps = conn.prepareStatement(
                    "SELECT state, submission_deadline, details FROM campaigns WHERE id = ? FOR UPDATE")) {
                ps.setString(1, before.id());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || !rs.getString(1).equals(Lifecycle.label(before.state()))
                            || !rs.getTimestamp(2).toInstant().equals(before.submissionDeadline())
                            || !details(rs.getString(3)).equals(before.details())) {
                        return Optional.empty();
                    }
                }
            }
            try (PreparedStatement ps = conn.prepareStatement(
                    "UPDATE campaigns SET submission_deadline = ?, details = ? WHERE id = ?")) {
                ps.setTimestamp(1, Timestamp.from(changed.submissionDeadline()));
                ps.setString(2, json(changed.details().fields()));
                ps.setString(3, before.id());
                if (ps.executeUpdate() != 1) {
                    return Optional.empty();
                }
            }
            return Optional.of(transitions(conn, before.id()));
        });
    }

    /** One step taken: who, when, and the statement they signed. */
    public record Transition(int step, CampaignState from, CampaignState to, Instant at, String actorFingerprint,
            String actorName, String actorRole, byte[] statement, byte[] signature) {}

    /**
     * Moves campaign {@code id} from {@code from} to {@code to} and records the signed step, in one
     * transaction; false (nothing changed) when the campaign is no longer in {@code from}.
     */
    public boolean advance(String id, CampaignState from, CampaignState to, Instant at, String actor, byte[] statement,
            byte[] signature) throws SQLException {
        return advance(id, from, to, at, actor, statement, signature, conn -> null);
    }

    /** As {@link #advance}, with {@code also} done in the same transaction (the results issued on publication). */
    public boolean advance(String id, CampaignState from, CampaignState to, Instant at, String actor, byte[] statement,
            byte[] signature, Database.Work<?> also) throws SQLException {
        return advanced(id, from, to, at, actor, statement, signature, also).isPresent();
    }

    /**
     * As {@link #advance}; returns the campaign's steps, the new one last, read in the same
     * transaction (empty: not in {@code from}), so that the answer to a step that was taken needs no
     * further read that could fail after the commit.
     */
    public Optional<List<Transition>> advanced(String id, CampaignState from, CampaignState to, Instant at, String actor,
            byte[] statement, byte[] signature, Database.Work<?> also) throws SQLException {
        return db.inTransaction(conn -> {
            try (PreparedStatement ps = conn.prepareStatement("UPDATE campaigns SET state = ? WHERE id = ? AND state = ?")) {
                ps.setString(1, Lifecycle.label(to));
                ps.setString(2, id);
                ps.setString(3, Lifecycle.label(from));
                if (ps.executeUpdate() != 1) {
                    return Optional.empty();
                }
            }
            int step;
            try (PreparedStatement ps = conn.prepareStatement(
                    "SELECT COALESCE(MAX(step), 0) + 1 FROM campaign_transitions WHERE campaign_id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    step = rs.getInt(1);
                }
            }
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO campaign_transitions (campaign_id, step, from_state, "
                    + "to_state, at, actor_fingerprint, statement, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, id);
                ps.setInt(2, step);
                ps.setString(3, Lifecycle.label(from));
                ps.setString(4, Lifecycle.label(to));
                ps.setTimestamp(5, Timestamp.from(at));
                ps.setString(6, actor);
                ps.setBytes(7, statement);
                ps.setBytes(8, signature);
                ps.executeUpdate();
            }
            TransparencyLog.add(conn, LogEntry.of(LogEntry.Kind.TRANSITION, statement, signature));
            also.run(conn);
            return Optional.of(transitions(conn, id));
        });
    }

    /** The steps campaign {@code id} has taken, in order. */
    public List<Transition> transitions(String id) throws SQLException {
        try (Connection c = db.connection()) {
            return transitions(c, id);
        }
    }

    private static List<Transition> transitions(Connection c, String id) throws SQLException {
        List<Transition> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT t.step, t.from_state, t.to_state, "
                + "t.at, t.actor_fingerprint, a.common_name, a.role, t.statement, t.signature FROM campaign_transitions t "
                + "JOIN accounts a ON a.fingerprint = t.actor_fingerprint WHERE t.campaign_id = ? ORDER BY t.step")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Transition(rs.getInt(1), CampaignState.valueOf(rs.getString(2).toUpperCase(Locale.ROOT)),
                            CampaignState.valueOf(rs.getString(3).toUpperCase(Locale.ROOT)), rs.getTimestamp(4).toInstant(),
                            rs.getString(5), rs.getString(6), rs.getString(7), rs.getBytes(8), rs.getBytes(9)));
                }
            }
        }
        return out;
    }

    /** Whether a campaign with this id exists. */
    public boolean exists(String id) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("SELECT 1 FROM campaigns WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static Campaign.Details details(String json) {
        if (json == null) {
            return Campaign.Details.NONE;
        }
        JsonNode n = readTree(json);
        List<Campaign.Department> departments = new ArrayList<>();
        n.path("joint_review").forEach(d -> departments.add(new Campaign.Department(d.path("id").asText(), d.path("name").asText())));
        return new Campaign.Details(text(n, "document"), text(n, "issued_by"), text(n, "lead_office"), List.copyOf(departments),
                n.hasNonNull("on_site_start") ? Instant.parse(n.get("on_site_start").asText()) : null,
                n.hasNonNull("on_site_end") ? Instant.parse(n.get("on_site_end").asText()) : null);
    }

    private static String text(JsonNode n, String key) {
        return n.hasNonNull(key) ? n.get(key).asText() : null;
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a campaign record holds broken JSON", e);
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
