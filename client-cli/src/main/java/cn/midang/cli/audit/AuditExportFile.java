package cn.midang.cli.audit;

import cn.midang.cli.CliFailure;
import cn.midang.cli.CliFiles;
import cn.midang.cli.ExitCode;
import cn.midang.cli.net.MidangClient;
import cn.midang.cli.net.ServerKeys;
import cn.midang.keys.KeysException;
import cn.midang.keys.audit.AuditChain;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.ChainValidator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * An audit export ({@code midang audit export}) read and checked: every record's hash, the
 * chain, every checkpoint's signature by the server key the reader trusts. Nothing of a file
 * is shown before it has passed, and a file with records no checkpoint covers does not pass.
 */
record AuditExportFile(JsonNode export, AuditChain.Result result, Certificate server, String trustedBy) {

    /** Reads {@code file} and checks it against {@code cert}, or the certificate in it issued by {@code ca}. */
    static AuditExportFile verified(Path file, Path cert, Path ca) throws KeysException, IOException {
        JsonNode n;
        try {
            n = new ObjectMapper().readTree(Files.readAllBytes(CliFiles.requireFile(file, "audit export")));
        } catch (IOException e) {
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
            // Issued by the CA is not enough: any unit's key is. Only the server's key signs checkpoints.
            ServerKeys.requireServer(included, ChainValidator.ignoringRevocation(
                    Certificate.read(CliFiles.requireFile(ca, "CA certificate")), Clock.systemUTC()));
            server = included;
            trustedBy = ca.toString();
        } else {
            throw new CliFailure(ExitCode.USAGE, "error.audit.trust");
        }
        AuditChain.Result r = MidangClient.verifyAuditExport(n, server);
        if (!r.ok()) {
            throw new CliFailure(ExitCode.INTEGRITY, "error.audit.broken", file, r.firstBad().orElseThrow(), r.problem());
        }
        if (r.lastSigned() < r.lastRecord()) {
            throw new CliFailure(ExitCode.INTEGRITY, "error.audit.unsigned", file, r.lastSigned() + 1, r.lastRecord());
        }
        return new AuditExportFile(n, r, server, trustedBy);
    }

    long from() {
        return export.path("from").asLong(1);
    }
}
