package cn.midang.server;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.keys.testkit.PlaintextScan;
import cn.midang.server.DevServer.CliRun;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.poi.xwpf.usermodel.XWPFDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Full-text search end to end on a real server: office files made by POI and a GBK text file are
 * uploaded with the real client, extracted by Tika in a child JVM, indexed into the encrypted
 * index, and found by inspectors by a word, a single character and a phrase, with NOT; other units
 * and testers see nothing; a file that cannot be parsed is archived and marked "not indexed" with
 * the reason; and the data directory holds no plaintext afterwards.
 */
class SearchIT {

    @TempDir
    static Path tmp;

    static DevServer dev;
    static final ObjectMapper JSON = new ObjectMapper();
    static String docx;
    static String gbk;
    static String junk;

    static CliRun midang(String who, String... args) throws Exception {
        return dev.midang(who, args);
    }

    static String submit(String who, Path f) throws Exception {
        return dev.submitReport(who, f, tmp.resolve("rc"));
    }

    @BeforeAll
    static void start() throws Exception {
        dev = DevServer.startForCli(tmp.resolve("data"));
        Path d = tmp.resolve("甲单位自查报告.docx");
        try (XWPFDocument doc = new XWPFDocument(); var out = Files.newOutputStream(d)) {
            doc.createParagraph().createRun().setText("本单位信息系统自查：未使用国产密码产品，已制定整改计划。");
            doc.write(out);
        }
        Path g = tmp.resolve("乙县区自查报告.txt");
        Files.write(g, "本单位信息系统自查：应急预案未演练，国产密码已使用。".getBytes(Charset.forName("GBK")));
        byte[] noise = new byte[100_000];
        new Random(3).nextBytes(noise);
        Path j = tmp.resolve("扫描件.pdf");
        Files.write(j, noise);
        long start = System.nanoTime();
        docx = submit("unit-a", d);
        gbk = submit("unit-b", g);
        junk = submit("unit-a", j);
        dev.server.awaitIndexed();
        System.out.printf("three documents receipted and indexed in %.1f s%n", (System.nanoTime() - start) / 1e9);
    }

    @AfterAll
    static void stop() throws Exception {
        dev.close();
    }

    static List<String> hits(CliRun r) throws Exception {
        assertThat(r.exit()).as(r.err()).isZero();
        List<String> ids = new ArrayList<>();
        JSON.readTree(r.out()).path("hits").forEach(h -> ids.add(h.path("id").asText()));
        return ids;
    }

    @Test
    void inspectors_findByWordCharacterAndPhrase_withSnippets() throws Exception {
        CliRun word = midang("inspector-info", "search", "国产密码", "--json");
        assertThat(hits(word)).containsExactlyInAnyOrder(docx, gbk);
        JsonNode first = JSON.readTree(word.out()).path("hits").get(0);
        assertThat(first.path("snippet").asText()).contains("【");
        assertThat(first.path("file_name").asText()).contains("自查报告");
        assertThat(hits(midang("inspector-info", "search", "练", "--json"))).containsExactly(gbk);
        assertThat(hits(midang("inspector-info", "search", "应急预案未演练", "--json"))).containsExactly(gbk);
        assertThat(hits(midang("inspector-info", "search", "未使用国产密码产品", "--json"))).containsExactly(docx);
        assertThat(hits(midang("inspector-info", "search", "本单位", "-应急预案", "--json"))).containsExactly(docx);
        assertThat(hits(midang("inspector-info", "search", "本单位", "--unit", "unit-b", "--json"))).containsExactly(gbk);
        JsonNode facets = JSON.readTree(word.out()).path("facets");
        assertThat(facets.path("unit").path("unit-a").asLong()).isEqualTo(1);
        assertThat(facets.path("unit").path("unit-b").asLong()).isEqualTo(1);
        assertThat(hits(midang("inspector-info", "search", "本单位", "--sort", "date", "--json"))).containsExactly(gbk, docx);
        CliRun table = midang("inspector-info", "--lang", "zh", "search", "国产密码");
        assertThat(table.out()).contains("【").contains(docx).contains("共 2 条").contains("unit-a 1");
    }

    /** One weakness per format, each worded so that no other document of this class holds it. */
    static final Map<String, String> PHRASES = Map.ofEntries(Map.entry("doc", "内网终端未安装主机监控"), Map.entry("docx", "涉密计算机违规连接互联网"),
            Map.entry("xlsx", "弱口令长期未整改"), Map.entry("xls", "移动存储介质未登记"), Map.entry("pptx", "安全审计日志未留存"),
            Map.entry("ppt", "机房门禁系统未启用"), Map.entry("odt", "病毒库长期未更新"), Map.entry("ods", "服务器日志未集中审计"), Map.entry("rtf", "网站存在注入漏洞"),
            Map.entry("html", "数据备份未异地存放"), Map.entry("pdf", "离职人员账号未注销"), Map.entry("gbk.txt", "无线网络未加密"),
            Map.entry("gb18030.txt", "打印机未设访问控制"));

    @Test
    void everyFormat_isFoundByAWord_aSingleCharacter_andAPhraseOfItsBody() throws Exception {
        Map<String, String> ids = new HashMap<>();
        for (String ext : Documents.FORMATS) {
            Path f = tmp.resolve("格式样本." + ext);
            Files.write(f, Documents.make(ext, "检查发现：" + PHRASES.get(ext) + "，限期整改。"));
            ids.put(ext, submit("unit-a", f));
        }
        dev.server.awaitIndexed();
        for (String ext : Documents.FORMATS) {
            String phrase = PHRASES.get(ext);
            String id = ids.get(ext);
            assertThat(hits(midang("inspector-info", "search", phrase, "--json"))).as(ext).containsExactly(id);
            assertThat(hits(midang("inspector-info", "search", phrase.substring(0, 2), "--json"))).as(ext).contains(id);
            assertThat(hits(midang("inspector-info", "search", phrase.substring(phrase.length() - 1), "--json"))).as(ext).contains(id);
        }
    }

    @Test
    void checkAreas_goIntoTheSignedReceipt_andNarrowListingsAndSearch() throws Exception {
        Path border = tmp.resolve("边界防护.docx");
        Files.write(border, Documents.make("docx", "核查情况：电子政务外网边界防护已加固。"));
        Path training = tmp.resolve("培训记录.docx");
        Files.write(training, Documents.make("docx", "核查情况：年度保密培训覆盖全体干部职工。"));
        String rc = tmp.resolve("rc").toString();
        CliRun a = midang("unit-a", "submit", "--campaign", "demo", "--kind", "report", "--area", "protection", "--receipt-dir", rc,
                "--json", border.toString());
        assertThat(a.exit()).as(a.err()).isZero();
        JsonNode first = JSON.readTree(a.out()).path("submitted").get(0);
        assertThat(first.path("area").asText()).isEqualTo("protection");
        CliRun b = midang("unit-a", "submit", "--campaign", "demo", "--kind", "report", "--area", "安全教育培训情况", "--receipt-dir", rc,
                "--json", training.toString());
        assertThat(b.exit()).as(b.err()).isZero();
        JsonNode second = JSON.readTree(b.out()).path("submitted").get(0);
        assertThat(second.path("area").asText()).as("a name is recorded as its id").isEqualTo("training");
        assertThat(Files.readString(Path.of(second.path("receipt").asText()))).contains("\"area\":\"training\"");
        int before = JSON.readTree(midang("unit-a", "list", "--json").out()).path("submissions").size();
        CliRun unknown = midang("unit-a", "submit", "--campaign", "demo", "--kind", "report", "--area", "机房温度", "--receipt-dir", rc,
                training.toString());
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("check area").contains("unknown_area");
        assertThat(JSON.readTree(midang("unit-a", "list", "--json").out()).path("submissions").size()).isEqualTo(before);
        dev.server.awaitIndexed();

        String idA = first.path("id").asText();
        String idB = second.path("id").asText();
        assertThat(hits(midang("inspector-info", "search", "核查情况", "--json"))).containsExactlyInAnyOrder(idA, idB);
        assertThat(hits(midang("inspector-info", "search", "核查情况", "--area", "training", "--json"))).containsExactly(idB);
        assertThat(hits(midang("inspector-info", "search", "核查情况", "--area", "protection", "--on-time", "--json")))
                .containsExactly(idA);
        assertThat(hits(midang("inspector-info", "search", "核查情况", "--late", "--json"))).isEmpty();
        JsonNode facets = JSON.readTree(midang("inspector-info", "search", "核查情况", "--json").out()).path("facets").path("area");
        assertThat(facets.path("protection").asLong()).isEqualTo(1);
        assertThat(facets.path("training").asLong()).isEqualTo(1);
        JsonNode listed = JSON.readTree(midang("inspector-info", "list", "--area", "training", "--json").out()).path("submissions");
        assertThat(listed).singleElement().satisfies(l -> assertThat(l.path("id").asText()).isEqualTo(idB));
        CliRun table = midang("inspector-info", "search", "边界防护", "--area", "protection");
        assertThat(table.out()).contains("protection").contains("边界防护.docx").contains("【");
        assertThat(hits(midang("unit-b", "search", "核查情况", "--area", "training", "--json"))).as("another unit's area").isEmpty();
    }

    @Test
    void otherUnitsAndTesters_seeNothingOfIt_evenWithNot() throws Exception {
        assertThat(hits(midang("unit-b", "search", "国产密码", "--json"))).containsExactly(gbk);
        assertThat(hits(midang("unit-b", "search", "未使用", "--json"))).isEmpty();
        assertThat(hits(midang("unit-b", "search", "本单位", "-应急预案", "--json"))).isEmpty();
        assertThat(hits(midang("unit-a", "search", "练", "--json"))).isEmpty();
        CliRun tester = midang("tester", "search", "国产密码");
        assertThat(tester.exit()).isEqualTo(5);
        assertThat(tester.out()).isEmpty();
    }

    @Test
    void aFileThatCannotBeParsed_isArchivedButMarkedNotIndexed() throws Exception {
        CliRun list = midang("inspector-secrecy", "list", "--json");
        JsonNode byId = null;
        for (JsonNode s : JSON.readTree(list.out()).path("submissions")) {
            if (s.path("id").asText().equals(junk)) {
                byId = s;
            }
            if (s.path("id").asText().equals(docx)) {
                assertThat(s.path("index_state").asText()).isEqualTo("indexed");
            }
        }
        assertThat(byId).isNotNull();
        assertThat(byId.path("index_state").asText()).isEqualTo("not_indexed");
        assertThat(byId.path("index_reason").asText()).isEqualTo("parse_failed");
        assertThat(byId.path("index_note").asText()).startsWith("The file could not be read as a document of its type");
        Path back = tmp.resolve("扫描件-副本.pdf");
        assertThat(midang("unit-a", "get", junk, "-o", back.toString()).exit()).isZero();
        assertThat(Files.size(back)).isEqualTo(100_000);
    }

    @Test
    void theDataDirectory_holdsNoPlaintext_andTheIndexDoesNotCompress() throws Exception {
        for (String text : List.of("未使用国产密码产品", "应急预案未演练")) {
            assertThat(PlaintextScan.firstFileContaining(dev.data, PlaintextScan.encodings(text))).as(text).isEmpty();
        }
        ByteArrayOutputStream index = new ByteArrayOutputStream();
        try (Stream<Path> files = Files.walk(dev.data.resolve("index/lucene"))) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                if (!f.endsWith("write.lock")) {
                    index.write(Files.readAllBytes(f));
                }
            }
        }
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (var z = new java.util.zip.GZIPOutputStream(gz)) {
            z.write(index.toByteArray());
        }
        assertThat(index.size()).isPositive();
        assertThat((double) gz.size() / index.size()).isGreaterThan(0.95);
    }
}
