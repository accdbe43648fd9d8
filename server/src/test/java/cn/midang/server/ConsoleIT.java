package cn.midang.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.poi.xwpf.usermodel.XWPFDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console (issue 15), as a user runs it: the real {@code bin/midang console --no-browser}
 * against a real dev server, opened at the printed address in a real headless Chromium (Debian's
 * {@code chromium} and {@code chromium-driver}). Screenshots of each page go to
 * {@code target/console-screenshots/}, and to {@code docs/console/} with
 * {@code -Dmidang.screenshots=docs}.
 */
class ConsoleIT {

    @TempDir
    static Path tmp;

    static DevServer dev;
    static final List<Process> consoles = new ArrayList<>();
    static String hostile;
    static String report;
    static String scan;

    @BeforeAll
    static void start() throws Exception {
        dev = DevServer.startForCli(tmp.resolve("data"));
        // unit-a hands in an office document that says 应急响应, and a file whose name is markup
        Path docx = tmp.resolve("应急预案.docx");
        try (XWPFDocument d = new XWPFDocument(); OutputStream out = Files.newOutputStream(docx)) {
            d.createParagraph().createRun().setText("玉溪市某单位网络安全应急响应预案：发现安全事件后立即报告。");
            d.write(out);
        }
        report = dev.client("unit-a").submit(docx, "demo", "report", null).receipt().id();
        Path markup = tmp.resolve("<img src=x onerror=alert(1)> 应急响应.txt");
        Files.writeString(markup, "应急响应 演练记录");
        hostile = dev.client("unit-a").submit(markup, "demo", "report", null).receipt().id();
        // A stamped report, scanned: two pages of pictures, no text layer (its text is recognised, OCR)
        Path scanned = tmp.resolve("盖章自查报告.pdf");
        Files.write(scanned, cn.midang.server.extract.Scans.pdf(List.of(
                cn.midang.server.extract.Scans.page(List.of("检查发现两台服务器存在弱口令，已责令限期整改。"), 200, 5.8, 1.6, true),
                cn.midang.server.extract.Scans.page(List.of("办公终端已使用国产操作系统。"), 200, 5.8, 1.6, false)), 200));
        scan = dev.client("unit-a").submit(scanned, "demo", "report", null).receipt().id();
        dev.server.awaitIndexed();
    }

    @AfterAll
    static void stop() throws Exception {
        for (Process p : consoles) {
            p.destroy();
        }
        dev.close();
    }

    /** {@code bin/midang console --port 0 --no-browser} as {@code who}; returns the address it printed first. */
    static String console(String who) throws Exception {
        Path root = Path.of(System.getProperty("user.dir")).getParent();
        ProcessBuilder pb = new ProcessBuilder(root.resolve("bin/midang").toString(), "console", "--port", "0", "--no-browser")
                .redirectError(tmp.resolve("console-" + who + ".err").toFile());
        pb.environment().putAll(Map.of("MIDANG_SERVER", dev.uri().toString(), "MIDANG_IDENTITY", dev.identityFile(who).toString(),
                "MIDANG_PASSPHRASE", new String(dev.passphrase), "MIDANG_NO_BUILD", "1", "HOME", tmp.toString(),
                "MIDANG_CONFIG", tmp.resolve("no-config").toString()));
        Process p = pb.start();
        consoles.add(p);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        // Bounded only against a console that hangs (minutes): a slow start is waited for.
        String url = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).get(5, java.util.concurrent.TimeUnit.MINUTES);
        assertThat(url).as("first line of midang console; stderr: %s", Files.readString(tmp.resolve("console-" + who + ".err")))
                .matches("http://127\\.0\\.0\\.1:\\d+/\\?token=[0-9a-f]{64}");
        return url;
    }

    static WebDriver browser() {
        System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, "/usr/bin/chromedriver");
        ChromeOptions o = new ChromeOptions();
        o.setBinary("/usr/bin/chromium");
        o.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=zh-CN");
        WebDriver d = new ChromeDriver(o);
        d.manage().timeouts().pageLoadTimeout(Duration.ofMinutes(2));
        return d;
    }

    static void screenshot(WebDriver d, String name) throws Exception {
        byte[] png = ((TakesScreenshot) d).getScreenshotAs(OutputType.BYTES);
        Path dir = Files.createDirectories(Path.of("target", "console-screenshots"));
        Files.write(dir.resolve(name + ".png"), png);
        if ("docs".equals(System.getProperty("midang.screenshots"))) {
            Files.write(Files.createDirectories(Path.of(System.getProperty("user.dir")).getParent().resolve("docs/console"))
                    .resolve(name + ".png"), png);
        }
    }

    /** Waits for the element {@code id} (bounded: only a page that never comes stops the test), saying what came instead. */
    static void waitFor(WebDriver d, String id) {
        try {
            new WebDriverWait(d, Duration.ofMinutes(1)).until(x -> !x.findElements(By.id(id)).isEmpty());
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("no #" + id + " at " + d.getCurrentUrl() + ":\n" + d.findElement(By.tagName("body")).getText(), e);
        }
    }

    /**
     * Clicks {@code button} and waits until the page it was on has gone and the answer to the post has loaded: the old
     * page is marked in its window object, which a new page does not have. (Waiting for an element of the old page to
     * go stale races the navigation: Chrome may answer that the node "does not belong to the document".)
     */
    static void clickAndWaitForNextPage(WebDriver d, By button) {
        JavascriptExecutor js = (JavascriptExecutor) d;
        js.executeScript("window.midangOldPage = true");
        d.findElement(button).click();
        try {
            new WebDriverWait(d, Duration.ofMinutes(1)).ignoring(org.openqa.selenium.WebDriverException.class).until(x -> Boolean.TRUE.equals(
                    js.executeScript("return window.midangOldPage === undefined && document.readyState === 'complete'")));
        } catch (org.openqa.selenium.TimeoutException e) {
            String logs = "";
            try (var files = Files.list(tmp)) {
                for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".err")).toList()) {
                    logs += f + ":\n" + Files.readString(f);
                }
            } catch (java.io.IOException io) {
                logs = io.toString();
            }
            throw new AssertionError("still at " + d.getCurrentUrl() + " after clicking " + button + "; consoles said:\n" + logs, e);
        }
    }

    static String base(String url) {
        return url.substring(0, url.indexOf("/?token="));
    }

    static final Pattern RAW_ISO = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}");

    @Test
    void anInspector_searchesAChinesePhrase_opensTheHit_andSeesTheDashboard() throws Exception {
        String url = console("inspector-info");
        WebDriver d = browser();
        try {
            d.get(url);
            assertThat(d.getCurrentUrl()).as("the token leaves the address bar").doesNotContain("token=");
            String home = d.findElement(By.tagName("body")).getText();
            assertThat(home).contains("我的检查工作").contains("演示检查").contains("年").doesNotContainPattern(RAW_ISO);
            screenshot(d, "inspector-home");

            d.get(base(url) + "/search?q=应急响应&campaign=demo");
            String results = d.findElement(By.id("results")).getText();
            assertThat(results).contains("应急预案.docx").contains("<img src=x onerror=alert(1)> 应急响应.txt");
            assertThat(d.findElements(By.cssSelector("#results img"))).as("a file name is text, never markup").isEmpty();
            assertThat(d.findElements(By.cssSelector("mark"))).isNotEmpty();
            screenshot(d, "inspector-search");

            d.findElement(By.linkText("应急预案.docx")).click();
            new WebDriverWait(d, Duration.ofMinutes(1)).until(x -> x.getCurrentUrl().endsWith("/submissions/" + report));
            String doc = d.findElement(By.tagName("body")).getText();
            assertThat(doc).contains("签名回执").contains("已用服务器签名证书验证").contains("unit-a").doesNotContainPattern(RAW_ISO);
            assertThat(d.findElements(By.linkText("下载原件"))).hasSize(1);
            // The .docx's text as the server extracted it for search, said to be that and not the signed original.
            assertThat(d.findElement(By.id("document-text")).getText()).contains("玉溪市某单位网络安全应急响应预案");
            assertThat(d.findElement(By.id("extracted-note")).getText()).contains("服务器为检索从文档中提取的文字");
            screenshot(d, "inspector-document");

            d.get(base(url) + "/campaigns/demo");
            assertThat(d.findElement(By.id("units")).getText()).contains("unit-a").contains("unit-b");
            new WebDriverWait(d, Duration.ofMinutes(1)).until(x -> x.findElements(By.cssSelector(".chart canvas")).size() == 5);
            screenshot(d, "inspector-dashboard");

            // A finding while the campaign is still open: the server refuses, and the page says why in its words.
            d.findElement(By.name("description")).sendKeys("弱口令");
            d.findElement(By.name("rectification")).sendKeys("更换口令");
            ((org.openqa.selenium.JavascriptExecutor) d).executeScript("document.querySelector('[name=deadline]').value = '2099-12-31'");
            clickAndWaitForNextPage(d, By.id("finding-submit"));
            String refusal = d.findElement(By.tagName("body")).getText();
            assertThat(refusal).contains("wrong_state");
            assertThat(dev.client("inspector-info").findings("demo", null).path("findings")).isEmpty();
        } finally {
            d.quit();
        }
    }

    @Test
    void anotherUnit_seesNoneOfUnitAsDocuments() throws Exception {
        String url = console("unit-b");
        WebDriver d = browser();
        try {
            d.get(url);
            assertThat(d.findElement(By.tagName("body")).getText()).contains("演示检查").doesNotContain("应急预案");
            d.get(base(url) + "/search?q=应急响应&campaign=demo");
            String page = d.getPageSource();
            assertThat(page).doesNotContain("应急预案").doesNotContain("onerror").doesNotContain(report);
            d.get(base(url) + "/submissions/" + report);
            assertThat(d.findElement(By.tagName("body")).getText()).contains("not_found").doesNotContain("应急预案");
            // The text route answers unit-b as the download does: as if the document did not exist.
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.client("unit-b").text(report))
                    .isInstanceOfSatisfying(cn.midang.cli.net.ServerRefusal.class, e -> assertThat(e.code()).isEqualTo("not_found"));
        } finally {
            d.quit();
        }
    }

    @Test
    void aUnit_uploadsAReportInTheBrowser_andGetsAVerifiedReceipt() throws Exception {
        String url = console("unit-a");
        WebDriver d = browser();
        try {
            d.get(url);
            Path file = tmp.resolve("浏览器上传的自查报告.txt");
            Files.writeString(file, "通过控制台上传：已落实等级保护。");
            long before = dev.submissions();
            new org.openqa.selenium.support.ui.Select(d.findElement(By.cssSelector("#upload-form [name=campaign]"))).selectByValue("demo");
            WebElement input = d.findElement(By.id("file"));
            input.sendKeys(file.toString());
            WebElement result = d.findElement(By.id("upload-result"));
            new WebDriverWait(d, Duration.ofMinutes(2)).until(x -> !result.getText().isEmpty());
            assertThat(result.getText()).contains("已提交").contains("浏览器上传的自查报告.txt").contains("回执已验证");
            assertThat(dev.submissions()).isEqualTo(before + 1);
            screenshot(d, "unit-upload");
            d.get(url.substring(0, url.indexOf("?")));
            assertThat(d.findElement(By.id("submissions")).getText()).contains("浏览器上传的自查报告.txt");
            screenshot(d, "unit-home");
        } finally {
            d.quit();
        }
    }

    @Test
    void aUnit_fillsInTheReportForm_withTheChecksOfFormCheck_andSubmitsIt() throws Exception {
        String url = console("unit-a");
        WebDriver d = browser();
        try {
            d.get(url);
            d.findElement(By.cssSelector("a.form-link[href='/campaigns/demo/form']")).click();
            waitFor(d, "report-form");
            List<WebElement> complies = d.findElements(By.cssSelector("input[type=radio][value='符合']"));
            assertThat(complies).as("one row of answers per check item").hasSizeGreaterThan(1);
            long before = dev.submissions();

            // Nothing filled in: the same problems midang form check names, at their items; nothing is submitted.
            clickAndWaitForNextPage(d, By.id("form-submit"));
            waitFor(d, "form-problems");
            assertThat(d.findElement(By.id("form-problems")).getText()).contains("报告表尚未填写完整").contains("“填报人”为空");
            assertThat(d.findElements(By.cssSelector(".item.has-problem"))).hasSize(complies.size());
            assertThat(d.findElement(By.cssSelector(".item.has-problem .problem")).getText()).contains("未填写答复");
            assertThat(dev.submissions()).isEqualTo(before);

            // Every item answered, the first one 不符合 without a note: that one problem, and the answers kept.
            d.findElement(By.name("filler")).sendKeys("张三");
            d.findElement(By.name("phone")).sendKeys("0877-2018628");
            d.findElements(By.cssSelector("input[type=radio][value='符合']")).forEach(WebElement::click);
            WebElement first = d.findElements(By.cssSelector(".item")).get(0);
            first.findElement(By.cssSelector("input[value='不符合']")).click();
            clickAndWaitForNextPage(d, By.id("form-submit"));
            waitFor(d, "form-problems");
            assertThat(d.findElements(By.cssSelector(".item.has-problem"))).hasSize(1);
            assertThat(d.findElement(By.cssSelector(".item.has-problem")).getText()).contains("请在“说明”中写明");
            assertThat(d.findElements(By.cssSelector("input[value='符合']:checked"))).hasSize(complies.size() - 1);
            assertThat(dev.submissions()).isEqualTo(before);
            screenshot(d, "unit-form");

            d.findElement(By.cssSelector(".item.has-problem textarea")).sendKeys("弱口令 <b>未整改</b>：\"admin\" 账户，拟于月底前更换");
            clickAndWaitForNextPage(d, By.id("form-submit"));
            waitFor(d, "done");
            assertThat(d.findElement(By.id("done")).getText()).contains("报告表已填写完整并提交");
            assertThat(dev.submissions()).isEqualTo(before + 1);
            assertThat(d.findElement(By.tagName("body")).getText()).contains("报告表-demo.yaml").contains("填报人: \"张三\"")
                    .contains("弱口令 <b>未整改</b>");
            JsonNode me = null;
            for (JsonNode u : dev.client("inspector-info").status("demo").path("units")) {
                me = u.path("id").asText().equals("unit-a") ? u : me;
            }
            assertThat(me.path("form").asText()).as("the dashboard counts the form complete").isEqualTo("complete");

            // Back to the form: filled in from the one just submitted.
            d.get(base(url) + "/campaigns/demo/form");
            assertThat(d.findElement(By.name("filler")).getAttribute("value")).isEqualTo("张三");
            assertThat(d.findElements(By.cssSelector("input[value='符合']:checked"))).hasSize(complies.size() - 1);
            assertThat(d.findElements(By.tagName("textarea")).get(0).getAttribute("value")).contains("弱口令 <b>未整改</b>");
        } finally {
            d.quit();
        }
    }

    @Test
    void aScannedReport_isMarkedRecognisedText_inTheHitsAndOnItsPage() throws Exception {
        String url = console("inspector-info");
        WebDriver d = browser();
        try {
            d.get(url);
            d.get(base(url) + "/search?q=弱口令&campaign=demo");
            WebElement hit = d.findElement(By.cssSelector("#results .hit"));
            assertThat(hit.getText()).contains("盖章自查报告.pdf");
            assertThat(hit.findElement(By.cssSelector(".recognised")).getText()).isEqualTo("识别文字");
            assertThat(hit.findElements(By.cssSelector("mark"))).isNotEmpty();
            screenshot(d, "inspector-search-recognised");
            d.findElement(By.linkText("盖章自查报告.pdf")).click();
            new WebDriverWait(d, Duration.ofMinutes(1)).until(x -> x.getCurrentUrl().endsWith("/submissions/" + scan));
            assertThat(d.findElement(By.id("recognised-note")).getText()).contains("2 页扫描图像中识别所得").contains("可能有误");
            assertThat(d.findElements(By.id("extracted-note"))).isEmpty();
            assertThat(d.findElement(By.id("document-text")).getText().replaceAll("\\s", "")).contains("弱口令").contains("国产操作系统");
        } finally {
            d.quit();
        }
    }

    /**
     * A campaign of 127 units (the notice's 22 and 105 more): the dashboard lists 100, those that need attention first,
     * and the rest one click away.
     */
    @Test
    void aCampaignOfManyUnits_listsAHundred_andTheRestOneClickAway() throws Exception {
        Path many = CampaignWorkflowIT.campaignFile(tmp, "console-many", java.time.Instant.now().plus(Duration.ofDays(7)));
        StringBuilder extra = new StringBuilder();
        for (int i = 1; i <= 105; i++) {
            extra.append(String.format("  - {id: u-%03d, name: 第%d单位, level: 县区, key_spot_check: false}%n", i, i));
        }
        String text = Files.readString(many);
        int end = text.indexOf('\n', text.indexOf("{id: xinping")) + 1;
        Files.writeString(many, text.substring(0, end) + extra + text.substring(end));
        DevServer.CliRun made = dev.midang("admin", "campaign", "create", many.toString());
        assertThat(made.exit()).as(made.err()).isZero();
        String url = console("admin");
        WebDriver d = browser();
        try {
            d.get(url);
            d.get(base(url) + "/campaigns/console-many");
            assertThat(d.findElements(By.cssSelector("#units tbody tr"))).hasSize(100);
            assertThat(d.findElement(By.id("units-cut")).getText()).contains("显示 127 个单位中需关注的前 100 个");
            d.findElement(By.linkText("显示全部单位")).click();
            new WebDriverWait(d, Duration.ofMinutes(1)).until(x -> x.findElements(By.cssSelector("#units tbody tr")).size() == 127);
            assertThat(d.findElements(By.id("units-cut"))).isEmpty();
        } finally {
            d.quit();
        }
    }

    @Test
    void theAdministrator_createsACampaign_movesIt_assignsAnInspector_andReadsTheVerifiedAuditLog() throws Exception {
        String url = console("admin");
        WebDriver d = browser();
        JavascriptExecutor js = (JavascriptExecutor) d;
        try {
            d.get(url);
            d.findElement(By.linkText("新建检查工作")).click();
            waitFor(d, "campaign-form");
            String good = Files.readString(CampaignWorkflowIT.campaignFile(tmp, "console-admin", java.time.Instant.now().plus(Duration.ofDays(7))));
            // A definition with a mistake: the server names it with its line, and nothing is created.
            String bad = good.replaceFirst("(?m)^title: .*$", "title: \"\"");
            js.executeScript("arguments[0].value = arguments[1]", d.findElement(By.id("definition")), bad);
            clickAndWaitForNextPage(d, By.id("campaign-create"));
            String refusal = d.findElement(By.tagName("body")).getText();
            assertThat(refusal).containsPattern("(第 ?\\d+ ?行|line \\d+)").contains("title");
            assertThat(dev.client("admin").campaign("console-admin")).isEmpty();

            d.get(base(url) + "/admin/campaigns/new");
            js.executeScript("arguments[0].value = arguments[1]", d.findElement(By.id("definition")), good);
            clickAndWaitForNextPage(d, By.id("campaign-create"));
            waitFor(d, "done");
            assertThat(d.getCurrentUrl()).contains("/campaigns/console-admin");
            assertThat(d.findElement(By.id("done")).getText()).isEqualTo("检查工作已创建。");
            assertThat(d.findElement(By.id("advance")).getText()).contains("报送中");

            clickAndWaitForNextPage(d, By.id("advance"));
            waitFor(d, "done");
            assertThat(d.findElement(By.id("done")).getText()).isEqualTo("已进入下一阶段。");
            assertThat(dev.client("admin").campaign("console-admin").orElseThrow().path("state").asText()).isEqualTo("open");

            d.findElement(By.name("inspector")).sendKeys("inspector-police");
            clickAndWaitForNextPage(d, By.id("assign"));
            waitFor(d, "done");
            assertThat(d.findElement(By.id("done")).getText()).isEqualTo("已指派检查人员。");

            // The dates, as `midang campaign reschedule`: shown in China time; a past one refused with every problem, nothing changed.
            java.time.Instant deadline = java.time.Instant.parse(
                    dev.client("admin").campaign("console-admin").orElseThrow().path("submission_deadline").asText());
            java.time.ZoneOffset china = java.time.ZoneOffset.ofHours(8);
            assertThat(d.findElement(By.id("date-submission_deadline")).getAttribute("value"))
                    .isEqualTo(java.time.LocalDateTime.ofInstant(deadline, china).truncatedTo(java.time.temporal.ChronoUnit.MINUTES).toString());
            js.executeScript("document.getElementById('date-submission_deadline').value = '2000-01-01T09:00'");
            clickAndWaitForNextPage(d, By.id("reschedule"));
            assertThat(d.findElement(By.tagName("body")).getText()).contains("检查工作的新日期不可行").contains("(invalid_dates)")
                    .contains("submission_deadline");
            assertThat(dev.client("admin").campaign("console-admin").orElseThrow().path("submission_deadline").asText())
                    .isEqualTo(deadline.toString());
            // Extended (延期) by a week, to 17:00 China time: exactly that instant on the server.
            java.time.LocalDateTime later = java.time.LocalDateTime.ofInstant(deadline, china).plusDays(7).withHour(17).withMinute(0)
                    .truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
            d.get(base(url) + "/campaigns/console-admin");
            waitFor(d, "reschedule-form");
            js.executeScript("document.getElementById('date-submission_deadline').value = arguments[0]", later.toString());
            clickAndWaitForNextPage(d, By.id("reschedule"));
            waitFor(d, "done");
            assertThat(d.findElement(By.id("done")).getText()).startsWith("日期已调整");
            assertThat(dev.client("admin").campaign("console-admin").orElseThrow().path("submission_deadline").asText())
                    .isEqualTo(later.toInstant(china).toString());
            assertThat(d.findElement(By.id("date-submission_deadline")).getAttribute("value")).isEqualTo(later.toString());
            screenshot(d, "admin-campaign");

            // An engagement of a testing body for the new campaign, made on the home page; it is listed there at once.
            d.get(base(url) + "/");
            d.findElement(By.cssSelector("#engagement-form [name=tester_org]")).sendKeys("安全检测机构");
            new org.openqa.selenium.support.ui.Select(d.findElement(By.cssSelector("#engagement-form [name=campaign]")))
                    .selectByValue("console-admin");
            d.findElement(By.cssSelector("#engagement-form [name=units]")).sendKeys("unit-a，unit-b");
            js.executeScript("document.querySelector('#engagement-form [name=from]').value = '2099-01-01T09:00';"
                    + "document.querySelector('#engagement-form [name=until]').value = '2099-01-31T18:00'");
            clickAndWaitForNextPage(d, By.id("engagement-submit"));
            waitFor(d, "done");
            assertThat(d.findElement(By.id("done")).getText()).contains("委托").contains("已建立");
            assertThat(d.findElement(By.id("engagements")).getText()).contains("console-admin").contains("unit-a, unit-b")
                    .contains("2099年1月31日 18:00");
            JsonNode made = null;
            for (JsonNode e : dev.client("admin").engagements().path("engagements")) {
                made = e.path("campaign").asText().equals("console-admin") ? e : made;
            }
            assertThat(made.path("starts_at").asText()).as("09:00 in China is 01:00 UTC").isEqualTo("2099-01-01T01:00:00Z");

            d.get(base(url) + "/admin/audit?contains=console-admin");
            waitFor(d, "audit-records");
            assertThat(d.findElement(By.id("audit-verified")).getText()).contains("已验证").contains("哈希链完整")
                    .contains(dev.client("admin").serverInfo().signing().fingerprint());
            String records = d.findElement(By.id("audit-records")).getText();
            assertThat(records).contains("console-admin").doesNotContainPattern(RAW_ISO);
            // The administrator may not read a unit's report: refused, and the refusal is in the log.
            d.get(base(url) + "/submissions/" + report);
            assertThat(d.findElement(By.tagName("body")).getText()).doesNotContain("应急响应预案");
            d.get(base(url) + "/admin/audit?decision=deny&contains=" + report);
            waitFor(d, "audit-records");
            assertThat(d.findElements(By.cssSelector("#audit-records tbody tr"))).isNotEmpty()
                    .allSatisfy(row -> assertThat(row.getText()).contains("deny"));
            screenshot(d, "admin-audit");
        } finally {
            d.quit();
        }
    }

    @Test
    void aTester_getsTheDropBox_butCannotReadBack() throws Exception {
        Path result = tmp.resolve("检测结果.txt");
        Files.writeString(result, "渗透测试结果");
        String own = dev.client("tester").submit(result, "demo", "test-result", "unit-a").receipt().id();
        String url = console("tester");
        WebDriver d = browser();
        try {
            d.get(url);
            assertThat(d.findElements(By.id("upload"))).hasSize(1);
            assertThat(d.findElements(By.linkText("检索"))).isEmpty();
            d.get(base(url) + "/submissions/" + own);
            assertThat(d.findElement(By.tagName("body")).getText()).contains("retention_permit_required").doesNotContain("渗透测试结果");
            assertThat(d.findElements(By.linkText("下载原件"))).isEmpty();
            d.get(base(url) + "/submissions/" + own + "/original");
            assertThat(d.getPageSource()).doesNotContain("渗透测试结果");
            screenshot(d, "tester-home");

            // The administrator issues a retention permit in the browser: the tester may read that result back, in the page only.
            String adminUrl = console("admin");
            d.get(adminUrl);
            d.findElement(By.cssSelector("#permit-form [name=tester_org]")).sendKeys("安全检测机构");
            d.findElement(By.cssSelector("#permit-form [name=submissions]")).sendKeys(own);
            String until = java.time.LocalDateTime.now(java.time.ZoneOffset.ofHours(8)).plusDays(2).withSecond(0).withNano(0).toString();
            ((JavascriptExecutor) d).executeScript("document.querySelector('#permit-form [name=until]').value = arguments[0]", until);
            clickAndWaitForNextPage(d, By.id("permit-submit"));
            waitFor(d, "done");
            assertThat(d.findElement(By.id("done")).getText()).contains("保留许可").contains("已签发");

            d.get(url);
            d.get(base(url) + "/submissions/" + own);
            assertThat(d.findElement(By.tagName("body")).getText()).contains("渗透测试结果");
            assertThat(d.findElements(By.linkText("下载原件"))).as("never offered as a file").isEmpty();

            // The engagement ends with the tester's signed attestation; after it, no more results under it.
            d.get(base(url) + "/");
            assertThat(d.findElement(By.id("engagement-list")).getText()).contains("已全部销毁");
            By attest = By.cssSelector("form[action='/engagements/demo-tester/attest'] button");
            clickAndWaitForNextPage(d, attest);
            waitFor(d, "done");
            assertThat(d.findElement(By.id("done")).getText()).contains("已签署委托 demo-tester 的销毁声明");
            assertThat(d.findElements(attest)).isEmpty();
            boolean attested = false;
            for (JsonNode e : dev.client("admin").engagements().path("engagements")) {
                attested |= e.path("id").asText().equals("demo-tester") && e.path("attested_at").isTextual();
            }
            assertThat(attested).isTrue();
        } finally {
            d.quit();
        }
    }

    /** One raw HTTP/1.1 request to the console (a Host header of our choosing); returns the whole answer. */
    static String raw(int port, String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aForeignHost_aForeignOrigin_orNoToken_getsNothing() throws Exception {
        String url = console("inspector-info");
        int port = Integer.parseInt(url.replaceAll(".*:(\\d+)/.*", "$1"));
        String token = url.substring(url.indexOf("token=") + 6);
        // No token, no cookie: refused
        assertThat(raw(port, "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 403 ")
                .contains("(no_session)");
        // A wrong token: refused
        assertThat(raw(port, "GET /?token=" + "0".repeat(64) + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 403 ").contains("(bad_token)");
        // DNS rebinding: the right token, but the page was reached under another name
        assertThat(raw(port, "GET /?token=" + token + " HTTP/1.1\r\nHost: evil.example:" + port + "\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 421 ").contains("(foreign_host)");
        // The right token gives a cookie; with it, a change from another origin is still refused
        String exchanged = raw(port, "GET /?token=" + token + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n");
        assertThat(exchanged).startsWith("HTTP/1.1 303").contains("HttpOnly").contains("SameSite=Strict");
        String cookie = exchanged.replaceAll("(?s).*Set-Cookie: (midang_console=[0-9a-f]+).*", "$1");
        long before = dev.submissions();
        assertThat(raw(port, "POST /upload?campaign=demo&kind=inspection-record HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nOrigin: http://evil.example\r\nCookie: " + cookie + "\r\nX-File-Name: x.txt\r\nContent-Length: 1\r\n"
                + "Connection: close\r\n\r\nx")).startsWith("HTTP/1.1 403 ").contains("(foreign_origin)");
        assertThat(dev.submissions()).isEqualTo(before);
        // With the cookie and no foreign name, a page; every page is not to be stored and not to be framed
        assertThat(raw(port, "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nCookie: " + cookie + "\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 200").contains("Cache-Control: no-store").contains("frame-ancestors 'none'")
                .contains("script-src 'self';").doesNotContain("<script>");
    }
}
