package cn.midang.cli.log;

import picocli.CommandLine.Command;

@Command(name = "log", mixinStandardHelpOptions = true,
        description = {"The archive's transparency log (透明日志): every receipt, lifecycle step, sign-off, published result and audit",
            "checkpoint is an entry of an SM3 Merkle tree whose checkpoints the server signs and the joint-review departments cosign.",
            "Every midang command checks that the history the server shows extends the one this computer saw before; these",
            "commands show the log and prove that your receipts are in it."},
        footer = {"", "Examples:", "  midang log status", "  midang log status --witness xxcyb.crt --witness gaj.crt --require 2",
            "  midang log prove ~/.midang/receipts/3f2a9c0d5e6f47a8b9c0d1e2f3a4b5c6.receipt --wait",
            "  midang verify ~/.midang/receipts/3f2a9c0d5e6f47a8b9c0d1e2f3a4b5c6.receipt   (then checks the proof offline)"},
        subcommands = {LogStatus.class, LogProve.class})
public final class LogCommand {}
