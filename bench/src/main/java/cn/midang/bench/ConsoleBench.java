package cn.midang.bench;

import cn.midang.cli.net.MidangClient;
import cn.midang.console.ConsoleServer;
import cn.midang.console.Pages;
import cn.midang.forms.ReportForm;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.CertificateAuthority;
import cn.midang.keys.pki.Identity;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Page times of the web console measured in the browser (issue 15), against a running dev server
 * (started by {@code bench/run-console.sh}): a campaign of UNITS units, each enrolled with its own
 * certificate and each handing in a report and a complete report form, then DOCS more reports
 * (the generated Chinese corpus) spread over the units; an inspector's console in this JVM and a
 * headless Chromium. Measured: the campaign dashboard (every unit's row, its form read) and
 * searches over the whole campaign, 20 loads each after a first one, from the browser's
 * Navigation Timing: the start of the navigation to the end of the load event (the charts are
 * drawn by then: their data is in the page).
 *
 * <p>Arguments: SERVER_URL DATA_DIR PASSPHRASE UNITS DOCS
 */
public final class ConsoleBench {

    static final String CAMPAIGN = "bench-console";

    public static void main(String[] args) throws Exception {
        URI server = URI.create(args[0]);
        Path data = Path.of(args[1]);
        char[] pass = args[2].toCharArray();
        int units = Integer.parseInt(args[3]);
        int docs = Integer.parseInt(args[4]);
        Clock clock = Clock.systemUTC();
        MidangClient admin = new MidangClient(server, Identity.load(data.resolve("identities/admin.p12"), pass), clock);
        MidangClient inspector = new MidangClient(server, Identity.load(data.resolve("identities/inspector-info.p12"), pass), clock);
        Path tmp = Files.createTempDirectory("midang-console-bench");

        long t0 = System.nanoTime();
        admin.postJson("/api/v1/campaigns", Map.of("definition", campaign(units, clock), "file_name", CAMPAIGN + ".yaml"));
        admin.postJson("/api/v1/campaigns/" + CAMPAIGN + "/inspectors", Map.of("inspector", "inspector-info"));
        admin.advance(CAMPAIGN, "draft", "open");
        List<MidangClient> unitClients = enrol(admin, CertificateAuthority.open(data.resolve("ca"), pass, clock), units, server, clock);
        System.err.printf("campaign of %d units created and its units enrolled in %.1f s%n", units, (System.nanoTime() - t0) / 1e9);

        JsonNode campaign = admin.campaign(CAMPAIGN).orElseThrow();
        List<ChineseCorpus.Doc> corpus = ChineseCorpus.generate(docs, 2009);
        int total = units * 2 + docs;
        AtomicInteger done = new AtomicInteger();
        long t1 = System.nanoTime();
        // Each upload waits mostly on the server's disk (the blob's fsync, the database's commit), not
        // on a core: more uploads in flight than cores keep both busy. A worker hands in one unit's
        // documents after another and then closes that unit's client, as a unit's own `midang` would:
        // 500 clients each keeping an idle connection would hold the server's 256 connections
        // (http.max-connections) and leave new uploads waiting in the accept queue.
        int uploaders = Integer.getInteger("bench.uploaders", 16);
        ExecutorService pool = Executors.newFixedThreadPool(uploaders);
        List<Future<?>> work = new ArrayList<>();
        for (int w = 0; w < uploaders; w++) {
            int worker = w;
            work.add(pool.submit(() -> {
                for (int u = worker; u < units; u += uploaders) {
                    try (MidangClient c = unitClients.get(u)) {
                        Path report = write(tmp, "u" + u + "-自查报告.txt", "自查报告：" + (docs == 0 ? "本单位已按通知要求完成自查。" : corpus.get(u % docs).text()));
                        c.submit(report, CAMPAIGN, "report", null);
                        Files.delete(report);
                        Path form = write(tmp, "u" + u + "-报告表.yaml", form(campaign, c));
                        c.submit(form, CAMPAIGN, "form", null);
                        Files.delete(form);
                        progress(done.addAndGet(2), total, t1);
                        for (int i = u; i < docs; i += units) {
                            Path doc = write(tmp, "u" + u + "-材料-" + i + ".txt", corpus.get(i).text());
                            c.submit(doc, CAMPAIGN, "report", null);
                            Files.delete(doc);
                            progress(done.incrementAndGet(), total, t1);
                        }
                    }
                }
                return null;
            }));
        }
        try {
            for (Future<?> f : work) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        double uploadSeconds = (System.nanoTime() - t1) / 1e9;
        System.err.printf("%n%,d uploads in %.0f s (%.0f/s)%n", total, uploadSeconds, total / uploadSeconds);
        long t2 = System.nanoTime();
        while (indexed(inspector) < units + docs) {
            Thread.sleep(1000); // waiting for the indexer, not racing it: the loop ends when the count is reached
        }
        System.err.printf("indexed %.0f s after the last upload%n", (System.nanoTime() - t2) / 1e9);

        // The server's share: the same answers through the client library alone, no console, no browser.
        long[] status = new long[21];
        long[] search = new long[21];
        List<String> words = ChineseCorpus.queries();
        for (int i = 0; i < 21; i++) {
            long a = System.nanoTime();
            inspector.status(CAMPAIGN);
            long b = System.nanoTime();
            inspector.search(words.get((i + 1) % words.size()), new MidangClient.Filter(CAMPAIGN, null, null, null, null), null,
                    "relevance", 20, 0);
            long c = System.nanoTime();
            status[i] = (b - a) / 1_000_000;
            search[i] = (c - b) / 1_000_000;
        }
        System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, "/usr/bin/chromedriver");
        ChromeOptions o = new ChromeOptions();
        o.setBinary("/usr/bin/chromium");
        o.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=zh-CN");
        try (ConsoleServer console = ConsoleServer.start(new Pages(inspector, clock), 0, clock)) {
            WebDriver d = new ChromeDriver(o);
            try {
                d.get(console.url());
                String base = "http://127.0.0.1:" + console.port();
                System.out.printf("Campaign of %d units (each enrolled, each with a report and a complete form), %,d more reports; "
                        + "inspector-info's console; headless Chromium %s.%n%n", units, docs,
                        ((JavascriptExecutor) d).executeScript("return navigator.userAgent.match(/Chrome\\/[0-9.]+/)[0]"));
                System.out.println("| page | first load ms | p50 ms | p95 ms | max ms | what the page held |");
                System.out.println("|---|---|---|---|---|---|");
                measure(d, "dashboard `/campaigns/" + CAMPAIGN + "`", i -> base + "/campaigns/" + CAMPAIGN, (i, x) -> {
                    new WebDriverWait(x, Duration.ofMinutes(2)).until(y -> y.findElements(By.cssSelector(".chart canvas")).size() == 5);
                    if (units > 100 && x.findElements(By.id("units-cut")).isEmpty()) {
                        throw new IllegalStateException("the dashboard of " + units + " units lists them all");
                    }
                    return x.findElements(By.cssSelector("#units tbody tr")).size() + " unit rows, 5 charts";
                });
                measure(d, "dashboard with every unit listed `/campaigns/" + CAMPAIGN + "?all=1`",
                        i -> base + "/campaigns/" + CAMPAIGN + "?all=1", (i, x) -> {
                            new WebDriverWait(x, Duration.ofMinutes(2)).until(y -> y.findElements(By.cssSelector(".chart canvas")).size() == 5);
                            return x.findElements(By.cssSelector("#units tbody tr")).size() + " unit rows, 5 charts";
                        });
                List<String> queries = ChineseCorpus.queries();
                serverRow("the server's status answer alone (client library)", status);
                String cookie = d.manage().getCookies().stream().map(k -> k.getName() + "=" + k.getValue())
                        .reduce((a, b) -> a + "; " + b).orElse("");
                serverRow("the console's page alone (HTTP, no browser)", consolePage(base + "/campaigns/" + CAMPAIGN, cookie));
                measure(d, "search `/search?q=…&campaign=" + CAMPAIGN + "` (20 different queries)",
                        i -> base + "/search?q=" + URLEncoder.encode(queries.get((i + 1) % queries.size()), StandardCharsets.UTF_8)
                                + "&campaign=" + CAMPAIGN, (i, x) -> x.findElements(By.cssSelector("#results .hit")).size() + " hits shown");
                serverRow("the server's search answer alone (client library)", search);
            } finally {
                d.quit();
            }
        }
    }

    /** Total documents the inspector's search counts in the campaign (a one-character query every document has). */
    static long indexed(MidangClient inspector) throws Exception {
        return inspector.search("报", CAMPAIGN, null, null, null, 1, 0).path("total").asLong();
    }

    interface Url {
        String of(int i);
    }

    interface Check {
        String on(int i, WebDriver d) throws Exception;
    }

    /**
     * One first load (i = -1), then 20 (i = 0…19); prints a row: the whole page (navigation start to
     * the end of the load event, or to the charts drawn when that is later: the console draws them
     * in the frame after the page is first shown), and its p50 parts: the page's HTML received, the
     * page first shown (first contentful paint), the charts drawn.
     */
    static void measure(WebDriver d, String what, Url url, Check check) throws Exception {
        long first = 0;
        long[] times = new long[20];
        long[] html = new long[20];
        long[] shown = new long[20];
        long[] charts = new long[20];
        String held = "";
        for (int i = -1; i < 20; i++) {
            d.get(url.of(i));
            held = check.on(i, d);
            @SuppressWarnings("unchecked")
            List<Number> t = (List<Number>) new WebDriverWait(d, Duration.ofMinutes(1)).until(x -> ((JavascriptExecutor) x).executeScript(
                    "var n = performance.getEntriesByType('navigation')[0];"
                            + "var p = performance.getEntriesByName('first-contentful-paint');"
                            + "var c = performance.getEntriesByName('midang-charts-drawn');"
                            + "if (!n.loadEventEnd || !p.length) return null;"
                            + "return [n.loadEventEnd - n.startTime, n.responseEnd - n.startTime, p[0].startTime - n.startTime,"
                            + " c.length ? c[0].startTime - n.startTime : 0];"));
            long total = Math.round(Math.max(t.get(0).doubleValue(), t.get(3).doubleValue()));
            if (i < 0) {
                first = total;
            } else {
                times[i] = total;
                html[i] = Math.round(t.get(1).doubleValue());
                shown[i] = Math.round(t.get(2).doubleValue());
                charts[i] = Math.round(t.get(3).doubleValue());
            }
        }
        Arrays.sort(times);
        Arrays.sort(html);
        Arrays.sort(shown);
        Arrays.sort(charts);
        System.out.printf("| %s | %d | %d | %d | %d | %s; p50 HTML in %d ms, shown %d ms%s |%n", what, first, times[10], times[18],
                times[19], held, html[10], shown[10], charts[10] > 0 ? ", charts drawn " + charts[10] + " ms" : "");
    }

    /** The console's answer to {@code url} fetched 21 times without a browser, in ms. */
    static long[] consolePage(String url, String cookie) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        long[] times = new long[21];
        for (int i = 0; i < times.length; i++) {
            long a = System.nanoTime();
            var r = http.send(java.net.http.HttpRequest.newBuilder(URI.create(url)).header("Cookie", cookie).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException(url + " answered " + r.statusCode());
            }
            times[i] = (System.nanoTime() - a) / 1_000_000;
        }
        return times;
    }

    /** A row of times measured without the browser: the first, then the 20 others. */
    static void serverRow(String what, long[] times) {
        long first = times[0];
        long[] rest = Arrays.copyOfRange(times, 1, times.length);
        Arrays.sort(rest);
        System.out.printf("| %s | %d | %d | %d | %d | — |%n", what, first, rest[10], rest[18], rest[19]);
    }

    static Path write(Path dir, String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    static void progress(int done, int total, long start) {
        if (done % 2000 < 2 || done == total) {
            double s = (System.nanoTime() - start) / 1e9;
            System.err.printf("%,d / %,d uploaded, %.0f/s%n", done, total, done / s);
        }
    }

    /** A complete form for the unit of {@code c}: every item 符合, the first 基本符合 with a note. */
    static String form(JsonNode campaign, MidangClient c) {
        Map<String, ReportForm.Answer> answers = new LinkedHashMap<>();
        boolean first = true;
        for (JsonNode a : campaign.path("areas")) {
            for (JsonNode i : a.path("items")) {
                String area = a.path("id").asText();
                String item = i.path("id").asText();
                answers.put(area + "/" + item, new ReportForm.Answer(area, item, first ? "基本符合" : "符合", first ? "领导小组成员待调整" : ""));
                first = false;
            }
        }
        return ReportForm.filled(campaign, c.identity().certificate().organisation(), "张三", "0877-2018628", answers);
    }

    /** The shipped campaign's areas and review departments, with {@code units} units u001…, open for a week from now. */
    static String campaign(int units, Clock clock) throws Exception {
        String shipped = Files.readString(Path.of("config/campaigns/yuxi-2009.yaml"));
        DateTimeFormatter f = DateTimeFormatter.ISO_OFFSET_DATE_TIME;
        OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.ofHours(8)).withNano(0);
        StringBuilder list = new StringBuilder("units:\n");
        for (int u = 1; u <= units; u++) {
            list.append(String.format("  - {id: u%03d, name: 测试单位%03d, level: %s, key_spot_check: %s}%n", u, u, u % 5 == 0 ? "县区" : "市",
                    u % 7 == 0));
        }
        return shipped.replace("id: yuxi-2009", "id: " + CAMPAIGN)
                .replaceAll("(?s)units:\n.*?\nareas:", java.util.regex.Matcher.quoteReplacement(list + "areas:"))
                .replaceAll("self_check_start: \\S+", "self_check_start: " + f.format(now.minusHours(1)))
                .replaceAll("submission_deadline: \\S+", "submission_deadline: " + f.format(now.plusDays(7)))
                .replaceAll("on_site_start: \\S+", "on_site_start: " + f.format(now.plusDays(8)))
                .replaceAll("on_site_end: \\S+", "on_site_end: " + f.format(now.plusDays(9)));
    }

    /** Issues {@code units} unit certificates with the dev CA and enrols them (100 per request); one client each. */
    static List<MidangClient> enrol(MidangClient admin, CertificateAuthority ca, int units, URI server, Clock clock) throws Exception {
        List<MidangClient> out = new ArrayList<>();
        List<String> batch = new ArrayList<>();
        for (int u = 1; u <= units; u++) {
            String id = String.format("u%03d", u);
            Identity pending = Identity.generate("bench-" + id, clock);
            Certificate cert = ca.issue(pending.request(), "unit", id, Duration.ofDays(30));
            out.add(new MidangClient(server, pending.withIssuedCertificate(cert, ca.certificate()), clock));
            batch.add(cert.toPem());
            if (batch.size() == 100 || u == units) {
                admin.postJson("/api/v1/accounts", Map.of("certificates", batch));
                batch = new ArrayList<>();
            }
        }
        return out;
    }
}
