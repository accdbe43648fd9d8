package cn.midang.keys.tlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TilesTest {

    @Test
    void paths_asTheSpecificationWritesThem() {
        assertThat(Tiles.path(0, 1234067, 256)).isEqualTo("tile/0/x001/x234/067");
        assertThat(Tiles.path(1, 5, 17)).isEqualTo("tile/1/005.p/17");
        assertThat(Tiles.path(-1, 0, 256)).isEqualTo("tile/entries/000");
        assertThat(Tiles.path(2, 1000, 1)).isEqualTo("tile/2/x001/000.p/1");
        assertThat(Tiles.parse("tile/0/x001/x234/067")).contains(new Tiles.Name(0, 1234067, 256));
        assertThat(Tiles.parse("tile/entries/005.p/255")).contains(new Tiles.Name(-1, 5, 255));
        for (String bad : List.of("tile/0/5", "tile/0/x000/005", "tile/0/005.p/0", "tile/0/005.p/256", "tile/0/005.p/07",
                "tile/64/000", "tile/01/000", "tile/0/x001/x234/067/", "tile/../000", "tile/0/00a", "/tile/0/000")) {
            assertThat(Tiles.parse(bad)).as(bad).isEqualTo(Optional.empty());
        }
        assertThatThrownBy(() -> Tiles.path(0, 1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aTreeOf70000_hasTheTilesTheSpecificationCounts() throws Exception {
        MemoryTiles tiles = new MemoryTiles(TreeHasher.SM3);
        List<byte[]> leaves = new ArrayList<>();
        for (int i = 0; i < 70_000; i++) {
            leaves.add(TreeHasher.SM3.leaf(Integer.toString(i).getBytes()));
        }
        tiles.append(leaves);
        long fullLevel0 = tiles.tiles.entrySet().stream().filter(e -> e.getKey().startsWith("0/") && e.getValue().length == 8192).count();
        assertThat(fullLevel0).isEqualTo(273);
        assertThat(tiles.read(0, 273)).hasSize(112 * 32);
        assertThat(tiles.read(1, 0)).hasSize(8192);
        assertThat(tiles.read(1, 1)).hasSize(17 * 32);
        assertThat(tiles.read(2, 0)).hasSize(32);
        assertThat(tiles.tiles).hasSize(273 + 1 + 2 + 1);
        // a level-1 hash is the head of the level-0 tile under it
        assertThat(java.util.Arrays.copyOfRange(tiles.read(1, 0), 32 * 5, 32 * 6))
                .isEqualTo(new MerkleTreeTest.Reference(TreeHasher.SM3, leaves).mth(5 * 256, 6 * 256));
    }

    @Test
    void aStoreThatLostATile_isNoticed_notPaperedOver() throws Exception {
        MemoryTiles tiles = new MemoryTiles(TreeHasher.SM3);
        List<byte[]> leaves = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            leaves.add(TreeHasher.SM3.leaf(new byte[] {(byte) i}));
        }
        tiles.append(leaves);
        tiles.tiles.remove("0/1");
        assertThatThrownBy(() -> Tiles.append(TreeHasher.SM3, tiles, 300, List.of(leaves.get(0))))
                .isInstanceOf(cn.midang.keys.KeysException.class).hasMessageContaining("tile 0/1");
        assertThatThrownBy(() -> tiles.tree().root(300)).isInstanceOf(cn.midang.keys.KeysException.class);
    }
}
