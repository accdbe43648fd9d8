package cn.midang.server.tlog.api;

import cn.midang.keys.KeysException;
import cn.midang.keys.tlog.Tiles;
import cn.midang.keys.tlog.TreeHasher;
import cn.midang.server.access.Action;
import cn.midang.server.http.Exchange;
import cn.midang.server.http.Route;
import cn.midang.server.refusal.ApiException;
import cn.midang.server.refusal.ErrorCode;
import cn.midang.server.tlog.TransparencyLog;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The transparency log's endpoints (anyone reads — the log holds commitments and padding only, and a
 * client without an account must still be able to check the history it is shown; department
 * approvers cosign): the newest
 * checkpoint, a checkpoint by size, the tree as C2SP tiles and entry bundles, an entry's
 * inclusion proof, a consistency proof between two checkpoints, and witnesses' cosignatures.
 */
public final class LogRoutes {

    private final TransparencyLog log;
    private final Clock clock;

    public LogRoutes(TransparencyLog log, Clock clock) {
        this.log = log;
        this.clock = clock;
    }

    public List<Route> routes() {
        return List.of(
                Route.publicRoute("GET", "/api/v1/log/checkpoint", Action.READ_LOG, (ex, g) -> note(ex,
                        log.checkpoint(ex.queryInt("cosigned", 0)).orElseThrow(() -> new ApiException(ErrorCode.LOG_NO_SUCH_TREE,
                                "no checkpoint with " + ex.query("cosigned") + " cosignatures")))),
                Route.publicRoute("GET", "/api/v1/log/checkpoint/{size}", Action.READ_LOG, (ex, g) -> note(ex,
                        log.checkpointAt(size(ex.pathParam(1), "size")).orElseThrow(() -> new ApiException(ErrorCode.LOG_NO_SUCH_TREE,
                                "no checkpoint of size " + ex.pathParam(1))))),
                Route.publicRoute("GET", "/api/v1/log/tile/{path*}", Action.READ_LOG, (ex, g) -> {
                    Tiles.Name name = Tiles.parse("tile/" + ex.pathParam(1))
                            .orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND, "not a tile path: " + ex.pathParam(1)));
                    byte[] tile = log.tile(name).orElseThrow(() -> new ApiException(ErrorCode.LOG_NO_SUCH_TREE, ex.pathParam(1)));
                    ex.stream("application/octet-stream", tile.length, out -> out.write(tile));
                }),
                Route.publicRoute("GET", "/api/v1/log/proof", Action.READ_LOG, (ex, g) -> ex.json(200, inclusion(entry(ex.query("entry"))))),
                Route.publicRoute("GET", "/api/v1/log/consistency", Action.READ_LOG, (ex, g) -> {
                    long from = size(ex.query("from"), "from");
                    long to = size(ex.query("to"), "to");
                    List<byte[]> proof = log.consistency(from, to).orElseThrow(() -> new ApiException(ErrorCode.LOG_NO_SUCH_TREE,
                            "no checkpoints of sizes " + from + " and " + to + " in that order"));
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("from", from);
                    m.put("to", to);
                    m.put("proof", base64(proof));
                    ex.json(200, m);
                }),
                Route.signed("POST", "/api/v1/log/cosignatures", Action.COSIGN_LOG, (ex, g) -> {
                    JsonNode b = ex.jsonBody();
                    long size = size(b.path("size").asText(null), "size");
                    Optional<TransparencyLog.Refusal> refused = log.cosign(size, g.caller().certificate(), b.path("line").asText(""),
                            clock.instant());
                    if (refused.isPresent()) {
                        throw new ApiException(switch (refused.get()) {
                            case NO_SUCH_CHECKPOINT -> ErrorCode.LOG_NO_SUCH_TREE;
                            case NOT_A_COSIGNATURE -> ErrorCode.BAD_COSIGNATURE;
                            case ALREADY_COSIGNED -> ErrorCode.ALREADY_COSIGNED;
                        }, "cosignature of checkpoint " + size);
                    }
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("size", size);
                    m.put("witness", TransparencyLog.witnessKey(g.caller().certificate()).name());
                    m.put("checkpoint", log.checkpointAt(size).orElseThrow());
                    ex.json(201, m);
                }));
    }

    private Map<String, Object> inclusion(byte[] entry) throws ApiException, SQLException, KeysException {
        Optional<TransparencyLog.Inclusion> in = log.inclusion(entry);
        if (in.isEmpty()) {
            throw new ApiException(log.pending(entry) ? ErrorCode.LOG_ENTRY_PENDING : ErrorCode.LOG_ENTRY_UNKNOWN,
                    "entry " + HexFormat.of().formatHex(entry));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("entry", HexFormat.of().formatHex(entry));
        m.put("index", in.get().index());
        m.put("size", in.get().size());
        m.put("proof", base64(in.get().proof()));
        m.put("checkpoint", in.get().checkpoint());
        return m;
    }

    private static void note(Exchange ex, String note) throws Exception {
        byte[] b = note.getBytes(StandardCharsets.UTF_8);
        ex.stream("text/plain; charset=utf-8", b.length, out -> out.write(b));
    }

    private static byte[] entry(String hex) throws ApiException {
        if (hex == null || !hex.matches("[0-9a-f]{64}")) {
            throw new ApiException(ErrorCode.MALFORMED_REQUEST, "entry is the 64 lowercase hex digits of a log entry");
        }
        return HexFormat.of().parseHex(hex);
    }

    private static long size(String v, String name) throws ApiException {
        if (v == null || !v.matches("0|[1-9][0-9]{0,17}")) {
            throw new ApiException(ErrorCode.MALFORMED_REQUEST, name + " is a tree size (a whole number)");
        }
        return Long.parseLong(v);
    }

    private static List<String> base64(List<byte[]> hashes) {
        return hashes.stream().map(h -> {
            if (h.length != TreeHasher.LENGTH) {
                throw new IllegalStateException("a proof hash of " + h.length + " bytes");
            }
            return Base64.getEncoder().encodeToString(h);
        }).toList();
    }
}
