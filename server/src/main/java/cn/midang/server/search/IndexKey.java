package cn.midang.server.search;

import cn.midang.server.archive.Archive;
import cn.midang.keys.KeysException;
import cn.midang.keys.seal.PositionalCipher;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The search index's key (SPEC C4): made once per deployment, kept only sealed (signed and
 * encrypted) to the archive key in {@code DATA/index/index-key.cms}, opened at start-up. Deleting
 * the index and its key loses nothing: the index is rebuilt from the archive with a new key.
 */
public final class IndexKey {

    private IndexKey() {}

    /** Opens the key in {@code file}, or makes one and stores it there (atomically) when there is none. */
    public static PositionalCipher loadOrCreate(Path file, Archive archive) throws IOException, KeysException {
        return archive.indexKey(file);
    }
}
