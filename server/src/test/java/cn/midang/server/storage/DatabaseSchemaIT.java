package cn.midang.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.server.PostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two migration folders ({@code db/migration} for H2, {@code db/postgresql}) make the same
 * schema: the same tables, columns, nullability and text lengths, each column of the same kind.
 * A migration added to one folder and forgotten in the other fails here.
 */
class DatabaseSchemaIT {

    @TempDir
    Path tmp;

    @Test
    void h2AndPostgresql_areMigratedToTheSameSchema() throws Exception {
        PostgresServer pg = PostgresServer.shared();
        String name = pg.newDatabase(Optional.empty());
        var settings = pg.settings(name, tmp.resolve("pg"));
        TreeSet<String> h2;
        TreeSet<String> postgres;
        try (Database db = Database.open(tmp.resolve("h2"))) {
            assertThat(db.engine()).isEqualTo(Database.Engine.H2);
            h2 = columns(db, "PUBLIC");
        }
        try (Database db = Database.postgres(settings.url(), settings.user(), settings.password())) {
            assertThat(db.engine()).isEqualTo(Database.Engine.POSTGRESQL);
            postgres = columns(db, "public");
        }
        assertThat(h2).hasSizeGreaterThan(100);
        assertThat(postgres).containsExactlyElementsOf(h2);
    }

    /** Every column as "table.column kind(length) null|not null", the kind named alike on both engines. */
    private static TreeSet<String> columns(Database db, String schema) throws Exception {
        TreeSet<String> out = new TreeSet<>();
        try (Connection c = db.connection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT table_name, column_name, data_type, character_maximum_length, is_nullable FROM information_schema.columns "
                        + "WHERE table_schema = '" + schema + "' AND table_name <> 'flyway_schema_history'")) {
            while (rs.next()) {
                String kind = switch (rs.getString(3).toLowerCase(Locale.ROOT)) {
                    case "character varying" -> "varchar(" + rs.getLong(4) + ")";
                    case "character" -> "char(" + rs.getLong(4) + ")";
                    case "binary varying", "binary", "bytea" -> "bytes";
                    case "character large object", "text" -> "text";
                    default -> rs.getString(3).toLowerCase(Locale.ROOT);
                };
                out.add(rs.getString(1).toLowerCase(Locale.ROOT) + "." + rs.getString(2).toLowerCase(Locale.ROOT) + " " + kind + " "
                        + ("YES".equals(rs.getString(5)) ? "null" : "not null"));
            }
        }
        return out;
    }
}
