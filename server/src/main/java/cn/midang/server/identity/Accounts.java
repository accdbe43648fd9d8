package cn.midang.server.identity;

import cn.midang.keys.KeysException;
import cn.midang.keys.pki.Certificate;
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
import java.util.Optional;

/**
 * The account records. An account has an id (the SM3 fingerprint of its first certificate, so
 * everything recorded about it keeps naming it), a role and an organisation (for a unit, the unit
 * id it is bound to), and every certificate it was ever given: a renewal adds one and retires the
 * one it replaces. A disabled account is refused whatever certificate it presents.
 */
public final class Accounts {

    private final Database db;

    public Accounts(Database db) {
        this.db = db;
    }

    /** An account as a request finds it through the certificate it presents. */
    public record Enrolment(Account account, Instant disabledAt, Instant replacedAt) {
        public boolean disabled() {
            return disabledAt != null;
        }

        public boolean replaced() {
            return replacedAt != null;
        }
    }

    /** An account as the administrator lists it: with its current certificate and how many it had. */
    public record Listed(Account account, Certificate current, int certificates, Instant createdAt, Instant disabledAt) {}

    /** Registers the holder of {@code cert}; its role and organisation come from the certificate. */
    public Account register(Certificate cert, Instant now) throws SQLException {
        Role role = Role.fromLabel(cert.role())
                .orElseThrow(() -> new IllegalArgumentException("the certificate of " + cert.subject() + " has no Midang role"));
        return register(cert, role, cert.organisation(), now);
    }

    /** Registers the holder of {@code cert} as a new account of {@code role} in {@code organisation}. */
    public Account register(Certificate cert, Role role, String organisation, Instant now) throws SQLException {
        Account a = new Account(cert.fingerprint(), cert.commonName(), role, organisation);
        db.inTransaction(c -> {
            insert(c, a, cert, now);
            return null;
        });
        return a;
    }

    /** A new account: the holder of {@code certificate}, as {@code role} in {@code organisation}. */
    public record NewAccount(Certificate certificate, Role role, String organisation) {}

    /** Registers every account of {@code all} in one transaction: all of them, or none. */
    public List<Account> registerAll(List<NewAccount> all, Instant now) throws SQLException {
        return db.inTransaction(c -> {
            List<Account> out = new ArrayList<>();
            for (NewAccount n : all) {
                Account a = new Account(n.certificate().fingerprint(), n.certificate().commonName(), n.role(), n.organisation());
                insert(c, a, n.certificate(), now);
                out.add(a);
            }
            return out;
        });
    }

    private static void insert(Connection c, Account a, Certificate cert, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO accounts (fingerprint, common_name, role, organisation, certificate_pem, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, a.fingerprint());
            ps.setString(2, a.commonName());
            ps.setString(3, a.role().label());
            ps.setString(4, a.organisation());
            ps.setString(5, cert.toPem());
            ps.setTimestamp(6, Timestamp.from(now));
            ps.executeUpdate();
        }
        addCertificate(c, a.fingerprint(), cert, now);
    }

    private static void addCertificate(Connection c, String account, Certificate cert, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO account_certificates (fingerprint, account, certificate_pem, added_at) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, cert.fingerprint());
            ps.setString(2, account);
            ps.setString(3, cert.toPem());
            ps.setTimestamp(4, Timestamp.from(now));
            ps.executeUpdate();
        }
    }

    /**
     * Gives account {@code account} the new certificate {@code cert} (a renewal): every certificate
     * it had before is replaced now and refused from the next request on; the account, its
     * assignments and everything recorded about it stay.
     */
    public void renew(String account, Certificate cert, Instant now) throws SQLException {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE account_certificates SET replaced_at = ? WHERE account = ? AND replaced_at IS NULL")) {
                ps.setTimestamp(1, Timestamp.from(now));
                ps.setString(2, account);
                ps.executeUpdate();
            }
            addCertificate(c, account, cert, now);
            return null;
        });
    }

    /** Disables ({@code at} not null) or enables ({@code at} null) account {@code account}; false when there is none. */
    public boolean setDisabled(String account, Instant at) throws SQLException {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE accounts SET disabled_at = ? WHERE fingerprint = ?")) {
                ps.setTimestamp(1, at == null ? null : Timestamp.from(at));
                ps.setString(2, account);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** The account that certificate {@code fingerprint} belongs to (current or replaced), if any. */
    public Optional<Enrolment> byCertificate(String fingerprint) throws SQLException {
        try (Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT a.fingerprint, a.common_name, a.role, a.organisation, a.disabled_at, k.replaced_at "
                                + "FROM account_certificates k JOIN accounts a ON a.fingerprint = k.account WHERE k.fingerprint = ?")) {
            ps.setString(1, fingerprint);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Optional<Role> role = Role.fromLabel(rs.getString(3));
                if (role.isEmpty()) {
                    return Optional.empty(); // a role this server does not know is no account
                }
                return Optional.of(new Enrolment(new Account(rs.getString(1), rs.getString(2), role.get(), rs.getString(4)),
                        instant(rs, 5), instant(rs, 6)));
            }
        }
    }

    /** The account with id {@code id}, enabled or not. */
    public Optional<Account> byFingerprint(String id) throws SQLException {
        try (Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT fingerprint, common_name, role, organisation FROM accounts WHERE fingerprint = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? account(rs, Role.fromLabel(rs.getString(3))) : Optional.empty();
            }
        }
    }

    /** The accounts whose holder is {@code name} in {@code role} and {@code organisation} (a renewal finds its account here). */
    public List<Account> holders(String name, Role role, String organisation) throws SQLException {
        List<Account> out = new ArrayList<>();
        try (Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT fingerprint, common_name, role, organisation FROM accounts WHERE common_name = ? AND role = ? AND organisation = ?")) {
            ps.setString(1, name);
            ps.setString(2, role.label());
            ps.setString(3, organisation);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    account(rs, Optional.of(role)).ifPresent(out::add);
                }
            }
        }
        return out;
    }

    /** The enabled accounts with common name {@code name} and role {@code role}. */
    public List<Account> byName(String name, Role role) throws SQLException {
        List<Account> out = new ArrayList<>();
        try (Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT fingerprint, common_name, role, organisation FROM accounts WHERE common_name = ? AND role = ? AND disabled_at IS NULL")) {
            ps.setString(1, name);
            ps.setString(2, role.label());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    account(rs, Optional.of(role)).ifPresent(out::add);
                }
            }
        }
        return out;
    }

    /** Every account of {@code role} (null: every role but the server's own), by role and name. */
    public List<Listed> list(Role role) throws SQLException {
        List<Listed> out = new ArrayList<>();
        try (Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT a.fingerprint, a.common_name, a.role, a.organisation, a.created_at, a.disabled_at, "
                                + "(SELECT k.certificate_pem FROM account_certificates k WHERE k.account = a.fingerprint "
                                + "AND k.replaced_at IS NULL ORDER BY k.added_at DESC LIMIT 1), "
                                + "(SELECT COUNT(*) FROM account_certificates k WHERE k.account = a.fingerprint) "
                                + "FROM accounts a WHERE (? IS NULL AND a.role <> 'server') OR a.role = ? ORDER BY a.role, a.common_name, a.created_at")) {
            ps.setString(1, role == null ? null : role.label());
            ps.setString(2, role == null ? null : role.label());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Optional<Account> a = account(rs, Role.fromLabel(rs.getString(3)));
                    if (a.isEmpty()) {
                        continue;
                    }
                    Certificate current;
                    try {
                        current = Certificate.parse(rs.getString(7).getBytes(StandardCharsets.US_ASCII));
                    } catch (KeysException e) {
                        throw new SQLException("the certificate stored for account " + rs.getString(1) + " does not parse", e);
                    }
                    out.add(new Listed(a.get(), current, rs.getInt(8), instant(rs, 5), instant(rs, 6)));
                }
            }
        }
        return out;
    }

    private static Optional<Account> account(ResultSet rs, Optional<Role> role) throws SQLException {
        if (role.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Account(rs.getString(1), rs.getString(2), role.get(), rs.getString(4)));
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
