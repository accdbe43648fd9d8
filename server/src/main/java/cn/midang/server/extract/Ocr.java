package cn.midang.server.extract;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * How scans and pictures are recognised (issue 20): Tesseract's languages, the most pages of one
 * document, the time budget of one document and the resolution pages are rendered at. A document
 * stops being read at the limit or when the budget is spent; what was read by then is searchable.
 */
public record Ocr(String languages, int maxPages, Duration budget, int dpi) {

    /** Simplified Chinese and English. */
    public static final String LANGUAGES = "chi_sim+eng";

    /** 300 dpi: Tesseract's own advice, and the best of 150/200/300 in the accuracy figures of docs/PERFORMANCE.md. */
    public static final int DPI = 300;

    /** A PDF page (or file) with fewer letters and digits than this is taken for a scan. */
    public static final int SCAN_TEXT_CHARS = 40;

    /**
     * Whether {@code text} is only what a scanning app stamps on its pictures ("Scanned by
     * CamScanner", 扫描全能王, page numbers): the page or file it came from is pictures.
     */
    public static boolean hardlyAnyText(String text) {
        return text.codePoints().filter(Character::isLetterOrDigit).limit(SCAN_TEXT_CHARS).count() < SCAN_TEXT_CHARS;
    }

    /** As arguments of an extractor child's command line ({@link ExtractMain}). */
    List<String> arguments() {
        return List.of("ocr", languages, String.valueOf(maxPages), String.valueOf(budget.toSeconds()), String.valueOf(dpi));
    }

    /** Read back from {@code args} from {@code from} on; empty when the child was not started to recognise. */
    static Optional<Ocr> of(String[] args, int from) {
        if (args.length < from + 5 || !"ocr".equals(args[from])) {
            return Optional.empty();
        }
        return Optional.of(new Ocr(args[from + 1], Integer.parseInt(args[from + 2]), Duration.ofSeconds(Long.parseLong(args[from + 3])),
                Integer.parseInt(args[from + 4])));
    }

    /** What the server found: whether it can recognise, and a phrase for its start line. */
    public record Found(boolean usable, String description) {}

    /**
     * Looks for Tesseract on the PATH and for the languages' trained data ({@code tesseract
     * --version}, {@code --list-langs}).
     */
    public static Found probe(String languages) {
        try {
            String version = run("tesseract", "--version").lines().findFirst().orElse("tesseract").strip();
            List<String> have = run("tesseract", "--list-langs").lines().map(String::strip).toList();
            List<String> missing = new ArrayList<>();
            for (String l : languages.split("\\+")) {
                if (!have.contains(l)) {
                    missing.add(l);
                }
            }
            if (!missing.isEmpty()) {
                return new Found(false, version + " lacks the languages " + missing + " (Debian: tesseract-ocr-chi-sim, tesseract-ocr-eng)");
            }
            return new Found(true, version + ", " + languages);
        } catch (IOException e) {
            return new Found(false, "tesseract was not found (Debian: apt install tesseract-ocr tesseract-ocr-chi-sim)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Found(false, "interrupted while looking for tesseract");
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(1, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException("tesseract did not answer");
        }
        if (p.exitValue() != 0) {
            throw new IOException("tesseract failed: " + out);
        }
        return out;
    }
}
