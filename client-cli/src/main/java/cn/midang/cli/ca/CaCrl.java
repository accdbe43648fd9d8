package cn.midang.cli.ca;

import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import cn.midang.keys.pki.RevocationList;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

@Command(name = "crl", mixinStandardHelpOptions = true,
        description = {"Sign a fresh revocation list (same entries, new dates). Run it before the current list's next update (every 30 days): a stale list makes every certificate fail validation."},
        footer = {"", "Example:", "  midang ca crl --dir CA"})
public final class CaCrl extends MidangCommand {
    @Mixin CaOptions ca;

    @Override
    public Integer call() throws Exception {
        RevocationList crl = ca.open(Clock.systemUTC()).refreshRevocationList();
        List<Map<String, String>> entries = crl.entries().stream()
                .map(e -> Map.of("serial", e.serialHex(), "revoked_at", e.revokedAt().toString(), "reason", e.reason().name()))
                .toList();
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("crl", ca.dir.resolve("crl.pem").toString());
        f.put("number", crl.number());
        f.put("next_update", crl.nextUpdate().map(Object::toString).orElse(""));
        f.put("revoked", entries);
        Output.result(spec.commandLine().getOut(), globals(), f, "ca.crl.done", ca.dir.resolve("crl.pem"), crl.number(),
                crl.nextUpdate().map(Object::toString).orElse("-"), entries.size());
        return 0;
    }
}
