package cn.midang.cli.audit;

import cn.midang.cli.CliFailure;
import cn.midang.cli.CliFiles;
import cn.midang.cli.ExitCode;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import cn.midang.keys.audit.AuditChain;
import cn.midang.keys.audit.AuditRecord;
import cn.midang.keys.audit.Checkpoint;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.ChainValidator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check an audit export offline: each record's SM3 hash, the chain between records, and every checkpoint's",
            "SM2 signature. The server certificate is the one you trust (--cert), or the one in the file checked against",
            "your CA (--ca). Names the first bad record. Exit code 0 when intact, 6 when not."},
        footer = {"", "Examples:", "  midang audit verify audit.json --cert server-signing.crt",
            "  midang audit verify audit.json --ca ca.crt"})
public final class AuditVerify extends MidangCommand {

    @Parameters(paramLabel = "FILE", description = "An export made by 'midang audit export'.")
    Path file;

    @Option(names = "--cert", paramLabel = "CERT.pem", description = "The server's signing certificate you trust.")
    Path cert;

    @Option(names = "--ca", paramLabel = "CA.crt", description = "Or: accept the certificate in the file if this CA issued it.")
    Path ca;

    @Override
    public Integer call() throws Exception {
        JsonNode n;
        try {
            n = new ObjectMapper().readTree(java.nio.file.Files.readAllBytes(CliFiles.requireFile(file, "audit export")));
        } catch (java.io.IOException e) {
            throw new CliFailure(e, ExitCode.INTEGRITY, "error.audit.malformed", file);
        }
        if (n == null || !"midang-audit-export/1".equals(n.path("type").asText())) {
            throw new CliFailure(ExitCode.INTEGRITY, "error.audit.malformed", file);
        }
        Certificate included = Certificate.parse(n.path("server_certificate").asText().getBytes(StandardCharsets.US_ASCII));
        Certificate server;
        String trustedBy;
        if (cert != null) {
            server = Certificate.read(CliFiles.requireFile(cert, "server certificate"));
            trustedBy = cert.toString();
        } else if (ca != null) {
            ChainValidator.ignoringRevocation(Certificate.read(CliFiles.requireFile(ca, "CA certificate")), Clock.systemUTC())
                    .validate(included);
            server = included;
            trustedBy = ca.toString();
        } else {
            throw new CliFailure(ExitCode.USAGE, "error.audit.trust");
        }
        List<AuditRecord> records = new ArrayList<>();
        for (JsonNode r : n.path("records")) {
            records.add(new AuditRecord(r.path("seq").asLong(), r.path("at").asText(), r.path("request").asText(),
                    r.path("actor").asText(), r.path("role").asText(), r.path("organisation").asText(), r.path("action").asText(),
                    r.path("object").asText(), r.path("decision").asText(), r.path("reason").asText(), r.path("prev").asText(),
                    r.path("hash").asText()));
        }
        List<Checkpoint> checkpoints = new ArrayList<>();
        for (JsonNode c : n.path("checkpoints")) {
            checkpoints.add(Checkpoint.parse(Base64.getDecoder().decode(c.path("bytes").asText()),
                    Base64.getDecoder().decode(c.path("signature").asText())));
        }
        long from = n.path("from").asLong(1);
        AuditChain.Result r = AuditChain.verify(records.iterator(), from, n.path("anchor").asText(), checkpoints, server);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("file", file.toString());
        f.put("valid", r.ok());
        f.put("records", r.records());
        f.put("checkpoints", r.checkpoints());
        f.put("last_signed", r.lastSigned());
        f.put("last_record", r.lastRecord());
        f.put("first_bad", r.firstBad().orElse(null));
        f.put("problem", r.problem());
        f.put("server", server.fingerprint());
        if (!r.ok()) {
            throw new CliFailure(ExitCode.INTEGRITY, "error.audit.broken", file, r.firstBad().orElseThrow(), r.problem());
        }
        if (r.lastSigned() < r.lastRecord()) {
            throw new CliFailure(ExitCode.INTEGRITY, "error.audit.unsigned", file, r.lastSigned() + 1, r.lastRecord());
        }
        Output.result(out(), globals(), f, "audit.verify.ok", file, from, r.lastRecord(), r.records(), r.checkpoints(),
                server.fingerprint(), trustedBy);
        return 0;
    }
}
