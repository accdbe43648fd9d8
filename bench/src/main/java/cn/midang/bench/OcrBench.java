package cn.midang.bench;

import cn.midang.cli.net.MidangClient;
import cn.midang.keys.pki.Identity;
import cn.midang.server.extract.Extraction;
import cn.midang.server.extract.ForkedExtractor;
import cn.midang.server.extract.Ocr;
import cn.midang.server.extract.Scans;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Recognition of scans (issue 20), two figures for docs/PERFORMANCE.md.
 *
 * <p>{@code accuracy}: one A4 page in the notice's wording, rendered with a CJK font at 150,
 * 200 and 300 dpi, with and without a red seal, as an image-only PDF, recognised by the server's
 * recogniser (Tesseract in the extractor's child, one core); prints the character accuracy
 * (1 − edit distance / printed characters, white space left out) and the seconds per page.
 *
 * <p>{@code delay URL DATA PASS PAGES}: against a dev server, unit-a uploads a scan of
 * PAGES pages and then at once a typed report; prints how long after its receipt the typed report
 * is found by inspector-info, and how long the scan takes to be found; the same typed report
 * alone first, as the baseline.
 */
public final class OcrBench {

    public static void main(String[] args) throws Exception {
        if (args[0].equals("accuracy")) {
            accuracy(paragraphs());
        } else {
            delay(URI.create(args[1]), Path.of(args[2]), args[3].toCharArray(), paragraphs(), Integer.parseInt(args[4]));
        }
    }

    /** Paragraphs in the notice's wording, each with a finding and what was done about it (the corpus of the search benchmark). */
    static List<String> paragraphs() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < ChineseCorpus.NOTICE.size(); i++) {
            out.add(ChineseCorpus.NOTICE.get(i) + "。检查发现" + ChineseCorpus.FINDINGS.get(i % ChineseCorpus.FINDINGS.size()) + "，"
                    + ChineseCorpus.FOLLOW_UPS.get(i % ChineseCorpus.FOLLOW_UPS.size()) + "。");
        }
        return out;
    }

    /** As much of the notice from paragraph {@code from} on as fills one A4 page at 12 points (about 850 characters). */
    static List<String> page(List<String> notice, int from) {
        List<String> out = new ArrayList<>();
        int chars = 0;
        for (int i = from; chars < 800; i++) {
            String p = notice.get(i % notice.size());
            out.add(p);
            chars += p.length();
        }
        return out;
    }

    static void accuracy(List<String> notice) throws Exception {
        List<String> printed = page(notice, 1);
        String reference = String.join("", printed).replaceAll("\\s", "");
        System.out.printf("One A4 page in the notice's wording, %d characters, image-only PDF; Tesseract %s on one core.%n%n", reference.length(),
                Ocr.probe(Ocr.LANGUAGES).description());
        System.out.println("| scan | seal | characters recognised correctly | seconds per page |");
        System.out.println("|---|---|---|---|");
        try (ForkedExtractor ocr = ForkedExtractor.recognising(new Ocr(Ocr.LANGUAGES, 50, Duration.ofMinutes(30), Ocr.DPI))) {
            // A first page to start the child and load Tesseract's models: not measured.
            ocr.extract(new ByteArrayInputStream(Scans.pdf(List.of(Scans.page(List.of("预热"), 150, 2, 1, false)), 150)), "warm.pdf");
            for (int dpi : new int[] {150, 200, 300}) {
                for (boolean seal : new boolean[] {false, true}) {
                    BufferedImage img = Scans.page(printed, dpi, 8.27, 11.69, seal);
                    byte[] pdf = Scans.pdf(List.of(img), dpi);
                    long t = System.nanoTime();
                    Extraction e = ocr.extract(new ByteArrayInputStream(pdf), "scan.pdf");
                    double s = (System.nanoTime() - t) / 1e9;
                    String got = e.text().replaceAll("\\s", "");
                    double acc = 1.0 - (double) distance(reference, got) / reference.length();
                    System.out.printf("| %d dpi | %s | %.1f %% | %.1f |%n", dpi, seal ? "yes" : "no", 100 * Math.max(0, acc), s);
                }
            }
        }
    }

    /** Levenshtein distance of two strings, by characters. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    static void delay(URI server, Path data, char[] pass, List<String> notice, int pages) throws Exception {
        Clock clock = Clock.systemUTC();
        MidangClient unit = new MidangClient(server, Identity.load(data.resolve("identities/unit-a.p12"), pass), clock);
        MidangClient inspector = new MidangClient(server, Identity.load(data.resolve("identities/inspector-info.p12"), pass), clock);
        Path tmp = Files.createTempDirectory("midang-ocr-bench");
        List<BufferedImage> scan = new ArrayList<>();
        for (int i = 0; i < pages; i++) {
            scan.add(Scans.page(page(notice, i * 3 + 1), 300, 8.27, 11.69, i == 0));
        }
        Path pdf = tmp.resolve("盖章自查报告-扫描件.pdf");
        Files.write(pdf, Scans.pdf(scan, 300));
        System.out.printf("A %d-page scan (300 dpi, A4, the notice's wording; %,d bytes) and a typed report uploaded right after it.%n%n",
                pages, Files.size(pdf));
        // Warm: the server's two text extractors started (a child JVM each, some 3 s on first use) — a server in use has them.
        List<Thread> warm = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String phrase = "预热文档" + "甲乙丙丁".charAt(i);
            warm.add(Thread.ofVirtual().start(() -> {
                try {
                    typedFound(unit, inspector, tmp, phrase);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (Thread t : warm) {
            t.join();
        }
        System.out.println("| what | found by search after its receipt |");
        System.out.println("|---|---|");
        System.out.printf("| a typed report alone (baseline) | %.2f s |%n", typedFound(unit, inspector, tmp, "基线整改说明防火墙策略甲") / 1e9);
        long scanned = System.nanoTime();
        unit.submit(pdf, "demo", "report", null);
        long scanReceipt = System.nanoTime();
        System.out.printf("| the %d-page scan's upload and receipt | %.2f s |%n", pages, (scanReceipt - scanned) / 1e9);
        System.out.printf("| a typed report uploaded right after the scan | %.2f s |%n",
                typedFound(unit, inspector, tmp, "扫描件之后整改说明防火墙策略乙") / 1e9);
        String word = "堵塞安全漏洞"; // in the scan only: the typed reports say other things
        while (inspector.search(word, "demo", null, null, null, 10, 0).path("hits").findValuesAsText("file_name").stream()
                .noneMatch(n -> n.startsWith("盖章自查报告"))) {
            Thread.sleep(500);
        }
        double s = (System.nanoTime() - scanReceipt) / 1e9;
        System.out.printf("| the scan itself, all %d pages recognised | %.1f s (%.1f pages a minute) |%n", pages, s, pages * 60 / s);
    }

    /** Uploads a typed report holding {@code phrase}; nanoseconds from its receipt until the inspector finds it. */
    static long typedFound(MidangClient unit, MidangClient inspector, Path tmp, String phrase) throws Exception {
        Path f = tmp.resolve(phrase + ".txt");
        Files.writeString(f, "整改说明：" + phrase + "已整改完毕。");
        unit.submit(f, "demo", "report", null);
        long t = System.nanoTime();
        while (inspector.search(phrase, "demo", null, null, null, 10, 0).path("hits").isEmpty()) {
            Thread.sleep(20);
        }
        return System.nanoTime() - t;
    }
}
