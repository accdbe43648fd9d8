package cn.midang.server.identity;

import cn.midang.keys.pki.Certificate;
import cn.midang.server.storage.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The account records: certificate fingerprint → account. */
public final class Accounts {

    private final Database db;

    public Accounts(Database db) {
        this.db = db;
    }

    /** Registers the holder of {@code cert}; its role and organisation come from the certificate. */
    public Account register(Certificate cert, Instant now) throws SQLException {
        Role role = Role.fromLabel(cert.role())
                .orElseThrow(() -> new IllegalArgumentException("the certificate of " + cert.subject() + " has no Midang role"));
        Account a = new Account(cert.fingerprint(), cert.commonName(), role, cert.organisation());
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO accounts (fingerprint, common_name, role, organisation, certificate_pem, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, a.fingerprint());
                ps.setString(2, a.commonName());
                ps.setString(3, role.label());
                ps.setString(4, a.organisation());
                ps.setString(5, cert.toPem());
                ps.setTimestamp(6, Timestamp.from(now));
                ps.executeUpdate();
            }
            return null;
        });
        return a;
    }

    public Optional<Account> byFingerprint(String fingerprint) throws SQLException {
        try (Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT fingerprint, common_name, role, organisation FROM accounts WHERE fingerprint = ?")) {
            ps.setString(1, fingerprint);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Optional<Role> role = Role.fromLabel(rs.getString(3));
                return role.map(r -> {
                    try {
                        return new Account(rs.getString(1), rs.getString(2), r, rs.getString(4));
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
        }
    }

    /** The accounts with common name {@code name} and role {@code role}. */
    public List<Account> byName(String name, Role role) throws SQLException {
        List<Account> out = new ArrayList<>();
        try (Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT fingerprint, common_name, organisation FROM accounts WHERE common_name = ? AND role = ?")) {
            ps.setString(1, name);
            ps.setString(2, role.label());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Account(rs.getString(1), rs.getString(2), role, rs.getString(3)));
                }
            }
        }
        return out;
    }
}
