package cn.midang.cli.log;

import cn.midang.cli.CliFailure;
import cn.midang.cli.CliFiles;
import cn.midang.cli.ClientOptions;
import cn.midang.cli.ExitCode;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import cn.midang.cli.net.LogWatch;
import cn.midang.cli.net.MidangClient;
import cn.midang.cli.net.Receipt;
import cn.midang.cli.net.ServerRefusal;
import cn.midang.keys.KeysException;
import cn.midang.keys.io.SafeFiles;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.tlog.LogCheckpoint;
import cn.midang.keys.tlog.LogEntry;
import cn.midang.keys.tlog.MerkleTree;
import cn.midang.keys.tlog.NoteKey;
import cn.midang.keys.tlog.TreeHasher;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Fetches and checks the inclusion proof of receipts, and keeps it beside each receipt as
 * {@code ID.receipt.proof} for {@code midang verify} to check offline.
 */
@Command(name = "prove", mixinStandardHelpOptions = true,
        description = {"Prove that receipts are in the archive's transparency log: fetch each one's inclusion proof, check it against a",
            "checkpoint signed by the server and consistent with what this computer saw before, and keep it beside the receipt",
            "(ID.receipt.proof), where 'midang verify' checks it offline. A receipt is taken into the log at the server's next",
            "round (log.round-seconds, a minute by default); --wait waits for it. Exit 6 when a proof does not hold."},
        footer = {"", "Examples:", "  midang log prove ~/.midang/receipts/*.receipt", "  midang log prove 3f2a….receipt --wait --json"})
public final class LogProve extends MidangCommand {
    @Mixin ClientOptions client;

    @Option(names = "--wait", description = "Wait for the log's next round when a receipt is not in the log yet.")
    boolean wait;

    @Parameters(paramLabel = "RECEIPT", arity = "1..*", description = "Receipt files (ID.receipt, with ID.receipt.sig beside them).")
    List<Path> receipts;

    static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        MidangClient c = client.client();
        Certificate signing = c.serverInfo().signing();
        List<Map<String, Object>> proved = new ArrayList<>();
        for (Path file : receipts) {
            Receipt r = read(file);
            if (!r.server().equals(signing.fingerprint())) {
                throw new CliFailure(ExitCode.INTEGRITY, "error.receipt.otherServer", file, r.server(), signing.fingerprint());
            }
            byte[] entry = LogEntry.of(LogEntry.Kind.RECEIPT, r.bytes(), r.signature());
            JsonNode p = fetch(c, HexFormat.of().formatHex(entry), file);
            LogCheckpoint cp = LogWatch.observe(LogWatch.clientState(home()), signing, p.path("checkpoint").asText(),
                    c::logConsistency).now();
            Proof proof = Proof.of(p);
            proof.check(entry, cp);
            ObjectNode saved = JSON.createObjectNode();
            saved.put("type", Proof.TYPE);
            saved.put("entry", HexFormat.of().formatHex(entry));
            saved.put("index", proof.index());
            saved.put("size", proof.size());
            ArrayNode hashes = saved.putArray("proof");
            proof.hashes().forEach(h -> hashes.add(Base64.getEncoder().encodeToString(h)));
            saved.put("checkpoint", cp.note().format());
            Path out = Proof.fileFor(file);
            SafeFiles.writeAtomically(out, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(saved), false);
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("receipt", file.toString());
            f.put("id", r.id());
            f.put("index", proof.index());
            f.put("size", proof.size());
            f.put("proof_file", out.toString());
            proved.add(f);
            if (!globals().json) {
                out().println(messages().get("log.proved", file.getFileName(), r.fileName(), proof.index() + 1, proof.size(), out));
                out().flush();
            }
        }
        if (globals().json) {
            Output.result(out(), globals(), Map.of("proved", proved), "log.proved");
        }
        return 0;
    }

    private JsonNode fetch(MidangClient c, String entry, Path file) throws Exception {
        boolean told = false;
        while (true) {
            try {
                return c.logProof(entry);
            } catch (ServerRefusal e) {
                if (!wait || !"log_entry_pending".equals(e.code())) {
                    throw e;
                }
                if (!told && !globals().json) {
                    err().println(messages().get("log.waiting", file.getFileName()));
                    err().flush();
                    told = true;
                }
                Thread.sleep(1000); // the server's round decides when; this only asks again
            }
        }
    }

    static Receipt read(Path file) throws IOException {
        CliFiles.requireFile(file, "receipt");
        Path sig = CliFiles.requireFile(file.resolveSibling(file.getFileName() + ".sig"), "receipt signature");
        try {
            return Receipt.parse(Files.readAllBytes(file), Files.readAllBytes(sig));
        } catch (IOException e) {
            throw new CliFailure(e, ExitCode.INTEGRITY, "error.receipt.malformed", file);
        }
    }

    /** An inclusion proof as served or kept: where the entry is, in a tree of which size, and the path. */
    public record Proof(long index, long size, List<byte[]> hashes) {
        public static final String TYPE = "midang-inclusion-proof/1";

        public static Path fileFor(Path receipt) {
            return receipt.resolveSibling(receipt.getFileName() + ".proof");
        }

        public static Proof of(JsonNode n) throws KeysException {
            List<byte[]> hashes = new ArrayList<>();
            try {
                for (JsonNode h : n.path("proof")) {
                    hashes.add(Base64.getDecoder().decode(h.asText()));
                }
            } catch (IllegalArgumentException e) {
                throw new KeysException(KeysException.Reason.MALFORMED, "an inclusion proof hash is not base64");
            }
            return new Proof(n.path("index").asLong(-1), n.path("size").asLong(-1), hashes);
        }

        /** Checks that {@code entry} is at {@code index} of the tree {@code cp} is the head of. */
        public void check(byte[] entry, LogCheckpoint cp) throws KeysException {
            if (cp.head().size() != size
                    || !MerkleTree.verifyInclusion(TreeHasher.SM3, index, size, TreeHasher.SM3.leaf(entry), hashes, cp.head().root())) {
                throw new KeysException(KeysException.Reason.BAD_SIGNATURE, "the inclusion proof does not lead entry "
                        + HexFormat.of().formatHex(entry) + " at " + index + " to the checkpoint of size " + cp.head().size());
            }
        }

        /** A kept proof, checked offline against the server's signing certificate: the checkpoint it proves inclusion in. */
        public static LogCheckpoint verifyKept(Path proofFile, byte[] entry, Certificate signing) throws IOException, KeysException {
            JsonNode n = JSON.readTree(Files.readAllBytes(proofFile));
            if (!TYPE.equals(n.path("type").asText()) || !HexFormat.of().formatHex(entry).equals(n.path("entry").asText())) {
                throw new KeysException(KeysException.Reason.MISMATCH, proofFile + " is not the inclusion proof of this receipt");
            }
            LogCheckpoint cp = LogCheckpoint.open(n.path("checkpoint").asText(), NoteKey.forLog(signing), List.of(), 0);
            of(n).check(entry, cp);
            return cp;
        }
    }
}
