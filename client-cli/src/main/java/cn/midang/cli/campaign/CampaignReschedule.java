package cn.midang.cli.campaign;

import cn.midang.cli.CliFailure;
import cn.midang.cli.ClientOptions;
import cn.midang.cli.ExitCode;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "reschedule", mixinStandardHelpOptions = true,
        description = {"Move a campaign's dates (administrators), e.g. when the office extends the deadline (延期) or the",
            "on-site inspection ends early. The deadline moves while the campaign is a draft or open, the on-site dates",
            "until the inspection ends. A date that has passed stays; no new date may lie in the past. Receipts already",
            "given keep their on-time or late mark. The request is signed and audited; the campaign file is unchanged.",
            "",
            "TIME is 'now' (the server's time), a China Standard Time '2026-12-07 17:00', or ISO-8601 with its offset",
            "(2026-12-07T17:00:00+08:00, 2026-12-07T09:00:00Z)."},
        footer = {"", "Examples:", "  midang campaign reschedule yuxi-2009 --submission-deadline '2009-12-07 17:00'",
            "  midang campaign reschedule yuxi-2009 --on-site-end now        # the working group has finished"})
public final class CampaignReschedule extends MidangCommand {
    @Mixin ClientOptions client;

    @Parameters(paramLabel = "CAMPAIGN", description = "The campaign.")
    String campaign;

    @Option(names = "--submission-deadline", paramLabel = "TIME", description = "The new submission deadline (截止时间).")
    String deadline;

    @Option(names = "--on-site-start", paramLabel = "TIME", description = "The new start of the on-site inspection.")
    String onSiteStart;

    @Option(names = "--on-site-end", paramLabel = "TIME", description = "The new end of the on-site inspection.")
    String onSiteEnd;

    private static final DateTimeFormatter CHINA_LOCAL = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm");

    @Override
    public Integer call() throws Exception {
        Map<String, String> asked = new LinkedHashMap<>();
        put(asked, "submission_deadline", deadline);
        put(asked, "on_site_start", onSiteStart);
        put(asked, "on_site_end", onSiteEnd);
        if (asked.isEmpty()) {
            throw new CliFailure(ExitCode.USAGE, "campaign.reschedule.nothing");
        }
        JsonNode c = client.client().reschedule(campaign, asked);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("campaign", c.path("id").asText());
        m.put("state", c.path("state").asText());
        m.put("submission_deadline", c.path("submission_deadline").asText());
        m.put("on_site_start", c.path("details").path("on_site_start").asText(null));
        m.put("on_site_end", c.path("details").path("on_site_end").asText(null));
        Output.result(out(), globals(), m, "campaign.rescheduled", campaign, time(c.path("submission_deadline")),
                time(c.path("details").path("on_site_start")), time(c.path("details").path("on_site_end")));
        return 0;
    }

    private String time(JsonNode t) {
        return globals().messages().time(t.isTextual() ? Instant.parse(t.asText()) : null);
    }

    /** {@code now} and ISO-8601 as given; {@code 2026-12-07 17:00} read as China Standard Time. */
    static void put(Map<String, String> asked, String key, String value) {
        if (value == null) {
            return;
        }
        String v = value.strip();
        try {
            v = LocalDateTime.parse(v, CHINA_LOCAL).atOffset(ZoneOffset.ofHours(8)).toString();
        } catch (DateTimeParseException notLocal) {
            // 'now' or ISO-8601: the server reads it, and names it if it cannot
        }
        asked.put(key, v);
    }
}
