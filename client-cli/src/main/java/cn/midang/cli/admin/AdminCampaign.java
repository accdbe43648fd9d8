package cn.midang.cli.admin;

import picocli.CommandLine.Command;

@Command(name = "campaign", mixinStandardHelpOptions = true,
        description = "Campaigns: define one from its file (its lifecycle comes with the campaign workflow).",
        footer = {"", "Example:", "  midang admin campaign create config/campaigns/yuxi-2009.yaml"},
        subcommands = {AdminCampaignCreate.class})
public final class AdminCampaign {}
