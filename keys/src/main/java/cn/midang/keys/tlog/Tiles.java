package cn.midang.keys.tlog;

import cn.midang.keys.KeysException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tree kept and served as C2SP {@code tlog-tiles}: the tile at level {@code L}, index
 * {@code N} holds up to 256 consecutive hashes of complete subtrees of height {@code 8L}; a full
 * tile's own head is the next hash of level {@code L+1}. This class grows tiles as leaves are
 * appended, reads any complete subtree back from them ({@link MerkleTree.Subtrees}), and names
 * tiles the way the specification's URLs do ({@code tile/1/x001/234}, {@code tile/0/005.p/17}).
 */
public final class Tiles implements MerkleTree.Subtrees {

    public static final int WIDTH = 256;
    private static final int HEIGHT = 8;

    /** Where tiles live: a tile is the concatenation of its hashes, 1..256 of them; absent tiles read as empty. */
    public interface Store {
        byte[] read(int level, long index) throws KeysException;

        void write(int level, long index, byte[] hashes) throws KeysException;
    }

    private final TreeHasher hasher;
    private final Store store;
    private final Map<Long, byte[]> read = new HashMap<>();

    /** Tiles of {@code store}; the instance caches what it reads, so make one per task on a growing store. */
    public Tiles(TreeHasher hasher, Store store) {
        this.hasher = hasher;
        this.store = store;
    }

    /**
     * Appends the leaf hashes {@code leaves} to a tree of {@code size} leaves kept in
     * {@code store}: each goes into its level-0 tile, and each tile that fills up sends its head
     * a level up. Returns the new size. Writes each touched tile once.
     */
    public static long append(TreeHasher hasher, Store store, long size, List<byte[]> leaves) throws KeysException {
        Map<Long, byte[]> touched = new HashMap<>();
        Map<Long, Integer> levels = new HashMap<>();
        long n = size;
        for (byte[] leaf : leaves) {
            TreeHasher.requireHash(leaf);
            byte[] h = leaf;
            long position = n;
            for (int level = 0; ; level++) {
                long index = position / WIDTH;
                long key = key(level, index);
                byte[] tile = touched.get(key);
                if (tile == null) {
                    tile = store.read(level, index);
                }
                int at = (int) (position % WIDTH);
                if (tile.length != at * TreeHasher.LENGTH) {
                    throw new KeysException(KeysException.Reason.MALFORMED, "tile " + level + "/" + index + " holds "
                            + tile.length / TreeHasher.LENGTH + " hashes where " + at + " were expected");
                }
                byte[] grown = Arrays.copyOf(tile, tile.length + TreeHasher.LENGTH);
                System.arraycopy(h, 0, grown, tile.length, TreeHasher.LENGTH);
                touched.put(key, grown);
                levels.put(key, level);
                if (at + 1 < WIDTH) {
                    break;
                }
                h = headOf(hasher, grown, 0, WIDTH);
                position = index;
            }
            n++;
        }
        for (Map.Entry<Long, byte[]> e : touched.entrySet()) {
            int level = levels.get(e.getKey());
            store.write(level, e.getKey() - ((long) level << 56), e.getValue());
        }
        return n;
    }

    @Override
    public byte[] subtree(int height, long index) throws KeysException {
        int level = height / HEIGHT;
        int span = 1 << (height % HEIGHT);
        long first = index * span;
        long tileIndex = first / WIDTH;
        int from = (int) (first % WIDTH);
        byte[] tile = tile(level, tileIndex);
        if (tile.length < (from + span) * TreeHasher.LENGTH) {
            throw new KeysException(KeysException.Reason.MALFORMED, "the log has no complete subtree of height " + height
                    + " at " + index);
        }
        return headOf(hasher, tile, from, span);
    }

    private byte[] tile(int level, long index) throws KeysException {
        long key = key(level, index);
        byte[] t = read.get(key);
        if (t == null) {
            t = store.read(level, index);
            read.put(key, t);
        }
        return t;
    }

    /** The head of the perfect subtree over {@code count} (a power of two) hashes of {@code tile} from {@code from}. */
    private static byte[] headOf(TreeHasher hasher, byte[] tile, int from, int count) {
        byte[][] row = new byte[count][];
        for (int i = 0; i < count; i++) {
            row[i] = Arrays.copyOfRange(tile, (from + i) * TreeHasher.LENGTH, (from + i + 1) * TreeHasher.LENGTH);
        }
        for (int width = count; width > 1; width /= 2) {
            for (int i = 0; i < width / 2; i++) {
                row[i] = hasher.node(row[2 * i], row[2 * i + 1]);
            }
        }
        return row[0];
    }

    private static long key(int level, long index) {
        return ((long) level << 56) + index;
    }

    /** A tile's name under the log's prefix: {@code tile/L/N} or {@code tile/L/N.p/W}; level -1 names an entry bundle. */
    public static String path(int level, long index, int width) {
        if (width < 1 || width > WIDTH || level < -1 || level > 63 || index < 0) {
            throw new IllegalArgumentException("no tile " + level + "/" + index + " of width " + width);
        }
        StringBuilder n = new StringBuilder();
        String digits = Long.toString(index);
        digits = "0".repeat((3 - digits.length() % 3) % 3) + digits;
        for (int i = 0; i < digits.length(); i += 3) {
            n.append(i + 3 < digits.length() ? "x" : "").append(digits, i, i + 3).append(i + 3 < digits.length() ? "/" : "");
        }
        return "tile/" + (level < 0 ? "entries" : Integer.toString(level)) + "/" + n
                + (width == WIDTH ? "" : ".p/" + width);
    }

    /** A tile named by its path; level -1 for an entry bundle, width 256 for a full tile. */
    public record Name(int level, long index, int width) {}

    private static final Pattern PATH = Pattern.compile(
            "tile/(entries|0|[1-9]|[1-5][0-9]|6[0-3])/((?:x[0-9]{3}/){0,6}[0-9]{3})(?:\\.p/([1-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5]))?");

    /** Reads a tile path; empty for anything else (a bad level, width, or digits). */
    public static Optional<Name> parse(String path) {
        Matcher m = PATH.matcher(path);
        if (!m.matches()) {
            return Optional.empty();
        }
        String digits = m.group(2).replace("x", "").replace("/", "");
        if (digits.length() > 18) {
            return Optional.empty();
        }
        int level = m.group(1).equals("entries") ? -1 : Integer.parseInt(m.group(1));
        int width = m.group(3) == null ? WIDTH : Integer.parseInt(m.group(3));
        Name name = new Name(level, Long.parseLong(digits), width);
        return path(level, name.index(), width).equals(path) ? Optional.of(name) : Optional.empty();
    }
}
