package cn.midang.server.storage;

import cn.midang.keys.digest.Sm3;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Copies every record of one database into another with the same schema (both migrated by
 * {@link Database}), table by table in an order that satisfies the foreign keys, in one
 * transaction on the target: a copy that fails leaves the target as it was. Then checks it: each
 * table's rows, read back from both in primary-key order, must hash (SM3) alike.
 */
public final class RecordCopy {

    /** One table copied: its rows and the SM3 of their contents, equal on both sides. */
    public record Table(String name, long rows, String sm3) {}

    /** Progress: {@code table} done, {@code done} of {@code of} tables. */
    @FunctionalInterface
    public interface Progress {
        void table(Table table, int done, int of);
    }

    private static final int BATCH = 500;

    private RecordCopy() {}

    /**
     * Copies {@code from} into {@code to}, which must hold no records yet, and verifies the copy.
     * Sequences and identity columns continue where {@code from}'s stood.
     */
    public static List<Table> copy(Database from, Database to, Progress progress) throws SQLException {
        List<String> tables;
        try (Connection c = from.connection()) {
            tables = ordered(c);
        }
        try (Connection c = to.connection()) {
            for (String t : tables) {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + t)) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        throw new SQLException("the target database already holds records (table " + t + " has " + rs.getLong(1)
                                + " rows): migrate into a new, empty database");
                    }
                }
            }
        }
        to.inTransaction(target -> {
            try (Connection source = from.connection()) {
                source.setAutoCommit(false); // one consistent read of the source
                for (String t : tables) {
                    copyTable(source, target, t);
                }
                continueSequences(source, target, tables);
                source.commit();
            }
            return null;
        });
        List<Table> done = new ArrayList<>();
        try (Connection a = from.connection(); Connection b = to.connection()) {
            for (String t : tables) {
                Table left = digest(a, t);
                Table right = digest(b, t);
                if (!left.equals(right)) {
                    throw new SQLException("table " + t + " differs after the copy: " + left.rows() + " rows (SM3 " + left.sm3()
                            + ") in the source, " + right.rows() + " (SM3 " + right.sm3() + ") in the target");
                }
                done.add(left);
                progress.table(left, done.size(), tables.size());
            }
        }
        return done;
    }

    /** The tables of the current schema, each after the tables its foreign keys point to. */
    static List<String> ordered(Connection c) throws SQLException {
        DatabaseMetaData meta = c.getMetaData();
        Map<String, Set<String>> refers = new LinkedHashMap<>();
        try (ResultSet rs = meta.getTables(null, c.getSchema(), "%", new String[] {"TABLE"})) {
            while (rs.next()) {
                String name = rs.getString("TABLE_NAME").toLowerCase(Locale.ROOT);
                if (!name.equals("flyway_schema_history")) {
                    refers.put(name, new LinkedHashSet<>());
                }
            }
        }
        for (String t : refers.keySet()) {
            try (ResultSet rs = meta.getImportedKeys(null, c.getSchema(), t.toUpperCase(Locale.ROOT))) {
                while (rs.next()) {
                    refers.get(t).add(rs.getString("PKTABLE_NAME").toLowerCase(Locale.ROOT));
                }
            }
        }
        List<String> out = new ArrayList<>();
        while (out.size() < refers.size()) {
            int before = out.size();
            for (var e : refers.entrySet()) {
                if (!out.contains(e.getKey()) && out.containsAll(e.getValue().stream().filter(x -> !x.equals(e.getKey())).toList())) {
                    out.add(e.getKey());
                }
            }
            if (out.size() == before) {
                throw new SQLException("the foreign keys of the tables form a cycle: " + refers);
            }
        }
        return out;
    }

    private static void copyTable(Connection source, Connection target, String table) throws SQLException {
        try (Statement s = source.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
            ResultSetMetaData m = rs.getMetaData();
            int n = m.getColumnCount();
            StringBuilder cols = new StringBuilder();
            StringBuilder marks = new StringBuilder();
            for (int i = 1; i <= n; i++) {
                cols.append(i > 1 ? ", " : "").append(m.getColumnName(i).toLowerCase(Locale.ROOT));
                marks.append(i > 1 ? ", " : "").append('?');
            }
            try (PreparedStatement ins = target.prepareStatement("INSERT INTO " + table + " (" + cols + ") VALUES (" + marks + ")")) {
                int pending = 0;
                while (rs.next()) {
                    for (int i = 1; i <= n; i++) {
                        bind(ins, i, m.getColumnType(i), rs);
                    }
                    ins.addBatch();
                    if (++pending == BATCH) {
                        ins.executeBatch();
                        pending = 0;
                    }
                }
                if (pending > 0) {
                    ins.executeBatch();
                }
            }
        }
    }

    private static void bind(PreparedStatement ins, int i, int type, ResultSet rs) throws SQLException {
        switch (type) {
            case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> ins.setBytes(i, rs.getBytes(i));
            case Types.CHAR, Types.VARCHAR, Types.LONGVARCHAR, Types.CLOB, Types.NCHAR, Types.NVARCHAR, Types.NCLOB ->
                    ins.setString(i, rs.getString(i));
            case Types.TIMESTAMP_WITH_TIMEZONE, Types.TIMESTAMP -> ins.setObject(i, rs.getObject(i, OffsetDateTime.class));
            default -> ins.setObject(i, rs.getObject(i));
        }
    }

    /** Sequences and identity columns go on from where the source's stood, so no number is handed out twice. */
    private static void continueSequences(Connection source, Connection target, List<String> tables) throws SQLException {
        long next = Database.nextValue(source, "receipt_sequence"); // taken from the source, so never used there

        try (Statement s = target.createStatement()) {
            s.execute("ALTER SEQUENCE receipt_sequence RESTART WITH " + next);
            if (tables.contains("log_pending")) {
                try (ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(id), 0) + 1 FROM log_pending")) {
                    rs.next();
                    long id = rs.getLong(1);
                    s.execute("ALTER TABLE log_pending ALTER COLUMN id RESTART WITH " + id);
                }
            }
        }
    }

    /**
     * The table's rows, each value in one engine-neutral form, as one SM3: of the sorted SM3s of
     * the rows, so that neither engine's row order nor its collation matters.
     */
    static Table digest(Connection c, String table) throws SQLException {
        List<byte[]> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
            ResultSetMetaData m = rs.getMetaData();
            int n = m.getColumnCount();
            List<String> names = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                names.add(m.getColumnName(i).toLowerCase(Locale.ROOT));
            }
            List<Integer> order = names.stream().sorted().map(name -> names.indexOf(name) + 1).toList();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i : order) {
                    String v = switch (m.getColumnType(i)) {
                        case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> {
                            byte[] b = rs.getBytes(i);
                            yield b == null ? null : HexFormat.of().formatHex(b);
                        }
                        case Types.TIMESTAMP_WITH_TIMEZONE, Types.TIMESTAMP -> { // PostgreSQL's driver calls timestamptz TIMESTAMP
                            OffsetDateTime t = rs.getObject(i, OffsetDateTime.class);
                            yield t == null ? null : t.toInstant().toString();
                        }
                        case Types.BOOLEAN, Types.BIT -> {
                            boolean b = rs.getBoolean(i);
                            yield rs.wasNull() ? null : Boolean.toString(b);
                        }
                        default -> rs.getString(i);
                    };
                    row.append(v == null ? "\u0000" : "\u0001" + v.length() + ":" + v);
                }
                rows.add(Sm3.digest(row.toString().getBytes(StandardCharsets.UTF_8)));
            }
        }
        rows.sort(java.util.Arrays::compareUnsigned);
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream(rows.size() * Sm3.LENGTH);
        rows.forEach(all::writeBytes);
        return new Table(table, rows.size(), Sm3.hex(all.toByteArray()));
    }
}
