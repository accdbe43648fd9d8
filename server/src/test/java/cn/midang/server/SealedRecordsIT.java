package cn.midang.server;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.cli.net.MidangClient;
import cn.midang.cli.net.Receipt;
import cn.midang.keys.testkit.PlaintextScan;
import cn.midang.server.storage.Database;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * File names and receipts are kept sealed in H2 (D38). A database written by an earlier version,
 * with them in plaintext, is sealed at the next start and the file rewritten: afterwards the
 * name is nowhere in the data directory, and listing, receipts and search work as before.
 */
class SealedRecordsIT {

    @TempDir
    Path tmp;

    @Test
    void plaintextRowsOfAnEarlierVersion_areSealedAtStart_andTheirNamesLeaveTheDatabaseFile() throws Exception {
        DevServer dev = DevServer.start(tmp.resolve("data"));
        String marker = "玉溪市某局涉密网络漏洞整改报告" + System.nanoTime();
        Path f = tmp.resolve(marker + ".txt");
        Files.writeString(f, "本单位已完成整改。", StandardCharsets.UTF_8);
        Receipt receipt = dev.client("unit-a").submit(f, "demo", "report", null).receipt();
        dev.server.awaitIndexed();
        dev.server.close();

        // Put the row back the way V1-V7 stored it: name and receipt in plaintext, no sealed values.
        try (Database db = Database.open(dev.data.resolve("db")); Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement("UPDATE submissions SET file_name = ?, receipt = ?, "
                        + "sealed_file_name = NULL, sealed_receipt = NULL WHERE id = ?")) {
            ps.setString(1, marker + ".txt");
            ps.setBytes(2, receipt.bytes());
            ps.setString(3, receipt.id());
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        assertThat(PlaintextScan.firstFileContaining(dev.data.resolve("db"), PlaintextScan.encodings(marker)))
                .as("the scan sees a plaintext name in the database file").isPresent();

        try (MidangServer again = ReindexIT.restart(dev)) {
            MidangClient unitA = new MidangClient(java.net.URI.create(again.url("127.0.0.1")), dev.identity("unit-a"), dev.clock);
            assertThat(unitA.list("demo", null, null, 10, 0).path("submissions").get(0).path("file_name").asText())
                    .isEqualTo(marker + ".txt");
            assertThat(unitA.receipt(receipt.id()).bytes()).isEqualTo(receipt.bytes());
            assertThat(ReindexIT.hits(again, dev, "整改")).isEqualTo(1);
        }
        try (Database db = Database.open(dev.data.resolve("db")); Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM submissions WHERE file_name IS NOT NULL "
                        + "OR receipt IS NOT NULL OR sealed_file_name IS NULL OR sealed_receipt IS NULL");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            assertThat(rs.getInt(1)).as("rows with a plaintext or without a sealed name or receipt").isZero();
        }
        assertThat(PlaintextScan.firstFileContaining(dev.data, PlaintextScan.encodings(marker))).isEmpty();
    }
}
