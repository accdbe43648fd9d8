package cn.midang.server.extract;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tesseract through the extractor's child (issue 20) on scans made here: Chinese rendered with a
 * real CJK font at 150, 200 and 300 dpi, with and without a red seal stamped over the words, as
 * PNG, JPEG and an image-only PDF. Each must give back a word and a phrase of what was printed.
 */
class RecognitionIT {

    static final List<String> PRINTED = List.of(
            "玉溪市信息系统安全自查报告",
            "各部门要周密制定应急预案，控制安全风险，加强保密措施。",
            "检查发现两台服务器存在弱口令，已责令限期整改。");

    static ForkedExtractor ocr;

    @BeforeAll
    static void start() {
        Ocr.Found found = Ocr.probe(Ocr.LANGUAGES);
        assertThat(found.usable()).as("Tesseract with chi_sim and eng (.ci/run installs them): " + found.description()).isTrue();
        ocr = ForkedExtractor.recognising(new Ocr(Ocr.LANGUAGES, 2, Duration.ofMinutes(10), Ocr.DPI));
    }

    @AfterAll
    static void stop() {
        ocr.close();
    }

    static List<Arguments> scans() {
        List<Arguments> out = new ArrayList<>();
        for (int dpi : new int[] {150, 200, 300}) {
            for (boolean seal : new boolean[] {false, true}) {
                for (String format : new String[] {"png", "jpg", "pdf"}) {
                    out.add(Arguments.of(dpi, seal, format));
                }
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0} dpi, seal {1}, .{2}")
    @MethodSource("scans")
    void aScanIsRecognised_andFoundByAWordAndAPhrase(int dpi, boolean seal, String format) throws Exception {
        BufferedImage page = Scans.page(PRINTED, dpi, 5.8, 1.6, seal);
        byte[] bytes = switch (format) {
            case "png" -> Scans.png(page);
            case "jpg" -> Scans.jpeg(page, 0.85f);
            default -> Scans.pdf(List.of(page), dpi);
        };
        Extraction e = ocr.extract(new ByteArrayInputStream(bytes), "盖章扫描件." + format);
        assertThat(e.extracted()).as(e.reason()).isTrue();
        assertThat(e.note()).isEqualTo(IndexNote.RECOGNISED);
        assertThat(e.recognisedPages()).isEqualTo(1);
        assertThat(e.mediaType()).startsWith(format.equals("pdf") ? "application/pdf" : "image/");
        String text = e.text().replaceAll("\\s", "");
        assertThat(text).as(e.text()).contains("弱口令").contains("制定应急预案");
    }

    @Test
    void pagesBeyondTheLimitAreNotRead_andTheNoteSaysSo() throws Exception {
        List<BufferedImage> pages = new ArrayList<>();
        for (String p : List.of("第一页：各部门要周密制定应急预案，控制安全风险。", "第二页：检查发现两台服务器存在弱口令，已责令整改。",
                "第三页：信息技术产品和服务国产化情况，办公终端已使用国产密码产品。")) {
            pages.add(Scans.page(List.of(p), 200, 5.8, 1.6, false));
        }
        Extraction e = ocr.extract(new ByteArrayInputStream(Scans.pdf(pages, 200)), "三页扫描件.pdf");
        assertThat(e.extracted()).as(e.reason()).isTrue();
        assertThat(e.note()).isEqualTo(IndexNote.RECOGNISED_IN_PART);
        assertThat(e.recognisedPages()).isEqualTo(2);
        assertThat(e.text().replaceAll("\\s", "")).contains("应急预案").contains("弱口令").doesNotContain("国产密码");
        assertThat(e.detail()).isEqualTo("2 of 3 page(s) recognised");
    }

    @Test
    void everyPageOfAMultiPageTiff_isRead() throws Exception {
        byte[] tiff = Scans.tiff(List.of(Scans.page(PRINTED, 200, 5.8, 1.6, false),
                Scans.page(List.of("第二页", "信息技术产品和服务国产化情况：办公终端已使用国产操作系统。", "安全教育培训已覆盖全体干部职工。"), 200, 5.8, 1.6,
                        false)));
        Extraction e = ocr.extract(new ByteArrayInputStream(tiff), "传真扫描.tif");
        assertThat(e.extracted()).as(e.reason()).isTrue();
        assertThat(e.recognisedPages()).isEqualTo(2);
        assertThat(e.note()).isEqualTo(IndexNote.RECOGNISED);
        assertThat(e.text().replaceAll("\\s", "")).contains("应急预案").contains("弱口令").contains("国产操作系统");
    }

    @Test
    void aPhotographedPage_turnedAndUnevenlyLit_isRead() throws Exception {
        // A page as a phone takes it: the whole sheet, not a strip (Tesseract's orientation detection needs lines to go by).
        List<String> sheet = new ArrayList<>(PRINTED);
        sheet.add("一、工作目标：及时掌握我市政府信息系统安全现状和面临的问题，认真查找隐患，堵塞安全漏洞。");
        sheet.add("二、组织实施：由市信息产业办会同市公安局、市保密局共同组织开展，市电子政务网络管理中心配合实施。");
        sheet.add("三、检查范围：为政府机关履行职能提供支撑的信息系统，包括办公系统、业务系统、网站系统等。");
        BufferedImage photo = Scans.photographed(Scans.page(sheet, 200, 8.27, 5, true), 2.5, 7);
        Extraction e = ocr.extract(new ByteArrayInputStream(Scans.jpeg(photo, 0.8f)), "IMG_20091125_1032.jpg");
        assertThat(e.extracted()).as(e.reason()).isTrue();
        assertThat(e.text().replaceAll("\\s", "")).as(e.text()).contains("弱口令");
    }

    @Test
    void aPictureWithoutWords_isNoText() throws Exception {
        BufferedImage blank = new BufferedImage(600, 400, BufferedImage.TYPE_INT_RGB);
        var g = blank.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, 600, 400);
        g.dispose();
        Extraction e = ocr.extract(new ByteArrayInputStream(Scans.png(blank)), "空白.png");
        assertThat(e.extracted()).isFalse();
        assertThat(e.note()).isEqualTo(IndexNote.NO_TEXT);
    }
}
