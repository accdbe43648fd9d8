package cn.midang.server;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.cli.ExitCode;
import cn.midang.keys.sign.RawSignatures;
import cn.midang.keys.tlog.LogCheckpoint;
import cn.midang.keys.tlog.LogEntry;
import cn.midang.keys.tlog.MerkleTree;
import cn.midang.keys.tlog.NoteKey;
import cn.midang.keys.tlog.Tiles;
import cn.midang.keys.tlog.TreeHasher;
import cn.midang.keys.tlog.TreeHead;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transparency log through the real client against a real server (SPEC C7, issue 16): every
 * receipt's inclusion proof verifies and is kept for 'midang verify'; a server that rewrites an
 * entry, or shows two trees of the same size to two clients, is caught by the client on its next
 * contact and by a witness, which then cosigns nothing. The server's rounds are slowed to an hour
 * so that the test decides when a round happens ({@code log().integrate()}) and a forgery is never
 * half-made when one runs.
 */
class TransparencyLogIT {

    @TempDir
    Path tmp;

    DevServer dev;

    @BeforeEach
    void start() throws Exception {
        dev = DevServer.start(tmp.resolve("data"), Map.of("MIDANG_LOG_ROUND_SECONDS", "3600", "MIDANG_AUDIT_CHECKPOINT_RECORDS", "5"));
    }

    @AfterEach
    void stop() throws Exception {
        dev.close();
    }

    Path report(String name, String text) throws Exception {
        Path f = tmp.resolve(name);
        Files.writeString(f, text, StandardCharsets.UTF_8);
        return f;
    }

    /** The same user's {@code midang}, with a HOME of its own (what it remembers of the log). */
    DevServer.CliRun as(String who, String home, String... args) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("MIDANG_SERVER", dev.uri().toString());
        env.put("MIDANG_IDENTITY", dev.identityFile(who).toString());
        env.put("MIDANG_CONFIG", tmp.resolve("no-config").toString());
        env.put("MIDANG_LANG", "zh");
        env.put("HOME", tmp.resolve(home).toString());
        return dev.midangWith(env, args);
    }

    List<Path> receipts(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".receipt")).sorted().toList();
        }
    }

    @Test
    void everyReceiptOfACampaign_isProvedInTheLog_andTheProofVerifiesOffline() throws Exception {
        Path receipts = tmp.resolve("receipts");
        for (String who : List.of("unit-a", "unit-b")) {
            for (int i = 0; i < 3; i++) {
                dev.submitReport(who, report(who + "-" + i + ".txt", "自查报告 " + who + " 第" + i + "份"), receipts);
            }
        }
        List<String> args = new ArrayList<>(List.of("log", "prove"));
        receipts(receipts).stream().map(Path::toString).forEach(args::add);
        DevServer.CliRun pending = as("unit-a", "home-a", args.toArray(String[]::new));
        assertThat(pending.exit()).as(pending.err()).isEqualTo(ExitCode.POLICY);
        assertThat(pending.err()).contains("尚未纳入透明日志").contains("log_entry_pending");

        long size = dev.server.log().integrate().head().size();
        assertThat(size % 8).as("rounds of 8").isZero();
        args.add(2, "--json");
        DevServer.CliRun proved = as("unit-a", "home-a", args.toArray(String[]::new));
        assertThat(proved.exit()).as(proved.err()).isZero();
        assertThat(proved.json().path("proved")).hasSize(6);
        for (Path r : receipts(receipts)) {
            DevServer.CliRun v = as("unit-a", "home-a", "verify", "--json", "--ca", ca(), r.toString());
            assertThat(v.exit()).as(v.err()).isZero();
            assertThat(v.json().path("log").path("size").asLong()).isEqualTo(size);
            DevServer.CliRun zh = as("unit-a", "home-a", "verify", "--ca", ca(), r.toString());
            assertThat(zh.out()).contains("已纳入透明日志");
        }
        // A proof kept beside another receipt is refused: it proves another entry.
        List<Path> all = receipts(receipts);
        Files.copy(Path.of(all.get(0) + ".proof"), Path.of(all.get(1) + ".proof"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        DevServer.CliRun swapped = as("unit-a", "home-a", "verify", "--ca", ca(), all.get(1).toString());
        assertThat(swapped.exit()).isEqualTo(ExitCode.INTEGRITY);
        // The audit checkpoints are entries too (a campaign's steps, sign-offs and results: CampaignWorkflowIT).
        dev.server.log().integrate();
        assertThat(loggedStatements("SELECT bytes, signature FROM audit_checkpoints", LogEntry.Kind.AUDIT_CHECKPOINT))
                .as("audit checkpoints in the log").isPositive();
    }

    String ca() {
        return new cn.midang.server.deploy.DataDir(dev.data).caCertificate().toString();
    }

    /** How many of the statements {@code sql} selects are in the log with a proof that verifies; fails on one missing. */
    long loggedStatements(String sql, LogEntry.Kind kind) throws Exception {
        long n = 0;
        try (Connection c = dev.deployment.database().connection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                dev.assertLogged(kind, rs.getBytes(1), rs.getBytes(2));
                n++;
            }
        }
        return n;
    }

    @Test
    void aServerThatRewritesOneEntry_isCaughtByTheClient_andByAWitness_whichCosignsNothing() throws Exception {
        Path receipts = tmp.resolve("receipts");
        dev.submitReport("unit-a", report("a.txt", "自查报告甲"), receipts);
        dev.server.log().integrate();
        DevServer.CliRun first = as("unit-a", "home-a", "log", "status");
        assertThat(first.exit()).isZero();
        assertThat(first.out()).as("a first contact says so").contains("第一次看到");
        dev.server.log().integrate();
        assertThat(as("unit-a", "home-a", "log", "status").out()).contains("一致性证明已验证");
        DevServer.CliRun cosigned = as("approver-police", "home-w", "witness", "--json");
        assertThat(cosigned.exit()).as(cosigned.err()).isZero();
        long seen = cosigned.json().path("size").asLong();

        rewrite(3, seen); // the operator changes entry 3 and re-signs every checkpoint with the server's key
        dev.server.log().integrate(); // the log grows on from the rewritten tree, signed by the real key

        DevServer.CliRun client = as("unit-a", "home-a", "log", "status");
        assertThat(client.exit()).as(client.out() + client.err()).isEqualTo(ExitCode.INTEGRITY);
        assertThat(client.err()).contains("rewritten or forked").contains("fork-");
        DevServer.CliRun anyCommand = as("unit-a", "home-a", "whoami");
        assertThat(anyCommand.exit()).as("every contact checks the history").isEqualTo(ExitCode.INTEGRITY);
        DevServer.CliRun witness = as("approver-police", "home-w", "witness");
        assertThat(witness.exit()).isEqualTo(ExitCode.INTEGRITY);
        assertThat(cosignatures()).as("the witness cosigned only the checkpoint before the rewrite").isEqualTo(1);
        // A client that never saw the old history is not fooled either when it requires the witness.
        Files.writeString(tmp.resolve("police.crt"), dev.identity("approver-police").certificate().toPem());
        DevServer.CliRun fresh = as("unit-b", "home-b", "log", "status", "--witness", tmp.resolve("police.crt").toString());
        assertThat(fresh.exit()).isEqualTo(ExitCode.INTEGRITY);
        // the witness's cosignature of the old tree, served with the rewritten one, does not verify
        assertThat(fresh.err()).contains("签名不符").contains("approver-police");
    }

    @Test
    void twoTreesOfTheSameSize_shownToTwoClients_areCaught() throws Exception {
        dev.submitReport("unit-a", report("a.txt", "自查报告甲"), tmp.resolve("receipts"));
        Path receipt = receipts(tmp.resolve("receipts")).get(0);
        long size = dev.server.log().integrate().head().size();
        DevServer.CliRun w = as("approver-info", "home-w", "witness");
        assertThat(w.exit()).as(w.err()).isZero();
        assertThat(as("unit-a", "home-a", "log", "status").exit()).isZero();

        long mine = dev.server.log().inclusion(LogEntry.of(LogEntry.Kind.RECEIPT, Files.readAllBytes(receipt),
                Files.readAllBytes(Path.of(receipt + ".sig")))).orElseThrow().index();
        rewrite((mine + 1) % size, size); // client B is shown another tree of the same size
        DevServer.CliRun bProves = as("unit-b", "home-b", "log", "prove", receipt.toString());
        assertThat(bProves.exit()).as(bProves.err()).isZero();
        DevServer.CliRun aVerifies = as("unit-a", "home-a", "verify", "--ca", ca(), receipt.toString());
        assertThat(aVerifies.exit()).as("offline, A sees the proof is of another tree of a size it knows").isEqualTo(ExitCode.INTEGRITY);
        assertThat(aVerifies.err()).contains("forked");
        DevServer.CliRun b = as("unit-b", "home-b", "log", "status");
        assertThat(b.exit()).as("alone, B cannot tell").isZero();
        Files.writeString(tmp.resolve("info.crt"), dev.identity("approver-info").certificate().toPem());
        DevServer.CliRun bWithWitness = as("unit-b", "home-b2", "log", "status", "--witness", tmp.resolve("info.crt").toString());
        assertThat(bWithWitness.exit()).as("no witness cosigned B's tree").isEqualTo(ExitCode.INTEGRITY);
        DevServer.CliRun a = as("unit-a", "home-a", "log", "status");
        assertThat(a.exit()).as("A saw the other tree of this size").isEqualTo(ExitCode.INTEGRITY);
        DevServer.CliRun again = as("approver-info", "home-w", "witness");
        assertThat(again.exit()).as("the witness cosigned the other tree").isEqualTo(ExitCode.INTEGRITY);
    }

    private long cosignatures() throws Exception {
        try (Connection c = dev.deployment.database().connection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM log_cosignatures")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * What an operator with the data directory and the server's key can do: change entry
     * {@code index}, rebuild the tree's tiles, and sign a checkpoint of the same size over the
     * rewritten tree in place of the real one (keeping the cosignatures rows, which no longer verify).
     */
    private void rewrite(long index, long size) throws Exception {
        try (Connection c = dev.deployment.database().connection()) {
            c.setAutoCommit(false);
            List<byte[]> leaves = new ArrayList<>();
            byte[] changed = null;
            try (PreparedStatement ps = c.prepareStatement("SELECT idx, entry FROM log_entries WHERE idx < ? ORDER BY idx")) {
                ps.setLong(1, size);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        byte[] e = rs.getBytes(2);
                        if (rs.getLong(1) == index) {
                            e[0] ^= 1;
                            changed = e;
                        }
                        leaves.add(TreeHasher.SM3.leaf(e));
                    }
                }
            }
            try (Statement s = c.createStatement()) {
                s.executeUpdate("DELETE FROM log_tiles");
                s.executeUpdate("DELETE FROM log_cosignatures WHERE size > " + size);
                s.executeUpdate("DELETE FROM log_checkpoints WHERE size > " + size);
                s.executeUpdate("DELETE FROM log_entries WHERE idx >= " + size);
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE log_entries SET entry = ? WHERE idx = ?")) {
                ps.setBytes(1, changed);
                ps.setLong(2, index);
                ps.executeUpdate();
            }
            Tiles.Store store = cn.midang.server.tlog.TransparencyLog.tiles(c);
            Tiles.append(TreeHasher.SM3, store, 0, leaves);
            byte[] root = new MerkleTree(TreeHasher.SM3, new Tiles(TreeHasher.SM3, store)).root(size);
            var signing = dev.deployment.signingIdentity();
            NoteKey key = NoteKey.forLog(signing.certificate());
            String note = LogCheckpoint.sign(new TreeHead(key.name(), size, root), key, RawSignatures.newSigner(signing)).note().format();
            try (PreparedStatement ps = c.prepareStatement("UPDATE log_checkpoints SET note = ? WHERE size = ?")) {
                ps.setString(1, note);
                ps.setLong(2, size);
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            c.commit();
        }
    }
}
