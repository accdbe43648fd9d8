package cn.midang.cli.key;

import picocli.CommandLine.Command;

/** {@code midang key}: your own SM2 key and certificate. */
@Command(name = "key", mixinStandardHelpOptions = true,
        description = {"Your own SM2 key: make one with a certificate request, then install the certificate the CA issued."},
        footer = {"", "Example:",
            "  midang key gen --name 张三 --out zhangsan.p12 --csr zhangsan.csr",
            "  midang key install --identity zhangsan.p12 --cert zhangsan.pem --ca ca.crt"},
        subcommands = {KeyGen.class, KeyInstall.class})
public final class KeyCommand {}
