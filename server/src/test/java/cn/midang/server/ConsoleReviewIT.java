package cn.midang.server;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The joint review in the browser (issue 15): the three departments' approvers each open the
 * summary in their own console and sign it there (the console signs with the approver's key on
 * this computer), then the leader approves. The campaign is brought to joint review with the real
 * {@code midang} commands on the server's test clock; each console is the real console on that
 * clock (in this JVM, as {@code midang console} starts it), driven by headless Chromium.
 */
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
        ok("inspector-info", "finding", "add", "--campaign", C, "--unit", "unit-b", "--area", "protection", "--severity", "high",
                "--description", "未报送自查报告", "--rectification", "限期报送", "--deadline", "2099-12-31");
        dev.clock.advance(Duration.ofMinutes(1));
        ok("admin", "campaign", "advance", C, "--to", "summary");
        ok("inspector-info", "summary", "generate", "--campaign", C);
        ok("admin", "campaign", "advance", C, "--to", "joint_review");
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
}
