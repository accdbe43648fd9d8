package cn.midang.bench;

import cn.midang.cli.net.MidangClient;
import cn.midang.keys.pki.Identity;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import org.apache.poi.xwpf.usermodel.XWPFDocument;

/**
 * Near-real-time search against a running server (started by {@code bench/run-search.sh}): unit-a
 * submits a small .docx with a phrase no other document has; inspector-info searches for it every
 * 20 ms. Prints, over ROUNDS rounds, the time from the receipt (the submit call returned) to the
 * first search that finds it, and from the start of the submit.
 *
 * <p>Arguments: SERVER_URL DATA_DIR PASSPHRASE ROUNDS
 */
public final class NrtBench {

    public static void main(String[] args) throws Exception {
        URI server = URI.create(args[0]);
        Path data = Path.of(args[1]);
        char[] pass = args[2].toCharArray();
        int rounds = Integer.parseInt(args[3]);
        MidangClient unit = new MidangClient(server, Identity.load(data.resolve("identities/unit-a.p12"), pass), Clock.systemUTC());
        MidangClient inspector = new MidangClient(server, Identity.load(data.resolve("identities/inspector-info.p12"), pass),
                Clock.systemUTC());
        Path tmp = Files.createTempDirectory("midang-nrt-bench");
        long[] fromReceipt = new long[rounds];
        long[] fromStart = new long[rounds];
        for (int i = 0; i < rounds + 3; i++) { // three rounds to warm up
            String phrase = "第" + Integer.toString(100_000 + i).chars().mapToObj(c -> String.valueOf("零一二三四五六七八九".charAt(c - '0')))
                    .reduce("", String::concat) + "号整改通知已落实";
            Path f = tmp.resolve("nrt-" + i + ".docx");
            try (XWPFDocument d = new XWPFDocument(); var out = Files.newOutputStream(f)) {
                d.createParagraph().createRun().setText("本单位自查：" + phrase + "。");
                d.write(out);
            }
            long start = System.nanoTime();
            String id = unit.submit(f, "demo", "report", null).receipt().id();
            long receipted = System.nanoTime();
            while (true) {
                var hits = inspector.search(phrase, "demo", null, null, null, 5, 0).path("hits");
                if (hits.size() == 1 && hits.get(0).path("id").asText().equals(id)) {
                    break;
                }
                if (System.nanoTime() - receipted > 60_000_000_000L) {
                    throw new IllegalStateException("not found within 60 s: " + id);
                }
                Thread.sleep(20);
            }
            long found = System.nanoTime();
            if (i >= 3) {
                fromReceipt[i - 3] = found - receipted;
                fromStart[i - 3] = found - start;
            }
        }
        Arrays.sort(fromReceipt);
        Arrays.sort(fromStart);
        System.out.println("| measured over " + rounds + " documents | p50 ms | p99 ms | max ms |");
        System.out.println("|---|---|---|---|");
        row("receipt → found by search", fromReceipt);
        row("submit started → found by search", fromStart);
    }

    static void row(String what, long[] sorted) {
        System.out.printf("| %s | %.0f | %.0f | %.0f |%n", what, sorted[sorted.length / 2] / 1e6,
                sorted[(int) Math.ceil(sorted.length * 0.99) - 1] / 1e6, sorted[sorted.length - 1] / 1e6);
    }
}
