package cn.midang.server.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.server.S3Server;
import cn.midang.server.config.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link BlobStoreContract} on a real S3-compatible server (s3proxy on loopback), each test in a
 * bucket of its own, plus what only an object store can do wrong.
 */
class S3BlobStoreIT extends BlobStoreContract {

    private String bucket;

    private static ServerConfig.ObjectStore config(String bucket, String secret) {
        S3Server s3 = S3Server.shared();
        return new ServerConfig.ObjectStore(bucket, "blobs/", Optional.of(java.net.URI.create(s3.endpoint())), "us-east-1",
                S3Server.ACCESS_KEY_ID, secret);
    }

    @Override
    BlobStore open(Path local) throws Exception {
        bucket = S3Server.shared().newBucket();
        return S3BlobStore.open(config(bucket, S3Server.SECRET_ACCESS_KEY), local);
    }

    @Override
    BlobStore open(Path local, BlobStore previous) throws Exception {
        return S3BlobStore.open(config(bucket, S3Server.SECRET_ACCESS_KEY), local);
    }

    @Test
    void blobsAreObjectsUnderThePrefix_andNothingHalfSentIsEverInTheBucket() throws Exception {
        try (BlobStore.Staged s = store.stage()) {
            s.stream().write(new byte[200_000]);
            s.stream().flush();
            try (Stream<Path> files = Files.walk(S3Server.shared().folder(bucket))) {
                assertThat(files.filter(Files::isRegularFile).count()).as("staged locally, not in the bucket").isZero();
            }
            String name = s.commit();
            assertThat(Files.size(S3Server.shared().folder(bucket).resolve("blobs").resolve(name))).isEqualTo(200_000);
        }
    }

    @Test
    void aBucketThatDoesNotExist_orKeysItRefuses_stopTheStart_namingTheBucket() {
        assertThatThrownBy(() -> S3BlobStore.open(config("no-such-bucket", S3Server.SECRET_ACCESS_KEY), local))
                .isInstanceOf(IOException.class).hasMessageContaining("\"no-such-bucket\"").hasMessageContaining("must exist");
        assertThatThrownBy(() -> S3BlobStore.open(config(S3Server.shared().newBucket(), "wrong-secret"), local))
                .isInstanceOf(IOException.class).hasMessageContaining("403").hasMessageNotContaining("wrong-secret");
    }

    @Test
    void aPutTheStoreRefuses_failsTheCommit_andLeavesNothing() throws Exception {
        BlobStore.Staged s = store.stage();
        s.stream().write(new byte[1000]);
        // The bucket goes away under the server (an operator's mistake, a policy change): the PUT fails.
        deleteTree(S3Server.shared().folder(bucket));
        assertThatThrownBy(s::commit).isInstanceOf(IOException.class).hasMessageContaining(bucket);
        try (Stream<Path> files = Files.list(local.resolve("tmp"))) {
            assertThat(files.count()).as("the staged file is removed").isZero();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
