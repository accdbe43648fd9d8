package cn.midang.keys.seal;

import cn.midang.keys.pki.Certificate;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;

/**
 * What opening a sealed package proved: who signed it (a certificate the caller's
 * {@link cn.midang.keys.pki.ChainValidator} accepted), when they say they signed it, the
 * description they signed, the size and SM3 digest of the content, and — for a package sealed to
 * be uploaded — the nonce of the signed request it was sealed for ({@link Sealer.Builder#forRequest}).
 */
public record Opened(Certificate signer, Instant signingTime, Optional<String> description, long contentSize,
        byte[] contentSm3, Optional<String> request) {
    public Opened {
        contentSm3 = contentSm3.clone();
    }

    @Override
    public byte[] contentSm3() {
        return contentSm3.clone();
    }

    public String contentSm3Hex() {
        return HexFormat.of().formatHex(contentSm3);
    }
}
