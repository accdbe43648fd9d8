package cn.midang.server;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.server.DevServer.CliRun;
import cn.midang.server.extract.Scans;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.poi.hssf.usermodel.HSSFWorkbook;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scanned and photographed reports end to end (issue 20): a three-page image-only PDF with a red
 * seal over its first page and a photographed page are uploaded by a unit with the real client,
 * recognised in the extractor's child by Tesseract, and found by an inspector by a Chinese word and
 * a phrase, marked as recognised text (识别文字) with the pages counted; a typed report uploaded
 * after them is found too. Snippets are windows around the match, and a spreadsheet's print
 * header and footer codes never reach the index.
 */
class ScanSearchIT {

    @TempDir
    static Path tmp;

    static DevServer dev;
    static final ObjectMapper JSON = new ObjectMapper();
    static final Map<String, String> ids = new HashMap<>();

    static final List<List<String>> PAGES = List.of(
            List.of("玉溪市发展和改革委员会信息系统安全自查报告", "本单位已周密制定应急预案，并于十一月组织了演练。"),
            List.of("检查发现两台服务器存在弱口令，已责令限期整改。"),
            List.of("信息技术产品和服务国产化情况：办公终端已使用国产操作系统。"));

    static String submit(String name, byte[] bytes) throws Exception {
        Path f = tmp.resolve(name);
        Files.write(f, bytes);
        return dev.submitReport("unit-a", f, tmp.resolve("rc"));
    }

    @BeforeAll
    static void start() throws Exception {
        dev = DevServer.startForCli(tmp.resolve("data"));
        List<BufferedImage> pages = new java.util.ArrayList<>();
        for (int i = 0; i < PAGES.size(); i++) {
            pages.add(Scans.page(PAGES.get(i), 200, 8.27, 2.5, i == 0));
        }
        ids.put("scan", submit("盖章自查报告-扫描件.pdf", Scans.pdf(pages, 200)));
        // A scanning app's PDF: pictures of the pages, and its name as a line of real text on each.
        ids.put("app", submit("扫描全能王-整改报告.pdf", Scans.pdf(List.of(Scans.page(List.of("整改报告",
                "针对检查发现的问题，本单位已更换全部弱口令，并启用了双因素认证。"), 200, 8.27, 3, false)), 200, "Scanned by CamScanner")));
        BufferedImage photo = Scans.photographed(Scans.page(List.of("现场检查记录", "一、机房门禁记录保存不足六个月，已要求补充。",
                "二、核心交换机配置已备份，备份介质存放于保密柜。", "三、抽查十台办公终端，均已安装防病毒软件并及时更新。"), 200, 8.27, 4, false), -2, 5);
        ids.put("photo", submit("IMG_20091208_1530.jpg", Scans.jpeg(photo, 0.8f)));
        ids.put("typed", submit("整改说明.txt", "整改说明：防火墙访问控制策略已于十二月整改完毕。".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        ids.put("xlsx", submit("检查表.xlsx", Documents.sheetWithHeaderAndFooter(new XSSFWorkbook(), "终端未安装防病毒软件")));
        ids.put("xls", submit("检查表.xls", Documents.sheetWithHeaderAndFooter(new HSSFWorkbook(), "存储介质未登记造册")));
        String longText = "本单位自查情况说明。".repeat(20) + "发现一处无线接入点未加密。" + "其余各项均符合要求。".repeat(20);
        ids.put("long", submit("情况说明.txt", longText.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        dev.server.awaitIndexed();
    }

    @AfterAll
    static void stop() throws Exception {
        dev.close();
    }

    static JsonNode search(String... words) throws Exception {
        String[] args = new String[words.length + 2];
        args[0] = "search";
        System.arraycopy(words, 0, args, 1, words.length);
        args[args.length - 1] = "--json";
        CliRun r = dev.midang("inspector-info", args);
        assertThat(r.exit()).as(r.err()).isZero();
        return JSON.readTree(r.out()).path("hits");
    }

    static JsonNode hit(JsonNode hits, String id) {
        for (JsonNode h : hits) {
            if (h.path("id").asText().equals(id)) {
                return h;
            }
        }
        throw new AssertionError(id + " is not among the hits: " + hits);
    }

    @Test
    void aScannedPdf_isFoundByAWordAndAPhrase_onEveryPage_asRecognisedText() throws Exception {
        String scan = ids.get("scan");
        for (String q : List.of("弱口令", "限期整改", "制定应急预案", "国产操作系统")) {
            JsonNode h = hit(search(q), scan);
            assertThat(h.path("recognised").asBoolean()).as(q).isTrue();
            assertThat(h.path("snippet").asText()).as(q).contains("【");
        }
        JsonNode h = hit(search("弱口令"), scan);
        assertThat(h.path("index_state").asText()).isEqualTo("indexed");
        assertThat(h.path("index_reason").asText()).isEqualTo("recognised");
        assertThat(h.path("index_recognised_pages").asInt()).isEqualTo(3);
        assertThat(h.path("index_note_zh").asText()).contains("识别");
        // The terminal says it too.
        CliRun table = dev.midang("inspector-info", "--lang", "zh", "search", "弱口令");
        assertThat(table.out()).contains("识别文字");
        CliRun list = dev.midang("inspector-info", "--lang", "zh", "list", "--campaign", "demo");
        assertThat(list.out()).contains("可检索，文字从 3 页识别所得（OCR）");
    }

    @Test
    void aScanningAppsPdf_whoseOnlyTextIsTheAppsName_isRecognisedToo() throws Exception {
        JsonNode h = hit(search("双因素认证"), ids.get("app"));
        assertThat(h.path("recognised").asBoolean()).isTrue();
        assertThat(h.path("index_recognised_pages").asInt()).isEqualTo(1);
    }

    @Test
    void aPhotographedPage_isFound() throws Exception {
        JsonNode h = hit(search("门禁记录"), ids.get("photo"));
        assertThat(h.path("recognised").asBoolean()).isTrue();
        assertThat(h.path("index_recognised_pages").asInt()).isEqualTo(1);
    }

    @Test
    void aTypedReportUploadedAfterTheScans_isFound_andIsNotMarkedRecognised() throws Exception {
        JsonNode h = hit(search("防火墙访问控制策略"), ids.get("typed"));
        assertThat(h.path("recognised").asBoolean()).isFalse();
        assertThat(h.path("index_reason").asText()).isEmpty();
    }

    @Test
    void spreadsheetSnippets_carryNoPrintHeaderOrFooterCodes() throws Exception {
        for (String[] c : new String[][] {{"xlsx", "防病毒软件"}, {"xls", "登记造册"}}) {
            String snippet = hit(search(c[1]), ids.get(c[0])).path("snippet").asText();
            assertThat(snippet).as(c[0]).contains("【").doesNotContain("&").doesNotContain("Page").doesNotContain("宋体");
        }
        // Not even searchable: the header's words are not the sheet's text.
        assertThat(search("Bold")).isEmpty();
    }

    @Test
    void aSnippetIsAWindowAroundTheMatch_notTheWholeText() throws Exception {
        String snippet = hit(search("无线接入点"), ids.get("long")).path("snippet").asText();
        assertThat(snippet).contains("发现一处【无线接入点】未加密").doesNotStartWith("本单位自查情况说明。本单位自查情况说明。本单位自查情况说明。本单位");
        assertThat(snippet.replaceAll("[【】…]", "").length()).isBetween(20, 120);
    }
}
