package cn.midang.cli.form;

import picocli.CommandLine.Command;

@Command(name = "form", mixinStandardHelpOptions = true,
        description = {"The report form (报告表): the nine check areas of the notice, each item answered",
            "符合 / 基本符合 / 不符合 / 不适用. Write a blank form for a campaign, fill it in any text editor,",
            "check it here (no server needed), then submit it with the written report (--kind form)."},
        footer = {"", "Example:", "  midang form template --campaign yuxi-2009 -o 报告表.yaml",
            "  midang form check 报告表.yaml && midang submit --campaign yuxi-2009 --kind form 报告表.yaml"},
        subcommands = {FormTemplate.class, FormCheck.class})
public final class FormCommand {}
