package cn.midang.server.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.keys.KeysException;
import cn.midang.server.archive.Archive;
import cn.midang.server.archive.FileBlobStore;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.seal.PositionalCipher;
import cn.midang.keys.testkit.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexKeyTest {

    @TempDir
    Path dir;

    @Test
    void loadOrCreate_makesTheKeyOnce_sealedToTheArchive_andRefusesATamperedFile() throws Exception {
        TestPki pki = TestPki.create(dir);
        Identity archive = pki.person("archive", "server", "midang");
        Path file = dir.resolve("index/index-key.cms");
        PositionalCipher first = IndexKey.loadOrCreate(file, new Archive(archive, new FileBlobStore(dir.resolve("blobs")), pki::validator, pki.clock));
        byte[] stored = Files.readAllBytes(file);
        PositionalCipher again = IndexKey.loadOrCreate(file, new Archive(archive, new FileBlobStore(dir.resolve("blobs")), pki::validator, pki.clock));
        assertThat(Files.readAllBytes(file)).isEqualTo(stored);
        byte[] iv = PositionalCipher.newIv();
        byte[] a = new byte[64];
        byte[] b = new byte[64];
        first.apply(iv, 0, a, 0, 64);
        again.apply(iv, 0, b, 0, 64);
        assertThat(a).isEqualTo(b);
        try (var s = Files.list(file.getParent())) {
            assertThat(s.count()).as("no temporary file left").isEqualTo(1);
        }
        stored[stored.length - 40] ^= 1;
        Files.write(file, stored);
        assertThatThrownBy(() -> IndexKey.loadOrCreate(file, new Archive(archive, new FileBlobStore(dir.resolve("blobs")), pki::validator, pki.clock)))
                .isInstanceOf(KeysException.class);
    }
}
