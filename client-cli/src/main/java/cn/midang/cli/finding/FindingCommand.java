package cn.midang.cli.finding;

import picocli.CommandLine.Command;

@Command(name = "finding", mixinStandardHelpOptions = true,
        description = {"Findings of the on-site inspection (检查发现的问题): an assigned inspector records each one about a unit",
            "and a check area, with its severity, the rectification required and the deadline; they go into the summary and,",
            "once results are published, into the unit's rectification order. A unit answers a finding with",
            "'midang submit --kind rectification --finding ID'; one past its deadline without an answer is flagged overdue."},
        footer = {"", "Examples:",
            "  midang finding add --campaign yuxi-2009 --unit yx-gaj --area cryptography --severity high \\",
            "      --description \"政务外网边界未使用商用密码设备\" --rectification \"部署经认可的VPN网关\" --deadline 2010-01-31",
            "  midang finding list --campaign yuxi-2009"},
        subcommands = {FindingAdd.class, FindingList.class})
public final class FindingCommand {}
