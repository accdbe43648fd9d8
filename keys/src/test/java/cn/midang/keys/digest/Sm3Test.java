package cn.midang.keys.digest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Sm3Test {

    @Test
    void hex_abc_matchesGbT32905Example() {
        assertThat(Sm3.hex("abc".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
    }

    @Test
    void hex_64ByteExample_matchesGbT32905() {
        String m = "abcd".repeat(16);
        assertThat(Sm3.hex(m.getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
    }

    @Test
    void digest_stream_equalsOneShot() throws Exception {
        byte[] data = new byte[200_003];
        new Random(7).nextBytes(data);
        assertThat(Sm3.digest(new ByteArrayInputStream(data))).isEqualTo(Sm3.digest(data));
    }

    @Test
    void digestingStreams_countAndDigestWhatPasses() throws Exception {
        byte[] data = new byte[70_000];
        new Random(8).nextBytes(data);
        var in = Sm3.digesting(new ByteArrayInputStream(data));
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        var out = Sm3.digesting(sink);
        in.transferTo(out);
        assertThat(in.count()).isEqualTo(data.length);
        assertThat(out.count()).isEqualTo(data.length);
        byte[] expected = Sm3.digest(data);
        assertThat(in.digest()).isEqualTo(expected);
        assertThat(out.digest()).isEqualTo(expected);
        assertThat(sink.toByteArray()).isEqualTo(data);
    }

    @Test
    void digest_empty_isKnownValue() {
        assertThat(HexFormat.of().formatHex(Sm3.digest(new byte[0])))
                .isEqualTo("1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b");
    }

    @Test
    void aDigestingInputStream_digestsWhatIsReadByteByByte_andWhatIsSkipped() throws Exception {
        byte[] data = new byte[70_001];
        new java.util.Random(7).nextBytes(data);
        try (Sm3.DigestingInputStream in = Sm3.digesting(new java.io.ByteArrayInputStream(data))) {
            assertThat(in.markSupported()).as("a reset would digest bytes twice").isFalse();
            for (int i = 0; i < 3; i++) {
                assertThat(in.read()).isEqualTo(data[i] & 0xff);
            }
            // Skipped bytes still pass through the digest; more than one buffer of them
            assertThat(in.skip(65_000)).isEqualTo(65_000);
            assertThat(in.count()).isEqualTo(65_003);
            assertThat(in.skip(10_000)).as("only what is left").isEqualTo(data.length - 65_003);
            assertThat(in.read()).isEqualTo(-1);
            assertThat(in.skip(5)).isZero();
            assertThat(in.count()).isEqualTo(data.length);
            assertThat(in.digest()).isEqualTo(Sm3.digest(data));
        }
    }

    @Test
    void theHexForms_andTheDigestingOutputStream_agreeWithTheDigest() throws Exception {
        byte[] data = new byte[100_000];
        new Random(7).nextBytes(data);
        String expected = HexFormat.of().formatHex(Sm3.digest(data));
        assertThat(Sm3.hex(data)).isEqualTo(expected);
        assertThat(Sm3.hex(new ByteArrayInputStream(data))).isEqualTo(expected);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        Sm3.DigestingOutputStream out = Sm3.digesting(sink);
        out.write(data, 0, 10);
        out.write(data[10]);
        out.write(data, 11, data.length - 11);
        assertThat(out.count()).isEqualTo(data.length);
        assertThat(out.digest()).isEqualTo(Sm3.digest(data));
        assertThat(sink.toByteArray()).isEqualTo(data);
    }

    @Test
    void aZeroByte_readAlone_isDigested_andASkipInTheMiddleSkipsExactly() throws Exception {
        byte[] data = {0, 0, 1, 2, 3, 0, 4, 5, 6, 7, 8, 9};
        Sm3.DigestingInputStream in = Sm3.digesting(new ByteArrayInputStream(data));
        assertThat(in.read()).isZero();
        assertThat(in.read()).isZero();
        assertThat(in.skip(3)).isEqualTo(3);
        assertThat(in.read()).as("the byte after the skipped ones").isZero();
        assertThat(in.count()).isEqualTo(6);
        assertThat(in.readAllBytes()).containsExactly(4, 5, 6, 7, 8, 9);
        assertThat(in.digest()).isEqualTo(Sm3.digest(data));
    }
}
