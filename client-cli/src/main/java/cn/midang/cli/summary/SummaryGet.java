package cn.midang.cli.summary;

import cn.midang.cli.CliFailure;
import cn.midang.cli.CliFiles;
import cn.midang.cli.ExitCode;
import cn.midang.cli.ClientOptions;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import cn.midang.cli.net.MidangClient;
import cn.midang.keys.pki.Certificate;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "get", mixinStandardHelpOptions = true,
        description = {"Download the current summary into a folder to read and to check offline: STEM.json, STEM.xlsx,",
            "STEM.docx, each department's signature STEM.json.DEPT.sig (DER) with its signer's certificate DEPT.pem, and",
            "the CA certificate ca.pem. 'midang summary verify DIR' then checks everything; each signature also verifies",
            "with OpenSSL alone (the command is printed)."},
        footer = {"", "Example:", "  midang summary get --campaign yuxi-2009 -o 汇总"})
public final class SummaryGet extends MidangCommand {
    @Mixin ClientOptions client;

    @Option(names = "--campaign", required = true, paramLabel = "C", description = "The campaign.")
    String campaign;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR", description = "The folder (made if missing); files in it are not overwritten.")
    Path dir;

    @Override
    public Integer call() throws Exception {
        MidangClient c = client.client();
        SummaryCommand.Current cur = SummaryCommand.current(c, campaign);
        JsonNode docs = cur.content().path("documents");
        int version = cur.meta().path("version").asInt();
        // The names are this command's own: nothing the server says chooses where a file goes.
        String stem = CliFiles.requireId(campaign, "campaign") + "-汇总-v" + version;
        Files.createDirectories(dir);
        Path json = CliFiles.requireAbsent(CliFiles.child(dir, stem + ".json"));
        CliFiles.writeNew(json, cur.json());
        for (String kind : List.of("xlsx", "docx")) {
            Path target = CliFiles.requireAbsent(CliFiles.child(dir, stem + "." + kind));
            String bound = docs.path(kind).path("sm3").asText();
            // The summary JSON the departments sign binds the other two files by their SM3: another file is never named.
            c.fetch(cur.meta().path("documents").path(kind).asText(), target, opened -> {
                if (!opened.contentSm3Hex().equals(bound)) {
                    throw new CliFailure(ExitCode.INTEGRITY, "summary.sm3-differs", campaign, bound, opened.contentSm3Hex());
                }
            });
        }
        Path ca = CliFiles.child(dir, "ca.pem");
        if (!Files.exists(ca)) {
            c.serverInfo().trust().ca().writePem(ca);
        }
        int n = 0;
        String example = null;
        for (JsonNode s : cur.meta().path("signatures")) {
            String dept = CliFiles.requireId(s.path("department").asText(), "department");
            Path sig = CliFiles.child(dir, stem + ".json." + dept + ".sig");
            CliFiles.writeNew(CliFiles.requireAbsent(sig), Base64.getDecoder().decode(s.path("signature").asText()));
            Path pem = CliFiles.child(dir, dept + ".pem");
            if (!Files.exists(pem)) {
                Certificate.parse(s.path("signer_certificate").asText().getBytes(StandardCharsets.US_ASCII)).writePem(pem);
            }
            example = "openssl x509 -in " + pem + " -pubkey -noout > " + dept + "-pub.pem && openssl dgst -sm3 -verify " + dept
                    + "-pub.pem -sigopt distid:1234567812345678 -signature " + sig + " " + json;
            n++;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("campaign", campaign);
        m.put("version", cur.meta().path("version").asInt());
        m.put("json_sm3", cur.meta().path("json_sm3").asText());
        m.put("dir", dir.toString());
        m.put("signatures", n);
        m.put("openssl", example);
        Output.result(out(), globals(), m, "summary.got", campaign, cur.meta().path("version").asInt(), dir, stem,
                cur.meta().path("json_sm3").asText(), n, example == null ? "-" : example);
        return 0;
    }
}
