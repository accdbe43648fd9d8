package cn.midang.server;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.cli.net.MidangClient;
import cn.midang.keys.digest.Sm3;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An operator's deployment on PostgreSQL and an S3 bucket, made and run by the real
 * {@code midang-server} jar with the settings in the environment, as the README says: init
 * points at the database, the server keeps nothing of the records or blobs under its data
 * directory, a report goes in and comes back byte for byte, the audit log verifies; a database
 * that refuses the password stops init before it writes anything.
 */
class PostgresAndS3IT {

    @TempDir
    Path tmp;

    private static ChildServer.Command serverCommand(Map<String, String> env, Path log, String... args) throws Exception {
        return ChildServer.command(env, log, log, args);
    }

    @Test
    void aDeploymentOnPostgresqlAndS3_initRunsStoresAndVerifies_keepingNoRecordsOrBlobsLocally() throws Exception {
        PostgresServer pg = PostgresServer.shared();
        S3Server s3 = S3Server.shared();
        String database = pg.newDatabase(Optional.empty());
        Map<String, String> env = new HashMap<>(pg.environment());
        String bucket = s3.newBucket();
        env.putAll(S3Server.keys());
        Path data = tmp.resolve("srv");
        Path passFile = tmp.resolve("pass");
        Files.writeString(passFile, "correct horse battery staple\n");

        ChildServer.Command init = serverCommand(env, tmp.resolve("init.log"), "init", "--data", data.toString(), "--dev", "--database",
                pg.url(database), "--blobs", s3.url(bucket), "--passphrase-file", passFile.toString());
        assertThat(init.exit()).as(init.out()).isZero();
        assertThat(init.out()).contains("records: " + pg.url(database) + " as midang").contains("sealed packages: s3://" + bucket);
        assertThat(Files.readString(data.resolve("server.conf"))).contains("\ndatabase.url = " + pg.url(database) + "\n")
                .contains("\nblobs.url = " + s3.url(bucket) + "\n")
                .doesNotContain(env.get("MIDANG_DATABASE_PASSWORD")).doesNotContain(S3Server.SECRET_ACCESS_KEY);
        assertThat(data.resolve("db")).as("no embedded database").doesNotExist();

        ChildServer.Deployed dev = new ChildServer.Deployed(data, "correct horse battery staple".toCharArray(), passFile, env);
        ChildServer server = ChildServer.start(dev, tmp.resolve("server.log"), "-Xmx512m");
        byte[] content = new byte[5 << 20];
        new Random(18).nextBytes(content);
        Path report = tmp.resolve("report.bin");
        Files.write(report, content);
        String id;
        try {
            assertThat(Files.readString(server.log())).contains("sealed packages are kept in s3://");
            MidangClient unitA = new MidangClient(server.uri(), dev.identity("unit-a"), Clock.systemUTC());
            id = unitA.submit(report, "demo", "report", null).receipt().id();
            Path back = tmp.resolve("back.bin");
            MidangClient inspector = new MidangClient(server.uri(), dev.identity("inspector-info"), Clock.systemUTC());
            inspector.get(id, back);
            assertThat(Sm3.hex(Files.readAllBytes(back))).isEqualTo(Sm3.hex(content));
        } finally {
            assertThat(server.stop()).isTrue();
        }
        try (Stream<Path> local = Files.walk(data.resolve("blobs"))) {
            assertThat(local.filter(Files::isRegularFile).toList()).as("the blob is in the bucket, nothing local").isEmpty();
        }
        try (var blobs = dev.blobs()) {
            assertThat(blobs.names()).hasSize(1);
        }
        ChildServer.Command verify = serverCommand(env, tmp.resolve("verify.log"), "audit", "verify", "--data", data.toString());
        assertThat(verify.exit()).as(verify.out()).isZero();
        assertThat(verify.out()).contains("Audit log intact");

        // A password the database refuses: init says why and writes nothing.
        Map<String, String> wrong = new HashMap<>(env);
        wrong.put("MIDANG_DATABASE_PASSWORD", "not-the-password");
        Path other = tmp.resolve("other");
        ChildServer.Command refused = serverCommand(wrong, tmp.resolve("refused.log"), "init", "--data", other.toString(), "--dev", "--database",
                pg.url(pg.newDatabase(Optional.empty())), "--passphrase-file", passFile.toString());
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.out()).contains("cannot be used").contains("password authentication failed").doesNotContain("not-the-password");
        assertThat(other).doesNotExist();

        // A bucket that does not exist: init says which and writes nothing either.
        ChildServer.Command noBucket = serverCommand(env, tmp.resolve("no-bucket.log"), "init", "--data", other.toString(), "--dev", "--database",
                pg.url(pg.newDatabase(Optional.empty())), "--blobs", s3.url("no-such-bucket"), "--passphrase-file", passFile.toString());
        assertThat(noBucket.exit()).isNotZero();
        assertThat(noBucket.out()).contains("\"no-such-bucket\"").contains("must exist");
        assertThat(other).doesNotExist();
    }
}
