package cn.midang.server.audit;

import cn.midang.keys.KeysException;
import cn.midang.keys.audit.AuditChain;
import cn.midang.keys.audit.AuditRecord;
import cn.midang.keys.audit.Checkpoint;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.seal.RecordCipher;
import cn.midang.keys.sign.RawSignatures;
import cn.midang.server.config.Faults;
import cn.midang.server.storage.Database;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import cn.midang.keys.tlog.LogEntry;
import cn.midang.server.tlog.TransparencyLog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log (SPEC C5): every decision becomes a record, chained to the one before by SM3,
 * written before the response is sent. Every {@code everyRecords} records, every
 * {@code everyPeriod} (if anything was added) and on close, the server signs a
 * {@link Checkpoint} of the head, stored in the database and appended (and forced to disk) to
 * {@code audit/checkpoints.jsonl}, outside the database. If a record cannot be written the caller
 * gets {@link AuditUnavailableException} and must fail the request.
 */
public final class AuditLog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What a record says; the log adds sequence, time and chain. {@code sealed} (null: none) is
     * kept only encrypted, appended to the object as {@code OBJECT:sealed:BASE64} (see {@link #opened}).
     */
    public record Entry(String request, String actor, String role, String organisation, String action, String object,
            String sealed, String decision, String reason) {

        public Entry(String request, String actor, String role, String organisation, String action, String object,
                String decision, String reason) {
            this(request, actor, role, organisation, action, object, null, decision, reason);
        }
    }

    /** Marks the sealed part of a stored object. */
    static final String SEALED = ":sealed:";
    /** Room for a retention permit's ids (40 of them); with a sealed part the column (4096) still holds it. */
    private static final int MAX_OBJECT = 1800;
    private static final int MAX_SEALED = 512;

    private final Database db;
    private final Path checkpointFile;
    private final Identity signing;
    private volatile RecordCipher cipher;
    private final RawSignatures.Signer signer;
    private final Clock clock;
    private final int everyRecords;
    private final ScheduledExecutorService timer;
    private long head; // the last record this node wrote or saw: only to count toward the next checkpoint
    private long lastCheckpoint;

    private AuditLog(Database db, Path checkpointFile, Identity signing, RecordCipher cipher, Clock clock, int everyRecords, long head,
            long lastCheckpoint, Duration everyPeriod) {
        this.db = db;
        this.checkpointFile = checkpointFile;
        this.signing = signing;
        this.cipher = cipher;
        this.signer = RawSignatures.newSigner(signing);
        this.clock = clock;
        this.everyRecords = everyRecords;
        this.head = head;
        this.lastCheckpoint = lastCheckpoint;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "midang-audit-checkpoint");
            t.setDaemon(true);
            return t;
        });
        long ms = everyPeriod.toMillis();
        timer.scheduleWithFixedDelay(this::timedCheckpoint, ms, ms, TimeUnit.MILLISECONDS);
    }

    /**
     * Opens the log in {@code db}; records are signed into checkpoints with {@code signing}, and the
     * sealed parts of records are encrypted with {@code cipher} (the deployment's record key).
     */
    public static AuditLog open(Database db, Path checkpointFile, Identity signing, RecordCipher cipher, Clock clock,
            int everyRecords, Duration everyPeriod) throws SQLException, IOException {
        Files.createDirectories(checkpointFile.getParent());
        long head;
        long checkpoint = 0;
        try (Connection c = db.connection()) {
            head = head(c).seq();
            try (PreparedStatement ps = c.prepareStatement("SELECT MAX(seq) FROM audit_checkpoints");
                    ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    checkpoint = rs.getLong(1);
                }
            }
        }
        AuditLog log = new AuditLog(db, checkpointFile, signing, cipher, clock, everyRecords, head, checkpoint, everyPeriod);
        // A device must pass a test write before it is trusted: a log that cannot be written
        // stops the server from starting rather than failing every request later.
        try {
            log.append(new Entry("-", signing.certificate().fingerprint(), "server", "-", "server-start", "-", "allow",
                    "the server started"));
        } catch (AuditUnavailableException e) {
            log.timer.shutdownNow();
            throw new SQLException("the audit log cannot be written; the server will not start", e);
        }
        return log;
    }

    /** The record key, once the archive is unsealed (a log opened while it is sealed has none). */
    public void useRecordCipher(RecordCipher records) {
        this.cipher = records;
    }

    /**
     * Appends one record; throws when it could not be written (the request must then fail). The
     * head is read in the record's own transaction, under the chain's lock
     * ({@link Database.Lock#AUDIT_CHAIN}): several nodes sharing one PostgreSQL database append to
     * one chain, with no gap and no fork.
     */
    public AuditRecord append(Entry e) throws AuditUnavailableException {
        AuditRecord r;
        boolean due;
        synchronized (this) {
            String at = DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.MILLIS));
            String object = clip(e.object(), MAX_OBJECT);
            String reason = clip(e.reason(), 512);
            try {
                Faults.before(Faults.Op.AUDIT_APPEND);
                r = db.inTransaction(c -> {
                    Database.lock(c, Database.Lock.AUDIT_CHAIN);
                    Head h = head(c);
                    String stored = object;
                    // While the archive is sealed there is no record key, and no request with sealed parts is served.
                    if (e.sealed() != null && cipher != null) {
                        stored += SEALED + Base64.getEncoder().encodeToString(cipher.encrypt(
                                clip(e.sealed(), MAX_SEALED).getBytes(StandardCharsets.UTF_8), context(h.seq() + 1)));
                    }
                    AuditRecord next = AuditRecord.sealed(h.seq() + 1, at, e.request(), e.actor(), e.role(), e.organisation(),
                            e.action(), stored, e.decision(), reason, h.hash());
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_log (seq, at, request_id, actor, role, "
                            + "organisation, action, object, decision, reason, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                        ps.setLong(1, next.seq());
                        ps.setString(2, next.at());
                        ps.setString(3, next.request());
                        ps.setString(4, next.actor());
                        ps.setString(5, next.role());
                        ps.setString(6, next.organisation());
                        ps.setString(7, next.action());
                        ps.setString(8, next.object());
                        ps.setString(9, next.decision());
                        ps.setString(10, next.reason());
                        ps.setString(11, next.prev());
                        ps.setString(12, next.hash());
                        ps.executeUpdate();
                    }
                    return next;
                });
            } catch (IOException | SQLException | RuntimeException ex) {
                throw new AuditUnavailableException("an audit record (" + e.action() + ") could not be written: " + ex.getMessage(), ex);
            }
            head = r.seq();
            due = head - lastCheckpoint >= everyRecords;
        }
        if (due) {
            try {
                checkpoint();
            } catch (IOException | SQLException | KeysException ex) {
                LOG.error("audit checkpoint at record {} failed; the next one will cover it", r.seq(), ex);
            }
        }
        return r;
    }

    /** The last record of the chain: its sequence number and hash (0 and GENESIS when empty). */
    private record Head(long seq, String hash) {}

    private static Head head(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
                ResultSet rs = ps.executeQuery()) {
            return rs.next() ? new Head(rs.getLong(1), rs.getString(2)) : new Head(0, AuditRecord.GENESIS);
        }
    }

    private static String context(long seq) {
        return "audit_log/" + seq + "/object";
    }

    /**
     * The plaintext of record {@code r}'s sealed part (a search's terms), or empty when it has
     * none; for the audit export, whose readers are entitled to it.
     */
    public Optional<String> opened(AuditRecord r) throws KeysException {
        if (cipher == null) {
            throw new KeysException(KeysException.Reason.MISMATCH, "the archive is sealed: no record key");
        }
        return opened(cipher, r);
    }

    /** As {@link #opened(AuditRecord)}, with the record key {@code cipher}: refused if the record is not where it was sealed. */
    public static Optional<String> opened(RecordCipher cipher, AuditRecord r) throws KeysException {
        int at = r.object().indexOf(SEALED);
        if (at < 0) {
            return Optional.empty();
        }
        byte[] value;
        try {
            value = Base64.getDecoder().decode(r.object().substring(at + SEALED.length()));
        } catch (IllegalArgumentException e) {
            throw new KeysException(KeysException.Reason.MALFORMED, "the sealed part of audit record " + r.seq() + " is not base64");
        }
        return Optional.of(new String(cipher.decrypt(value, context(r.seq())), StandardCharsets.UTF_8));
    }

    private static String clip(String s, int max) {
        String v = s == null ? "" : s;
        return v.length() <= max ? v : v.substring(0, max - 1) + "…";
    }

    /**
     * Signs a checkpoint of the head if none covers it yet; returns it. Under the chain's lock: when
     * several nodes share the chain, the first to get there signs the head and the others find it
     * signed. Each node also appends its own checkpoints to its {@code audit/checkpoints.jsonl}.
     */
    public synchronized Optional<Checkpoint> checkpoint() throws IOException, SQLException, KeysException {
        String at = DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.MILLIS));
        long[] signedUpTo = {0};
        Checkpoint cp;
        try {
            cp = db.inTransaction(c -> {
                Database.lock(c, Database.Lock.AUDIT_CHAIN);
                Head h = head(c);
                signedUpTo[0] = h.seq();
                if (h.seq() == 0) {
                    return null;
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM audit_checkpoints WHERE seq = ?")) {
                    ps.setLong(1, h.seq());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            return null; // signed already (by this node or another)
                        }
                    }
                }
                Checkpoint signed;
                try {
                    signed = Checkpoint.sign(signer, signing, h.seq(), h.hash(), at);
                } catch (KeysException e) {
                    throw new IllegalStateException(e);
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_checkpoints (seq, bytes, signature) VALUES (?, ?, ?)")) {
                    ps.setLong(1, signed.seq());
                    ps.setBytes(2, signed.bytes());
                    ps.setBytes(3, signed.signature());
                    ps.executeUpdate();
                }
                TransparencyLog.add(c, LogEntry.of(LogEntry.Kind.AUDIT_CHECKPOINT, signed.bytes(), signed.signature()));
                return signed;
            });
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof KeysException k) {
                throw k;
            }
            throw e;
        }
        lastCheckpoint = Math.max(lastCheckpoint, signedUpTo[0]);
        head = Math.max(head, signedUpTo[0]);
        if (cp == null) {
            return Optional.empty();
        }
        String line = JSON.writeValueAsString(Map.of("seq", cp.seq(),
                "bytes", Base64.getEncoder().encodeToString(cp.bytes()),
                "signature", Base64.getEncoder().encodeToString(cp.signature()))) + "\n";
        try (FileChannel ch = FileChannel.open(checkpointFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer buf = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        return Optional.of(cp);
    }

    /** The timer's tick (every {@code audit.checkpoint.period}): a checkpoint if records came since the last; a failure is logged, never thrown. */
    void timedCheckpoint() {
        try {
            checkpoint();
        } catch (IOException | SQLException | KeysException | RuntimeException e) {
            LOG.error("timed audit checkpoint failed", e);
        }
    }

    /** Records {@code from}..{@code to} (inclusive), in order. */
    public List<AuditRecord> records(long from, long to) throws SQLException {
        return new Reader(db).records(from, to);
    }

    /** Reads a log's records without appending to it (tools, exports, tests). */
    public static final class Reader {
        private final Database db;

        public Reader(Database db) {
            this.db = db;
        }

        /** Records {@code from}..{@code to} (inclusive), in order of sequence. */
        public List<AuditRecord> records(long from, long to) throws SQLException {
            if (to < from) {
                return List.of();
            }
            List<AuditRecord> page = readPage(db, from, (int) Math.min(to - from + 1, Integer.MAX_VALUE));
            return page.stream().filter(r -> r.seq() <= to).toList();
        }
    }

    /**
     * An audit export (type {@code midang-audit-export/1}): records from {@code from} to the head,
     * the hash before {@code from} (the anchor), every checkpoint from {@code from}, and the server's
     * signing certificate. A fresh checkpoint is signed first, so the whole range is covered by a
     * signature. Each record's sealed part (a search's terms) is added opened, outside the chain,
     * as {@code object_text}, for the reader.
     */
    public Map<String, Object> export(long from, String serverCertificatePem) throws IOException, SQLException, KeysException {
        checkpoint();
        long head = head();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "midang-audit-export/1");
        m.put("from", from);
        m.put("to", head);
        m.put("anchor", hashOf(from - 1));
        m.put("server_certificate", serverCertificatePem);
        List<Map<String, Object>> out = new ArrayList<>();
        for (AuditRecord r : records(from, head)) {
            Map<String, Object> rec = EXPORT.convertValue(r, new TypeReference<>() {});
            Optional<String> text = opened(r);
            text.ifPresent(t -> rec.put("object_text", t));
            out.add(rec);
        }
        m.put("records", out);
        m.put("checkpoints", checkpoints().stream().filter(c -> c.seq() >= from).map(c -> Map.of(
                "seq", c.seq(),
                "bytes", Base64.getEncoder().encodeToString(c.bytes()),
                "signature", Base64.getEncoder().encodeToString(c.signature()))).distinct().toList());
        return m;
    }

    /** Turns an audit record into its export fields (the record's components, in order). */
    private static final ObjectMapper EXPORT = new ObjectMapper();

    /** The sequence number of the chain's last record (read from the database: another node may have appended since). */
    public long head() throws SQLException {
        try (Connection c = db.connection()) {
            return head(c).seq();
        }
    }

    /** The hash of record {@code seq} (GENESIS for 0), the anchor of a range starting at seq + 1. */
    public String hashOf(long seq) throws SQLException {
        if (seq == 0) {
            return AuditRecord.GENESIS;
        }
        List<AuditRecord> r = readPage(db, seq, 1);
        return r.isEmpty() || r.get(0).seq() != seq ? AuditRecord.GENESIS : r.get(0).hash();
    }

    /** Every checkpoint from the database and from the file outside it. */
    public List<Checkpoint> checkpoints() throws SQLException, IOException, KeysException {
        return allCheckpoints(db, checkpointFile);
    }

    static List<Checkpoint> allCheckpoints(Database db, Path file) throws SQLException, IOException, KeysException {
        List<Checkpoint> out = new ArrayList<>();
        try (Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement("SELECT bytes, signature FROM audit_checkpoints ORDER BY seq");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(Checkpoint.parse(rs.getBytes(1), rs.getBytes(2)));
            }
        }
        out.addAll(fileCheckpoints(file));
        return out;
    }

    /** The checkpoints in the append-only file; a torn last line (a crash while appending) is skipped. */
    public static List<Checkpoint> fileCheckpoints(Path file) throws IOException, KeysException {
        List<Checkpoint> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank()) {
                continue;
            }
            boolean last = i == lines.length - 1; // no newline after it: torn by a crash
            try {
                JsonNode n = JSON.readTree(line);
                out.add(Checkpoint.parse(Base64.getDecoder().decode(n.path("bytes").asText()),
                        Base64.getDecoder().decode(n.path("signature").asText())));
            } catch (IOException | IllegalArgumentException | KeysException e) {
                if (!last) {
                    throw new KeysException(KeysException.Reason.MALFORMED, "line " + (i + 1) + " of " + file
                            + " is not a checkpoint");
                }
                LOG.warn("ignoring a torn last line in {}", file);
            }
        }
        return out;
    }

    /**
     * Checks the whole log in {@code db} against every checkpoint (database and file), with the
     * server's signing certificate. Used by {@code midang-server audit verify} on a stopped server.
     */
    public static AuditChain.Result verify(Database db, Path checkpointFile, Certificate serverSigning)
            throws SQLException, IOException, KeysException {
        return verify(db, checkpointFile, serverSigning, 10_000);
    }

    /** As above, reading {@code pageSize} records at a time (a log of any length in bounded memory). */
    static AuditChain.Result verify(Database db, Path checkpointFile, Certificate serverSigning, int pageSize)
            throws SQLException, IOException, KeysException {
        List<Checkpoint> cps = allCheckpoints(db, checkpointFile);
        Iterator<AuditRecord> records = new Iterator<>() {
            private final int PAGE = pageSize;
            private long next = 1;
            private Iterator<AuditRecord> page = List.<AuditRecord>of().iterator();
            private boolean done;

            @Override
            public boolean hasNext() {
                if (!page.hasNext() && !done) {
                    try {
                        List<AuditRecord> p = readPage(db, next, PAGE);
                        done = p.size() < PAGE;
                        if (!p.isEmpty()) {
                            next = p.get(p.size() - 1).seq() + 1;
                        }
                        page = p.iterator();
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }
                return page.hasNext();
            }

            @Override
            public AuditRecord next() {
                hasNext();
                return page.next();
            }
        };
        return AuditChain.verify(records, 1, AuditRecord.GENESIS, cps, serverSigning);
    }

    /** Records in storage order from {@code from} (rows ordered by seq; a gap or a swap shows in the chain). */
    private static List<AuditRecord> readPage(Database db, long from, int limit) throws SQLException {
        List<AuditRecord> out = new ArrayList<>();
        try (Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement("SELECT seq, at, request_id, actor, role, organisation, action, object, "
                        + "decision, reason, prev_hash, hash FROM audit_log WHERE seq >= ? ORDER BY seq LIMIT ?")) {
            ps.setLong(1, from);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new AuditRecord(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10),
                            rs.getString(11), rs.getString(12)));
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            append(new Entry("-", signing.certificate().fingerprint(), "server", "-", "server-stop", "-", "allow",
                    "the server stopped"));
        } catch (AuditUnavailableException e) {
            LOG.error("the server's stop could not be audited", e);
        }
        try {
            checkpoint();
        } catch (IOException | SQLException | KeysException | RuntimeException e) {
            LOG.error("final audit checkpoint failed", e);
        }
    }
}
