package cn.midang.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the records and the blobs are, read from server.conf; their secrets only from the environment or a file. */
class ServerConfigTest {

    @TempDir
    Path local;

    @Test
    void blobsAndDatabase_takeBucketPrefixEndpointAndUrl_andTheSecretsOnlyFromTheEnvironmentOrAFile() throws Exception {
        Path data = Files.createDirectories(local.resolve("data"));
        Files.writeString(data.resolve("server.conf"), "blobs.url = s3://reports/midang?endpoint=http://127.0.0.1:9000&region=cn-north-1\n");
        Map<String, String> env = new HashMap<>(Map.of("AWS_ACCESS_KEY_ID", "id", "AWS_SECRET_ACCESS_KEY", "secret"));
        ServerConfig.ObjectStore o = ServerConfig.load(data, env).blobs().orElseThrow();
        assertThat(o.bucket()).isEqualTo("reports");
        assertThat(o.prefix()).isEqualTo("midang/");
        assertThat(o.endpoint()).contains(java.net.URI.create("http://127.0.0.1:9000"));
        assertThat(o.region()).isEqualTo("cn-north-1");
        assertThat(o.toString()).doesNotContain("secret");
        env.remove("AWS_SECRET_ACCESS_KEY");
        assertThatThrownBy(() -> ServerConfig.load(data, env)).hasMessageContaining("AWS_SECRET_ACCESS_KEY");
        for (String bad : new String[] {"http://reports", "s3://Reports_1", "s3://reports?endpoint=ftp://x", "s3://reports?acl=public"}) {
            Files.writeString(data.resolve("server.conf"), "blobs.url = " + bad + "\n");
            assertThatThrownBy(() -> ServerConfig.load(data, Map.of("AWS_ACCESS_KEY_ID", "id", "AWS_SECRET_ACCESS_KEY", "s")))
                    .as(bad).isInstanceOf(ServerConfig.InvalidConfigException.class).hasMessageContaining("blobs.url");
        }
        Files.writeString(data.resolve("server.conf"), "");
        assertThat(ServerConfig.load(data, Map.of()).blobs()).as("files by default, no keys needed").isEmpty();
        // The database's secrets likewise: never in the file, never in the address.
        Files.writeString(data.resolve("server.conf"), "database.url = jdbc:postgresql://db:5432/midang?password=hunter2\n");
        assertThatThrownBy(() -> ServerConfig.load(data, Map.of("MIDANG_DATABASE_USER", "u", "MIDANG_DATABASE_PASSWORD", "p")))
                .hasMessageContaining("carries a password").hasMessageNotContaining("hunter2");
        Files.writeString(data.resolve("server.conf"), "database.url = jdbc:postgresql://db:5432/midang\ndatabase.password = x\n");
        assertThatThrownBy(() -> ServerConfig.load(data, Map.of())).hasMessageContaining("unknown key \"database.password\"");
        Files.writeString(data.resolve("server.conf"), "database.url = jdbc:postgresql://db:5432/midang\n");
        assertThatThrownBy(() -> ServerConfig.load(data, Map.of())).hasMessageContaining("MIDANG_DATABASE_PASSWORD");
        Files.writeString(data.resolve("server.conf"), "database.url = jdbc:postgresql://db:5432/midang\ndatabase.credentials-file = db.cred\n");
        Files.writeString(data.resolve("db.cred"), "user = midang\npassword = s3cret\n");
        ServerConfig.DatabaseSettings db = ServerConfig.database(data, Map.of()).orElseThrow();
        assertThat(db.user()).isEqualTo("midang");
        assertThat(db.password()).isEqualTo("s3cret");
        assertThat(db.toString()).doesNotContain("s3cret");
        Files.writeString(data.resolve("server.conf"), "database.url = mysql://db\n");
        assertThatThrownBy(() -> ServerConfig.load(data, Map.of())).hasMessageContaining("jdbc:postgresql://");
    }

    @Test
    void nodeNameAndSweepGrace_haveSafeDefaults_andRefuseWhatCannotBeANodeName() throws Exception {
        Path data = Files.createDirectories(local.resolve("node"));
        Files.writeString(data.resolve("server.conf"), "");
        ServerConfig sole = ServerConfig.load(data, Map.of());
        assertThat(sole.node()).isEqualTo(ServerConfig.SOLE_NODE);
        assertThat(sole.sweepGrace(false)).as("one server: nothing else uploads").isZero();
        assertThat(sole.sweepGrace(true)).as("shared records: another node's upload may be in flight")
                .isEqualTo(java.time.Duration.ofHours(1));
        Files.writeString(data.resolve("server.conf"), "node.name = node-b\nblobs.sweep-grace-seconds = 120\n");
        ServerConfig b = ServerConfig.load(data, Map.of());
        assertThat(b.node()).isEqualTo("node-b");
        assertThat(b.sweepGrace(true)).isEqualTo(java.time.Duration.ofSeconds(120));
        for (String bad : new String[] {"Node-B", "-b", "node b", "", "节点"}) {
            Files.writeString(data.resolve("server.conf"), "node.name = " + bad + "\n");
            assertThatThrownBy(() -> ServerConfig.load(data, Map.of())).as(bad).hasMessageContaining("node.name");
        }
        assertThat(ServerConfig.withSetting("a = 1\nnode.name = local\n", "node.name", "node-b")).isEqualTo("a = 1\nnode.name = node-b\n");
        assertThat(ServerConfig.withSetting("a = 1", "listen.port", "8444")).isEqualTo("a = 1\nlisten.port = 8444\n");
    }

    @Test
    void pageCache_emptyMeansAShareOfTheHeap_aSizeIsMiB_andNothingBelowOne() throws Exception {
        Path data = Files.createDirectories(local.resolve("cache"));
        Files.writeString(data.resolve("server.conf"), "");
        assertThat(ServerConfig.load(data, Map.of()).pageCacheBytes()).isEmpty();
        assertThat(cn.midang.server.search.EncryptedDirectory.DEFAULT_CACHE_BYTES).isBetween(32L << 20, 1L << 30);
        Files.writeString(data.resolve("server.conf"), "search.page-cache-mib = 256\n");
        assertThat(ServerConfig.load(data, Map.of()).pageCacheBytes()).contains(256L << 20);
        for (String bad : new String[] {"0", "-1", "lots", "2097152"}) {
            Files.writeString(data.resolve("server.conf"), "search.page-cache-mib = " + bad + "\n");
            assertThatThrownBy(() -> ServerConfig.load(data, Map.of())).as(bad).isInstanceOf(ServerConfig.InvalidConfigException.class)
                    .hasMessageContaining("search.page-cache-mib");
        }
    }
}
