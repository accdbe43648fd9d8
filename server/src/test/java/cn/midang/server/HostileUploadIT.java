package cn.midang.server;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.cli.net.MidangClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile files through a real server in its own JVM with its heap capped at 256 MiB: a zip-bomb
 * .docx, a 30-level nested archive, a PDF whose page tree and cross-references loop, random bytes
 * named .pdf and a 500 MB text file (uploaded while the others go in). Each is archived and
 * receipted and ends "not indexed" with its reason; the ordinary reports sent between them are
 * indexed and found; the server stays up and never runs out of memory.
 */
class HostileUploadIT {

    @TempDir
    Path tmp;

    @Test
    void hostileFiles_endNotIndexedWithAReason_whileOrdinaryReportsAreFound() throws Exception {
        ChildServer.Deployed dev = ChildServer.deployDev(tmp);
        Path huge = tmp.resolve("巨大的日志.txt");
        byte[] line = "2009-05-20 玉溪市某单位系统日志：口令策略未配置，审计记录未开启。\n".getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(huge), 1 << 20)) {
            for (long written = 0; written < 500_000_000L; written += line.length) {
                out.write(line);
            }
        }
        ChildServer server = ChildServer.start(dev, tmp.resolve("server.log"), "-Xmx256m", "-XX:+UseSerialGC");
        try {
            MidangClient unitA = new MidangClient(server.uri(), dev.identity("unit-a"), Clock.systemUTC());
            CompletableFuture<String> big = CompletableFuture.supplyAsync(() -> {
                try {
                    return unitA.submit(huge, "demo", "report", null).receipt().id();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            byte[] junk = new byte[300_000];
            new Random(11).nextBytes(junk);
            Map<String, byte[]> hostile = new LinkedHashMap<>();
            hostile.put("炸弹.docx", Documents.zipBombDocx());
            hostile.put("嵌套.zip", Documents.nestedZip(30, "最深处"));
            hostile.put("循环.pdf", Documents.pdfWithReferenceLoop());
            hostile.put("扫描件.pdf", junk);
            Map<String, String> ids = new LinkedHashMap<>();
            List<String> ordinary = new ArrayList<>();
            int i = 0;
            for (var h : hostile.entrySet()) {
                ids.put(h.getKey(), submit(unitA, h.getKey(), h.getValue()));
                String phrase = "第" + "一二三四".charAt(i++) + "项整改已完成";
                ordinary.add(phrase);
                ids.put(phrase, submit(unitA, phrase + ".docx", Documents.make("docx", "本单位自查：" + phrase + "。")));
            }
            ids.put("巨大的日志.txt", big.get(5, TimeUnit.MINUTES));

            MidangClient inspector = new MidangClient(server.uri(), dev.identity("inspector-info"), Clock.systemUTC());
            Map<String, JsonNode> byId = awaitIndexState(inspector, ids.size());
            assertThat(byId.keySet()).containsAll(ids.values());
            // Users are told the catalogue's reason; what the parser said (names from inside the file) is in the server log only.
            assertThat(reason(byId, ids, "炸弹.docx")).isEqualTo("parse_failed");
            assertThat(reason(byId, ids, "嵌套.zip")).isEqualTo("parse_failed");
            assertThat(reason(byId, ids, "循环.pdf")).isIn("parse_failed", "no_text", "timed_out", "out_of_memory");
            assertThat(reason(byId, ids, "扫描件.pdf")).isEqualTo("parse_failed");
            assertThat(reason(byId, ids, "巨大的日志.txt")).isEqualTo("too_large");
            for (String phrase : ordinary) {
                assertThat(byId.get(ids.get(phrase)).path("index_state").asText()).isEqualTo("indexed");
                JsonNode hits = inspector.search(phrase, "demo", null, null, null, 10, 0).path("hits");
                assertThat(hits.size()).as(phrase).isEqualTo(1);
                assertThat(hits.get(0).path("id").asText()).isEqualTo(ids.get(phrase));
            }
            assertThat(server.process().isAlive()).isTrue();
        } finally {
            assertThat(server.stop()).isTrue();
        }
        String log = Files.readString(server.log());
        assertThat(log).doesNotContain("OutOfMemoryError");
        assertThat(log).contains("looks like a zip bomb: word/document.xml would expand").contains("nested deeper than 4 levels");
    }

    String submit(MidangClient client, String name, byte[] bytes) throws Exception {
        Path f = tmp.resolve(name);
        Files.write(f, bytes);
        return client.submit(f, "demo", "report", null).receipt().id();
    }

    static String reason(Map<String, JsonNode> byId, Map<String, String> ids, String name) {
        JsonNode s = byId.get(ids.get(name));
        assertThat(s.path("index_state").asText()).as(name).isEqualTo("not_indexed");
        return s.path("index_reason").asText();
    }

    /** Lists the campaign until all {@code count} submissions have a final index state. */
    static Map<String, JsonNode> awaitIndexState(MidangClient inspector, int count) throws Exception {
        // A bound only against a hang (each document has its extractor's kill timeout): a busy machine is waited for.
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(20);
        while (true) {
            Map<String, JsonNode> byId = new LinkedHashMap<>();
            inspector.list("demo", null, null, 100, 0).path("submissions").forEach(s -> byId.put(s.path("id").asText(), s));
            boolean done = byId.size() >= count && byId.values().stream().allMatch(s -> {
                String state = s.path("index_state").asText("");
                // A PDF without text is recognised (OCR) on a lane of its own before its state is final.
                return state.equals("indexed")
                        || (state.equals("not_indexed") && !s.path("index_reason").asText().equals("recognition_pending"));
            });
            if (done || System.nanoTime() > deadline) {
                return byId;
            }
            Thread.sleep(200);
        }
    }
}
