package cn.midang.cli.campaign;

import picocli.CommandLine.Command;

@Command(name = "campaign", mixinStandardHelpOptions = true,
        description = {"Campaigns (检查工作): define one from its file, and take it through its lifecycle, one signed step",
            "at a time: draft → open → closed → on_site → summary → joint_review → approved → published → rectification",
            "→ archived. The administrator takes every step but approval, which is the leadership's."},
        footer = {"", "Examples:", "  midang campaign create config/campaigns/yuxi-2009.yaml", "  midang campaign advance yuxi-2009 --to open",
            "  midang campaign reschedule yuxi-2009 --submission-deadline '2009-12-07 17:00'"},
        subcommands = {CampaignCreate.class, CampaignAdvance.class, CampaignReschedule.class})
public final class CampaignCommand {}
