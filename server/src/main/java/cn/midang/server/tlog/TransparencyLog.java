package cn.midang.server.tlog;

import cn.midang.keys.KeysException;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.sign.RawSignatures;
import cn.midang.keys.tlog.LogCheckpoint;
import cn.midang.keys.tlog.MerkleTree;
import cn.midang.keys.tlog.Note;
import cn.midang.keys.tlog.NoteKey;
import cn.midang.keys.tlog.Tiles;
import cn.midang.keys.tlog.TreeHasher;
import cn.midang.keys.tlog.TreeHead;
import cn.midang.server.storage.Database;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The archive's transparency log, kept in the database.
 *
 * <p><b>Rounds.</b> {@link #add} only records a commitment as pending, inside the caller's
 * transaction, so a statement and its place in the log commit together or not at all. Every
 * round ({@link #integrate}) takes all pending commitments, shuffles them, pads them with random
 * 32-byte entries up to the next multiple of the round size (never fewer than one round), appends
 * them to the tree and signs a checkpoint of the new size, all in one transaction. The tree thus
 * grows by the same count every round whatever the archive did, unless more than a round's worth
 * of statements came in: a unit watching the tree size learns the time, not other units' activity.
 *
 * <p>Witnesses' cosignatures are kept per checkpoint and served with it. Key names: the log signs
 * as its origin, {@code midang/log/<first 16 hex of the signing certificate's fingerprint>}; a
 * witness as {@code midang/witness/<first 16 hex of its certificate's fingerprint>}.
 */
public final class TransparencyLog {

    public static final TreeHasher HASHER = TreeHasher.SM3;

    private final Database db;
    private final Identity signing;
    private final RawSignatures.Signer signer;
    private final NoteKey key;
    private final Clock clock;
    private final int roundSize;
    private final SecureRandom random = new SecureRandom();

    public TransparencyLog(Database db, Identity signing, Clock clock, int roundSize) {
        if (roundSize < 1 || roundSize > 4096) {
            throw new IllegalArgumentException("log.round-size must be 1..4096");
        }
        this.db = db;
        this.signing = signing;
        this.signer = RawSignatures.newSigner(signing);
        this.key = logKey(signing.certificate());
        this.clock = clock;
        this.roundSize = roundSize;
    }

    /** The log's note key (its name is the origin) for the server signing certificate {@code server}. */
    public static NoteKey logKey(Certificate server) {
        return NoteKey.forLog(server);
    }

    /** A witness's cosigning key for its certificate. */
    public static NoteKey witnessKey(Certificate witness) {
        return NoteKey.forWitness(witness);
    }

    public NoteKey key() {
        return key;
    }

    /** Records the commitment {@code entry} (keys' {@code LogEntry}) as pending, in the caller's transaction. */
    public static void add(Connection c, byte[] entry) throws SQLException {
        if (entry.length != TreeHasher.LENGTH) {
            throw new IllegalArgumentException("a log entry is a 32-byte commitment");
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO log_pending (entry) VALUES (?)")) {
            ps.setBytes(1, entry);
            ps.executeUpdate();
        }
    }

    /**
     * One round: the pending commitments and padding into the tree, and a signed checkpoint of it.
     * Under {@link Database.Lock#TRANSPARENCY_LOG}: nodes sharing one PostgreSQL database grow one
     * tree, a round at a time.
     */
    public synchronized LogCheckpoint integrate() throws SQLException, KeysException {
        try {
            return db.inTransaction(c -> {
                Database.lock(c, Database.Lock.TRANSPARENCY_LOG);
                List<byte[]> round = new ArrayList<>();
                long lastPending = 0;
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id, entry FROM log_pending ORDER BY id")) {
                    while (rs.next()) {
                        lastPending = rs.getLong(1);
                        round.add(rs.getBytes(2));
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM log_pending WHERE id <= ?")) {
                    ps.setLong(1, lastPending);
                    ps.executeUpdate();
                }
                int padded = Math.max(1, (round.size() + roundSize - 1) / roundSize) * roundSize;
                while (round.size() < padded) {
                    byte[] fill = new byte[TreeHasher.LENGTH];
                    random.nextBytes(fill);
                    round.add(fill);
                }
                Collections.shuffle(round, random);
                long size = size(c);
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO log_entries (idx, entry) VALUES (?, ?)")) {
                    long idx = size;
                    for (byte[] e : round) {
                        ps.setLong(1, idx++);
                        ps.setBytes(2, e);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                try {
                    long grown = Tiles.append(HASHER, new DbTiles(c), size, round.stream().map(HASHER::leaf).toList());
                    byte[] root = new MerkleTree(HASHER, new Tiles(HASHER, new DbTiles(c))).root(grown);
                    LogCheckpoint cp = LogCheckpoint.sign(new TreeHead(key.name(), grown, root), key, signer);
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO log_checkpoints (size, note, at) VALUES (?, ?, ?)")) {
                        ps.setLong(1, grown);
                        ps.setString(2, cp.note().format());
                        ps.setTimestamp(3, Timestamp.from(clock.instant()));
                        ps.executeUpdate();
                    }
                    return cp;
                } catch (KeysException e) {
                    throw new IllegalStateException(e);
                }
            });
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof KeysException k) {
                throw k;
            }
            throw e;
        }
    }

    private static long size(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(size), 0) FROM log_checkpoints")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The size of the newest checkpoint (0 before the first round). */
    public long size() throws SQLException {
        try (Connection c = db.connection()) {
            return size(c);
        }
    }

    /** The newest checkpoint with its cosignatures, or with at least {@code cosigned} of them if that is asked for. */
    public Optional<String> checkpoint(int cosigned) throws SQLException {
        try (Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement("SELECT p.size, p.note FROM log_checkpoints p WHERE ? = 0 OR "
                        + "(SELECT COUNT(*) FROM log_cosignatures s WHERE s.size = p.size) >= ? ORDER BY p.size DESC LIMIT 1")) {
            ps.setInt(1, cosigned);
            ps.setInt(2, cosigned);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(withCosignatures(c, rs.getLong(1), rs.getString(2)));
            }
        }
    }

    /** The checkpoint of exactly {@code size}, with its cosignatures. */
    public Optional<String> checkpointAt(long size) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("SELECT note FROM log_checkpoints WHERE size = ?")) {
            ps.setLong(1, size);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(withCosignatures(c, size, rs.getString(1))) : Optional.empty();
            }
        }
    }

    private static String withCosignatures(Connection c, long size, String note) throws SQLException {
        StringBuilder b = new StringBuilder(note);
        try (PreparedStatement ps = c.prepareStatement("SELECT line FROM log_cosignatures WHERE size = ? ORDER BY at, witness")) {
            ps.setLong(1, size);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    b.append(rs.getString(1)).append('\n');
                }
            }
        }
        return b.toString();
    }

    /** The tile (or entry bundle, level -1) {@code name} names, if the tree is big enough to have it. */
    public Optional<byte[]> tile(Tiles.Name name) throws SQLException, KeysException {
        long size = size();
        long span = name.level() < 0 ? 1 : 1L << Math.min(62, 8 * name.level());
        long needed = (name.index() * Tiles.WIDTH + name.width());
        if (name.level() >= 8 || needed > size / span) {
            return Optional.empty();
        }
        try (Connection c = db.connection()) {
            if (name.level() < 0) {
                return Optional.of(bundle(c, name.index() * Tiles.WIDTH, name.width()));
            }
            byte[] hashes = new DbTiles(c).read(name.level(), name.index());
            if (hashes.length < name.width() * TreeHasher.LENGTH) {
                return Optional.empty();
            }
            return Optional.of(Arrays.copyOf(hashes, name.width() * TreeHasher.LENGTH));
        }
    }

    /** An entry bundle: each entry as a big-endian uint16 length and its 32 bytes. */
    private static byte[] bundle(Connection c, long from, int count) throws SQLException {
        byte[] out = new byte[count * (2 + TreeHasher.LENGTH)];
        try (PreparedStatement ps = c.prepareStatement("SELECT idx, entry FROM log_entries WHERE idx >= ? AND idx < ? ORDER BY idx")) {
            ps.setLong(1, from);
            ps.setLong(2, from + count);
            try (ResultSet rs = ps.executeQuery()) {
                int i = 0;
                while (rs.next()) {
                    int at = i++ * (2 + TreeHasher.LENGTH);
                    out[at + 1] = (byte) TreeHasher.LENGTH;
                    System.arraycopy(rs.getBytes(2), 0, out, at + 2, TreeHasher.LENGTH);
                }
            }
        }
        return out;
    }

    /** Where {@code entry} is in the tree and the proof of it in the newest checkpoint; empty while it is pending or unknown. */
    public Optional<Inclusion> inclusion(byte[] entry) throws SQLException, KeysException {
        try (Connection c = db.connection()) {
            long size = size(c);
            long index;
            try (PreparedStatement ps = c.prepareStatement("SELECT MIN(idx) FROM log_entries WHERE entry = ? AND idx < ?")) {
                ps.setBytes(1, entry);
                ps.setLong(2, size);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    index = rs.getLong(1);
                    if (rs.wasNull()) {
                        return Optional.empty();
                    }
                }
            }
            List<byte[]> proof = new MerkleTree(HASHER, new Tiles(HASHER, new DbTiles(c))).inclusionProof(index, size);
            return Optional.of(new Inclusion(index, size, proof, checkpointAt(size).orElseThrow()));
        }
    }

    /** True while {@code entry} waits for the next round. */
    public boolean pending(byte[] entry) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("SELECT 1 FROM log_pending WHERE entry = ?")) {
            ps.setBytes(1, entry);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** An entry's inclusion proof: its index, the tree size, the path, and the checkpoint of that size. */
    public record Inclusion(long index, long size, List<byte[]> proof, String checkpoint) {}

    /** The consistency proof between two sizes the log signed checkpoints for. */
    public Optional<List<byte[]>> consistency(long from, long to) throws SQLException, KeysException {
        try (Connection c = db.connection()) {
            if (from < 0 || from > to || to > size(c) || from > 0 && !hasCheckpoint(c, from) || !hasCheckpoint(c, to)) {
                return Optional.empty();
            }
            return Optional.of(new MerkleTree(HASHER, new Tiles(HASHER, new DbTiles(c))).consistencyProof(from, to));
        }
    }

    private static boolean hasCheckpoint(Connection c, long size) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM log_checkpoints WHERE size = ?")) {
            ps.setLong(1, size);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Why a cosignature was not taken. */
    public enum Refusal { NO_SUCH_CHECKPOINT, NOT_A_COSIGNATURE, ALREADY_COSIGNED }

    /**
     * Keeps witness {@code witness}'s cosignature of the checkpoint of {@code size}: {@code line}
     * must be that witness's signature line over that checkpoint's text and verify.
     */
    public Optional<Refusal> cosign(long size, Certificate witness, String line, Instant at) throws SQLException {
        Optional<String> served = checkpointAt(size);
        if (served.isEmpty()) {
            return Optional.of(Refusal.NO_SUCH_CHECKPOINT);
        }
        NoteKey w = witnessKey(witness);
        try {
            Note note = Note.parse(served.get());
            Note with = Note.parse(note.text() + "\n" + line + "\n");
            if (with.signatures().size() != 1 || w.verified(with).isEmpty()) {
                return Optional.of(Refusal.NOT_A_COSIGNATURE);
            }
        } catch (KeysException e) {
            return Optional.of(Refusal.NOT_A_COSIGNATURE);
        }
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO log_cosignatures (size, witness, name, line, at) VALUES (?, ?, ?, ?, ?)")) {
            ps.setLong(1, size);
            ps.setString(2, witness.fingerprint());
            ps.setString(3, w.name());
            ps.setString(4, line);
            ps.setTimestamp(5, Timestamp.from(at));
            ps.executeUpdate();
            return Optional.empty();
        } catch (SQLException e) {
            if (Database.isUniqueViolation(e)) {
                return Optional.of(Refusal.ALREADY_COSIGNED);
            }
            throw e;
        }
    }

    /** The tiles of the log's tree in the database, read and written on {@code c}. */
    public static Tiles.Store tiles(Connection c) {
        return new DbTiles(c);
    }

    /** Tiles in {@code log_tiles}, read and written on one connection (the round's transaction). */
    private record DbTiles(Connection c) implements Tiles.Store {
        @Override
        public byte[] read(int level, long index) throws KeysException {
            try (PreparedStatement ps = c.prepareStatement("SELECT hashes FROM log_tiles WHERE level = ? AND idx = ?")) {
                ps.setInt(1, level);
                ps.setLong(2, index);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getBytes(1) : new byte[0];
                }
            } catch (SQLException e) {
                throw new KeysException(KeysException.Reason.IO, "reading log tile " + level + "/" + index + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void write(int level, long index, byte[] hashes) throws KeysException {
            try (PreparedStatement ps = c.prepareStatement("MERGE INTO log_tiles t "
                    + "USING (VALUES (CAST(? AS INT), CAST(? AS BIGINT), CAST(? AS BYTEA))) AS v (level, idx, hashes) "
                    + "ON t.level = v.level AND t.idx = v.idx "
                    + "WHEN MATCHED THEN UPDATE SET hashes = v.hashes "
                    + "WHEN NOT MATCHED THEN INSERT (level, idx, hashes) VALUES (v.level, v.idx, v.hashes)")) {
                ps.setInt(1, level);
                ps.setLong(2, index);
                ps.setBytes(3, hashes);
                ps.executeUpdate();
            } catch (SQLException e) {
                throw new KeysException(KeysException.Reason.IO, "writing log tile " + level + "/" + index + ": " + e.getMessage(), e);
            }
        }
    }
}
