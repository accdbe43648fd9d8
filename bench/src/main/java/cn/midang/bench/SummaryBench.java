package cn.midang.bench;

import cn.midang.forms.ReportForm;
import cn.midang.server.campaign.Campaign;
import cn.midang.server.campaign.CampaignState;
import cn.midang.server.campaign.Findings;
import cn.midang.server.campaign.Overviews;
import cn.midang.server.campaign.ShippedCampaigns;
import cn.midang.server.summary.SummaryDocuments;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What the summary and the campaign status cost on the server: checking one filled report form
 * of the notice's campaign, and opening it sealed first (every status and summary does both for
 * each unit's latest form), and building
 * the three summary documents (JSON, .xlsx, .docx) for a city campaign (22 units) and a
 * province-sized one (500 units), every unit with a complete form and one in five with two findings.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class SummaryBench {

    @State(Scope.Benchmark)
    public static class Form {
        String text;
        byte[] sealed;
        cn.midang.keys.seal.Opener opener;

        @Setup(Level.Trial)
        public void make() throws Exception {
            Campaign c = ShippedCampaigns.yuxi2009();
            Map<String, Object> view = Map.of("id", c.id(), "title", c.title(), "submission_deadline", c.submissionDeadline().toString(),
                    "areas", c.areas().stream().map(a -> Map.of("id", a.id(), "name", a.name(),
                            "items", a.items().stream().map(Campaign.Item::fields).toList())).toList());
            text = ReportForm.template(new ObjectMapper().valueToTree(view), "yx-gaj").replace("填报人: \"\"", "填报人: 张三")
                    .replace("联系电话: \"\"", "联系电话: 0877-2011111").replace("答复: \"\"", "答复: 符合");
            if (!ReportForm.check(text).complete()) {
                throw new IllegalStateException("the bench form does not check");
            }
            // As the server holds it: sealed by the unit to the archive key.
            cn.midang.keys.testkit.TestPki pki = cn.midang.keys.testkit.TestPki.create(java.nio.file.Files.createTempDirectory("summary-bench"));
            cn.midang.keys.pki.Identity unit = pki.person("yx-gaj", "unit", "yx-gaj");
            cn.midang.keys.pki.Identity archive = pki.person("archive", "server", "Midang");
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            cn.midang.keys.seal.Sealer.signedBy(unit).to(archive.certificate()).describedAs("报告表.yaml").clock(pki.clock).build()
                    .seal(new java.io.ByteArrayInputStream(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)), out);
            sealed = out.toByteArray();
            opener = cn.midang.keys.seal.Opener.forRecipient(archive, pki.validator());
        }
    }

    @State(Scope.Benchmark)
    public static class City {
        @Param({"22", "500"})
        int units;

        Overviews.Overview overview;

        @Setup(Level.Trial)
        public void make() {
            Campaign yuxi = ShippedCampaigns.yuxi2009();
            Instant t = yuxi.submissionDeadline();
            List<Campaign.Unit> scope = new ArrayList<>();
            for (int i = 0; i < units; i++) {
                scope.add(new Campaign.Unit("u" + i, "单位" + i, i % 3 == 0 ? "县区" : "市", i % 4 == 0));
            }
            Campaign c = new Campaign(yuxi.id(), yuxi.title(), CampaignState.SUMMARY, yuxi.submissionsOpenAt(), t, true, scope,
                    yuxi.areas(), yuxi.details());
            List<Overviews.UnitOverview> rows = new ArrayList<>();
            for (Campaign.Unit u : scope) {
                List<ReportForm.Answer> answers = new ArrayList<>();
                c.areas().forEach(a -> a.items().forEach(i -> answers.add(new ReportForm.Answer(a.id(), i.id(),
                        ReportForm.ANSWERS.get(Math.floorMod((u.id() + i.id()).hashCode(), 4)), "说明"))));
                List<Findings.Finding> findings = new ArrayList<>();
                if (rows.size() % 5 == 0) {
                    for (int k = 1; k <= 2; k++) {
                        findings.add(new Findings.Finding(c.id(), u.id() + "-" + k, u.id(), c.areas().get(k).id(), Findings.Severity.values()[k],
                                "政务外网边界未使用商用密码设备" + k, "部署经认可的VPN网关" + k, t.plusSeconds(86400L * 30), null, "fp", t, null, null));
                    }
                }
                rows.add(new Overviews.UnitOverview(u, Map.of("report", 1L, "form", 1L), t.minusSeconds(3600), true, "f-" + u.id(),
                        new ReportForm.Checked(c.id(), u.id(), "填报人", "0877", c.areas().size(), answers.size(), Map.of(), answers, List.of()), findings));
            }
            overview = new Overviews.Overview(c, rows);
        }
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public ReportForm.Checked checkOneForm(Form f) {
        return ReportForm.check(f.text);
    }

    /** What the status and the summary do per unit: open the unit's sealed form with the archive key, then check it. */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public ReportForm.Checked openAndCheckOneForm(Form f) throws Exception {
        java.io.ByteArrayOutputStream plain = new java.io.ByteArrayOutputStream();
        f.opener.streamUnverified(new java.io.ByteArrayInputStream(f.sealed), plain);
        return ReportForm.check(plain.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Benchmark
    public SummaryDocuments.Built buildSummary(City c) {
        return SummaryDocuments.build(c.overview, 1, Instant.EPOCH, "fp");
    }
}
