package cn.midang.cli.sign;

import cn.midang.cli.CliFailure;
import cn.midang.cli.CliFiles;
import cn.midang.cli.ExitCode;
import cn.midang.cli.Messages;
import cn.midang.cli.MidangCommand;
import cn.midang.cli.Output;
import cn.midang.cli.net.MidangClient;
import cn.midang.cli.net.Receipt;
import cn.midang.cli.net.ServerKeys;
import cn.midang.keys.digest.Sm3;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.ChainValidator;
import cn.midang.keys.pki.RevocationList;
import cn.midang.keys.sign.CmsSignatures;
import cn.midang.keys.sign.RawSignatures;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check, offline, a receipt or a detached signature over a file. Exit code 0 only when it is good (6 when not).",
            "A receipt (ID.receipt, with ID.receipt.sig beside it) is checked against the server signing certificate beside it",
            "(or --cert), and that certificate must be the server's: issued by --ca with the server role, named by you with --cert,",
            "or one your own 'midang submit' checked and remembered (~/.midang/trusted-servers); otherwise it is not verified.",
            "--original also checks your file is the one receipted.",
            "A raw signature is checked against the certificate you give (--cert); a CMS signature against the certificate it carries,",
            "which --cert pins and --ca/--crl check for trust. Every success prints the equivalent openssl command."},
        footer = {"", "Examples:",
            "  midang verify ~/.midang/receipts/3f2a9c0d5e6f47a8b9c0d1e2f3a4b5c6.receipt --original 自查报告.docx",
            "  midang verify --cert zhangsan.pem --raw-signature report.sig report.docx",
            "  midang verify --signature report.p7s --ca ca.crt --crl crl.pem report.docx"})
public final class VerifyCommand extends MidangCommand {

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Form form;

    static final class Form {
        @Option(names = "--raw-signature", paramLabel = "SIG", description = "A raw DER SM2 signature (needs --cert).")
        Path raw;

        @Option(names = "--signature", paramLabel = "SIG.p7s", description = "A CMS detached signature.")
        Path cms;
    }

    @Option(names = "--cert", paramLabel = "CERT.pem", description = "The signer's certificate (required for raw signatures; for CMS it must match the signer).")
    Path cert;

    @Option(names = "--ca", paramLabel = "CA.crt", description = "Also check that the signer's certificate was issued by this CA and is valid now.")
    Path ca;

    @Option(names = "--crl", paramLabel = "crl.pem", description = "With --ca: the CA's revocation list, to check the signer is not revoked.")
    Path crl;

    @Option(names = "--original", paramLabel = "FILE", description = "With a receipt: check that FILE is the content the receipt names (SM3 and size).")
    Path original;

    @Parameters(paramLabel = "RECEIPT|FILE", description = "A receipt, or the signed file.")
    Path file;

    @Override
    public Integer call() throws Exception {
        if (form == null) {
            return verifyReceipt();
        }
        CliFiles.requireFile(file, "signed");
        Certificate pinned = cert == null ? null : Certificate.read(CliFiles.requireFile(cert, "certificate"));
        ChainValidator trust = validator();
        PrintWriter out = spec.commandLine().getOut();
        Messages m = globals().messages();
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("file", file.toString());
        f.put("valid", true);
        if (form.raw != null) {
            if (pinned == null) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--raw-signature needs --cert CERT.pem (the signer's certificate)");
            }
            byte[] sig = Files.readAllBytes(CliFiles.requireFile(form.raw, "signature"));
            try (InputStream in = Files.newInputStream(file)) {
                RawSignatures.verify(pinned, sig, in);
            }
            if (trust != null) {
                trust.validate(pinned);
            }
            f.put("form", "raw");
            f.put("signer", pinned.subject());
            f.put("serial", pinned.serialHex());
            f.put("openssl", "openssl dgst -sm3 -verify signer-pub.pem -sigopt distid:1234567812345678 -signature " + form.raw + " " + file);
            Output.result(out, globals(), withTrust(f, trust), "verify.ok.raw", file, pinned.commonName(), pinned.serialHex(), cert, form.raw);
        } else {
            byte[] sig = Files.readAllBytes(CliFiles.requireFile(form.cms, "signature"));
            CmsSignatures.Verified v;
            try (InputStream in = Files.newInputStream(file)) {
                v = trust == null ? CmsSignatures.verifyWithoutTrust(sig, in) : CmsSignatures.verify(sig, in, trust);
            }
            if (pinned != null && !pinned.samePublicKey(v.signer())) {
                throw new CliFailure(ExitCode.INTEGRITY, "error.cert.notSigner", v.signer().subject(), pinned.subject());
            }
            f.put("form", "cms");
            f.put("signer", v.signer().subject());
            f.put("serial", v.signer().serialHex());
            f.put("signing_time", v.signingTime().toString());
            f.put("content_sm3", HexFormat.of().formatHex(v.contentSm3()));
            Output.result(out, globals(), withTrust(f, trust), "verify.ok.cms", file, v.signer().commonName(), v.signer().role(),
                    v.signer().organisation(), m.time(v.signingTime()));
        }
        if (!globals().json) {
            out.println(trust == null ? m.get("verify.trust.none")
                    : m.get("verify.trust.ca", trust.ca().commonName(), trust.checksRevocation() ? "" : m.get("verify.trust.noCrl")));
            out.flush();
        }
        return 0;
    }

    /** A receipt: the server's raw SM2 signature over the receipt's exact bytes, by the key the receipt names. */
    private int verifyReceipt() throws Exception {
        CliFiles.requireFile(file, "receipt");
        Path sigFile = CliFiles.requireFile(file.resolveSibling(file.getFileName() + ".sig"), "receipt signature");
        byte[] bytes = Files.readAllBytes(file);
        byte[] sig = Files.readAllBytes(sigFile);
        Receipt r;
        try {
            r = Receipt.parse(bytes, sig);
        } catch (IOException e) {
            throw new CliFailure(e, ExitCode.INTEGRITY, "error.receipt.malformed", file);
        }
        Path certFile = cert != null ? cert : file.resolveSibling(MidangClient.serverCertificateName(r.server()));
        Certificate server = Certificate.read(CliFiles.requireFile(certFile, "server certificate"));
        if (!server.fingerprint().equals(r.server())) {
            throw new CliFailure(ExitCode.INTEGRITY, "error.receipt.otherServer", file, r.server(), server.fingerprint());
        }
        RawSignatures.verify(server, sig, bytes);
        // The key the receipt names signed it; whether that key is the server's is a separate question
        // (anyone can sign a receipt with their own key and put their certificate beside it).
        ChainValidator trust = validator();
        Path home = home();
        String trustedBy;
        if (trust != null) {
            ServerKeys.requireServer(server, trust);
            trustedBy = messages().get("verify.receipt.by-ca", ca, trust.ca().commonName());
        } else if (cert != null) {
            trustedBy = messages().get("verify.receipt.by-cert", cert);
        } else if (ServerKeys.pinned(home, server)) {
            trustedBy = messages().get("verify.receipt.by-pin", ServerKeys.pinFile(home));
        } else {
            throw new CliFailure(ExitCode.INTEGRITY, "verify.receipt.untrusted", file, server.subject(), certFile);
        }
        if (original != null) {
            CliFiles.requireFile(original, "original");
            String sm3;
            try (InputStream in = Files.newInputStream(original)) {
                sm3 = HexFormat.of().formatHex(Sm3.digest(in));
            }
            if (!sm3.equals(r.contentSm3()) || Files.size(original) != r.size()) {
                throw new CliFailure(ExitCode.INTEGRITY, "error.receipt.otherContent", original, file);
            }
        }
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("receipt", file.toString());
        f.put("valid", true);
        f.put("form", "receipt");
        f.put("id", r.id());
        f.put("sequence", r.sequence());
        f.put("file_name", r.fileName());
        f.put("campaign", r.campaign());
        f.put("unit", r.unit());
        f.put("kind", r.kind());
        f.put("size", r.size());
        f.put("content_sm3", r.contentSm3());
        f.put("received_at", r.receivedAt());
        f.put("late", r.late());
        f.put("server", r.server());
        f.put("original_checked", original != null);
        // The inclusion proof 'midang log prove' kept beside the receipt, checked offline like the receipt.
        Path proofFile = cn.midang.cli.log.LogProve.Proof.fileFor(file);
        cn.midang.keys.tlog.LogCheckpoint inLog = null;
        if (Files.exists(proofFile)) {
            inLog = cn.midang.cli.log.LogProve.Proof.verifyKept(proofFile,
                    cn.midang.keys.tlog.LogEntry.of(cn.midang.keys.tlog.LogEntry.Kind.RECEIPT, bytes, sig), server);
            // Offline, one fork can still be seen: this computer remembers a checkpoint of the same size with another root.
            Path remembered = cn.midang.cli.net.LogWatch.clientState(home()).resolve(server.fingerprint() + ".checkpoint");
            if (Files.exists(remembered)) {
                cn.midang.keys.tlog.LogCheckpoint seen = cn.midang.keys.tlog.LogCheckpoint.open(Files.readString(remembered),
                        cn.midang.keys.tlog.NoteKey.forLog(server), java.util.List.of(), 0);
                if (seen.head().size() == inLog.head().size() && !java.util.Arrays.equals(seen.head().root(), inLog.head().root())) {
                    throw new cn.midang.keys.KeysException(cn.midang.keys.KeysException.Reason.MISMATCH, "the proof's checkpoint of size "
                            + inLog.head().size() + " is not the one of that size this computer saw: the log was forked");
                }
            }
            Map<String, Object> log = new LinkedHashMap<>();
            log.put("proof_file", proofFile.toString());
            log.put("size", inLog.head().size());
            log.put("root", java.util.Base64.getEncoder().encodeToString(inLog.head().root()));
            f.put("log", log);
        } else {
            f.put("log", null);
        }
        String openssl = "openssl x509 -in " + certFile + " -pubkey -noout > server-pub.pem && openssl dgst -sm3 -verify "
                + "server-pub.pem -sigopt distid:1234567812345678 -signature " + sigFile + " " + file;
        f.put("openssl", openssl);
        withTrust(f, trust);
        f.put("server_key_trusted_by", trustedBy);
        Messages m = messages();
        Output.result(out(), globals(), f, "verify.ok.receipt", file, r.id(), r.fileName(), r.campaign(), r.unit(), r.kind(),
                r.size(), m.time(r.received()), r.late() ? m.get("submit.late") : "", r.server(),
                original == null ? "" : m.get("verify.receipt.original", original), certFile, sigFile);
        if (!globals().json) {
            out().println(trustedBy);
            out().println(inLog == null ? m.get("verify.log.none", file)
                    : m.get("verify.log.in", inLog.head().size(), inLog.head().origin(), proofFile));
            out().flush();
        }
        return 0;
    }

    private static Map<String, Object> withTrust(Map<String, Object> f, ChainValidator trust) {
        f.put("trusted_by_ca", trust == null ? null : trust.ca().subject());
        f.put("revocation_checked", trust != null && trust.checksRevocation());
        return f;
    }

    private ChainValidator validator() throws Exception {
        if (ca == null) {
            if (crl != null) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--crl needs --ca CA.crt");
            }
            return null;
        }
        Certificate caCert = Certificate.read(CliFiles.requireFile(ca, "CA certificate"));
        if (crl == null) {
            return ChainValidator.ignoringRevocation(caCert, Clock.systemUTC());
        }
        return ChainValidator.of(caCert, RevocationList.read(CliFiles.requireFile(crl, "revocation list")), Clock.systemUTC());
    }
}
