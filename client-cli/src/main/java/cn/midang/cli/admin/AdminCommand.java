package cn.midang.cli.admin;

import picocli.CommandLine.Command;

@Command(name = "admin", mixinStandardHelpOptions = true,
        description = {"The administrator's management commands (the server refuses them from any other role):",
            "enrol accounts, publish revocation lists, assign inspectors to campaigns, engage testing bodies, issue retention",
            "permits. Each is signed and audited.",
            "Campaigns themselves: midang campaign."},
        footer = {"", "Examples:", "  midang admin account add yx-fgw.crt", "  midang admin crl publish CA/crl.pem",
            "  midang admin assign --campaign demo --inspector inspector-info"},
        subcommands = {AdminAccount.class, AdminCrl.class, AdminAssign.class, AdminEngagement.class, AdminPermit.class})
public final class AdminCommand {}
