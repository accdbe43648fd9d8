package cn.midang.server.fuzz;

import cn.midang.cli.net.MidangClient;
import cn.midang.forms.ReportForm;
import cn.midang.keys.KeysException;
import cn.midang.keys.audit.Checkpoint;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.ChainValidator;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.seal.Opener;
import cn.midang.keys.sign.SignedRequest;
import cn.midang.keys.testkit.TestPki;
import cn.midang.keys.tlog.Note;
import cn.midang.server.access.SignedStatement;
import cn.midang.server.campaign.CampaignDefinition;
import cn.midang.server.identity.RequestAuthenticator;
import cn.midang.server.refusal.ApiException;
import cn.midang.server.refusal.ErrorCode;
import cn.midang.server.search.api.SearchService;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

/**
 * Every parser of bytes a stranger can send, fuzzed with Jazzer: the sealed package (as the server
 * checks an upload), the signed-request headers, receipts, signed statements (lifecycle steps,
 * audit checkpoints, transparency-log notes), the campaign YAML, the report form, the search query
 * and the audit export. Each must answer with its own refusal (the exception its caller turns
 * into a coded error) or a result — never anything else, which would reach the user as an
 * internal error or worse.
 *
 * <p>In {@code bin/test} these run in regression mode: each input kept under
 * {@code src/test/resources/cn/midang/server/fuzz/ParsersFuzzTestInputs/METHOD/} (the seeds, and
 * every input a fuzzing run found a problem with, after the fix) once. {@code bench/run-fuzz.sh}
 * fuzzes each for 10^6 executions ({@code JAZZER_FUZZ=1}).
 */
class ParsersFuzzTest {

    /** Executions of one target in a fuzzing run (bench/run-fuzz.sh): the issue asks for at least 10^6. */
    static final long RUNS = 1_000_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> DEPARTMENTS = List.of("市信息产业办", "市公安局", "市保密局");
    private static final Fixture FIXTURE = Fixture.make();

    /** A CA, an archive identity and a signer, made once per JVM (the fuzzer calls a target millions of times). */
    private record Fixture(Identity archive, ChainValidator trust, Certificate signer) {
        static Fixture make() {
            try {
                Path dir = Files.createTempDirectory("midang-fuzz-pki");
                TestPki pki = TestPki.create(dir);
                Identity archive = pki.person("archive", "server", "Midang");
                Identity unit = pki.person("unit-a", "unit", "unit-a");
                return new Fixture(archive, pki.validator(), unit.certificate());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @FuzzTest(maxExecutions = RUNS, maxDuration = "4h")
    void sealedPackage(byte[] data) {
        try {
            Opener.forRecipient(FIXTURE.archive(), FIXTURE.trust()).check(new ByteArrayInputStream(data));
        } catch (KeysException expected) {
            // refused: tampered_package, not_sealed_to_archive, untrusted_signer …
        }
    }

    /** The headers one per line: method, path, query, Date, nonce, Content-Digest, Signature-Input, Signature, certificate. */
    @FuzzTest(maxExecutions = RUNS, maxDuration = "4h")
    void signedRequestHeaders(byte[] data) {
        String[] h = java.util.Arrays.copyOf(new String(data, StandardCharsets.UTF_8).split("\n", 9), 9);
        try {
            SignedRequest.fromHeaders(h[0], h[1], h[2], h[3], h[4], h[5], h[6]);
            SignedRequest.parseSignatureHeader(h[7]);
            if (h[8] != null) {
                Certificate.parse(Base64.getDecoder().decode(h[8]));
            }
        } catch (KeysException | IllegalArgumentException expected) {
            // malformed_signature (RequestAuthenticator)
        }
        RequestAuthenticator.presentedFingerprint(h[8]); // for the audit record of any refusal: never throws
    }

    /** A receipt's bytes; its first 72 bytes also stand for a signature. */
    @FuzzTest(maxExecutions = RUNS, maxDuration = "4h")
    void receipt(byte[] data) {
        byte[] signature = java.util.Arrays.copyOf(data, Math.min(72, data.length));
        try {
            cn.midang.forms.Receipt.parse(data);
        } catch (IOException expected) {
            // not a receipt
        }
        try {
            cn.midang.cli.net.Receipt.parse(data, signature);
        } catch (IOException expected) {
            // not a receipt
        }
    }

    /** A statement's bytes (JSON with statement and signature; a checkpoint; a signed note). */
    @FuzzTest(maxExecutions = RUNS, maxDuration = "4h")
    void signedStatement(byte[] data) {
        byte[] signature = java.util.Arrays.copyOf(data, Math.min(72, data.length));
        try {
            SignedStatement s = SignedStatement.read(JSON.readTree(data));
            if (s != null) {
                s.verifiedBy(FIXTURE.signer(), "midang-transition/1", ErrorCode.BAD_STATEMENT);
            }
        } catch (IOException | ApiException expected) {
            // not JSON; bad_statement
        }
        try {
            Checkpoint.parse(data, signature);
        } catch (KeysException expected) {
            // not a checkpoint
        }
        try {
            Note.parse(new String(data, StandardCharsets.UTF_8));
        } catch (KeysException expected) {
            // not a signed note
        }
    }

    @FuzzTest(maxExecutions = RUNS, maxDuration = "4h")
    void campaignYaml(byte[] data) {
        try {
            CampaignDefinition.parse(new String(data, StandardCharsets.UTF_8), DEPARTMENTS);
        } catch (CampaignDefinition.Invalid expected) {
            // invalid_campaign, with its problems
        }
    }

    @FuzzTest(maxExecutions = RUNS, maxDuration = "4h")
    void reportForm(byte[] data) {
        ReportForm.check(new String(data, StandardCharsets.UTF_8)); // problems are its answer: it never throws
    }

    @FuzzTest(maxExecutions = RUNS, maxDuration = "4h")
    void searchQuery(byte[] data) {
        try {
            SearchService.Query q = SearchService.parse(new String(data, StandardCharsets.UTF_8));
            for (String term : q.include()) {
                cn.midang.server.search.ChineseAnalysis.phrase("content", term); // as the index asks for it
            }
            for (String term : q.exclude()) {
                cn.midang.server.search.ChineseAnalysis.phrase("content", term);
            }
        } catch (ApiException expected) {
            // malformed_request
        }
    }

    @FuzzTest(maxExecutions = RUNS, maxDuration = "4h")
    void auditExport(byte[] data) {
        JsonNode export;
        try {
            export = JSON.readTree(data);
        } catch (IOException expected) {
            return; // not JSON (or not text at all: Jackson's CharConversionException): 'midang audit verify' exits 6
        }
        if (export == null) {
            return;
        }
        try {
            MidangClient.verifyAuditExport(export, FIXTURE.signer());
        } catch (KeysException expected) {
            // not intact
        }
    }
}
