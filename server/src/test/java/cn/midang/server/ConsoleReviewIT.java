package cn.midang.server;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.cli.net.MidangClient;
import com.fasterxml.jackson.databind.JsonNode;
import cn.midang.console.ConsoleServer;
import cn.midang.console.Pages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The joint review in the browser (issue 15): the three departments' approvers each open the
 * summary in their own console and sign it there (the console signs with the approver's key on
 * this computer), then the leader approves. The campaign is brought to joint review with the real
 * {@code midang} commands on the server's test clock; each console is the real console on that
 * clock (in this JVM, as {@code midang console} starts it), driven by headless Chromium.
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class ConsoleReviewIT {

    @TempDir
    static Path tmp;

    static DevServer dev;
    static final String C = "review-2009";

    static void ok(String who, String... args) throws Exception {
        DevServer.CliRun r = dev.midang(who, args);
        assertThat(r.exit()).as("%s %s: %s", who, String.join(" ", args), r.err()).isZero();
    }

    @BeforeAll
    static void start() throws Exception {
        dev = DevServer.start(tmp.resolve("data"));
        Instant deadline = dev.clock.instant().plus(Duration.ofMinutes(2)).truncatedTo(ChronoUnit.SECONDS);
        ok("admin", "campaign", "create", CampaignWorkflowIT.campaignFile(tmp, C, deadline).toString());
        ok("admin", "admin", "assign", "--campaign", C, "--inspector", "inspector-info");
        ok("admin", "campaign", "advance", C, "--to", "open");
        Path report = tmp.resolve("甲-自查报告.txt");
        Files.writeString(report, "单位甲自查报告：已建立信息安全责任制。");
        ok("unit-a", "submit", "--campaign", C, "--kind", "report", report.toString());
        dev.clock.advance(Duration.ofMinutes(2).plusSeconds(10));
        ok("admin", "campaign", "advance", C, "--to", "closed");
        ok("admin", "campaign", "advance", C, "--to", "on_site");
        recordFindingInTheBrowser();
        dev.clock.advance(Duration.ofMinutes(1));
        ok("admin", "campaign", "advance", C, "--to", "summary");
        ok("inspector-info", "summary", "generate", "--campaign", C);
        ok("admin", "campaign", "advance", C, "--to", "joint_review");
    }

    /** The inspector records unit-b's finding on the campaign's dashboard (the results later carry it). */
    static void recordFindingInTheBrowser() throws Exception {
        WebDriver d = ConsoleIT.browser();
        try (ConsoleServer console = console("inspector-info")) {
            d.get(console.url());
            d.get("http://127.0.0.1:" + console.port() + "/campaigns/" + C);
            ConsoleIT.waitFor(d, "finding-form");
            new Select(d.findElement(By.name("unit"))).selectByValue("unit-b");
            new Select(d.findElement(By.name("area"))).selectByValue("protection");
            new Select(d.findElement(By.name("severity"))).selectByValue("high");
            // Typed as a person in China would: the date input takes the keys of its locale's order (year, month, day here).
            ((org.openqa.selenium.JavascriptExecutor) d).executeScript("document.querySelector('[name=deadline]').value = '2099-12-31'");
            d.findElement(By.name("description")).sendKeys("未报送自查报告");
            d.findElement(By.name("rectification")).sendKeys("限期报送");
            ConsoleIT.clickAndWaitForNextPage(d, By.id("finding-submit"));
            ConsoleIT.waitFor(d, "done");
            assertThat(d.findElement(By.id("done")).getText()).contains("问题已记录");
            assertThat(d.findElement(By.id("finding-list")).getText()).contains("unit-b").contains("未报送自查报告").contains("限期报送")
                    .contains("2099年12月31日");
            ConsoleIT.screenshot(d, "inspector-findings");
        } finally {
            d.quit();
        }
        JsonNode f = dev.client("inspector-info").findings(C, "unit-b").path("findings");
        assertThat(f).hasSize(1);
        assertThat(f.get(0).path("severity").asText()).isEqualTo("high");
        assertThat(f.get(0).path("area").asText()).isEqualTo("protection");
    }

    @AfterAll
    static void stop() throws Exception {
        dev.close();
    }

    /** The console of {@code who}, on the server's clock; returns its address with the token. */
    static ConsoleServer console(String who) throws Exception {
        return ConsoleServer.start(new Pages(dev.client(who), dev.clock), 0, dev.clock);
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void theThreeDepartmentsSign_andTheLeaderApproves_inTheBrowser() throws Exception {
        WebDriver d = ConsoleIT.browser();
        try {
            for (String approver : List.of("approver-info", "approver-police", "approver-secrecy")) {
                try (ConsoleServer console = console(approver)) {
                    d.get(console.url());
                    d.findElement(By.linkText(C)).click();
                    new WebDriverWait(d, Duration.ofMinutes(1)).until(x -> x.getCurrentUrl().endsWith("/campaigns/" + C + "/summary"));
                    assertThat(d.findElement(By.id("departments")).getText()).contains("尚未签署");
                    assertThat(d.findElements(By.id("approve"))).isEmpty();
                    if (approver.equals("approver-info")) {
                        ConsoleIT.screenshot(d, "approver-summary");
                    }
                    d.findElement(By.id("sign")).click();
                    ConsoleIT.waitFor(d, "done");
                    assertThat(d.findElement(By.id("done")).getText()).isEqualTo("已签署。");
                    assertThat(d.findElements(By.id("sign"))).as("a department signs once").isEmpty();
                }
            }
            try (ConsoleServer console = console("leader")) {
                d.get(console.url());
                d.findElement(By.linkText(C)).click();
                new WebDriverWait(d, Duration.ofMinutes(1)).until(x -> !x.findElements(By.id("approve")).isEmpty());
                assertThat(d.findElement(By.id("departments")).getText()).doesNotContain("尚未签署");
                ConsoleIT.screenshot(d, "leader-summary");
                d.findElement(By.id("approve")).click();
                ConsoleIT.waitFor(d, "done");
                assertThat(d.findElement(By.id("done")).getText()).isEqualTo("已批准。");
            }
        } finally {
            d.quit();
        }
        assertThat(dev.client("admin").campaign(C).orElseThrow().path("state").asText()).isEqualTo("approved");
    }

    @Test
    @org.junit.jupiter.api.Order(2)
    void theLeaderReadsThePublishedResults_verified_andAUnitOnlyItsOwn() throws Exception {
        MidangClient admin = dev.client("admin");
        if (admin.campaign(C).orElseThrow().path("state").asText().equals("joint_review")) { // the other test has not run first
            for (String approver : List.of("approver-info", "approver-police", "approver-secrecy")) {
                ok(approver, "summary", "sign", "--campaign", C);
            }
            ok("leader", "campaign", "advance", C, "--to", "approved");
        }
        ok("admin", "campaign", "advance", C, "--to", "published");
        WebDriver d = ConsoleIT.browser();
        try {
            try (ConsoleServer console = console("leader")) {
                d.get(console.url());
                d.get("http://127.0.0.1:" + console.port() + "/campaigns/" + C + "/results");
                ConsoleIT.waitFor(d, "notices");
                String page = d.findElement(By.tagName("body")).getText();
                assertThat(page).contains("已用服务器签名证书").contains(dev.client("leader").serverInfo().signing().fingerprint());
                assertThat(d.findElement(By.id("notices")).getText()).contains("unit-a").contains("unit-b").contains("未报送自查报告")
                        .contains("限期报送");
                assertThat(page).doesNotContainPattern(ConsoleIT.RAW_ISO);
                ConsoleIT.screenshot(d, "leader-results");
            }
            try (ConsoleServer console = console("unit-b")) {
                d.get(console.url());
                d.get("http://127.0.0.1:" + console.port() + "/campaigns/" + C + "/results");
                ConsoleIT.waitFor(d, "notices");
                assertThat(d.findElement(By.id("notices")).getText()).contains("unit-b").contains("未报送自查报告").doesNotContain("unit-a");

                // unit-b answers its finding with a rectification report, beside the finding on its campaign page.
                d.get("http://127.0.0.1:" + console.port() + "/campaigns/" + C);
                ConsoleIT.waitFor(d, "unit-findings");
                WebElement row = d.findElement(By.id("finding-unit-b-1"));
                assertThat(row.getText()).contains("未报送自查报告").contains("待整改");
                Path report = tmp.resolve("乙-整改报告.txt");
                Files.writeString(report, "已补报自查报告。");
                row.findElement(By.cssSelector("input.file")).sendKeys(report.toString());
                WebElement result = row.findElement(By.cssSelector(".upload-result"));
                new WebDriverWait(d, Duration.ofMinutes(2)).until(x -> !result.getText().isEmpty());
                assertThat(result.getText()).contains("已提交").contains("乙-整改报告.txt");
                d.navigate().refresh();
                ConsoleIT.waitFor(d, "unit-findings");
                assertThat(d.findElement(By.id("finding-unit-b-1")).getText()).contains("已提交整改报告");
                ConsoleIT.screenshot(d, "unit-rectification");

                // The receipt and its signature, to keep: exactly what the server signed.
                String rectification = dev.client("unit-b").findings(C, null).path("findings").get(0).path("rectification_report").asText();
                MidangClient unitB = dev.client("unit-b");
                cn.midang.cli.net.Receipt r = unitB.receipt(rectification);
                String base = "http://127.0.0.1:" + console.port();
                java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
                String cookie = d.manage().getCookieNamed("midang_console").getName() + "="
                        + d.manage().getCookieNamed("midang_console").getValue();
                byte[] receipt = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/submissions/" + rectification
                        + "/receipt")).header("Cookie", cookie).build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray()).body();
                byte[] sig = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/submissions/" + rectification
                        + "/receipt.sig")).header("Cookie", cookie).build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray()).body();
                assertThat(receipt).isEqualTo(r.bytes());
                assertThat(sig).isEqualTo(r.signature());
                cn.midang.keys.sign.RawSignatures.verify(unitB.serverInfo().signing(), sig, receipt);
            }
        } finally {
            d.quit();
        }
    }
}
