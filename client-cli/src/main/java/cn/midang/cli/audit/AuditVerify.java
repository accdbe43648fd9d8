package cn.midang.cli.audit;

import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import cn.midang.keys.audit.AuditChain;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check an audit export offline: each record's SM3 hash, the chain between records, and every checkpoint's",
            "SM2 signature. The server certificate is the one you trust (--cert), or the one in the file checked against",
            "your CA (--ca). Names the first bad record. Exit code 0 when intact, 6 when not."},
        footer = {"", "Examples:", "  midang audit verify audit.json --cert server-signing.crt",
            "  midang audit verify audit.json --ca ca.crt"})
public final class AuditVerify extends MidangCommand {

    @Mixin ExportOptions export;

    @Override
    public Integer call() throws Exception {
        AuditExportFile v = export.verified();
        AuditChain.Result r = v.result();
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("file", export.file.toString());
        f.put("valid", r.ok());
        f.put("records", r.records());
        f.put("checkpoints", r.checkpoints());
        f.put("last_signed", r.lastSigned());
        f.put("last_record", r.lastRecord());
        f.put("first_bad", r.firstBad().orElse(null));
        f.put("problem", r.problem());
        f.put("server", v.server().fingerprint());
        Output.result(out(), globals(), f, "audit.verify.ok", export.file, v.from(), r.lastRecord(), r.records(), r.checkpoints(),
                v.server().fingerprint(), v.trustedBy());
        return 0;
    }
}
