package cn.midang.keys.tlog;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Tiles kept in memory, and a log over them, for tests. */
final class MemoryTiles implements Tiles.Store {
    final Map<String, byte[]> tiles = new HashMap<>();
    final TreeHasher hasher;
    long size;

    MemoryTiles(TreeHasher hasher) {
        this.hasher = hasher;
    }

    @Override
    public byte[] read(int level, long index) {
        return tiles.getOrDefault(level + "/" + index, new byte[0]).clone();
    }

    @Override
    public void write(int level, long index, byte[] hashes) {
        tiles.put(level + "/" + index, hashes.clone());
    }

    MemoryTiles append(List<byte[]> leafHashes) throws Exception {
        size = Tiles.append(hasher, this, size, leafHashes);
        return this;
    }

    MerkleTree tree() {
        return new MerkleTree(hasher, new Tiles(hasher, this));
    }
}
