package cn.midang.server.extract;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.server.Documents;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.metadata.TikaCoreProperties;
import org.apache.tika.parser.AutoDetectParser;
import org.apache.tika.parser.ParseContext;
import org.apache.tika.parser.ocr.TesseractOCRConfig;
import org.apache.tika.sax.BodyContentHandler;
import org.junit.jupiter.api.Test;

/** A child's parse, in this JVM: what the shortcuts it takes must not change. */
class ExtractMainTest {

    static final String BODY = "关于开展信息系统安全检查的通知：未使用国产密码产品，应急预案未演练。";

    /** What one parse gives: the status line and the text. */
    record Parsed(String status, String text) {}

    static Parsed parse(AutoDetectParser parser, byte[] doc, String fileName) throws IOException {
        ByteArrayOutputStream pipe = new ByteArrayOutputStream();
        String status;
        try (Frames.ChunkOutput text = new Frames.ChunkOutput(new DataOutputStream(pipe))) {
            status = ExtractMain.parse(parser, fileName, new ByteArrayInputStream(doc), text, new ExtractMain.Limits(1_000_000, 100, 4));
        }
        byte[] text = new Frames.ChunkInput(new DataInputStream(new ByteArrayInputStream(pipe.toByteArray()))).readAllBytes();
        // A failure names the parser object: the same class, another instance.
        return new Parsed(status.replaceAll("@[0-9a-f]+", "@…"), new String(text, StandardCharsets.UTF_8));
    }

    /** Tika as its documentation shows it: detect, pick the parser, parse; no shortcut of ours. */
    static Parsed tikaAlone(byte[] doc, String fileName) {
        Metadata md = new Metadata();
        md.set(TikaCoreProperties.RESOURCE_NAME_KEY, fileName);
        ParseContext ctx = new ParseContext();
        TesseractOCRConfig noOcr = new TesseractOCRConfig();
        noOcr.setSkipOcr(true);
        ctx.set(TesseractOCRConfig.class, noOcr);
        BodyContentHandler text = new BodyContentHandler(-1);
        try {
            new AutoDetectParser().parse(new ByteArrayInputStream(doc), text, md, ctx);
        } catch (Exception e) {
            return new Parsed("fail", "");
        }
        return new Parsed("ok " + md.get(Metadata.CONTENT_TYPE).replace(' ', '_') + " false", text.toString());
    }

    @Test
    void aChildsParse_givesWhatTikaAloneGives_forEveryFormat() throws IOException {
        Map<String, byte[]> docs = new LinkedHashMap<>();
        for (String ext : Documents.FORMATS) {
            docs.put("检查报告." + ext, Documents.make(ext, BODY));
        }
        docs.put("自查报告.txt", BODY.getBytes(StandardCharsets.UTF_8));
        docs.put("问题清单.csv", ("序号,问题,整改期限\n1,未使用国产密码产品,2009年7月\n2,应急预案未演练,2009年8月\n").getBytes(StandardCharsets.UTF_8));
        docs.put("问题清单.txt", ("序号\t问题\n1\t" + BODY + "\n").getBytes(StandardCharsets.UTF_8));
        docs.put("扫描件.pdf", new byte[] {1, 2, 3, 4});
        AutoDetectParser steady = new ExtractMain.SteadyParser();
        List<String> types = new ArrayList<>();
        // Twice through: the second pass meets the parser map the first one built.
        for (int pass = 0; pass < 2; pass++) {
            for (Map.Entry<String, byte[]> d : docs.entrySet()) {
                Parsed expected = tikaAlone(d.getValue(), d.getKey());
                Parsed got = parse(steady, d.getValue(), d.getKey());
                if (expected.status().equals("fail")) {
                    assertThat(got.status()).as(d.getKey()).startsWith("fail");
                } else {
                    assertThat(got.status()).as(d.getKey()).isEqualTo(expected.status());
                    assertThat(got.text().strip()).as(d.getKey()).isEqualTo(expected.text().strip());
                }
                types.add(got.status());
            }
        }
        assertThat(types).as("the documents cover text, office, PDF and a failure")
                .anyMatch(s -> s.startsWith("ok text/plain")).anyMatch(s -> s.contains("wordprocessingml"))
                .anyMatch(s -> s.contains("spreadsheetml")).anyMatch(s -> s.startsWith("ok application/pdf"))
                .anyMatch(s -> s.startsWith("fail"));
    }
}
