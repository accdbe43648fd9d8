package cn.midang.bench;

import cn.midang.cli.net.MidangClient;
import cn.midang.cli.net.ServerRefusal;
import cn.midang.keys.digest.Sm3;
import cn.midang.keys.pki.Identity;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The soak (issue 19): CLIENTS concurrent clients for MINUTES of mixed work against a running
 * server (started by {@code bench/run-soak.sh}): units upload small reports, download their own
 * and compare them, list, ask for their status and search their own; inspectors search, list and
 * ask for the campaign's status. Reports per operation p50/p99 and count, every error (there must
 * be none: nothing here is a refusal), what was lost (every upload is downloaded again at the end
 * and compared), the server's live heap after a full GC at the end of the first minute and of the
 * last, and whether the audit log gained exactly one record per request the server counted
 * ({@code /metrics}).
 *
 * <p>Arguments: SERVER_URL METRICS_URL DATA_DIR PASSPHRASE SERVER_PID CLIENTS MINUTES
 */
public final class SoakBench {

    static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        URI server = URI.create(args[0]);
        URI metrics = URI.create(args[1]);
        Path data = Path.of(args[2]);
        char[] pass = args[3].toCharArray();
        String pid = args[4];
        int clients = Integer.parseInt(args[5]);
        double minutes = Double.parseDouble(args[6]);
        Identity[] units = {Identity.load(data.resolve("identities/unit-a.p12"), pass),
            Identity.load(data.resolve("identities/unit-b.p12"), pass)};
        Identity inspector = Identity.load(data.resolve("identities/inspector-info.p12"), pass);
        MidangClient admin = new MidangClient(server, Identity.load(data.resolve("identities/admin.p12"), pass), Clock.systemUTC());
        Path tmp = Files.createTempDirectory("midang-soak");

        auditHead(admin); // the admin client's first call also fetches the server's keys: before the window, not in it
        long requestsBefore = requests(metrics);
        Map<String, Long> countedBefore = byAction(metrics);
        long auditBefore = auditHead(admin);
        Map<String, List<Long>> latencies = new ConcurrentHashMap<>();
        List<String> errors = new CopyOnWriteArrayList<>();
        Map<String, String[]> sent = new ConcurrentHashMap<>(); // id -> {unit index, SM3}
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + (long) (minutes * 60e9);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> workers = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            int n = i;
            workers.add(pool.submit(() -> {
                Random random = new Random(n);
                boolean isInspector = n % 4 == 0;
                int unit = n % 2;
                MidangClient c = new MidangClient(server, isInspector ? inspector : units[unit], Clock.systemUTC());
                List<String> mine = new ArrayList<>();
                Path file = tmp.resolve("c" + n + ".txt");
                while (System.nanoTime() < end) {
                    String op = isInspector ? new String[] {"search", "list", "status"}[random.nextInt(3)]
                            : mine.isEmpty() ? "upload" : new String[] {"upload", "upload", "download", "download", "list", "status",
                                "search"}[random.nextInt(7)];
                    long t0 = System.nanoTime();
                    try {
                        switch (op) {
                            case "upload" -> {
                                String text = "自查报告 客户端 " + n + " 第 " + mine.size() + " 份：应急响应预案已演练，机房门禁正常。"
                                        + "整改".repeat(random.nextInt(2000));
                                Files.writeString(file, text);
                                String id = c.submit(file, "demo", "report", null).receipt().id();
                                mine.add(id);
                                sent.put(id, new String[] {String.valueOf(unit), Sm3.hex(text.getBytes(StandardCharsets.UTF_8))});
                            }
                            case "download" -> {
                                String id = mine.get(random.nextInt(mine.size()));
                                Path out = tmp.resolve("c" + n + ".back");
                                c.get(id, out);
                                if (!Sm3.hex(Files.readAllBytes(out)).equals(sent.get(id)[1])) {
                                    errors.add("download of " + id + " differs");
                                }
                            }
                            case "list" -> c.list("demo", null, null, 50, 0);
                            case "status" -> c.status("demo");
                            default -> c.search("应急响应", "demo", null, null, null, 10, 0);
                        }
                        latencies.computeIfAbsent(op, k -> Collections.synchronizedList(new ArrayList<>())).add(System.nanoTime() - t0);
                        done.incrementAndGet();
                    } catch (ServerRefusal r) {
                        errors.add(op + ": " + r.code() + " " + r.getMessage());
                    } catch (Exception e) {
                        errors.add(op + ": " + e);
                    }
                }
                return null;
            }));
        }
        // The server's live heap after a full GC, at the end of the first minute and at the end.
        Thread.sleep(Math.min(60_000L, (long) (minutes * 60_000) / 2));
        long heapFirst = liveHeapKiB(pid);
        for (Future<?> w : workers) {
            w.get();
        }
        pool.shutdown();
        long heapLast = liveHeapKiB(pid);
        long requestsAfter = requests(metrics);
        Map<String, Long> countedAfter = byAction(metrics);
        long auditAfter = auditHead(admin);

        // Nothing lost: every receipted upload comes back byte for byte.
        MidangClient[] owners = {new MidangClient(server, units[0], Clock.systemUTC()), new MidangClient(server, units[1], Clock.systemUTC())};
        long lost = 0;
        for (Map.Entry<String, String[]> e : sent.entrySet()) {
            Path out = tmp.resolve("final.back");
            owners[Integer.parseInt(e.getValue()[0])].get(e.getKey(), out);
            if (!Sm3.hex(Files.readAllBytes(out)).equals(e.getValue()[1])) {
                lost++;
            }
        }

        System.out.printf("soak: %d clients, %.1f minutes, %d operations, %d errors, %d uploads, %d lost%n", clients, minutes, done.get(),
                errors.size(), sent.size(), lost);
        System.out.println("| operation | count | p50 ms | p99 ms |");
        System.out.println("|---|---|---|---|");
        for (Map.Entry<String, List<Long>> e : new TreeMap<>(latencies).entrySet()) {
            List<Long> l = new ArrayList<>(e.getValue());
            Collections.sort(l);
            System.out.printf("| %s | %d | %.1f | %.1f |%n", e.getKey(), l.size(), l.get(l.size() / 2) / 1e6,
                    l.get(Math.min(l.size() - 1, (int) Math.ceil(l.size() * 0.99) - 1)) / 1e6);
        }
        System.out.printf("server live heap after a full GC: %d KiB after the first minute, %d KiB at the end%n", heapFirst, heapLast);
        // The export at the end writes its own record before it reads: the records added are the requests counted
        // since the first metrics reading (which include the first export) — one each, or the log missed or doubled some.
        System.out.printf("audit records added %d, requests the server counted %d: %s%n", auditAfter - auditBefore,
                requestsAfter - requestsBefore, auditAfter - auditBefore == requestsAfter - requestsBefore ? "one each" : "MISMATCH");
        if (auditAfter - auditBefore != requestsAfter - requestsBefore) {
            // Which actions differ: the records added, by action, against the server's counts by action.
            Map<String, Long> audited = new TreeMap<>();
            JSON.readTree(admin.auditExport((int) auditBefore + 1)).path("records").forEach(r -> {
                if (r.path("seq").asLong() <= auditAfter) {
                    audited.merge(r.path("action").asText(), 1L, Long::sum);
                }
            });
            Map<String, Long> counted = new TreeMap<>(countedAfter);
            countedBefore.forEach((k, v) -> counted.merge(k, -v, Long::sum));
            System.out.println("  audited by action: " + audited);
            System.out.println("  counted by action: " + counted);
        }
        errors.stream().limit(20).forEach(e -> System.out.println("  error: " + e));
        if (!errors.isEmpty() || lost > 0 || auditAfter - auditBefore != requestsAfter - requestsBefore) {
            System.exit(1);
        }
    }

    /** The server's count of API requests ({@code midang_requests_total}, all actions and outcomes). */
    static long requests(URI metrics) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            String text = http.send(HttpRequest.newBuilder(metrics).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
            long sum = 0;
            Matcher m = Pattern.compile("(?m)^midang_requests_total\\{[^}]*} ([0-9.eE+]+)$").matcher(text);
            while (m.find()) {
                sum += (long) Double.parseDouble(m.group(1));
            }
            return sum;
        }
    }

    /** The server's count of API requests by action label. */
    static Map<String, Long> byAction(URI metrics) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            String text = http.send(HttpRequest.newBuilder(metrics).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
            Map<String, Long> m = new TreeMap<>();
            Matcher r = Pattern.compile("(?m)^midang_requests_total\\{[^}]*action=\"([^\"]*)\"[^}]*} ([0-9.eE+]+)$").matcher(text);
            while (r.find()) {
                m.merge(r.group(1), (long) Double.parseDouble(r.group(2)), Long::sum);
            }
            return m;
        }
    }

    /** The sequence number of the newest audit record (the export's own request is recorded before it reads). */
    static long auditHead(MidangClient admin) throws Exception {
        JsonNode export = JSON.readTree(admin.auditExport(Integer.MAX_VALUE));
        return export.path("to").asLong();
    }

    /** The server JVM's heap in use right after a full collection, in KiB (jcmd). */
    static long liveHeapKiB(String pid) throws Exception {
        new ProcessBuilder("jcmd", pid, "GC.run").redirectErrorStream(true).start().waitFor();
        Process p = new ProcessBuilder("jcmd", pid, "GC.heap_info").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        Matcher m = Pattern.compile("used (\\d+)K").matcher(out);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }
}
