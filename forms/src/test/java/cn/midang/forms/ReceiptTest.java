package cn.midang.forms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.keys.sign.CanonicalJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The receipt's one definition, pinned by a golden file: the server writes these bytes, the client reads them. */
class ReceiptTest {

    static final Receipt GOLDEN = new Receipt("00112233445566778899aabbccddeeff", 7, "demo", "unit-a", "rectification",
            "自查报告 \"终稿\".docx", 1234, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0", "aa".repeat(32),
            "bb".repeat(32), Instant.parse("2026-11-25T02:00:00.123Z"), true, "cryptography", "unit-a-1");

    static byte[] golden(String name) throws IOException {
        try (InputStream in = ReceiptTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }

    @Test
    void canonicalBytes_areTheGoldenFile_andParseBackToTheSameReceipt() throws Exception {
        byte[] file = golden("receipt-golden.json");
        assertThat(new String(GOLDEN.canonicalBytes(), StandardCharsets.UTF_8)).isEqualTo(new String(file, StandardCharsets.UTF_8));
        assertThat(Receipt.parse(file)).isEqualTo(GOLDEN);
    }

    @Test
    void aReceiptWithoutAreaOrFinding_keepsTheFormReceiptsHadBefore() throws Exception {
        Receipt plain = new Receipt(GOLDEN.id(), 7, "demo", "unit-a", "report", "自查报告 \"终稿\".docx", 1234, GOLDEN.contentSm3(),
                GOLDEN.submitter(), GOLDEN.server(), GOLDEN.receivedAt(), false, null, null);
        byte[] file = golden("receipt-golden-plain.json");
        assertThat(plain.canonicalBytes()).isEqualTo(file);
        assertThat(Receipt.parse(file)).isEqualTo(plain);
    }

    @Test
    void parse_refusesWhatIsNotAReceiptsForm() {
        String good = new String(GOLDEN.canonicalBytes(), StandardCharsets.UTF_8);
        for (String bad : new String[] {
                good.replace("midang-receipt/1", "midang-receipt/2"),
                good.replace("00112233445566778899aabbccddeeff", "../../.bashrc"),
                good.replace("66c7f0f4", "66C7F0F4"),
                good.replace("\"size\":1234", "\"size\":-1"),
                good.replace("\"late\":true", "\"late\":\"yes\""),
                good.replace("2026-11-25T02:00:00.123Z", "yesterday")}) {
            assertThatThrownBy(() -> Receipt.parse(bad.getBytes(StandardCharsets.UTF_8))).as(bad).isInstanceOf(IOException.class);
        }
    }

    @Test
    void canonicalJson_escapesControlCharactersAndSortsKeys() {
        assertThat(new String(CanonicalJson.encode(Map.of("b", "x\ny\u0001", "a", 1L, "c", true)), StandardCharsets.UTF_8))
                .isEqualTo("{\"a\":1,\"b\":\"x\\ny\\u0001\",\"c\":true}");
    }
}
