package cn.midang.server.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.keys.testkit.TestPki;
import cn.midang.server.deploy.Deployment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup of a fresh dev deployment, without a server: what it holds and leaves out, the
 * checkpoints it keeps, its check, and a restore. The backup of a serving server, under load, is
 * {@code BackupIT}'s.
 */
class BackupTest {

    @TempDir
    Path tmp;

    @Test
    void aBackup_keepsCheckpointsUpToItsCut_leavesOutTheIndex_andRestoresWhole() throws Exception {
        char[] pass = TestPki.randomPassphrase();
        Path data = tmp.resolve("data");
        Deployment.initDev(data, pass, Clock.systemUTC());
        Files.createDirectories(data.resolve("index"));
        Files.writeString(data.resolve("index/index-key.cms"), "derived");
        Path backup = tmp.resolve("backups/one");
        Backup.Taken taken;
        try (Deployment d = Deployment.open(data, pass, Clock.systemUTC())) {
            long cut;
            try (var c = d.database().connection(); var s = c.createStatement();
                    var rs = s.executeQuery("SELECT COALESCE(MAX(seq), 0) FROM audit_log")) {
                rs.next();
                cut = rs.getLong(1);
            }
            // One checkpoint of the cut, one beyond it, and one the server is still writing.
            Files.createDirectories(d.dir().auditCheckpoints().getParent());
            Files.writeString(d.dir().auditCheckpoints(), "{\"seq\":" + cut + ",\"bytes\":\"a\"}\n{\"seq\":" + (cut + 5)
                    + ",\"bytes\":\"b\"}\n{\"seq\":" + (cut + 9) + ",\"by", StandardCharsets.UTF_8);
            assertThatThrownBy(() -> Backup.take(d.dir(), d.database(), d.signingIdentity(), data.resolve("inside"), d.clock(), l -> { }))
                    .hasMessageContaining("inside the data directory");
            taken = Backup.take(d.dir(), d.database(), d.signingIdentity(), backup, d.clock(), l -> { });
            assertThat(taken.cut().auditSeq()).isEqualTo(cut);
            assertThat(Files.readAllLines(backup.resolve("audit/checkpoints.jsonl")))
                    .containsExactly("{\"seq\":" + cut + ",\"bytes\":\"a\"}");
        }
        assertThat(backup.resolve("index")).doesNotExist();
        assertThat(backup.resolve(Backup.DATABASE)).isRegularFile();
        assertThat(Files.getPosixFilePermissions(backup).toString()).isEqualTo("[OWNER_READ, OWNER_WRITE, OWNER_EXECUTE]");
        assertThat(tmp.resolve("backups").toFile().list()).containsExactly("one"); // no staging folder left
        assertThat(Backup.verify(backup, null).problems()).isEmpty();

        byte[] conf = Files.readAllBytes(backup.resolve("server.conf"));
        Files.writeString(backup.resolve("server.conf"), "\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        assertThat(Backup.verify(backup, null).problems()).containsExactly("server.conf: changed (its size or SM3 differs from the manifest)");
        assertThatThrownBy(() -> Backup.restore(backup, tmp.resolve("nowhere"), null, l -> { })).hasMessageContaining("does not check out");
        assertThat(tmp.resolve("nowhere")).doesNotExist();
        Files.write(backup.resolve("server.conf"), conf);

        Backup.Restored r = Backup.restore(backup, tmp.resolve("restored"), null, l -> { });
        assertThat(r.cut()).isEqualTo(taken.cut());
        assertThat(Files.readAllBytes(tmp.resolve("restored/server.conf"))).isEqualTo(conf);
        try (Deployment again = Deployment.open(tmp.resolve("restored"), pass, Clock.systemUTC())) {
            assertThat(again.signingIdentity().certificate().fingerprint()).isNotEmpty();
        }
        assertThat(tmp.toFile().list()).containsExactlyInAnyOrder("data", "backups", "restored"); // no staging folder left
    }
}
