package cn.midang.server.extract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import cn.midang.server.Documents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Tika in a child JVM on documents made here by real libraries (POI, PDFBox) and on hostile
 * input: each one either yields its text or a reason, in bounded time, and the test JVM (which
 * plays the server) is never at risk.
 */
class ForkedExtractorIT {

    static final String BODY = "玉溪市信息系统安全自查报告：本单位未使用国产密码产品，应急预案未演练。";
    final ForkedExtractor extractor = new ForkedExtractor(ForkedExtractor.Limits.DEFAULT);

    @AfterEach
    void stopChildren() {
        extractor.close();
    }

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

    /** Documents.FORMATS covers the Chinese formats; here a PDF as PDFBox itself writes one, and the media type reported. */
    @Test
    void aPdfWrittenByPdfbox_andTheMediaTypeOfEachDocument() throws Exception {
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
        assertThat(f.mediaType()).isEqualTo("application/pdf");
        assertThat(run(Documents.make("docx", BODY), "报告.docx").mediaType()).contains("wordprocessingml");
    }

    @Test
    void everyFormat_madeAtTestTime_yieldsItsChineseText() {
        for (String ext : Documents.FORMATS) {
            Extraction e = run(Documents.make(ext, BODY), "检查报告." + ext);
            assertThat(e.extracted()).as(ext + ": " + e.reason()).isTrue();
            assertThat(e.text()).as(ext).contains("未使用国产密码产品").contains("应急预案未演练");
        }
    }

    @Test
    void aPdfWhosePageTreeAndCrossReferencesLoop_endsWithAReason() {
        Extraction e = run(Documents.pdfWithReferenceLoop(), "循环.pdf");
        assertThat(e.extracted()).isFalse();
        assertThat(e.reason()).isNotBlank();
        System.out.println("reference loop: " + e.reason());
    }

    @Test
    void randomBytesNamedPdf_endsWithAReason() {
        byte[] junk = new byte[200_000];
        new Random(7).nextBytes(junk);
        System.arraycopy("%PDF-1.7\n".getBytes(StandardCharsets.US_ASCII), 0, junk, 0, 9);
        Extraction e = run(junk, "扫描件.pdf");
        assertThat(e.extracted()).isFalse();
        assertThat(e.note()).isEqualTo(IndexNote.PARSE_FAILED);
        assertThat(e.detail()).startsWith("the file could not be parsed");
    }

    @Test
    void zipBombDocx_isRefusedBeforeParsing() throws Exception {
        byte[] bomb = Documents.zipBombDocx();
        assertThat(bomb.length).isLessThan(2 << 20);
        Extraction e = run(bomb, "炸弹.docx");
        assertThat(e.extracted()).isFalse();
        assertThat(e.note()).isEqualTo(IndexNote.PARSE_FAILED);
        assertThat(e.detail()).startsWith("the file could not be parsed: looks like a zip bomb: word/document.xml would expand");
        // The same extractor goes on with the next document.
        assertThat(run(BODY.getBytes(StandardCharsets.UTF_8), "下一个.txt").text()).contains("应急预案未演练");
    }

    @Test
    void deeplyNestedArchive_stopsAtTheDepthLimit_whileAShallowOneIsRead() throws Exception {
        assertThat(run(Documents.nestedZip(2, "最深处的文本 " + BODY), "shallow.zip").text()).contains("最深处的文本");
        Extraction e = run(Documents.nestedZip(30, "最深处的文本 " + BODY), "nested.zip");
        assertThat(e.extracted()).isFalse();
        assertThat(e.note()).isEqualTo(IndexNote.PARSE_FAILED);
        assertThat(e.detail()).isEqualTo("the file could not be parsed: embedded documents are nested deeper than 4 levels");
    }

    @Test
    void oneChild_servesManyDocuments_andOneThatStallsIsKilledAndReplaced() throws Exception {
        ForkedExtractor impatient = new ForkedExtractor(ForkedExtractor.Limits.DEFAULT.withTimeout(Duration.ofSeconds(8)));
        try {
            for (int i = 0; i < 20; i++) {
                Extraction e = impatient.extract(new ByteArrayInputStream((i + "号 " + BODY).getBytes(StandardCharsets.UTF_8)), i + ".txt");
                assertThat(e.text()).startsWith(i + "号");
            }
            assertThat(impatient.childrenStarted()).isEqualTo(1);
            // A document whose bytes stop coming: the child waits, the time limit kills it.
            Extraction stalled = impatient.extract("慢.txt", out -> {
                out.write(BODY.getBytes(StandardCharsets.UTF_8));
                out.flush();
                try {
                    Thread.sleep(12_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                out.write(BODY.getBytes(StandardCharsets.UTF_8));
            });
            assertThat(stalled.extracted()).isFalse();
            // Tried once more in a fresh child (a timeout may be the machine's, not the document's), then given up.
            assertThat(stalled.note()).isEqualTo(IndexNote.TIMED_OUT);
            assertThat(stalled.detail()).isEqualTo("parsing took longer than 8 s (twice)");
            Extraction after = impatient.extract(new ByteArrayInputStream(BODY.getBytes(StandardCharsets.UTF_8)), "后.txt");
            assertThat(after.text()).contains("国产密码");
            assertThat(impatient.childrenStarted()).isEqualTo(3);
        } finally {
            impatient.close();
        }
    }

    @Test
    void aFileWithoutText_isNotIndexed_andSaysWhy() {
        Extraction e = run(" \n\t\n".getBytes(StandardCharsets.UTF_8), "空白.txt");
        assertThat(e.extracted()).isFalse();
        assertThat(e.note()).isEqualTo(IndexNote.NO_TEXT);
        assertThat(run(new byte[0], "空.txt").note()).isEqualTo(IndexNote.EMPTY);
    }

    /**
     * A large file no parser reads (random bytes): the child answers from its first bytes and the
     * feed stops, instead of decrypting and piping all of it (issue 17: the server read every
     * upload twice). The same child then reads the next document: the framing stayed in step.
     */
    @Test
    void aLargeFileWithoutText_isNotSentToTheEnd_andTheChildGoesOn() {
        long size = 1L << 30;
        java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
        Extraction e = extractor.extract("录像.bin", out -> {
            byte[] block = new byte[1 << 16];
            Random random = new Random(17);
            while (written.get() < size) {
                random.nextBytes(block);
                out.write(block);
                written.addAndGet(block.length);
            }
        });
        assertThat(e.extracted()).isFalse();
        assertThat(e.note()).as(e.reason()).isEqualTo(IndexNote.NO_TEXT);
        assertThat(written.get()).as("bytes sent of a 1 GiB file").isLessThan(size);
        assertThat(run(BODY.getBytes(StandardCharsets.UTF_8), "后.txt").text()).contains("国产密码");
        assertThat(extractor.childrenStarted()).isEqualTo(1);
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
