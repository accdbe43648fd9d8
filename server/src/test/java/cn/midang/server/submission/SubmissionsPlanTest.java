package cn.midang.server.submission;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.server.storage.Database;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A campaign's status must not read every submission of the campaign (with 100,000 reports that
 * took the status answer to a second): the database's own plan for each query names the index
 * made for it (V16), and the count reads nothing but that index.
 */
class SubmissionsPlanTest {

    @TempDir
    Path dir;

    @Test
    void theStatusQueries_useTheIndexesMadeForThem() throws Exception {
        try (Database db = Database.open(dir)) {
            fill(db, 2_000);
            for (boolean unitsOnly : new boolean[] {false, true}) {
                assertThat(plan(db, Submissions.tallyQuery(unitsOnly)))
                        .contains("SUBMISSIONS_TALLY: CAMPAIGN_ID = 'c'")
                        .doesNotContain("SUBMISSIONS_CAMPAIGN_UNIT");
            }
            assertThat(plan(db, Submissions.LATEST_QUERY)).contains("SUBMISSIONS_CAMPAIGN_KIND: CAMPAIGN_ID = 'c'")
                    .contains("KIND = 'form'");
        }
    }

    /** A campaign of 20 units that handed in {@code reports} reports and a form each (the plan depends on the rows). */
    private static void fill(Database db, int reports) throws SQLException {
        try (Connection c = db.connection(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO campaigns (id, title, state, submissions_open_at, submission_deadline, late_accepted) "
                    + "VALUES ('c', 'c', 'open', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, FALSE)");
            s.execute("INSERT INTO accounts (fingerprint, common_name, role, organisation, certificate_pem, created_at) "
                    + "VALUES (REPEAT('a', 64), 'u', 'unit', 'u', '-', CURRENT_TIMESTAMP)");
            try (var ps = c.prepareStatement("INSERT INTO submissions (id, sequence, receipt_number, campaign_id, unit_id, kind, "
                    + "content_size, content_sm3, package_size, submitter_fingerprint, received_at, late, blob_name, receipt_signature) "
                    + "VALUES (?, ?, ?, 'c', ?, ?, 1, REPEAT('0', 64), 1, REPEAT('a', 64), CURRENT_TIMESTAMP, FALSE, ?, X'00')")) {
                for (int i = 0; i < reports + 20; i++) {
                    ps.setString(1, String.format("%032d", i));
                    ps.setLong(2, i);
                    ps.setLong(3, i);
                    ps.setString(4, "u" + i % 20);
                    ps.setString(5, i < 20 ? "form" : "report");
                    ps.setString(6, "b" + i);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
    }

    private static String plan(Database db, String query) throws SQLException {
        String literal = query.replaceFirst("\\?", "'c'").replaceFirst("\\?", "'form'");
        try (Connection c = db.connection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("EXPLAIN " + literal)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
