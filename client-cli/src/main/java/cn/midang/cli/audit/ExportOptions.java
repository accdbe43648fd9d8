package cn.midang.cli.audit;

import cn.midang.keys.KeysException;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The audit export a command reads, and the server key the reader trusts for it. */
final class ExportOptions {

    @Parameters(paramLabel = "FILE", description = "An export made by 'midang audit export'.")
    Path file;

    @Option(names = "--cert", paramLabel = "CERT.pem", description = "The server's signing certificate you trust.")
    Path cert;

    @Option(names = "--ca", paramLabel = "CA.crt", description = "Or: accept the certificate in the file if this CA issued it.")
    Path ca;

    /** The export, read and checked. */
    AuditExportFile verified() throws KeysException, IOException {
        return AuditExportFile.verified(file, cert, ca);
    }
}
