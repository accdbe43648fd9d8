package cn.midang.cli.summary;

import cn.midang.cli.CliFailure;
import cn.midang.cli.CliFiles;
import cn.midang.cli.ExitCode;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import cn.midang.forms.SafeText;
import cn.midang.keys.KeysException;
import cn.midang.keys.digest.Sm3;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.ChainValidator;
import cn.midang.keys.sign.RawSignatures;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check, offline, a summary folder written by 'midang summary get': the .xlsx and .docx have the SM3 the",
            "JSON carries, and every joint-review department named in the JSON has a signature over the JSON's exact bytes",
            "by a certificate of that department issued by the CA. One line per check; exit 0 only when all pass (6 when any",
            "fails): a single changed byte in any of the three files fails every signature. Give --ca with your deployment's",
            "CA certificate (e.g. .midang-dev/ca.crt): the folder's own ca.pem proves nothing to someone who could change the folder."},
        footer = {"", "Examples:", "  midang summary verify 汇总 --ca ca.crt", "  midang summary verify 汇总 --json"})
public final class SummaryVerify extends MidangCommand {

    @Parameters(paramLabel = "DIR", description = "The folder 'midang summary get' wrote.")
    Path dir;

    @picocli.CommandLine.Option(names = "--ca", paramLabel = "CA.pem",
            description = "The CA the signers' certificates must come from (default: DIR/ca.pem, which is only as trustworthy as the folder).")
    Path ca;

    @Override
    public Integer call() throws Exception {
        Path json;
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> found = s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
            if (found.size() != 1) {
                throw new CliFailure(ExitCode.USAGE, "summary.verify.no-json", dir);
            }
            json = found.get(0);
        }
        byte[] bytes = Files.readAllBytes(json);
        JsonNode content;
        try {
            content = SummaryCommand.JSON.readTree(bytes);
        } catch (IOException e) {
            content = SummaryCommand.JSON.createObjectNode();
        }
        List<Map<String, Object>> checks = new ArrayList<>();
        boolean ok = true;
        String stem = json.getFileName().toString().substring(0, json.getFileName().toString().length() - ".json".length());
        for (String kind : List.of("xlsx", "docx")) {
            JsonNode d = content.path("documents").path(kind);
            Path f = dir.resolve(stem + "." + kind); // the names 'summary get' chose, never one the JSON gives
            String actual = Files.isRegularFile(f) ? Sm3.hex(Files.readAllBytes(f)) : "missing";
            boolean good = actual.equals(d.path("sm3").asText());
            ok &= good;
            checks.add(check(f.getFileName().toString(), good, good ? "SM3 " + actual : "SM3 " + actual + " ≠ " + d.path("sm3").asText()));
        }
        Path caFile = ca != null ? CliFiles.requireFile(ca, "CA certificate") : dir.resolve("ca.pem");
        ChainValidator trust = Files.isRegularFile(caFile) ? ChainValidator.ignoringRevocation(Certificate.read(caFile), Clock.systemUTC()) : null;
        checks.add(check("CA", trust != null, trust == null ? "none: no ca.pem and no --ca"
                : trust.ca().commonName() + (ca != null ? " (" + ca + ")" : " (taken from the folder itself; give --ca to check against a CA you hold)")));
        ok &= trust != null;
        JsonNode departments = content.path("campaign").path("joint_review");
        if (departments.isEmpty()) {
            ok = false;
            checks.add(check(json.getFileName().toString(), false, "not a summary (names no joint-review departments)"));
        }
        for (JsonNode d : departments) {
            String dept = d.path("id").asText();
            if (!CliFiles.isId(dept)) {
                ok = false;
                checks.add(check(SafeText.printable(dept), false, "not a department id"));
                continue;
            }
            Path sig = dir.resolve(json.getFileName() + "." + dept + ".sig");
            Path pem = dir.resolve(dept + ".pem");
            String label = dept + " (" + d.path("name").asText() + ")";
            if (!Files.isRegularFile(sig) || !Files.isRegularFile(pem)) {
                ok = false;
                checks.add(check(label, false, "no signature"));
                continue;
            }
            try {
                Certificate cert = Certificate.read(pem);
                RawSignatures.verify(cert, Files.readAllBytes(sig), bytes);
                if (trust != null) {
                    trust.validate(cert);
                }
                boolean ofDept = cert.organisation().equals(d.path("name").asText()) || cert.organisation().equals(dept);
                boolean approver = "approver".equals(cert.role());
                ok &= ofDept && approver;
                checks.add(check(label, ofDept && approver, !approver ? "signed by " + cert.commonName() + ", who is not an approver"
                        : ofDept ? "signed by " + cert.commonName()
                        : "signed by " + cert.commonName() + " of " + cert.organisation() + ", not of this department"));
            } catch (KeysException e) {
                ok = false;
                checks.add(check(label, false, e.getMessage()));
            }
        }
        if (globals().json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("summary", json.toString());
            m.put("valid", ok);
            m.put("checks", checks);
            out().println(Output.json(m));
        } else {
            for (Map<String, Object> c : checks) {
                out().println(((Boolean) c.get("ok") ? "✓ " : "✗ ") + c.get("what") + ": " + c.get("detail"));
            }
            out().println(messages().get(ok ? "summary.verify.ok" : "summary.verify.bad", json));
        }
        out().flush();
        return ok ? 0 : ExitCode.INTEGRITY;
    }

    private static Map<String, Object> check(String what, boolean ok, String detail) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("what", what);
        m.put("ok", ok);
        m.put("detail", detail);
        return m;
    }
}
