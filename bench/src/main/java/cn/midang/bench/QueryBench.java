package cn.midang.bench;

import cn.midang.cli.net.MidangClient;
import cn.midang.keys.pki.Identity;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;

/**
 * What a reader waits for on a running server (started by {@code bench/run-storage.sh}): unit-a
 * submits DOCS small reports; once all are searchable, inspector-info runs QUERIES searches and
 * as many listings, then downloads ids one by one; prints p50 and p99 of each. The figures
 * include the client's signing and, for a download, its opening and verification. Last, FOLLOW
 * reports one at a time: how long from unit-a's receipt until inspector-info's search finds it
 * (p50 / max).
 *
 * <p>Arguments: SERVER_URL[,SERVER_URL] DATA_DIR PASSPHRASE DOCS QUERIES LABEL. With two servers
 * (two nodes of one deployment) unit-a submits through the first and inspector-info reads through
 * the second: every search, listing and download crosses nodes.
 */
public final class QueryBench {

    private static final List<String> TERMS = List.of("弱口令", "门禁", "\"整改报告\"", "系统 -门禁", "信息系统");

    public static void main(String[] args) throws Exception {
        List<URI> servers = Arrays.stream(args[0].split(",")).map(URI::create).toList();
        Path data = Path.of(args[1]);
        char[] pass = args[2].toCharArray();
        int docs = Integer.parseInt(args[3]);
        int queries = Integer.parseInt(args[4]);
        String label = args[5];
        MidangClient unit = new MidangClient(servers.get(0), Identity.load(data.resolve("identities/unit-a.p12"), pass), Clock.systemUTC());
        MidangClient inspector = new MidangClient(servers.get(servers.size() - 1), Identity.load(data.resolve("identities/inspector-info.p12"), pass),
                Clock.systemUTC());
        Path tmp = Files.createTempDirectory("midang-query-bench");
        String[] ids = new String[docs];
        for (int i = 0; i < docs; i++) {
            Path f = tmp.resolve("r" + i + ".txt");
            Files.writeString(f, "信息系统安全检查报告 第" + (i % 10) + "批 编号 " + i + "\n"
                    + (i % 3 == 0 ? "发现弱口令问题，已完成整改报告。\n" : "机房门禁系统运行正常。\n"));
            ids[i] = unit.submit(f, "demo", "report", null).receipt().id();
            Files.delete(f);
        }
        while (inspector.search("信息系统", "demo", null, null, null, 1, 0).path("total").asLong() < docs) {
            Thread.sleep(100); // indexing runs behind the receipts; a benchmark may wait
        }
        long[] search = new long[queries];
        long[] list = new long[queries];
        long[] get = new long[queries];
        for (int round = 0; round < 2; round++) { // the first round warms up
            for (int i = 0; i < queries; i++) {
                long t = System.nanoTime();
                inspector.search(TERMS.get(i % TERMS.size()), "demo", null, null, null, 10, 0);
                search[i] = System.nanoTime() - t;
                t = System.nanoTime();
                inspector.list("demo", null, null, 50, (i * 7) % Math.max(1, docs - 50));
                list[i] = System.nanoTime() - t;
                t = System.nanoTime();
                inspector.get(ids[(i * 31) % docs], tmp.resolve("back.txt"));
                get[i] = System.nanoTime() - t;
            }
        }
        long[] follow = new long[FOLLOW];
        String run = Long.toHexString(System.nanoTime());
        for (int i = 0; i < FOLLOW; i++) {
            String token = "follow" + run + "x" + i;
            Path f = tmp.resolve("f" + i + ".txt");
            Files.writeString(f, "复查报告 " + token + "\n");
            unit.submit(f, "demo", "report", null);
            long t = System.nanoTime();
            while (inspector.search(token, "demo", null, null, null, 1, 0).path("total").asLong() < 1) {
                Thread.sleep(10);
            }
            follow[i] = System.nanoTime() - t;
            Files.delete(f);
        }
        Arrays.sort(follow);
        System.out.printf("| %s | %s | %s | %s | %.0f / %.0f |%n", label, row(search), row(list), row(get), follow[FOLLOW / 2] / 1e6,
                follow[FOLLOW - 1] / 1e6);
    }

    private static final int FOLLOW = 20;

    private static String row(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return String.format("%.1f / %.1f", s[s.length / 2] / 1e6, s[(int) Math.ceil(s.length * 0.99) - 1] / 1e6);
    }
}
