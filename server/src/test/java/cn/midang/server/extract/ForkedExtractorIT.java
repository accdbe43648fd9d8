package cn.midang.server.extract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.apache.poi.xwpf.usermodel.XWPFDocument;
import org.junit.jupiter.api.Test;

/**
 * Tika in a child JVM on documents made here by real libraries (POI, PDFBox) and on hostile
 * input: each one either yields its text or a reason, in bounded time, and the test JVM (which
 * plays the server) is never at risk.
 */
class ForkedExtractorIT {

    static final String BODY = "玉溪市信息系统安全自查报告：本单位未使用国产密码产品，应急预案未演练。";
    final ForkedExtractor extractor = new ForkedExtractor(ForkedExtractor.Limits.DEFAULT);

    Extraction run(byte[] bytes, String name) {
        return extractor.extract(new ByteArrayInputStream(bytes), name);
    }

    @Test
    void text_inUtf8_gbk_andGb18030_isFoundByItsFileName() {
        for (String cs : new String[] {"UTF-8", "GBK", "GB18030"}) {
            Extraction e = run(BODY.getBytes(Charset.forName(cs)), "自查报告-" + cs + ".txt");
            assertThat(e.extracted()).as(cs + ": " + e.reason()).isTrue();
            assertThat(e.text()).as(cs).contains("未使用国产密码产品").contains("应急预案未演练");
        }
    }

    @Test
    void officeFiles_madeByPoi_andPdf_madeByPdfbox() throws Exception {
        ByteArrayOutputStream docx = new ByteArrayOutputStream();
        try (XWPFDocument d = new XWPFDocument()) {
            d.createParagraph().createRun().setText(BODY);
            d.write(docx);
        }
        Extraction w = run(docx.toByteArray(), "报告.docx");
        assertThat(w.extracted()).as(w.reason()).isTrue();
        assertThat(w.text()).contains("国产密码");
        assertThat(w.mediaType()).contains("wordprocessingml");

        ByteArrayOutputStream xlsx = new ByteArrayOutputStream();
        try (XSSFWorkbook b = new XSSFWorkbook()) {
            var row = b.createSheet("检查项").createRow(0);
            row.createCell(0).setCellValue("密码使用");
            row.createCell(1).setCellValue("不符合：未使用国产密码产品");
            b.write(xlsx);
        }
        Extraction x = run(xlsx.toByteArray(), "报告表.xlsx");
        assertThat(x.text()).contains("未使用国产密码产品");

        ByteArrayOutputStream pdf = new ByteArrayOutputStream();
        try (PDDocument p = new PDDocument()) {
            PDPage page = new PDPage();
            p.addPage(page);
            try (PDPageContentStream c = new PDPageContentStream(p, page)) {
                c.beginText();
                c.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 12);
                c.newLineAtOffset(72, 700);
                c.showText("Emergency plan not rehearsed at unit A");
                c.endText();
            }
            p.save(pdf);
        }
        Extraction f = run(pdf.toByteArray(), "report.pdf");
        assertThat(f.text()).contains("Emergency plan not rehearsed");

        Extraction h = run(("<html><body><p>" + BODY + "</p></body></html>").getBytes(StandardCharsets.UTF_8), "通报.html");
        assertThat(h.text()).contains("应急预案未演练");
    }

    @Test
    void randomBytesNamedPdf_endsWithAReason() {
        byte[] junk = new byte[200_000];
        new Random(7).nextBytes(junk);
        System.arraycopy("%PDF-1.7\n".getBytes(StandardCharsets.US_ASCII), 0, junk, 0, 9);
        Extraction e = run(junk, "扫描件.pdf");
        assertThat(e.extracted()).isFalse();
        assertThat(e.reason()).startsWith("the file could not be parsed");
    }

    @Test
    void zipBombDocx_isCutAtTheWriteLimit_inBoundedTime() throws Exception {
        // A .docx whose document.xml inflates to about 190 MB of text from well under 1 MB.
        ByteArrayOutputStream bomb = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bomb)) {
            put(z, "[Content_Types].xml", "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/"
                    + "content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
                    + "<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument."
                    + "wordprocessingml.document.main+xml\"/></Types>");
            put(z, "_rels/.rels", "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/"
                    + "relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
                    + "relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>");
            z.putNextEntry(new ZipEntry("word/document.xml"));
            z.write(("<?xml version=\"1.0\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
                    + "<w:body>").getBytes(StandardCharsets.UTF_8));
            byte[] para = ("<w:p><w:r><w:t>" + "应急预案未演练".repeat(200) + "</w:t></w:r></w:p>").getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 45_000; i++) {
                z.write(para);
            }
            z.write("</w:body></w:document>".getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
        }
        assertThat(bomb.size()).isLessThan(2 << 20);
        long start = System.nanoTime();
        Extraction e = run(bomb.toByteArray(), "炸弹.docx");
        long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
        assertThat(seconds).isLessThan(ForkedExtractor.Limits.DEFAULT.timeout().toSeconds());
        System.out.println("zip bomb: extracted=" + e.extracted() + " truncated=" + e.truncated() + " reason=" + e.reason()
                + " in " + seconds + " s");
        if (e.extracted()) {
            assertThat(e.truncated()).isTrue();
            assertThat(e.text().length()).isLessThanOrEqualTo(ForkedExtractor.Limits.DEFAULT.maxChars());
        } else {
            assertThat(e.reason()).isNotBlank();
        }
    }

    static void put(ZipOutputStream z, String name, String text) throws Exception {
        z.putNextEntry(new ZipEntry(name));
        z.write(text.getBytes(StandardCharsets.UTF_8));
        z.closeEntry();
    }

    @Test
    void deeplyNestedArchive_stopsAtTheDepthLimit_whileAShallowOneIsRead() throws Exception {
        assertThat(run(nested(2), "shallow.zip").text()).contains("最深处的文本");
        Extraction e = run(nested(30), "nested.zip");
        assertThat(e.extracted()).as(e.reason()).isTrue();
        assertThat(e.text()).doesNotContain("最深处的文本");
    }

    static byte[] nested(int levels) throws Exception {
        byte[] inner = ("最深处的文本 " + BODY).getBytes(StandardCharsets.UTF_8);
        String name = "level.txt";
        for (int level = 0; level < levels; level++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (ZipOutputStream z = new ZipOutputStream(out)) {
                z.putNextEntry(new ZipEntry(name));
                z.write(inner);
                z.closeEntry();
            }
            inner = out.toByteArray();
            name = "level-" + level + ".zip";
        }
        return inner;
    }

    @Test
    void aParserThatTakesTooLong_isKilled() {
        ForkedExtractor impatient = new ForkedExtractor(new ForkedExtractor.Limits(256, Duration.ofMillis(200), 1000, 10, 2));
        Extraction e = impatient.extract(new ByteArrayInputStream(BODY.getBytes(StandardCharsets.UTF_8)), "a.txt");
        assertThat(e.extracted()).isFalse();
        assertThat(e.reason()).startsWith("timed out");
    }

    @Test
    void aHugeTextStream_isCutAtTheWriteLimit() {
        InputStream endless = new InputStream() {
            long left = 300L << 20;

            @Override
            public int read() {
                return left-- > 0 ? 'a' + (int) (left % 26) : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                for (int i = 0; i < n; i++) {
                    b[off + i] = (byte) (i % 80 == 79 ? '\n' : 'a' + (i % 26));
                }
                left -= n;
                return n;
            }
        };
        Extraction e = extractor.extract(endless, "huge.txt");
        assertThat(e.extracted()).as(e.reason()).isTrue();
        assertThat(e.truncated()).isTrue();
        assertThat(e.text().length()).isLessThanOrEqualTo(ForkedExtractor.Limits.DEFAULT.maxChars());
    }
}
