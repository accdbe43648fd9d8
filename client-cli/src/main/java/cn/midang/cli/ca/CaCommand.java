package cn.midang.cli.ca;

import picocli.CommandLine.Command;

/** {@code midang ca}: the admin's offline certificate authority. */
@Command(name = "ca",
        description = {"The deployment's certificate authority, kept offline by the admin: create it, issue and revoke certificates, publish the revocation list."},
        footer = {"", "Example:",
            "  midang ca init --dir CA --name \"玉溪市信息产业办 CA\"",
            "  midang ca issue --dir CA --csr zhangsan.csr --role inspector --org 市公安局 --out zhangsan.pem"},
        mixinStandardHelpOptions = true,
        subcommands = {CaInit.class, CaIssue.class, CaRevoke.class, CaCrl.class})
public final class CaCommand {}
