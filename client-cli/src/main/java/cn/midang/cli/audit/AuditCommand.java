package cn.midang.cli.audit;

import picocli.CommandLine.Command;

@Command(name = "audit", mixinStandardHelpOptions = true,
        description = {"The audit log: every request to the server, allowed or refused, chained by SM3 and checkpointed with",
            "the server's SM2 signature. Export it (administrator) and check it offline, anywhere, with the server's certificate."},
        footer = {"", "Examples:", "  midang audit export -o audit.json && midang audit verify audit.json --cert server-signing.crt",
            "  midang audit show audit.json --cert server-signing.crt --decision deny"},
        subcommands = {AuditExport.class, AuditVerify.class, AuditShow.class})
public final class AuditCommand {}
