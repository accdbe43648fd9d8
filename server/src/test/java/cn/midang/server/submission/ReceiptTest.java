package cn.midang.server.submission;

import cn.midang.keys.sign.CanonicalJson;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReceiptTest {

    /** Golden: the exact bytes a receipt signs. Receipts already issued depend on them. */
    @Test
    void canonicalBytes_arePinned() {
        Receipt r = new Receipt("00112233445566778899aabbccddeeff", 7, "demo", "unit-a", "report", "自查报告 \"终稿\".docx", 1234,
                "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0", "aa".repeat(32), "bb".repeat(32),
                Instant.parse("2026-11-25T02:00:00.123Z"), false);
        assertThat(new String(r.canonicalBytes(), StandardCharsets.UTF_8)).isEqualTo("{\"campaign\":\"demo\","
                + "\"content_sm3\":\"66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0\","
                + "\"file_name\":\"自查报告 \\\"终稿\\\".docx\",\"id\":\"00112233445566778899aabbccddeeff\",\"kind\":\"report\","
                + "\"late\":false,\"received_at\":\"2026-11-25T02:00:00.123Z\",\"sequence\":7,\"server\":\"" + "bb".repeat(32)
                + "\",\"size\":1234,\"submitter\":\"" + "aa".repeat(32) + "\",\"type\":\"midang-receipt/1\",\"unit\":\"unit-a\"}");
    }

    @Test
    void canonicalJson_escapesControlCharactersAndSortsKeys() {
        assertThat(new String(CanonicalJson.encode(Map.of("b", "x\ny\u0001", "a", 1L, "c", true)), StandardCharsets.UTF_8))
                .isEqualTo("{\"a\":1,\"b\":\"x\\ny\\u0001\",\"c\":true}");
    }
}
